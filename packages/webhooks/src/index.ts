export { isPublicAddress } from "./address-policy.js";
export {
  BlockedTargetError,
  createGuardedDispatcher,
  createGuardedLookup,
  type GuardedDispatcherOptions,
} from "./guarded-agent.js";
export {
  checkWebhookTarget,
  type LookupFn,
  MAX_WEBHOOK_URL_LENGTH,
  type ParsedWebhookUrl,
  parseWebhookUrl,
  TARGET_NOT_ALLOWED,
  type TargetPolicy,
  type WebhookTargetCheck,
} from "./webhook-url.js";
