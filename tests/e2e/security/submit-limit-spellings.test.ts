import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

describe("attack: dodge the submit limit by spelling the route differently", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      workers: 0,
      env: { RATE_LIMIT_SUBMIT_PER_MINUTE: "3", RATE_LIMIT_READ_PER_MINUTE: "1000" },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("charges POST /v1/Queries and POST /v1/queries/ to the submit bucket, and stops the fourth submit", async () => {
    const { key } = await register(system.api.url);
    const submit = (path: string) => call(system.api.url, path, { key, json: { prompt: "hello" } });

    for (const path of ["/v1/Queries", "/v1/queries/", "/V1/QUERIES"]) {
      const res = await submit(path);
      expect(res.status, path).toBe(202);
      expect(res.headers.get("ratelimit-limit"), path).toBe("3");
    }
    for (const path of ["/v1/queries", "/v1/Queries", "/v1/queries/"]) {
      const res = await submit(path);
      expect(res.status, path).toBe(429);
      expect(Number(res.headers.get("retry-after")), path).toBeGreaterThan(0);
    }
    // Reads are still charged to the read bucket, whatever the spelling.
    const read = await call(system.api.url, "/v1/Queries/", { key });
    expect(read.status).toBe(200);
    expect(read.headers.get("ratelimit-limit")).toBe("1000");
  });
});
