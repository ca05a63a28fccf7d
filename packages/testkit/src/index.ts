export { REFUSAL_MESSAGE } from "./openai/plan.js";
export { defaultChatReply, lastUserMessageText } from "./openai/reply.js";
export { startOpenAIStandIn } from "./openai/stand-in.js";
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
} from "./openai/types.js";
export { commandsSentBy } from "./redis-commands.js";
export { MODEL_FAILURE_MESSAGE } from "./replicate/prediction-plan.js";
export { defaultReply, latestUserText } from "./replicate/reply.js";
export { startReplicateStandIn } from "./replicate/stand-in.js";
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
} from "./replicate/types.js";
export { type EventuallyOptions, eventually, type Probe, WaitTimeoutError } from "./shared/eventually.js";
export { FAIL_MARKER, MALFORMED_MARKER } from "./shared/prompt-markers.js";
export { splitIntoTokens } from "./shared/reply.js";
export { type Isolation, isolate, testMongoUrl, testRedisUrl, withMongo } from "./test-services.js";
