import { performance } from "node:perf_hooks";
import type { ConversationDoc, MessageDoc, QueryDoc } from "@llm-chat/store";
import { messageId, newId } from "@llm-chat/store";
import { register, SUBMIT_BODY, terminal } from "../client.js";
import { call } from "../http.js";
import type { Bench } from "../system.js";
import { log, round, run, type Summary, sleep, summarize } from "../util.js";
import type { ClientsRun } from "./clients.js";
import { CROWD, crowdOn, crowdRun, registerUsers, startCrowdBench } from "./crowd.js";

/**
 * Is the system flat with data? The list and read routes for a user with few documents, and
 * the crowd (poll), on an empty database and again with 100,000 finished queries stored
 * (with their conversations and messages, shaped as the store writes them).
 */
const PRELOAD = { queries: 100_000, users: 1000, queriesPerConversation: 2, conversationsPerBatch: 2500 };
const PRELOAD_CAP_MS = 240_000;
/** Per route: this many requests, or fewer when they take longer than the budget. */
const ROUTE_SAMPLES = 15;
const ROUTE_BUDGET_MS = 15_000;
/** A request this slow is abandoned and counted at this value (a lower bound), and its route stops there. */
const ROUTE_TIMEOUT_MS = 30_000;

export type RouteName = "listQueries" | "readConversation" | "listConversations" | "deleteEmptyConversation";

export interface RouteTimes {
  /** Per route, ms per request; `timedOut`: requests abandoned at ROUTE_TIMEOUT_MS (counted at that value). */
  routes: Record<RouteName, Summary & { timedOut: number }>;
}

export interface DataSizeResult {
  preload: {
    queries: number;
    conversations: number;
    messages: number;
    seconds: number;
    /** Whether the cap stopped it short of the planned 100,000 queries. */
    cut: boolean;
  };
  empty: { routes: RouteTimes; crowd: ClientsRun | null; crowdFromScenario: boolean };
  loaded: { routes: RouteTimes; crowd: ClientsRun | null };
  /** loaded ÷ empty: route p50s, crowd makespan (elapsed when cut) and submit p99. */
  ratios: Record<string, number | null>;
}

async function json(
  url: string,
  key: string,
  method = "GET",
  body?: unknown,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const reply = await call(url, { method, key, body, timeoutMs });
  if (reply.status >= 300) throw new Error(`${method} ${url}: ${reply.status} ${reply.body.slice(0, 100)}`);
  return reply.body ? (JSON.parse(reply.body) as Record<string, unknown>) : {};
}

/** Requests until the samples or the time budget run out (at least one), or one times out. */
async function timeRoute(request: (i: number) => Promise<unknown>): Promise<Summary & { timedOut: number }> {
  const times: number[] = [];
  let timedOut = 0;
  const budgetEnd = performance.now() + ROUTE_BUDGET_MS;
  for (let i = 0; i < ROUTE_SAMPLES && (i === 0 || performance.now() < budgetEnd); i++) {
    run.check();
    const t = performance.now();
    try {
      await request(i);
    } catch (error) {
      if (!String(error).includes("timed out")) throw error;
      times.push(ROUTE_TIMEOUT_MS);
      timedOut++;
      break;
    }
    times.push(performance.now() - t);
  }
  return { ...summarize(times), timedOut };
}

/** A fresh user with two answered queries (each its own conversation) reads its lists and records. */
async function timeRoutes(bench: Bench): Promise<RouteTimes> {
  const api = bench.api.url;
  const key = await register(api);
  let conversationId = "";
  for (let i = 0; i < 2; i++) {
    const { id } = (await json(`${api}/v1/queries`, key, "POST", SUBMIT_BODY)) as { id: string };
    for (let tries = 0; tries < 600; tries++) {
      const view = (await json(`${api}/v1/queries/${id}`, key)) as { status: string; conversationId: string };
      conversationId = view.conversationId;
      if (terminal.has(view.status)) break;
      await sleep(50);
    }
  }
  const get = (url: string) => json(url, key, "GET", undefined, ROUTE_TIMEOUT_MS);
  const empties: string[] = [];
  for (let i = 0; i < ROUTE_SAMPLES; i++) {
    empties.push(String((await json(`${api}/v1/conversations`, key, "POST", { model: "llama2" })).id));
  }
  return {
    routes: {
      listQueries: await timeRoute(() => get(`${api}/v1/queries`)),
      readConversation: await timeRoute(() => get(`${api}/v1/conversations/${conversationId}`)),
      listConversations: await timeRoute(() => get(`${api}/v1/conversations`)),
      deleteEmptyConversation: await timeRoute((i) =>
        json(`${api}/v1/conversations/${empties[i]}`, key, "DELETE", undefined, ROUTE_TIMEOUT_MS),
      ),
    },
  };
}

/** Finished conversations of two turns each, written straight into the scenario's database. */
async function preload(bench: Bench): Promise<DataSizeResult["preload"]> {
  const c = {
    queries: bench.db.collection<QueryDoc>("queries"),
    conversations: bench.db.collection<ConversationDoc>("conversations"),
    messages: bench.db.collection<MessageDoc>("messages"),
  };
  const users = Array.from({ length: PRELOAD.users }, () => newId("user"));
  const totals = { queries: 0, conversations: 0, messages: 0 };
  const started = performance.now();
  const conversationsWanted = PRELOAD.queries / PRELOAD.queriesPerConversation;
  while (totals.conversations < conversationsWanted && performance.now() - started < PRELOAD_CAP_MS) {
    run.check();
    const batch = { conversations: [] as ConversationDoc[], queries: [] as QueryDoc[], messages: [] as MessageDoc[] };
    for (let k = 0; k < PRELOAD.conversationsPerBatch; k++) {
      const userId = users[(totals.conversations + k) % users.length] as string;
      const at = new Date();
      const conversation: ConversationDoc = {
        _id: newId("conversation"),
        userId,
        model: "llama2",
        title: null,
        system: null,
        createdAt: at,
        updatedAt: at,
        summary: null,
      };
      batch.conversations.push(conversation);
      for (let seq = 0; seq < PRELOAD.queriesPerConversation; seq++) {
        const metrics = { queueMs: 12, modelMs: 1000, totalMs: 1030, inputTokens: 5, outputTokens: 7 };
        const query: QueryDoc = {
          _id: newId("query"),
          userId,
          conversationId: conversation._id,
          seq,
          model: "llama2",
          prompt: SUBMIT_BODY.prompt,
          params: {},
          status: "succeeded",
          output: "You said: hi",
          error: null,
          attempts: 1,
          createdAt: at,
          startedAt: at,
          finishedAt: at,
          metrics,
          webhook: null,
        };
        batch.queries.push(query);
        const base = { conversationId: conversation._id, userId, queryId: query._id, createdAt: at };
        batch.messages.push(
          {
            ...base,
            _id: messageId(query._id, "user"),
            role: "user",
            content: query.prompt,
            tokens: 5,
            order: seq * 2,
          },
          {
            ...base,
            _id: messageId(query._id, "assistant"),
            role: "assistant",
            content: "You said: hi",
            tokens: 7,
            order: seq * 2 + 1,
          },
        );
      }
    }
    await Promise.all([
      c.conversations.insertMany(batch.conversations, { ordered: false }),
      c.queries.insertMany(batch.queries, { ordered: false }),
      c.messages.insertMany(batch.messages, { ordered: false }),
    ]);
    totals.conversations += batch.conversations.length;
    totals.queries += batch.queries.length;
    totals.messages += batch.messages.length;
  }
  const seconds = round((performance.now() - started) / 1000, 1);
  log(`data-size: preloaded ${totals.queries} queries (${JSON.stringify(totals)}) in ${seconds} s`);
  return { ...totals, seconds, cut: totals.conversations < conversationsWanted };
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : round(a / b, 2);

/** `emptyCrowd`: the crowd scenario's poll run of this same bench run, if it ran (else measured here). */
export async function dataSize(emptyCrowd?: ClientsRun): Promise<DataSizeResult> {
  const crowdFromScenario = emptyCrowd !== undefined;
  const crowdEmpty = emptyCrowd ?? (await crowdRun("poll"));
  const bench = await startCrowdBench("datasize");
  try {
    log("data-size: list/read routes on an empty database");
    const routesEmpty = await timeRoutes(bench);
    const loadedPreload = await preload(bench);
    log("data-size: list/read routes with the data stored");
    const routesLoaded = await timeRoutes(bench);
    const crowdLoaded = await crowdOn(bench, await registerUsers(bench, CROWD.users), "poll");
    const ratios: Record<string, number | null> = {};
    for (const name of Object.keys(routesEmpty.routes) as RouteName[]) {
      ratios[name] = ratio(routesLoaded.routes[name].p50, routesEmpty.routes[name].p50);
    }
    // A cut run's elapsed time is the cut, not its makespan: two cut runs would compare as 1.0.
    const cut = crowdLoaded.makespanSeconds === null || crowdEmpty.makespanSeconds === null;
    ratios.crowdElapsed = cut ? null : ratio(crowdLoaded.elapsedSeconds, crowdEmpty.elapsedSeconds);
    ratios.crowdSubmitP99 = ratio(crowdLoaded.submitMs.p99, crowdEmpty.submitMs.p99);
    ratios.crowdAnswered = ratio(crowdLoaded.answered, crowdEmpty.answered);
    return {
      preload: loadedPreload,
      empty: { routes: routesEmpty, crowd: crowdEmpty, crowdFromScenario },
      loaded: { routes: routesLoaded, crowd: crowdLoaded },
      ratios,
    };
  } finally {
    await bench.stop();
  }
}
