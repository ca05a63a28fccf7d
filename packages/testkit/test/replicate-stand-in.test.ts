import Replicate from "replicate";
import { describe, expect, it } from "vitest";
import {
  defaultReply,
  eventually,
  MODEL_FAILURE_MESSAGE,
  type ReplicateStandIn,
  splitIntoTokens,
  startReplicateStandIn,
} from "../src/index.js";
import { postJson, standInForFile } from "./support/stand-in-suite.js";

// Fast defaults so the suite stays quick; tests that need slowness use [[slow:MS]].
const BASELINE = { latencyMs: 20, tokenDelayMs: 0, rate429: 0, rate500: 0, retryAfterSeconds: 0 } as const;

let standIn: ReplicateStandIn;
let replicate: Replicate;

function clientFor(target: ReplicateStandIn): Replicate {
  return new Replicate({ auth: "anything", baseUrl: target.url });
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${standIn.url}${path}`, body, headers);
}

standInForFile(
  () => startReplicateStandIn(BASELINE),
  { ...BASELINE, reply: defaultReply },
  (started) => {
    standIn = started;
    replicate = clientFor(started);
  },
);

describe("default reply", () => {
  it("echoes the last [INST] turn without its system block", () => {
    const prompt =
      "<s>[INST] <<SYS>>\nBe terse.\n<</SYS>>\n\nfirst question [/INST] an answer </s>" +
      "<s>[INST] <<SYS>>ignored<</SYS>> second question [/INST]";
    expect(defaultReply(prompt)).toBe("You said: second question");
  });

  it("echoes the whole trimmed prompt when there is no [INST] and caps the echo at 200 characters", () => {
    expect(defaultReply("  plain prompt \n")).toBe("You said: plain prompt");
    expect(defaultReply("a".repeat(500))).toBe(`You said: ${"a".repeat(200)}`);
  });

  it("splits a reply into word and symbol tokens that join back exactly", () => {
    expect(splitIntoTokens("You said: hello")).toEqual(["You", " said", ":", " hello"]);
    const awkward = "You said:  tabs\tand trailing ";
    expect(splitIntoTokens(awkward).join("")).toBe(awkward);
  });
});

describe("Replicate stand-in through the official client", () => {
  it("answers a create with wait as succeeded, with tokens that join to the echo reply", async () => {
    const prompt = "[INST] hello stand-in [/INST]";
    const prediction = await replicate.predictions.create({ model: "meta/llama", input: { prompt }, wait: true });

    expect(prediction.status).toBe("succeeded");
    expect(prediction.output).toEqual(["You", " said", ":", " hello", " stand", "-", "in"]);
    expect((prediction.output as string[]).join("")).toBe("You said: hello stand-in");
    expect(prediction.model).toBe("meta/llama");
    expect(prediction.error).toBeNull();
    expect(prediction.metrics).toMatchObject({ input_token_count: 4, output_token_count: 7 });
    expect(prediction.urls.get).toBe(`${standIn.url}/predictions/${prediction.id}`);
  });

  it("moves a prediction created without wait from starting through processing to succeeded", async () => {
    const created = await replicate.predictions.create({ model: "meta/llama", input: { prompt: "[[slow:300]] hi" } });
    expect(created.status).toBe("starting");
    expect(created.output).toBeNull();

    const seen: string[] = [];
    const done = await replicate.wait(created, { interval: 20 }, async (update) => {
      seen.push(update.status);
      return false;
    });

    expect(seen).toContain("processing");
    expect(done.status).toBe("succeeded");
    expect((done.output as string[]).join("")).toBe("You said: [[slow:300]] hi");
    const { created_at: createdAt, started_at: startedAt, completed_at: completedAt } = done;
    expect(Date.parse(createdAt)).toBeLessThanOrEqual(Date.parse(startedAt ?? ""));
    expect(Date.parse(startedAt ?? "")).toBeLessThan(Date.parse(completedAt ?? ""));
  });

  it("returns the token array from run and records the model it was called with", async () => {
    const output = await replicate.run("acme/chat", { input: { prompt: "run me", max_new_tokens: 5 } });

    expect(output).toEqual(["You", " said", ":", " run", " me"]);
    expect(standIn.inputs).toHaveLength(1);
    expect(standIn.inputs[0]).toMatchObject({ model: "acme/chat", input: { prompt: "run me", max_new_tokens: 5 } });
  });

  it("creates through the version route and takes the model from an owner/name:version reference", async () => {
    const response = await post(
      "/predictions",
      { version: "acme/chat:abc123", input: { prompt: "by version" } },
      {
        Prefer: "wait",
      },
    );
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(201);
    expect(body).toMatchObject({ model: "acme/chat", version: "abc123", status: "succeeded" });
  });

  it("cancels a slow prediction and keeps it canceled after its latency has passed", async () => {
    const created = await replicate.predictions.create({ model: "meta/llama", input: { prompt: "[[slow:200]] x" } });

    const canceled = await replicate.predictions.cancel(created.id);
    expect(canceled.status).toBe("canceled");
    expect(canceled.completed_at).toEqual(expect.any(String));

    // A twin created after the cancel has the same latency: once it has succeeded, so would the canceled one have.
    const twin = await replicate.predictions.create({ model: "meta/llama", input: { prompt: "[[slow:200]] x" } });
    await eventually(
      "the twin prediction to succeed",
      async () => (await replicate.predictions.get(twin.id)).status === "succeeded",
    );
    const later = await replicate.predictions.get(created.id);
    expect(later.status).toBe("canceled");
    expect(later.output).toBeNull();
    expect(standIn.counts.cancels).toBe(1);
  });

  it("fails a prediction whose prompt carries [[fail]], and run rejects with the error", async () => {
    const prediction = await replicate.predictions.create({
      model: "meta/llama",
      input: { prompt: "please [[fail]]" },
      wait: true,
    });
    expect(prediction.status).toBe("failed");
    expect(prediction.error).toBe(MODEL_FAILURE_MESSAGE);
    expect(prediction.output).toBeNull();

    await expect(replicate.run("meta/llama", { input: { prompt: "[[fail]]" } })).rejects.toThrow(
      `Prediction failed: ${MODEL_FAILURE_MESSAGE}`,
    );
  });

  it("answers Prefer: wait=1 with the still-running prediction once the second is up", async () => {
    const started = Date.now();
    const response = await post(
      "/models/meta/llama/predictions",
      { input: { prompt: "[[slow:3000]] x" } },
      {
        Prefer: "wait=1",
      },
    );
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(201);
    expect(body.status).toBe("processing");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("uses a custom reply function and adds the per-token delay", async () => {
    standIn.setBehaviour({
      reply: (prompt, input) => `${prompt.toUpperCase()} at ${String(input.temperature)}`,
      tokenDelayMs: 20,
    });
    const prediction = await replicate.predictions.create({
      model: "meta/llama",
      input: { prompt: "shout", temperature: 0.5 },
      wait: true,
    });

    expect((prediction.output as string[]).join("")).toBe("SHOUT at 0.5");
    // 6 tokens ("SHOUT"," at"," 0","."," 5") at 20 ms each on top of 20 ms latency.
    expect(prediction.metrics?.total_time).toBeGreaterThanOrEqual(0.1);
  });

  it("keeps thousands of concurrent predictions apart", async () => {
    const prompts = Array.from({ length: 2000 }, (_, i) => `prompt ${i}`);
    const predictions = await Promise.all(
      prompts.map((prompt) =>
        replicate.predictions.create({ model: "meta/llama", input: { prompt: `[[slow:200]] ${prompt}` }, wait: true }),
      ),
    );

    expect(predictions.every((prediction) => prediction.status === "succeeded")).toBe(true);
    expect(predictions.map((prediction) => (prediction.output as string[]).join(""))).toEqual(
      prompts.map((prompt) => `You said: [[slow:200]] ${prompt}`),
    );
    expect(new Set(predictions.map((prediction) => prediction.id)).size).toBe(2000);
  }, 20_000);

  it("records every create in arrival order, and reset clears inputs and counts", async () => {
    for (const prompt of ["one", "two", "three"]) {
      await replicate.predictions.create({ model: `acme/${prompt}`, input: { prompt } });
    }
    await replicate.predictions.get(standIn.inputs[0]?.predictionId ?? "");

    expect(standIn.inputs.map((record) => [record.model, record.input.prompt])).toEqual([
      ["acme/one", "one"],
      ["acme/two", "two"],
      ["acme/three", "three"],
    ]);
    const times = standIn.inputs.map((record) => record.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(standIn.counts).toMatchObject({ creates: 3, gets: 1 });

    standIn.reset();
    expect(standIn.inputs).toHaveLength(0);
    expect(standIn.counts).toEqual({ creates: 0, gets: 0, cancels: 0, sent429: 0, sent500: 0, streams: 0 });
  });
});

describe("Replicate stand-in failure injection", () => {
  it("answers a create with 429 and the configured Retry-After when rate429 is 1", async () => {
    standIn.setBehaviour({ rate429: 1, retryAfterSeconds: 7 });
    const response = await post("/models/meta/llama/predictions", { input: { prompt: "hi" } });

    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toMatchObject({ status: 429, detail: expect.stringContaining("7 seconds") });
    expect(standIn.counts.sent429).toBe(1);
    expect(standIn.inputs[0]).toMatchObject({ outcome: "rate-limited", predictionId: null });
  });

  it("lets the official client get through a seeded 50% 429 rate by retrying", async () => {
    // Seed 19 rejects the first three creates, then lets the fourth through.
    standIn.setBehaviour({ rate429: 0.5, seed: 19 });
    const output = await replicate.run("meta/llama", { input: { prompt: "persist" } });

    expect(output).toEqual(["You", " said", ":", " persist"]);
    expect(standIn.counts.sent429).toBe(3);
    expect(standIn.inputs.map((record) => record.outcome)).toEqual([
      "rate-limited",
      "rate-limited",
      "rate-limited",
      "created",
    ]);
  });

  it("shows the official client giving up after six immediate attempts, ignoring Retry-After", async () => {
    standIn.setBehaviour({ rate429: 1, retryAfterSeconds: 5 });
    const started = Date.now();

    await expect(replicate.predictions.create({ model: "meta/llama", input: { prompt: "x" } })).rejects.toThrow(
      "status 429",
    );
    expect(standIn.counts.sent429).toBe(6);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("answers 500 when rate500 is 1, which the client does not retry for a create", async () => {
    standIn.setBehaviour({ rate500: 1 });
    const response = await post("/models/meta/llama/predictions", { input: { prompt: "hi" } });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ status: 500 });

    await expect(replicate.predictions.create({ model: "meta/llama", input: { prompt: "x" } })).rejects.toThrow(
      "status 500",
    );
    expect(standIn.counts.sent500).toBe(2);

    standIn.setBehaviour({ rate500: 0 });
    const recovered = await replicate.predictions.create({ model: "meta/llama", input: { prompt: "x" }, wait: true });
    expect(recovered.status).toBe("succeeded");
  });

  it("rejects nonsense behaviour with a RangeError", () => {
    expect(() => standIn.setBehaviour({ rate429: 50 })).toThrow(RangeError);
    expect(() => standIn.setBehaviour({ latencyMs: -1 })).toThrow(RangeError);
  });
});

describe("Replicate stand-in request validation", () => {
  it("answers 401 with a JSON detail when the bearer token is missing or empty", async () => {
    const missing = await fetch(`${standIn.url}/predictions/abc`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ detail: expect.any(String), status: 401 });

    const empty = await fetch(`${standIn.url}/predictions/abc`, { headers: { Authorization: "Bearer " } });
    expect(empty.status).toBe(401);
  });

  it("answers 422 like Replicate when input or prompt is missing or mistyped", async () => {
    const noPrompt = await post("/models/meta/llama/predictions", { input: { text: "hi" } });
    expect(noPrompt.status).toBe(422);
    expect(await noPrompt.json()).toMatchObject({ status: 422, detail: "- input: prompt is required\n" });

    const notObject = await post("/models/meta/llama/predictions", { input: "hi" });
    expect(notObject.status).toBe(422);
    expect(await notObject.json()).toMatchObject({ detail: expect.stringContaining("Expected: object") });

    const noVersion = await post("/predictions", { input: { prompt: "hi" } });
    expect(noVersion.status).toBe(422);
    expect(await noVersion.json()).toMatchObject({ detail: "- version: version is required\n" });

    expect(standIn.inputs).toHaveLength(0);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const response = await post("/models/meta/llama/predictions", "{not json");
    expect(response.status).toBe(400);
  });

  it("answers 404 JSON for unknown routes and unknown prediction ids", async () => {
    const route = await fetch(`${standIn.url}/models`, { headers: { Authorization: "Bearer t" } });
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ status: 404 });

    await expect(replicate.predictions.get("does-not-exist")).rejects.toThrow("status 404");
    await expect(replicate.predictions.cancel("does-not-exist")).rejects.toThrow("status 404");
  });
});

describe("Replicate stand-in shutdown", () => {
  it("closes promptly while a create is held by Prefer: wait", async () => {
    const own = await startReplicateStandIn();
    const held = clientFor(own)
      .predictions.create({ model: "meta/llama", input: { prompt: "[[slow:10000]] x" }, wait: 60 })
      .then(
        (prediction) => prediction.status,
        () => "rejected",
      );
    // Recorded once the body is read and the prediction made, just before the 201 is held.
    await eventually("the create to be held", () => own.inputs.length === 1, { intervalMs: 5 });

    const started = Date.now();
    await own.close();

    expect(Date.now() - started).toBeLessThan(1000);
    expect(await held).not.toBe("succeeded");
    await expect(fetch(`${own.url}/predictions/x`)).rejects.toThrow();
  });
});
