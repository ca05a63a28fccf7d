/**
 * The Authorization header for a prediction's `urls.stream`, or none.
 *
 * The token goes only to the configured API's own origin (scheme, host and port all equal):
 * a prediction names its stream URL, so a misbehaving provider, a proxy or anyone who can
 * shape that answer could otherwise collect the token by naming a host of theirs. Replicate
 * serves streams from stream.replicate.com, another origin than api.replicate.com, and its
 * stream URLs are capabilities: the official `replicate` client (1.4.0, `createReadableStream`)
 * fetches them with `Accept: text/event-stream` and no token. So a stream on another origin is
 * read without the token, not refused; one on the API's origin (a stand-in, a gateway) keeps it.
 */
export function streamAuthorization(streamUrl: string, apiBaseUrl: string, token: string): string | null {
  let stream: URL;
  let api: URL;
  try {
    stream = new URL(streamUrl);
    api = new URL(apiBaseUrl);
  } catch {
    return null;
  }
  return stream.origin === api.origin && stream.origin !== "null" ? `Bearer ${token}` : null;
}
