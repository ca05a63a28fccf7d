import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const dirsUnder = (parent: string) =>
  readdirSync(join(root, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => `${parent}/${entry.name}`);

/** The Markdown files of the repository a reader is sent to. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  const readmes = [...dirsUnder("apps"), ...dirsUnder("packages"), "bench", "deploy"]
    .map((dir) => `${dir}/README.md`)
    .filter((path) => existsSync(join(root, path)));
  return ["README.md", ...docs, ...readmes];
}

/** Hosts a document may link to: public standards and the libraries and services it builds on. */
const publicHosts = new Set([
  "www.rfc-editor.org",
  "datatracker.ietf.org",
  "spec.openapis.org",
  "html.spec.whatwg.org",
  "www.standardwebhooks.com",
  "docs.bullmq.io",
  "www.ferretdb.com",
  "docs.ferretdb.io",
  "replicate.com",
  "platform.openai.com",
  "keda.sh",
]);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
const anchorsOf = (text: string) =>
  new Set(
    text
      .replace(/```[\s\S]*?```/g, "")
      .split("\n")
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, ""))),
  );

describe("README.md", () => {
  const readme = read("README.md");

  it("stays short enough for a newcomer (at most 220 lines)", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(220);
  });

  it("keeps the two commands", () => {
    expect(readme).toContain("bash scripts/run.sh ");
    expect(readme).toContain("bash scripts/test.sh ");
  });

  it("names every directory of the workspace in its package map, and only those", () => {
    const map = readme.split("## Package map")[1]?.split("\n## ")[0] ?? "";
    const listed = [...map.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]);
    const dirs = [
      ...dirsUnder("apps"),
      ...dirsUnder("packages"),
      ...dirsUnder("tests"),
      ...dirsUnder("tools"),
      "bench",
      "deploy",
      "docs",
      "scripts",
    ];
    expect(dirs.filter((dir) => !listed.includes(dir))).toEqual([]);
    expect(listed.filter((dir) => !dirs.includes(dir as string))).toEqual([]);
  });
});

describe("links in the documentation", () => {
  const links = markdownFiles().flatMap((file) =>
    [...read(file).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => ({ file, target: match[1] as string })),
  );

  it("finds the links it checks", () => {
    expect(links.length).toBeGreaterThan(30);
  });

  it("leave the repository only for public standards and libraries", () => {
    const outside = links.filter(({ target }) => {
      if (/^https?:\/\//.test(target)) return !publicHosts.has(new URL(target).host);
      if (/^[a-z]+:/.test(target) || target.startsWith("/")) return true;
      return false;
    });
    expect(outside).toEqual([]);
  });

  it("point at files and headings that exist, inside the repository", () => {
    const broken = links.filter(({ file, target }) => {
      if (/^[a-z]+:/.test(target)) return false;
      const [path = "", anchor] = target.split("#");
      const resolved = path === "" ? join(root, file) : resolve(root, dirname(file), path);
      if (relative(root, resolved).startsWith("..")) return true;
      if (!existsSync(resolved)) return true;
      if (anchor === undefined || statSync(resolved).isDirectory() || !resolved.endsWith(".md")) return false;
      return !anchorsOf(readFileSync(resolved, "utf8")).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});
