import { once } from "node:events";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConversationWithMessages, Query } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { call, register } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

describe("the llm-chat command line", () => {
  let system: System;
  let url: string;
  let key: string;
  let configDir: string;
  /** The env of a user who has logged in: only the config directory, no key variables. */
  let loggedIn: Record<string, string>;

  beforeAll(async () => {
    system = await startSystem({ standIn: { latencyMs: 50, tokenDelayMs: 30 } });
    url = system.api.url;
    ({ key } = await register(url));
    configDir = await mkdtemp(join(tmpdir(), "llm-chat-cli-"));
    loggedIn = { LLM_CHAT_CONFIG_DIR: configDir };
  });
  afterAll(async () => {
    await system?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it("logs in with a key piped on stdin and saves it owner-only in the config directory", async () => {
    const result = await runCli(["login", "--api-url", url], { env: loggedIn, input: `${key}\n` });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`logged in to ${url} (saved in ${join(configDir, "config.json")})\n`);
    const saved = JSON.parse(await readFile(join(configDir, "config.json"), "utf8")) as Record<string, string>;
    expect(saved).toEqual({ apiUrl: url, apiKey: key });
    expect((await stat(join(configDir, "config.json"))).mode & 0o777).toBe(0o600);
  });

  it("asks a question and streams the stand-in's answer to stdout, exiting 0", async () => {
    const result = await runCli(["ask", "what", "is", "streaming", "made", "of?"], { env: loggedIn });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("You said: what is streaming made of?\n");
    // Token by token, not in one write at the end.
    expect(result.chunks.length).toBeGreaterThan(2);
    expect((result.chunks.at(-1)?.at ?? 0) - (result.chunks[0]?.at ?? 0)).toBeGreaterThan(30);
  });

  it("continues a conversation, prints whole answers with --no-stream, and shows and deletes it", async () => {
    const first = await runCli(["--json", "ask", "Capital of Peru?", "--model", "mistral"], { env: loggedIn });
    expect(first.code).toBe(0);
    const query = JSON.parse(first.stdout) as Query;
    expect(query).toMatchObject({ status: "succeeded", output: "You said: Capital of Peru?", model: "mistral" });

    const second = await runCli(["ask", "--no-stream", "-c", query.conversationId, "And of Chile?"], { env: loggedIn });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe("You said: And of Chile?\n");
    expect(second.chunks).toHaveLength(1);

    const list = await runCli(["conversations", "list", "--json"], { env: loggedIn });
    expect(list.code).toBe(0);
    const page = JSON.parse(list.stdout) as { data: { id: string }[]; nextCursor: string | null };
    expect(page.data.map((c) => c.id)).toContain(query.conversationId);

    const table = await runCli(["conversations", "list"], { env: loggedIn });
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+MODEL\s+UPDATED\s+TITLE$/);
    expect(table.stdout).toContain(`${query.conversationId}  mistral`);

    const shown = await runCli(["conversations", "show", query.conversationId, "--json"], { env: loggedIn });
    const conversation = JSON.parse(shown.stdout) as ConversationWithMessages;
    expect(conversation.messages.map((m) => m.content)).toEqual([
      "Capital of Peru?",
      "You said: Capital of Peru?",
      "And of Chile?",
      "You said: And of Chile?",
    ]);
    const text = await runCli(["conversations", "show", query.conversationId], { env: loggedIn });
    expect(text.stdout).toContain("\nassistant: You said: And of Chile?\n");

    const shownQuery = await runCli(["queries", "show", query.id, "--json"], { env: loggedIn });
    expect(JSON.parse(shownQuery.stdout)).toMatchObject({ id: query.id, status: "succeeded" });

    const removed = await runCli(["conversations", "rm", query.conversationId], { env: loggedIn });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe(`deleted ${query.conversationId}\n`);
    const gone = await runCli(["conversations", "show", query.conversationId], { env: loggedIn });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("error: 404 Not found: conversation not found\n");
  });

  it("chats line by line in one conversation, the second turn seeing the first", async () => {
    const result = await runCli(["chat", "--system", "Be brief."], {
      env: loggedIn,
      input: "first line\nsecond line\n/exit\n",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("You said: first line\nYou said: second line\n");
    const prompts = system.standIn.inputs.map((i) => String(i.input.prompt));
    const last = prompts.find((p) => p.includes("second line")) ?? "";
    expect(last).toContain("Be brief.");
    expect(last).toContain("first line [/INST] You said: first line");
  });

  it("cancels a running query by id", async () => {
    const submitted = await call<Query>(url, "/v1/queries", { key, json: { prompt: "long one [[slow:8000]]" } });
    const result = await runCli(["queries", "cancel", submitted.body.id], { env: loggedIn });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${submitted.body.id} canceled\n`);
    const again = await runCli(["queries", "cancel", submitted.body.id], { env: loggedIn });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: 409 /);
  });

  it("fails with exit code 1 and one clear line for a bad key, and login refuses to save it", async () => {
    const env = { ...loggedIn, LLM_CHAT_API_URL: url, LLM_CHAT_API_KEY: "llmc_wrong" };
    const result = await runCli(["ask", "hello"], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("error: 401 Unauthorized: the API key is invalid or revoked\n");

    const otherDir = await mkdtemp(join(tmpdir(), "llm-chat-cli-"));
    try {
      const login = await runCli(["login", "--api-url", url, "--key", "llmc_wrong"], {
        env: { LLM_CHAT_CONFIG_DIR: otherDir },
      });
      expect(login.code).toBe(1);
      expect(login.stderr).toMatch(/^error: 401 Unauthorized/);
      await expect(stat(join(otherDir, "config.json"))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it("names the bad field of a rejected prompt, and says when nobody is logged in or the API is down", async () => {
    const invalid = await runCli(["ask", "--model", "Not A Model", "hi"], { env: loggedIn });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: 422 Validation failed: .*\(\/model: .+\)\n$/);

    const fresh = await mkdtemp(join(tmpdir(), "llm-chat-cli-"));
    try {
      const nobody = await runCli(["conversations", "list"], { env: { LLM_CHAT_CONFIG_DIR: fresh } });
      expect(nobody.code).toBe(1);
      expect(nobody.stderr).toBe("error: not logged in: run `llm-chat login` or set LLM_CHAT_API_KEY\n");
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }

    // A port that was free a moment ago: nothing listens there, so connecting is refused.
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const down = await runCli(["models", "--api-url", `http://127.0.0.1:${port}`], { env: loggedIn });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `error: cannot reach http://127.0.0.1:${port}/v1/models: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})\n`,
    );
  });
});
