export { FAIL_MARKER, MODEL_FAILURE_MESSAGE } from "./prediction-plan.js";
export { startReplicateStandIn } from "./replicate-stand-in.js";
export { defaultReply, latestUserText, splitIntoTokens } from "./stand-in-reply.js";
export type {
  CreateOutcome,
  PredictionMetrics,
  PredictionStatus,
  RecordedCreate,
  ReplicateStandIn,
  ReplyFunction,
  StandInBehaviour,
  StandInCounts,
  StandInOptions,
  StandInPrediction,
  StreamUrlPolicy,
} from "./stand-in-types.js";
export { type Isolation, isolate, testMongoUrl, testRedisUrl, withMongo } from "./test-services.js";
