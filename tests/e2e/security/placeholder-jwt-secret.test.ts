import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { call, register } from "../support/client.js";
import { type RunningProcess, startApi } from "../support/processes.js";
import { type System, startSystem } from "../support/system.js";

/** The JWT_SECRET deploy/ ships, read from the file an operator would copy. */
function shippedPlaceholder(): string {
  const file = new URL("../../../deploy/k8s/base/secret.example.yaml", import.meta.url);
  const secret = parse(readFileSync(file, "utf8")) as { stringData: { JWT_SECRET: string } };
  return secret.stringData.JWT_SECRET;
}

describe("attack: forge access tokens on an API started with the example JWT_SECRET", () => {
  let system: System;
  const started: RunningProcess[] = [];

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop("SIGKILL")));
    await system?.stop();
  });

  it("refuses to start with the placeholder, naming JWT_SECRET on one line", async () => {
    const placeholder = shippedPlaceholder();
    // A working system (real secret) to register a victim on; the API under attack shares its stores.
    system = await startSystem({ workers: 0 });
    const { userId } = await register(system.api.url);

    let api: (RunningProcess & { url: string }) | undefined;
    try {
      api = await startApi({ ...system.env, JWT_SECRET: placeholder });
      started.push(api);
    } catch (error) {
      // startApi throws with the process's last lines when it never became ready.
      const output = String(error instanceof Error ? error.message : error);
      expect(output).toContain("api: Invalid environment: JWT_SECRET (set): ");
      expect(output).not.toContain(placeholder);
      return;
    }
    // It started: show what that costs. Anyone who read the example signs a token for the victim.
    const forged = await new SignJWT({ sid: "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuer("llm-chat")
      .setAudience("llm-chat-api")
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(placeholder));
    const read = await call(api.url, "/v1/conversations", { key: forged });
    expect.fail(`the API started with the shipped placeholder; a forged token read the victim's data: ${read.status}`);
  });
});
