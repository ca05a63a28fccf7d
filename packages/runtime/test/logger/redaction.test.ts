import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { redactionFor } from "../../src/index.js";

/** A logger with the production redaction, writing its lines into an array. */
function capture(logContent: boolean) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: "trace", redact: { paths: redactionFor(logContent), censor: "[redacted]" } }, sink);
  return { logger, lines };
}

const user = { _id: "usr_1", email: "a@example.test", passwordHash: "$argon2id$v=19$abc", webhookSecret: "whsec_xyz" };

describe("log redaction", () => {
  it("redacts stored credentials: webhookSecret, passwordHash and key hashes, top level and one down", () => {
    const { logger, lines } = capture(true);
    logger.info({ user, webhookSecret: "whsec_top", passwordHash: "$argon2id$top", key: { hash: "ab12" } }, "x");
    const text = JSON.stringify(lines);
    for (const secret of ["whsec_xyz", "whsec_top", "$argon2id$v=19$abc", "$argon2id$top", "ab12"]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ user: { email: "a@example.test", passwordHash: "[redacted]" } });
  });

  it("redacts prompts, outputs, content and messages unless content logging is on", () => {
    const line = {
      prompt: "my secret plan",
      output: "the model's answer",
      query: { prompt: "nested prompt" },
      message: { content: "hello there" },
      request: { messages: [{ role: "user", content: "hi" }] },
    };
    const off = capture(false);
    off.logger.debug(line, "prompt built");
    const text = JSON.stringify(off.lines);
    for (const said of ["my secret plan", "the model's answer", "nested prompt", "hello there", '"hi"']) {
      expect(text).not.toContain(said);
    }
    expect(off.lines[0]).toMatchObject({ prompt: "[redacted]", output: "[redacted]", msg: "prompt built" });

    const on = capture(true);
    on.logger.debug(line, "prompt built");
    expect(on.lines[0]).toMatchObject({ prompt: "my secret plan", query: { prompt: "nested prompt" } });
  });

  it("always redacts passwords and tokens, whatever LOG_CONTENT says", () => {
    const { logger, lines } = capture(true);
    logger.info({ password: "pw", body: { token: "t" }, req: { headers: { authorization: "Bearer k" } } }, "x");
    expect(JSON.stringify(lines)).not.toMatch(/"pw"|"t"|Bearer k/);
  });
});
