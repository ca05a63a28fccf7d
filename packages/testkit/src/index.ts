export { type EventuallyOptions, eventually, type Probe, WaitTimeoutError } from "./eventually.js";
export { REFUSAL_MESSAGE } from "./openai-plan.js";
export { defaultChatReply, lastUserMessageText } from "./openai-reply.js";
export { startOpenAIStandIn } from "./openai-stand-in.js";
export type {
  ChatContentPart,
  ChatMessage,
  ChatReplyFunction,
  CompletionOutcome,
  OpenAIStandIn,
  OpenAIStandInBehaviour,
  OpenAIStandInCounts,
  OpenAIStandInOptions,
  RecordedCompletion,
} from "./openai-types.js";
export { MODEL_FAILURE_MESSAGE } from "./prediction-plan.js";
export { FAIL_MARKER, MALFORMED_MARKER } from "./prompt-markers.js";
export { startReplicateStandIn } from "./replicate-stand-in.js";
export { defaultReply, latestUserText, splitIntoTokens } from "./stand-in-reply.js";
export type {
  CreateOutcome,
  NonTextOutput,
  PredictionMetrics,
  PredictionStatus,
  RecordedCreate,
  RecordedStreamRequest,
  ReplicateStandIn,
  ReplyFunction,
  StandInBehaviour,
  StandInCounts,
  StandInOptions,
  StandInPrediction,
  StreamUrlPolicy,
} from "./stand-in-types.js";
export { type Isolation, isolate, testMongoUrl, testRedisUrl, withMongo } from "./test-services.js";
