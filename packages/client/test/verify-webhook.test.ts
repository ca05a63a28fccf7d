import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { verifyWebhook, WebhookVerificationError } from "../src/index.js";

// A Standard Webhooks secret is "whsec_" + base64 of random bytes.
const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
const body = JSON.stringify({
  type: "query.completed",
  timestamp: "2026-01-01T00:00:00.000Z",
  data: { id: "qry_01ARZ3NDEKTSV4RRFFQ69G5FAV", status: "succeeded", output: "You said: hi" },
});

function signed(payload: string, at = new Date()) {
  const id = "evt_01ARZ3NDEKTSV4RRFFQ69G5FAV_completed";
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, payload),
  };
}

describe("verifyWebhook", () => {
  it("returns the parsed payload of a correctly signed delivery", () => {
    const payload = verifyWebhook(signed(body), body, secret);
    expect(payload.type).toBe("query.completed");
    expect(payload.data.output).toBe("You said: hi");
  });

  it("accepts a fetch Headers object with mixed-case names and a byte body", () => {
    const headers = new Headers(Object.entries(signed(body)).map(([name, value]) => [name.toUpperCase(), value]));
    const payload = verifyWebhook(headers, new TextEncoder().encode(body), secret);
    expect(payload.data.id).toBe("qry_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  });

  it("rejects a body that was changed after signing", () => {
    const headers = signed(body);
    expect(() => verifyWebhook(headers, body.replace("hi", "bye"), secret)).toThrow(WebhookVerificationError);
  });

  it("rejects a delivery signed with another secret", () => {
    const other = `whsec_${Buffer.from("another secret of thirty-two byt").toString("base64")}`;
    expect(() => verifyWebhook(signed(body), body, other)).toThrow(WebhookVerificationError);
  });

  it("rejects a delivery whose timestamp is too old to rule out a replay", () => {
    const headers = signed(body, new Date(Date.now() - 60 * 60 * 1000));
    expect(() => verifyWebhook(headers, body, secret)).toThrow(/timestamp/i);
  });

  it("rejects a delivery without signature headers", () => {
    expect(() => verifyWebhook({ "content-type": "application/json" }, body, secret)).toThrow(WebhookVerificationError);
  });
});
