/** Parsing of the request headers Replicate gives meaning to. */

/** Replicate accepts `Bearer <token>` (and the legacy `Token <token>`). */
export function hasCredentials(authorization: string | undefined): boolean {
  return /^(?:Bearer|Token)[ \t]+\S/i.test(authorization ?? "");
}

/** Whether the Accept header names `text/event-stream` (what SSE clients send). */
export function acceptsEventStream(accept: string | undefined): boolean {
  return /(?:^|,)\s*text\/event-stream\s*(?:;|,|$)/i.test(accept ?? "");
}

const MAX_WAIT_SECONDS = 60;

/**
 * Seconds to hold a create for, from `Prefer: wait` / `Prefer: wait=N`
 * (Replicate caps N at 60); undefined when the client did not ask.
 */
export function preferWaitSeconds(prefer: string | string[] | undefined): number | undefined {
  if (prefer === undefined) return undefined;
  const preferences = (Array.isArray(prefer) ? prefer.join(",") : prefer).split(/[,;]/);
  for (const preference of preferences) {
    const [key = "", value] = preference.split("=", 2).map((part) => part.trim());
    if (key.toLowerCase() !== "wait") continue;
    const requested = Number(value);
    if (value === undefined || !Number.isFinite(requested) || requested <= 0) return MAX_WAIT_SECONDS;
    return Math.min(requested, MAX_WAIT_SECONDS);
  }
  return undefined;
}
