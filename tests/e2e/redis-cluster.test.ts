import { randomBytes } from "node:crypto";
import type { ConversationWithMessages, Query } from "@llm-chat/contracts";
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outageEnv, report, settle, submitMany } from "./faults/support/harness.js";
import { call, register, waitForQuery } from "./support/client.js";
import {
  connectCluster,
  deleteKeys,
  killNode,
  masterOf,
  restoreCluster,
  testRedisClusterUrl,
} from "./support/redis-cluster.js";
import { readSse, type SseEvent } from "./support/sse.js";
import { type SystemOptions, startSystem } from "./support/system.js";

/**
 * The system on a real Redis Cluster of 3 masters and 3 replicas (scripts/test.sh starts it
 * with `services.sh cluster start`). A missing cluster fails these tests; it never skips them.
 */
const url = testRedisClusterUrl();

async function clusterSystem(cluster: Cluster, options: SystemOptions = {}) {
  // Hash-tagged: every key of the system lands in one slot, as BullMQ's scripts and the
  // ledger's multi-key commands need (the apps refuse an untagged prefix on a cluster).
  const prefix = `{cluster-${randomBytes(4).toString("hex")}}`;
  const system = await startSystem({
    ...options,
    env: { REDIS_URL: url, QUEUE_PREFIX: prefix, SUMMARY_ENABLED: "false", ...options.env },
  });
  return {
    system,
    prefix,
    async stop() {
      await system.stop();
      await deleteKeys(cluster, prefix);
    },
  };
}

describe("on a Redis Cluster", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await connectCluster(url);
  });
  afterAll(async () => {
    cluster?.disconnect();
  });

  describe("the query flow", () => {
    let running: Awaited<ReturnType<typeof clusterSystem>>;
    beforeAll(async () => {
      running = await clusterSystem(cluster, { standIn: { latencyMs: 100 } });
    });
    afterAll(async () => {
      await running?.stop();
    });

    it("answers a conversation's turns in order, streams done over SSE, and keeps its keys in the cluster", async () => {
      const api = running.system.api.url;
      const { key } = await register(api);
      const first = await call<Query>(api, "/v1/queries", {
        key,
        json: { prompt: "What is the capital of France?", system: "You are terse." },
      });
      expect(first.status).toBe(202);
      const events: SseEvent[] = [];
      const stream = await readSse(`${api}/v1/queries/${first.body.id}/events`, key, (event) => {
        events.push(event);
        return event.event === "done" ? "stop" : undefined;
      });
      expect(stream.status).toBe(200);
      expect(events.at(-1)?.event).toBe("done");
      expect(events.at(-1)?.data).toMatchObject({ status: "succeeded" });

      const firstDone = await waitForQuery(api, key, first.body.id);
      expect(firstDone.status).toBe("succeeded");
      expect(firstDone.output).toBe("You said: What is the capital of France?");

      const second = await call<Query>(api, "/v1/queries", {
        key,
        json: { conversationId: first.body.conversationId, prompt: "And of Italy?" },
      });
      expect(second.status).toBe(202);
      const secondDone = await waitForQuery(api, key, second.body.id);
      expect(secondDone.output).toBe("You said: And of Italy?");
      // The second turn's prompt carried the first exchange.
      const prompts = running.system.standIn.inputs.map((i) => String(i.input.prompt));
      expect(prompts.at(-1)).toBe(
        "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nWhat is the capital of France? [/INST] " +
          "You said: What is the capital of France? </s><s>[INST] And of Italy? [/INST]",
      );

      const conversation = await call<ConversationWithMessages>(api, `/v1/conversations/${first.body.conversationId}`, {
        key,
      });
      expect(conversation.body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
      // The queue really lives in the cluster, on the master that serves the prefix's slot.
      const master = await masterOf(cluster, `${running.prefix}:query:meta`);
      const node = cluster.nodes("master").find((n) => n.options.port === master.port);
      const [, keys] = (await node?.scan("0", "MATCH", `${running.prefix}:*`, "COUNT", 10_000)) ?? ["0", []];
      expect(keys.length).toBeGreaterThan(0);
    });
  });

  describe("a master failover", () => {
    let running: Awaited<ReturnType<typeof clusterSystem>> | undefined;
    afterAll(async () => {
      await running?.stop();
      // The killed node comes back as a replica, so the next run finds six nodes again.
      await restoreCluster(url);
    });

    it("loses and duplicates no query when the master holding the queue's slot is killed with 200 in flight", async () => {
      running = await clusterSystem(cluster, {
        standIn: { latencyMs: 1000 },
        // Attempts and locks sized for an outage of seconds, as in the fault suite.
        env: outageEnv,
      });
      const { system, prefix } = running;
      const api = system.api.url;
      const { key } = await register(api);
      const ids = await submitMany(api, key, 200, "failover");
      const master = await masterOf(cluster, `${prefix}:query:meta`);
      // In flight: the worker (concurrency 50) has started answering, and most are still waiting.
      await waitForQuery(api, key, ids[0] ?? "", 30_000);
      await killNode(master.port);
      const killedAt = Date.now();

      const result = await settle(system, ids, 150_000);
      const promoted = await masterOf(cluster, `${prefix}:query:meta`);
      report("kill the master holding the queue's slot, 200 queries in flight", {
        ...result,
        killedPort: master.port,
        newMasterPort: promoted.port,
        settledMs: Date.now() - killedAt,
      });
      expect(promoted.port).not.toBe(master.port);
      expect(result).toMatchObject({ accepted: 200, succeeded: 200, failed: 0, open: 0, lost: 0, duplicated: 0 });
    }, 240_000);
  });
});
