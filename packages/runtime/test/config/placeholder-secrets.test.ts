import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "../../src/index.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Every literal JWT_SECRET the repository ships in its example configuration: `KEY=value`,
 * `KEY: value` or `KEY: "value"`. Shell substitutions (`$(openssl …)`, `${…}`) generate or
 * demand a value rather than ship one, so they are passed over.
 */
function shippedSecrets(): { file: string; value: string }[] {
  const files = [join(root, ".env.example"), ...filesUnder(join(root, "deploy"))];
  return files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/JWT_SECRET\s*[:=][ \t]*["']?([^"'\s]*)/g)]
      .map((match) => ({ file: file.slice(root.length), value: match[1] ?? "" }))
      .filter(({ value }) => value !== "" && !value.startsWith("$")),
  );
}

function refusal(value: string): string {
  try {
    loadEnv({ JWT_SECRET: value });
  } catch (error) {
    if (error instanceof EnvError) return error.message;
    throw error;
  }
  return "accepted";
}

describe("JWT_SECRET placeholders", () => {
  const shipped = shippedSecrets();

  it("finds the placeholder deploy/ ships (so the scan itself is checked)", () => {
    expect(shipped.map((s) => s.file)).toContain("deploy/k8s/base/secret.example.yaml");
  });

  it("refuses every JWT_SECRET shipped in .env.example and deploy/, in one line naming the variable", () => {
    for (const { file, value } of shipped) {
      const message = refusal(value);
      expect(message, file).toMatch(/^Invalid environment: JWT_SECRET \(set\): /);
      expect(message, file).not.toContain(value);
      expect(message.split("\n"), file).toHaveLength(1);
    }
  });

  it("refuses an edited copy of a placeholder and other values marked as examples", () => {
    for (const value of [
      "change-me-to-at-least-32-random-characters-0001",
      "CHANGEME-CHANGEME-CHANGEME-CHANGEME",
      "replace_me_with_a_long_random_string_please",
      "placeholder-placeholder-placeholder-placeholder",
    ]) {
      expect(refusal(value), value).toContain("JWT_SECRET (set)");
    }
  });

  it("accepts a random secret, and still refuses one that is too short", () => {
    expect(loadEnv({ JWT_SECRET: "Zq3v9KfT1xW8mB2nR7pL4sY6cH0dJ5gA-uE_oI" }).JWT_SECRET).toBeDefined();
    expect(refusal("short")).toContain("JWT_SECRET (set): at least 32 characters");
  });
});
