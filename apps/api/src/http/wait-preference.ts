/** `Prefer: wait=N` (RFC 7240), N seconds in 1..60; anything else is ignored, as preferences may be. */
export function readWaitPreference(header: string | undefined): number | null {
  const match = header?.match(/(?:^|[,;\s])wait=(\d{1,5})\b/i);
  if (!match?.[1]) return null;
  const seconds = Number(match[1]);
  return seconds >= 1 ? Math.min(seconds, 60) : null;
}
