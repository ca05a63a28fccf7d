import type { QueryDoc } from "@llm-chat/store";
import { describe, expect, it } from "vitest";
import { responseEvents } from "../src/openai/response-events.js";

const query: QueryDoc = {
  _id: "qry_01JTESTTESTTESTTESTTESTTES",
  userId: "usr_01JTESTTESTTESTTESTTESTTES",
  conversationId: "conv_01JTESTTESTTESTTESTTESTTES",
  seq: 0,
  model: "llama2",
  prompt: "hi",
  params: {},
  status: "queued",
  output: null,
  error: null,
  attempts: 0,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  startedAt: null,
  finishedAt: null,
  metrics: { queueMs: null, modelMs: null, totalMs: null, inputTokens: null, outputTokens: null },
  webhook: null,
};
const finished: QueryDoc = {
  ...query,
  status: "succeeded",
  output: "Hello there",
  metrics: { ...query.metrics, inputTokens: 7, outputTokens: 2 },
};

function replay() {
  const events = responseEvents(query);
  return [
    ...events.start(),
    ...events.on({ type: "status", status: "queued" }),
    ...events.on({ type: "status", status: "running" }),
    ...events.on({ type: "output", delta: "Hello" }),
    ...events.on({ type: "output", delta: " there" }),
    ...events.done(finished),
  ];
}

describe("a query's log as OpenAI Responses stream events", () => {
  it("numbers the events from 0 in OpenAI's order, opening the message item before the first delta", () => {
    const events = replay();
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.queued",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const completed = events.at(-1)?.response as { status: string; usage: { total_tokens: number } };
    expect(completed.status).toBe("completed");
    expect(completed.usage.total_tokens).toBe(9);
  });

  it("numbers a replay of the same log exactly as before, which is what resuming after a sequence number relies on", () => {
    expect(replay()).toEqual(replay());
  });

  it("ends a failed query with response.failed carrying OpenAI's error code and a cancelled one with response.cancelled", () => {
    const failed = responseEvents(query).done({
      ...query,
      status: "failed",
      error: { code: "provider_rate_limited", message: "slow down" },
    });
    expect(failed.map((e) => e.type)).toEqual(["response.failed"]);
    expect(failed[0]?.response).toMatchObject({
      status: "failed",
      error: {
        code: "rate_limit_exceeded",
        message: "slow down (provider_rate_limited)",
      },
    });
    const canceled = responseEvents(query).done({ ...query, status: "canceled" });
    expect(canceled.map((e) => [e.type, (e.response as { status: string }).status])).toEqual([
      ["response.cancelled", "cancelled"],
    ]);
  });
});
