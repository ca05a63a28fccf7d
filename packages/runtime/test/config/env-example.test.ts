import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema, loadEnv } from "../../src/index.js";

const examplePath = new URL("../../../../.env.example", import.meta.url);

function parseDotenv(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return Object.fromEntries(entries);
}

describe(".env.example", () => {
  const example = parseDotenv(readFileSync(examplePath, "utf8"));

  it("lists every variable the schema knows, and no other", () => {
    expect(Object.keys(example).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it("documents each variable with a comment above it", () => {
    const lines = readFileSync(examplePath, "utf8").split("\n");
    for (const [index, line] of lines.entries()) {
      if (/^[A-Z0-9_]+=/.test(line)) expect(lines[index - 1], line).toMatch(/^#/);
    }
  });

  it("is itself a valid configuration", () => {
    expect(() => loadEnv(example)).not.toThrow();
  });
});

describe("docs/configuration.md", () => {
  const page = readFileSync(new URL("../../../../docs/configuration.md", import.meta.url), "utf8");
  const rows = [...page.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1] as string);

  it("documents every variable the schema knows", () => {
    const missing = Object.keys(envSchema.shape).filter((name) => !rows.includes(name));
    expect(missing).toEqual([]);
  });

  it("has a row for no variable the schema does not know", () => {
    expect(rows.filter((name) => !(name in envSchema.shape))).toEqual([]);
  });
});
