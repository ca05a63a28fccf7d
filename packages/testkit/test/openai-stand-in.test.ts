import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import {
  defaultChatReply,
  eventually,
  type OpenAIStandIn,
  REFUSAL_MESSAGE,
  splitIntoTokens,
  startOpenAIStandIn,
} from "../src/index.js";
import { postJson, standInForFile } from "./support/stand-in-suite.js";

// Fast defaults so the suite stays quick; tests that need slowness use [[slow:MS]].
const BASELINE = {
  latencyMs: 20,
  tokenDelayMs: 0,
  rate429: 0,
  rate500: 0,
  retryAfterSeconds: 0,
  models: ["llama3.2"],
} as const;
const MODEL = "llama3.2";

let standIn: OpenAIStandIn;
let openai: OpenAI;

interface LoggedLine {
  level: string;
  message: string;
}

/** A client whose log lines are kept instead of printed, so tests can assert on them. */
function clientFor(target: OpenAIStandIn, logged: LoggedLine[] = [], maxRetries = 0): OpenAI {
  const keep =
    (level: string) =>
    (message: string): void => {
      logged.push({ level, message });
    };
  return new OpenAI({
    apiKey: "x",
    baseURL: `${target.url}/v1`,
    maxRetries,
    logger: { error: keep("error"), warn: keep("warn"), info: keep("info"), debug: keep("debug") },
  });
}

function user(content: string): OpenAI.Chat.ChatCompletionMessageParam[] {
  return [{ role: "user", content }];
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${standIn.url}${path}`, body, headers);
}

/** Whatever the promise rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function contentOf(chunks: readonly ChatCompletionChunk[]): string[] {
  return chunks.flatMap((chunk) => {
    const content = chunk.choices[0]?.delta.content;
    return typeof content === "string" && content !== "" ? [content] : [];
  });
}

standInForFile(
  () => startOpenAIStandIn(BASELINE),
  { ...BASELINE, reply: defaultChatReply },
  (started) => {
    standIn = started;
    openai = clientFor(started);
  },
);

describe("OpenAI stand-in through the official client", () => {
  it("answers a non-stream completion with the echo of the last user message and rough usage", async () => {
    const completion = await openai.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "first question" },
        { role: "assistant", content: "an answer" },
        { role: "user", content: "  hello stand-in \n" },
      ],
    });

    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe(MODEL);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message).toEqual({ role: "assistant", content: "You said: hello stand-in" });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    // 2 + 2 + 2 + 2 words in; "You", " said", ":", " hello", " stand", "-", "in" out.
    expect(completion.usage).toEqual({ prompt_tokens: 8, completion_tokens: 7, total_tokens: 15 });
    expect(completion._request_id).toMatch(/^req_/);
  });

  it("echoes the text parts of an array content and caps the echo at 200 characters", async () => {
    const parts = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: [{ type: "text", text: "from parts" }] }],
    });
    expect(parts.choices[0]?.message.content).toBe("You said: from parts");

    const long = await openai.chat.completions.create({ model: MODEL, messages: user("a".repeat(500)) });
    expect(long.choices[0]?.message.content).toBe(`You said: ${"a".repeat(200)}`);
  });

  it("streams several content deltas that join to the reply, the first well before the response completes", async () => {
    const prompt = "[[slow:600]] tell me something longer";
    const reply = `You said: ${prompt}`;
    const started = Date.now();
    const stream = await openai.chat.completions.create({ model: MODEL, messages: user(prompt), stream: true });

    const chunks: ChatCompletionChunk[] = [];
    let firstContentAt: number | undefined;
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (firstContentAt === undefined && contentOf([chunk]).length > 0) firstContentAt = Date.now();
    }
    const endedAt = Date.now();

    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant" });
    expect(contentOf(chunks)).toEqual(splitIntoTokens(reply));
    expect(contentOf(chunks).join("")).toBe(reply);
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.id === chunks[0]?.id)).toBe(true);
    // Progressive: the first token came long before the last, not in one burst.
    expect(endedAt - started).toBeGreaterThanOrEqual(550);
    expect(endedAt - (firstContentAt ?? endedAt)).toBeGreaterThanOrEqual(300);
    expect(standIn.requests[0]).toMatchObject({ stream: true, outcome: "completed" });
    expect(standIn.counts).toMatchObject({ completions: 1, streams: 1 });
  });

  it("spaces streamed tokens tokenDelayMs apart when that is set", async () => {
    standIn.setBehaviour({ tokenDelayMs: 80 });
    const stream = await openai.chat.completions.create({ model: MODEL, messages: user("a b"), stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (contentOf([chunk]).length > 0) arrivals.push(Date.now());

    // "You", " said", ":", " a", " b": four gaps of 80 ms, with slack for timer jitter.
    expect(arrivals).toHaveLength(5);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(240);
  });

  it("ends the stream with a usage chunk without choices when include_usage is set", async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: user("count me"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("sends no usage chunk when include_usage is not set", async () => {
    const stream = await openai.chat.completions.create({ model: MODEL, messages: user("hi"), stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
  });

  it("cuts the reply at max_tokens with finish_reason length, streamed or not", async () => {
    const completion = await openai.chat.completions.create({ model: MODEL, messages: user("one two"), max_tokens: 3 });
    expect(completion.choices[0]).toMatchObject({ message: { content: "You said:" }, finish_reason: "length" });
    expect(completion.usage?.completion_tokens).toBe(3);

    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: user("one two"),
      max_completion_tokens: 4,
      stream: true,
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(contentOf(chunks).join("")).toBe("You said: one");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("length");
  });

  it("lists and retrieves the configured models", async () => {
    standIn.setBehaviour({ models: ["llama3.2", "meta-llama/Llama-3.1-8B-Instruct"] });
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(["llama3.2", "meta-llama/Llama-3.1-8B-Instruct"]);

    const model = await openai.models.retrieve("meta-llama/Llama-3.1-8B-Instruct");
    expect(model).toMatchObject({ id: "meta-llama/Llama-3.1-8B-Instruct", object: "model", owned_by: "stand-in" });
    await expect(openai.models.retrieve("gpt-4o")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("passes the request body to a custom reply function", async () => {
    standIn.setBehaviour({
      reply: (messages, body) => `${messages.length} messages at ${String(body.temperature)}`,
    });
    const completion = await openai.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "system", content: "s" },
        { role: "user", content: "u" },
      ],
      temperature: 0.5,
    });
    expect(completion.choices[0]?.message.content).toBe("2 messages at 0.5");
  });
});

describe("OpenAI stand-in failures through the official client", () => {
  it("surfaces an injected 429 as RateLimitError with Retry-After on its headers", async () => {
    standIn.setBehaviour({ rate429: 1, retryAfterSeconds: 7 });
    const error = await rejectionOf(openai.chat.completions.create({ model: MODEL, messages: user("hi") }));

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers?.get("retry-after")).toBe("7");
    expect(rateLimit.type).toBe("rate_limit_error");
    expect(rateLimit.code).toBe("rate_limit_exceeded");
    expect(rateLimit.message).toMatch(/^429 Rate limit reached .* try again in 7s\.$/);
    expect(standIn.counts.sent429).toBe(1);
    expect(standIn.requests[0]?.outcome).toBe("rate-limited");
  });

  it("shows the client retrying a 429 after waiting the Retry-After seconds when retries are allowed", async () => {
    // Seed 8 rejects the first request and lets the second through.
    standIn.setBehaviour({ rate429: 0.5, seed: 8, retryAfterSeconds: 1 });
    const retrying = clientFor(standIn, [], 2);
    const started = Date.now();
    const completion = await retrying.chat.completions.create({ model: MODEL, messages: user("persist") });

    expect(completion.choices[0]?.message.content).toBe("You said: persist");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(standIn.requests.map((record) => record.outcome)).toEqual(["rate-limited", "completed"]);
  });

  it("surfaces an injected 500 as InternalServerError, for a stream too", async () => {
    standIn.setBehaviour({ rate500: 1 });
    const error = await rejectionOf(openai.chat.completions.create({ model: MODEL, messages: user("hi") }));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 500, type: "server_error" });

    const streamed = await rejectionOf(
      openai.chat.completions.create({ model: MODEL, messages: user("hi"), stream: true }),
    );
    expect(streamed).toBeInstanceOf(OpenAI.InternalServerError);
    expect(standIn.counts.sent500).toBe(2);
  });

  it("refuses a [[fail]] request with BadRequestError", async () => {
    const error = await rejectionOf(
      openai.chat.completions.create({ model: MODEL, messages: user("please [[fail]]") }),
    );

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_prompt",
      message: `400 ${REFUSAL_MESSAGE}`,
    });
    expect(standIn.requests[0]?.outcome).toBe("refused");
  });

  it("answers an unknown model with NotFoundError and code model_not_found", async () => {
    const error = await rejectionOf(openai.chat.completions.create({ model: "gpt-4o", messages: user("hi") }));

    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: "model_not_found" });
    expect(standIn.requests[0]).toMatchObject({ model: "gpt-4o", outcome: "model-not-found" });
  });

  it("lets a [[malformed]] non-stream body through the client as an object without valid choices", async () => {
    const completion = await openai.chat.completions.create({ model: MODEL, messages: user("[[malformed]]") });

    // The client does not validate: the typed result is whatever JSON came back.
    expect(completion).toEqual({ choices: "nope" });
    expect(Array.isArray(completion.choices)).toBe(false);
    expect(standIn.requests[0]?.outcome).toBe("malformed");
  });

  it("makes the stream iterator throw a SyntaxError on a [[malformed]] stream, logging the bad data", async () => {
    const logged: LoggedLine[] = [];
    const client = clientFor(standIn, logged);
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: user("[[malformed]]"),
      stream: true,
    });

    const seen: ChatCompletionChunk[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const chunk of stream) seen.push(chunk);
      })(),
    );

    // A raw JSON.parse error, not one of the client's OpenAIError classes.
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error).not.toBeInstanceOf(OpenAI.OpenAIError);
    expect(seen).toEqual([]);
    expect(logged).toContainEqual({ level: "error", message: "Could not parse message into JSON:" });
    await eventually("the first request to be settled", () => standIn.requests[0]?.outcome !== "pending", {
      timeoutMs: 2000,
      intervalMs: 5,
    });
    expect(standIn.requests[0]?.outcome).toBe("malformed");
  });

  it("stops the stand-in's timers when the client aborts mid-stream, and the iteration just ends", async () => {
    const prompt = "[[slow:2000]] a long answer that keeps going";
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: MODEL, messages: user(prompt), stream: true },
      { signal: controller.signal },
    );
    const contents: string[] = [];
    let abortedAt = 0;
    const result = await (async () => {
      for await (const chunk of stream) {
        contents.push(...contentOf([chunk]));
        if (contents.length >= 2 && abortedAt === 0) {
          abortedAt = Date.now();
          controller.abort();
        }
      }
      return "ended";
    })().catch((error: unknown) => error);

    // The client swallows the AbortError: the loop ends as if the stream were done.
    expect(result).toBe("ended");
    expect(Date.now() - abortedAt).toBeLessThan(500);
    expect(contents.length).toBeLessThan(splitIntoTokens(`You said: ${prompt}`).length);
    // Well before the 2 s answer would have finished on its own.
    await eventually("no request in flight", () => standIn.inFlight === 0, { timeoutMs: 500, intervalMs: 5 });
    expect(standIn.requests[0]?.outcome).toBe("client-closed");
  });
});

describe("OpenAI stand-in request validation", () => {
  it("answers 401 in OpenAI's error shape when the bearer token is missing or empty", async () => {
    const missing = await fetch(`${standIn.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      error: { message: expect.stringContaining("API key"), type: "invalid_request_error", param: null, code: null },
    });

    const empty = await post(
      "/v1/chat/completions",
      { model: MODEL, messages: user("hi") },
      { Authorization: "Bearer " },
    );
    expect(empty.status).toBe(401);
    expect(standIn.counts.completions).toBe(0);
  });

  it("answers 400 in OpenAI's error shape for a missing model or bad messages", async () => {
    const cases: [unknown, string | null][] = [
      [{ messages: user("hi") }, "model"],
      [{ model: 7, messages: user("hi") }, "model"],
      [{ model: MODEL }, "messages"],
      [{ model: MODEL, messages: "hi" }, "messages"],
      [{ model: MODEL, messages: [] }, "messages"],
      [{ model: MODEL, messages: ["hi"] }, "messages[0]"],
      [{ model: MODEL, messages: [{ role: "bot", content: "hi" }] }, "messages[0].role"],
      [{ model: MODEL, messages: [{ role: "user" }] }, "messages[0].content"],
      [{ model: MODEL, messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
      [{ model: MODEL, messages: user("hi"), stream_options: { include_usage: true } }, "stream_options"],
      [{ model: MODEL, messages: user("hi"), max_tokens: 0 }, "max_tokens"],
      [{ model: MODEL, messages: user("hi"), temperature: 3 }, "temperature"],
      [[1, 2], null],
    ];
    for (const [body, param] of cases) {
      const response = await post("/v1/chat/completions", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const json = (await response.json()) as { error: Record<string, unknown> };
      expect(json.error, JSON.stringify(body)).toMatchObject({ type: "invalid_request_error", param });
      expect(typeof json.error.message).toBe("string");
    }

    const notJson = await post("/v1/chat/completions", "{not json");
    expect(notJson.status).toBe(400);
    expect(standIn.requests).toHaveLength(0);
    expect(standIn.counts.completions).toBe(cases.length + 1);
  });

  it("surfaces a validation 400 as BadRequestError with its param", async () => {
    const error = await rejectionOf(
      openai.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], temperature: 9 }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ param: "temperature", code: "invalid_value" });
  });

  it("answers 404 in OpenAI's error shape for unknown routes", async () => {
    const response = await post("/v1/completions", { model: MODEL, prompt: "hi" });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: "Invalid URL (POST /v1/completions)" } });
  });

  it("rejects nonsense behaviour with a RangeError", () => {
    expect(() => standIn.setBehaviour({ rate429: 50 })).toThrow(RangeError);
    expect(() => standIn.setBehaviour({ models: [""] })).toThrow(RangeError);
  });
});

describe("OpenAI stand-in records", () => {
  it("records every well-formed request in arrival order, and reset clears requests and counts", async () => {
    await openai.chat.completions.create({ model: MODEL, messages: user("one"), temperature: 0.2 });
    const stream = await openai.chat.completions.create({ model: MODEL, messages: user("two"), stream: true });
    for await (const _chunk of stream) {
      // Drained for its side effect on the record.
    }
    standIn.setBehaviour({ rate500: 1 });
    await rejectionOf(openai.chat.completions.create({ model: MODEL, messages: user("three") }));

    expect(standIn.requests.map((record) => [record.model, record.stream, record.outcome])).toEqual([
      [MODEL, false, "completed"],
      [MODEL, true, "completed"],
      [MODEL, false, "server-error"],
    ]);
    expect(standIn.requests[0]?.messages).toEqual([{ role: "user", content: "one" }]);
    expect(standIn.requests[0]?.body).toMatchObject({ temperature: 0.2 });
    const times = standIn.requests.map((record) => record.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(standIn.counts).toEqual({ completions: 3, streams: 1, sent429: 0, sent500: 1 });

    standIn.reset();
    expect(standIn.requests).toHaveLength(0);
    expect(standIn.counts).toEqual({ completions: 0, streams: 0, sent429: 0, sent500: 0 });
  });

  it("shows a request as pending while its answer is produced", async () => {
    const pending = openai.chat.completions.create({ model: MODEL, messages: user("[[slow:300]] wait") });
    await eventually("one request recorded", () => standIn.requests.length === 1, { timeoutMs: 2000, intervalMs: 5 });
    expect(standIn.requests[0]?.outcome).toBe("pending");
    expect(standIn.inFlight).toBe(1);

    await pending;
    expect(standIn.requests[0]?.outcome).toBe("completed");
    expect(standIn.inFlight).toBe(0);
  });
});

describe("OpenAI stand-in shutdown", () => {
  it("closes promptly while a stream is open, marking the request stopped", async () => {
    const own = await startOpenAIStandIn();
    const client = clientFor(own);
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: user("[[slow:10000]] x"),
      stream: true,
    });
    const iterated = (async () => {
      for await (const _chunk of stream) {
        // Drained until the stand-in goes away.
      }
      return "ended";
    })().catch(() => "rejected");

    const started = Date.now();
    await own.close();

    expect(Date.now() - started).toBeLessThan(1000);
    expect(own.inFlight).toBe(0);
    expect(own.requests[0]?.outcome).toBe("stopped");
    // The stream was cut before [DONE], which the client reports as an error.
    expect(await iterated).toBe("rejected");
    await expect(fetch(`${own.url}/v1/models`)).rejects.toThrow();
  });
});
