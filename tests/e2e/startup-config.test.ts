import { describe, expect, it } from "vitest";
import { runToExit } from "./support/processes.js";

describe("start-up configuration", () => {
  it("refuses to start the API with a bad variable and names it on one line", async () => {
    const result = await runToExit("api", { API_PORT: "not-a-port", MONGO_URL: "http://wrong" });
    expect(result.code).toBe(1);
    const lines = result.output.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^api: Invalid environment: /);
    expect(lines[0]).toContain("API_PORT");
    expect(lines[0]).toContain("MONGO_URL");
    // The value itself may be a secret and is never echoed.
    expect(lines[0]).not.toContain("http://wrong");
  });

  it("refuses to start the API without a key to sign access tokens", async () => {
    const result = await runToExit("api", {});
    expect(result.code).toBe(1);
    expect(result.output.trim()).toBe("api: Invalid environment: JWT_SECRET (missing): required to sign access tokens");
  });

  it("refuses to start the worker without a Replicate token", async () => {
    const result = await runToExit("worker", { REPLICATE_API_TOKEN: "" });
    expect(result.code).toBe(1);
    expect(result.output.trim()).toBe("worker: model llama2 needs REPLICATE_API_TOKEN");
  });
});
