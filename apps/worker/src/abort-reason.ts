/**
 * Why a running attempt was aborted. BullMQ carries the reason as a string through
 * `cancelJob`; these are the only two the worker gives, read back as typed values.
 */
export const abortReasons = {
  canceled: "canceled by the client",
  handBack: "worker shutting down",
} as const;

export type AbortReason = keyof typeof abortReasons;

export function abortReasonOf(signal: AbortSignal | undefined): AbortReason | null {
  if (!signal?.aborted) return null;
  for (const [kind, text] of Object.entries(abortReasons)) if (signal.reason === text) return kind as AbortReason;
  return null;
}
