import { channel } from "node:diagnostics_channel";
import { STORE_COMMAND_CHANNEL } from "@llm-chat/contracts";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/index.js";

const announce = channel(STORE_COMMAND_CHANNEL);

async function count(metrics: ReturnType<typeof createMetrics>, command: string): Promise<number> {
  const metric = metrics.registry.getSingleMetric("llmchat_store_commands_total");
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.command === command)?.value ?? 0;
}

describe("store command counter", () => {
  it("counts each command the store announces, by name", async () => {
    const metrics = createMetrics("api");
    const [finds, inserts] = [await count(metrics, "find"), await count(metrics, "insert")];
    announce.publish("find");
    announce.publish("find");
    announce.publish("insert");
    expect(await count(metrics, "find")).toBe(finds + 2);
    expect(await count(metrics, "insert")).toBe(inserts + 1);
    expect(await metrics.registry.metrics()).toMatch(
      /^llmchat_store_commands_total\{command="find",service="api"\} \d+$/m,
    );
  });

  it("is one count per process, shown alike by every registry made in it", async () => {
    const first = createMetrics("worker");
    const second = createMetrics("worker");
    announce.publish("delete");
    expect(await count(first, "delete")).toBe(await count(second, "delete"));
    expect(await count(first, "delete")).toBeGreaterThan(0);
  });

  it("ignores messages that are not a command name", async () => {
    const metrics = createMetrics("api");
    const counter = metrics.registry.getSingleMetric("llmchat_store_commands_total");
    const before = (await counter?.get())?.values;
    announce.publish({ command: "find" });
    expect((await counter?.get())?.values).toEqual(before);
  });
});
