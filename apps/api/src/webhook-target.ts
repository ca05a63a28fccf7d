import type { WebhookConfig } from "@llm-chat/contracts";
import { checkWebhookTarget, parseWebhookUrl } from "@llm-chat/webhooks";
import { HttpProblem } from "./http/problem.js";

const refuse = (reason: string) =>
  new HttpProblem(422, "Webhook URL refused", `webhook.url ${reason}`, [
    { in: "body", pointer: "/webhook/url", message: reason },
  ]);

/**
 * A webhook URL must be http(s) and resolve only to public addresses, so a query cannot
 * make this service call into its own network (SSRF). Checked here and again at delivery,
 * because DNS can change in between.
 */
export async function assertWebhookTarget(webhook: WebhookConfig, allowPrivate: boolean): Promise<void> {
  const parsed = parseWebhookUrl(webhook.url);
  if (!parsed.ok) throw refuse(parsed.reason);
  const target = await checkWebhookTarget(parsed.url, { allowPrivate });
  if (!target.ok) throw refuse(target.reason);
}
