import type { WebhookConfig } from "@llm-chat/contracts";
import { checkWebhookTarget, parseWebhookUrl } from "@llm-chat/webhooks";
import { bodyField, DomainError } from "./domain-error.js";

const refuse = (reason: string) =>
  new DomainError("webhook_target_refused", `webhook.url ${reason}`, bodyField("/webhook/url", reason));

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
