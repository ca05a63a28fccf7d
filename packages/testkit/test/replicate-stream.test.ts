import Replicate, { type ServerSentEvent } from "replicate";
import { describe, expect, it } from "vitest";
import {
  defaultReply,
  eventually,
  MODEL_FAILURE_MESSAGE,
  type ReplicateStandIn,
  type StandInPrediction,
  splitIntoTokens,
  startReplicateStandIn,
} from "../src/index.js";
import { postJson, standInForFile } from "./support/stand-in-suite.js";

// Fast defaults so the suite stays quick; tests that need slowness use [[slow:MS]].
const BASELINE = { latencyMs: 20, tokenDelayMs: 0, rate429: 0, rate500: 0, retryAfterSeconds: 0 } as const;
const AUTH = { Authorization: "Bearer test" } as const;

let standIn: ReplicateStandIn;
let replicate: Replicate;

interface SseEvent {
  event: string;
  id: string;
  data: string;
}

interface Chunk {
  text: string;
  at: number;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${standIn.url}${path}`, body, headers);
}

async function createStreaming(prompt: string, headers: Record<string, string> = {}): Promise<StandInPrediction> {
  const response = await post("/models/meta/llama/predictions", { input: { prompt }, stream: true }, headers);
  expect(response.status).toBe(201);
  return (await response.json()) as StandInPrediction;
}

function streamUrlOf(prediction: StandInPrediction): string {
  const url = prediction.urls.stream;
  if (url === undefined) throw new Error(`prediction ${prediction.id} offers no urls.stream`);
  return url;
}

function openStream(prediction: StandInPrediction): Promise<Response> {
  return fetch(streamUrlOf(prediction), { headers: { ...AUTH, Accept: "text/event-stream" } });
}

/** Every body chunk with the time it arrived, until the server ends the response. */
async function readChunks(response: Response, onChunk: (chunk: Chunk) => Promise<void> = async () => {}) {
  if (response.body === null) throw new Error("stream response has no body");
  const chunks: Chunk[] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const chunk = { text: read.value, at: Date.now() };
    chunks.push(chunk);
    await onChunk(chunk);
  }
  return chunks;
}

/** Output tokens so far; 0 before the first and for a non-text ([[malformed]]) output. */
function tokenCount(prediction: Readonly<StandInPrediction> | undefined): number {
  return Array.isArray(prediction?.output) ? prediction.output.length : 0;
}

/** Enough of the SSE grammar for what the stand-in writes (LF line ends). */
function parseEvents(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block !== "")
    .map((block) => {
      const parsed = { event: "message", id: "", data: [] as string[] };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") parsed.event = value;
        else if (field === "id") parsed.id = value;
        else if (field === "data") parsed.data.push(value);
      }
      return { event: parsed.event, id: parsed.id, data: parsed.data.join("\n") };
    });
}

function outputsOf(events: readonly { event: string; data: unknown }[]): string[] {
  return events.filter((event) => event.event === "output").map((event) => String(event.data));
}

standInForFile(
  () => startReplicateStandIn(BASELINE),
  { ...BASELINE, reply: defaultReply, streamUrls: "when-requested" },
  (started) => {
    standIn = started;
    replicate = new Replicate({ auth: "anything", baseUrl: started.url });
  },
);

describe("Replicate stand-in streaming through the official client", () => {
  it("streams the reply token by token through replicate.stream and ends with a done event", async () => {
    // replicate@1.4.0's stream() never sends stream: true, so the URL has to be offered unasked.
    standIn.setBehaviour({ streamUrls: "always" });
    const prompt = "[INST] stream me please [/INST]";

    const events: ServerSentEvent[] = [];
    for await (const event of replicate.stream("acme/chat", { input: { prompt } })) events.push(event);

    const expected = "You said: stream me please";
    expect(outputsOf(events).join("")).toBe(expected);
    expect(outputsOf(events)).toEqual(splitIntoTokens(expected));
    expect(events.at(-1)).toMatchObject({ event: "done", data: "{}" });
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index)));
    expect(standIn.counts.streams).toBe(1);
    expect(standIn.inputs[0]).toMatchObject({ model: "acme/chat", stream: false, outcome: "created" });
  });

  it("refuses replicate.stream by default because the official client never asks for stream: true", async () => {
    const stream = replicate.stream("acme/chat", { input: { prompt: "hi" } });
    await expect(stream.next()).rejects.toThrow("Prediction does not support streaming");

    expect(standIn.inputs[0]?.stream).toBe(false);
    const created = standIn.predictions.get(standIn.inputs[0]?.predictionId ?? "");
    expect(created?.urls.stream).toBeUndefined();
  });

  it("offers urls.stream only to a create that sends stream: true", async () => {
    const streaming = await replicate.predictions.create({ model: "meta/llama", input: { prompt: "a" }, stream: true });
    const plain = await replicate.predictions.create({ model: "meta/llama", input: { prompt: "b" } });

    expect(streaming.urls.stream).toBe(`${standIn.url}/predictions/${streaming.id}/stream`);
    expect(plain.urls).not.toHaveProperty("stream");
    expect(standIn.inputs.map((record) => record.stream)).toEqual([true, false]);

    const notBoolean = await post("/models/meta/llama/predictions", { input: { prompt: "c" }, stream: "yes" });
    expect(notBoolean.status).toBe(422);
    expect(await notBoolean.json()).toMatchObject({ invalid_fields: [{ field: "stream", type: "invalid_type" }] });
  });

  it("ends the official client's stream with done reason canceled when the prediction is canceled mid-stream", async () => {
    standIn.setBehaviour({ streamUrls: "always" });
    const prompt = "[[slow:3000]] a long answer that takes a while";
    const events: ServerSentEvent[] = [];
    let canceledAt = 0;

    for await (const event of replicate.stream("acme/chat", { input: { prompt } })) {
      events.push(event);
      if (canceledAt === 0 && event.event === "output") {
        const canceled = await replicate.predictions.cancel(standIn.inputs[0]?.predictionId ?? "");
        expect(canceled.status).toBe("canceled");
        canceledAt = Date.now();
      }
    }

    expect(Date.now() - canceledAt).toBeLessThan(500);
    expect(events.at(-1)).toMatchObject({ event: "done", data: '{"reason":"canceled"}' });
    const received = outputsOf(events);
    expect(received.length).toBeLessThan(splitIntoTokens(defaultReply(prompt)).length);
    const prediction = standIn.predictions.get(standIn.inputs[0]?.predictionId ?? "");
    expect(prediction?.status).toBe("canceled");
    expect(prediction?.output).toEqual(received);
  });

  it("rejects the official client's iteration with the error event's data when the prediction fails", async () => {
    standIn.setBehaviour({ streamUrls: "always" });
    const outputs: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const event of replicate.stream("acme/chat", { input: { prompt: "[[fail]]" } })) {
        outputs.push(event.event);
      }
    };

    // The client throws `new Error(event.data)`: the raw JSON, and the done event is never seen.
    await expect(consume()).rejects.toThrow(JSON.stringify({ detail: MODEL_FAILURE_MESSAGE }));
    expect(outputs).toEqual([]);
  });
});

describe("Replicate stand-in stream endpoint", () => {
  it("delivers the first token while a GET of the prediction still says processing", async () => {
    const started = Date.now();
    const prompt = "[[slow:1500]] hi";
    const created = await createStreaming(prompt);
    const response = await openStream(created);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");

    let midway: StandInPrediction | undefined;
    const chunks = await readChunks(response, async () => {
      if (midway !== undefined) return;
      const get = await fetch(created.urls.get, { headers: AUTH });
      midway = (await get.json()) as StandInPrediction;
    });

    const tokens = splitIntoTokens(defaultReply(prompt));
    const [first] = chunks;
    expect(first?.text).toBe("event: output\nid: 0\ndata: You\n\n");
    expect((first?.at ?? Infinity) - started).toBeLessThan(1000);
    expect(midway?.status).toBe("processing");
    expect(tokenCount(midway)).toBeGreaterThanOrEqual(1);
    expect(tokenCount(midway)).toBeLessThan(tokens.length);

    const events = parseEvents(chunks.map((chunk) => chunk.text).join(""));
    expect(outputsOf(events)).toEqual(tokens);
    expect(events.at(-1)).toEqual({ event: "done", id: String(tokens.length), data: "{}" });
    expect((chunks.at(-1)?.at ?? 0) - started).toBeGreaterThanOrEqual(1400);
    // Progressive: the tokens came in separate chunks, not in one burst at the end.
    expect(chunks.length).toBeGreaterThan(tokens.length / 2);

    const final = standIn.predictions.get(created.id);
    expect(final?.status).toBe("succeeded");
    expect(final?.output).toEqual(tokens);
  });

  it("spaces the tokens tokenDelayMs apart when that is set", async () => {
    standIn.setBehaviour({ tokenDelayMs: 80 });
    const created = await createStreaming("a b");
    const arrivals: number[] = [];
    await readChunks(await openStream(created), async (chunk) => {
      for (const event of parseEvents(chunk.text)) if (event.event === "output") arrivals.push(chunk.at);
    });

    // "You", " said", ":", " a", " b": four gaps of 80 ms, with slack for timer jitter.
    expect(arrivals).toHaveLength(5);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(240);
  });

  it("replays every earlier token to a subscriber that joins mid-stream, then follows live", async () => {
    standIn.setBehaviour({ tokenDelayMs: 60 });
    const created = await createStreaming("one two three four five six");
    const early = readChunks(await openStream(created));
    await eventually("three tokens produced", () => tokenCount(standIn.predictions.get(created.id)) >= 3, {
      intervalMs: 5,
    });
    const lateResponse = await openStream(created);
    const late = await readChunks(lateResponse);

    const earlyText = (await early).map((chunk) => chunk.text).join("");
    const lateText = late.map((chunk) => chunk.text).join("");
    expect(lateText).toBe(earlyText);
    expect(outputsOf(parseEvents(lateText)).join("")).toBe("You said: one two three four five six");
    // The replay came at once, and the rest followed one token at a time.
    expect(outputsOf(parseEvents(late[0]?.text ?? "")).length).toBeGreaterThanOrEqual(3);
    expect(late.length).toBeGreaterThan(2);
    expect(standIn.counts.streams).toBe(2);
  });

  it("gives a subscriber that comes after completion the full replay and done at once", async () => {
    const created = await createStreaming("late", { Prefer: "wait" });
    expect(created.status).toBe("succeeded");

    const started = Date.now();
    const text = await (await openStream(created)).text();

    expect(Date.now() - started).toBeLessThan(500);
    expect(text).toBe(
      "event: output\nid: 0\ndata: You\n\n" +
        "event: output\nid: 1\ndata:  said\n\n" +
        "event: output\nid: 2\ndata: :\n\n" +
        "event: output\nid: 3\ndata:  late\n\n" +
        "event: done\nid: 4\ndata: {}\n\n",
    );
  });

  it("streams an error event and then done with reason error for a failed prediction", async () => {
    const created = await createStreaming("[[slow:200]] [[fail]]");
    const text = await (await openStream(created)).text();

    expect(text).toBe(
      `event: error\nid: 0\ndata: ${JSON.stringify({ detail: MODEL_FAILURE_MESSAGE })}\n\n` +
        `event: done\nid: 1\ndata: {"reason":"error"}\n\n`,
    );
    expect(standIn.predictions.get(created.id)?.status).toBe("failed");
  });

  it("ends a raw stream with done reason canceled right after a cancel", async () => {
    const created = await createStreaming("[[slow:3000]] x y z");
    let canceledAt = 0;
    const chunks = await readChunks(await openStream(created), async () => {
      if (canceledAt !== 0) return;
      canceledAt = Date.now();
      await post(`/predictions/${created.id}/cancel`, {});
    });

    expect((chunks.at(-1)?.at ?? Infinity) - canceledAt).toBeLessThan(500);
    const events = parseEvents(chunks.map((chunk) => chunk.text).join(""));
    expect(events.at(-1)).toEqual({ event: "done", id: String(events.length - 1), data: '{"reason":"canceled"}' });
  });

  it("encodes a multi-line token as several data lines, which the official client joins with LF", async () => {
    standIn.setBehaviour({ reply: () => "first line\n\nsecond\r\nthird", streamUrls: "always" });
    const created = await createStreaming("anything");
    const text = await (await openStream(created)).text();

    expect(text).toContain("event: output\nid: 1\ndata:  line\n\n");
    expect(text).toContain("event: output\nid: 2\ndata: \ndata: \ndata: second\n\n");
    expect(text).toContain("event: output\nid: 3\ndata: \ndata: third\n\n");

    const events: ServerSentEvent[] = [];
    for await (const event of replicate.stream("acme/chat", { input: { prompt: "anything" } })) events.push(event);
    // SSE cannot carry a CR, so the CRLF arrives as a bare LF.
    expect(outputsOf(events).join("")).toBe("first line\n\nsecond\nthird");
  });

  it("admits a stream request by its Accept header alone and refuses one with neither token nor Accept", async () => {
    const created = await createStreaming("who", { Prefer: "wait" });
    const url = streamUrlOf(created);

    const byAccept = await fetch(url, { headers: { Accept: "text/event-stream" } });
    expect(byAccept.status).toBe(200);
    expect(outputsOf(parseEvents(await byAccept.text())).join("")).toBe("You said: who");

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ status: 401 });
    expect(standIn.counts.streams).toBe(1);
  });

  it("answers 404 for an unknown prediction and for one created without stream: true", async () => {
    const unknown = await fetch(`${standIn.url}/predictions/nope/stream`, { headers: AUTH });
    expect(unknown.status).toBe(404);

    const plain = await replicate.predictions.create({ model: "meta/llama", input: { prompt: "x" } });
    const unoffered = await fetch(`${standIn.url}/predictions/${plain.id}/stream`, { headers: AUTH });
    expect(unoffered.status).toBe(404);
    expect(await unoffered.json()).toMatchObject({ detail: expect.stringContaining("stream: true") });
    expect(standIn.counts.streams).toBe(2);
  });

  it("serves a thousand concurrent streams, each with its own reply", async () => {
    const prompts = Array.from({ length: 1000 }, (_, i) => `[[slow:400]] prompt ${i}`);
    const texts = await Promise.all(
      prompts.map(async (prompt) => {
        const created = await createStreaming(prompt);
        return (await openStream(created)).text();
      }),
    );

    expect(texts.map((text) => outputsOf(parseEvents(text)).join(""))).toEqual(prompts.map(defaultReply));
    const endings = prompts.map(
      (prompt) => `event: done\nid: ${splitIntoTokens(defaultReply(prompt)).length}\ndata: {}\n\n`,
    );
    expect(texts.map((text, i) => text.endsWith(endings[i] ?? "?"))).not.toContain(false);
    expect(standIn.counts.streams).toBe(1000);
  }, 20_000);
});

describe("Replicate stand-in stream shutdown", () => {
  it("closes promptly while a stream is open, without claiming the prediction is done", async () => {
    const own = await startReplicateStandIn();
    const response = await fetch(`${own.url}/models/meta/llama/predictions`, {
      method: "POST",
      headers: { ...AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ input: { prompt: "[[slow:10000]] x" }, stream: true }),
    });
    const created = (await response.json()) as StandInPrediction;
    const stream = await fetch(streamUrlOf(created), { headers: AUTH });
    const body = stream.text().then(
      (text) => text,
      () => "",
    );

    const started = Date.now();
    await own.close();

    expect(Date.now() - started).toBeLessThan(1000);
    expect(await body).not.toContain("event: done");
  });
});
