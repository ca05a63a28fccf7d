export { type CappedPlaces, cappedPlaces } from "./capped-places.js";
export { createEventHub, type EventHub } from "./event-hub.js";
export { createQueryEmitter, type QueryEmitter, type QueryEmitterConfig } from "./query-emitter.js";
export {
  createQueryEventLog,
  isEventId,
  type LoggedEvent,
  type QueryEvent,
  type QueryEventLog,
  type QueryEventLogConfig,
} from "./query-event-log.js";
export { createWebhookGate, type WebhookGate, type WebhookGateConfig } from "./webhook-gate.js";
