import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
/** Installed by scripts/schemathesis.sh (scripts/test.sh runs it and sets SCHEMATHESIS_BIN). */
const schemathesis = process.env.SCHEMATHESIS_BIN ?? join(root, ".data/schemathesis-venv/bin/st");

/** Cases per operation and phase: about 3,800 requests, 1 to 2.5 minutes on two shared cores. */
const MAX_EXAMPLES = 100;
/** Fixed, so CI runs the same cases every time; set SCHEMATHESIS_SEED to explore others. */
const SEED = process.env.SCHEMATHESIS_SEED ?? "20261206";
/** Past this the run is killed and the test fails: it never hangs the suite. */
const HARD_LIMIT_MS = 8 * 60_000;

/** Every response is checked against the document, and the undeclared methods for 405 + Allow. */
const CHECKS = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_schema_conformance",
  "response_headers_conformance",
  "unsupported_method",
  "allow_header_conformance",
];

/**
 * Operations the fuzzer is not given, and why:
 * - DELETE /v1/api-keys/{id}: the stateful phase reads GET /v1/api-keys and would revoke
 *   the very key the run authenticates with, leaving every later request a 401.
 */
const EXCLUDED_PATHS = ["/v1/api-keys/{id}"];

type Json = { [key: string]: unknown };

/**
 * The served document, less what must not be fuzzed here: `webhook` on POST /v1/queries.
 * A generated webhook URL may name a public host, which the worker would then call; this
 * machine's tests send traffic to loopback only (webhook targets have tests of their own).
 */
function withoutWebhooks(document: Json): Json {
  const copy = structuredClone(document);
  const paths = copy.paths as Record<string, Record<string, Json>>;
  const body = paths["/v1/queries"]?.post?.requestBody as
    | { content: Record<string, { schema: { properties: Record<string, unknown> } }> }
    | undefined;
  const properties = body?.content["application/json"]?.schema.properties;
  if (!properties || !("webhook" in properties)) throw new Error("POST /v1/queries no longer has webhook: update this");
  delete properties.webhook;
  return copy;
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      // Only what it needs: nothing of the developer's shell leaks into the run.
      env: { PATH: process.env.PATH ?? "", HOME: cwd, LANG: "C.UTF-8", PYTHONIOENCODING: "utf-8", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    // A bound, not a pause: a fuzz run past its hard limit is killed.
    const timer = setTimeout(() => child.kill("SIGKILL"), HARD_LIMIT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("attack: fuzz every documented operation for a server error or an answer the document does not describe", () => {
  let system: System;
  let workdir: string;

  beforeAll(async () => {
    // startSystem raises the rate limits (RATE_LIMIT_*, AUTH_FAILURES_*): thousands of requests
    // from one user and address would otherwise end in 429s the moment the default limits are
    // spent, and the run would test the limiter instead of the routes. 429 is still documented
    // wherever it can come (the open-query and stream caps stay as they are).
    system = await startSystem({ workers: 1, standIn: { latencyMs: 20 } });
    workdir = await mkdtemp(join(tmpdir(), "llm-chat-schemathesis-"));
  });
  afterAll(async () => {
    await system?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it(
    "answers Schemathesis' generated requests with no 5xx, and with statuses, content types, headers and bodies (SSE events included) the document gives",
    async () => {
      if (!existsSync(schemathesis)) {
        throw new Error(`Schemathesis is not installed at ${schemathesis}: run \`bash scripts/schemathesis.sh\``);
      }
      const url = system.api.url;
      const { key } = await register(url);
      const served = (await (await fetch(`${url}/openapi.json`)).json()) as Json;
      const schemaFile = join(workdir, "openapi.json");
      await writeFile(schemaFile, JSON.stringify(withoutWebhooks(served)));

      const { code, output } = await run(
        schemathesis,
        [
          "run",
          schemaFile,
          "--url",
          url,
          "--header",
          `Authorization: Bearer ${key}`,
          "--checks",
          CHECKS.join(","),
          ...EXCLUDED_PATHS.flatMap((path) => ["--exclude-path", path]),
          "--max-examples",
          String(MAX_EXAMPLES),
          "--seed",
          SEED,
          // One worker: Hypothesis' lambda descriptions race across threads on Python 3.11
          // ("AST constructor recursion depth mismatch"), and the machine has two cores.
          "--workers",
          "1",
          // Bounds every request, an event stream included: each one ends at its `done`.
          "--request-timeout",
          "20",
          "--generation-database",
          "none",
          "--no-color",
        ],
        workdir,
      );
      const at = output.lastIndexOf("= SUMMARY =");
      const summary = at >= 0 ? output.slice(at) : output.slice(-3000);
      process.stdout.write(`Schemathesis (seed ${SEED}):\n${summary}\n`);
      expect(code, output).toBe(0);
      expect(output).toMatch(/\d+ generated, \d+ passed/);
    },
    HARD_LIMIT_MS + 60_000,
  );
});
