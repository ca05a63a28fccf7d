import { promises as dnsPromises, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { isPublicAddress } from "./address-policy.js";

/** The shape of `dns.promises.lookup` with `all: true`, injectable so tests never touch real DNS. */
export type LookupFn = (hostname: string, options: { all: true; verbatim: true }) => Promise<LookupAddress[]>;

export type ParsedWebhookUrl = { ok: true; url: URL } | { ok: false; reason: string };
export type WebhookTargetCheck = { ok: true; addresses: string[] } | { ok: false; reason: string };

export interface TargetPolicy {
  /** Lets deliveries reach loopback/private addresses; meant for local development and tests only. */
  allowPrivate: boolean;
  lookup?: LookupFn;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * The one reason given for a loopback, private or otherwise non-public target, however it was
 * found out. Naming the address a host resolved to would tell a caller what this network's DNS
 * answers (an internal map for free), so the reason says only that the target is refused.
 */
export const TARGET_NOT_ALLOWED = "target is not allowed";

const defaultLookup: LookupFn = (hostname, options) => dnsPromises.lookup(hostname, options);

/**
 * Syntax-only validation of a user-supplied webhook URL. It does not look at where the host
 * points: follow with `checkWebhookTarget` before storing, and deliver through the guarded
 * dispatcher so the answer is checked again at connection time.
 */
export function parseWebhookUrl(raw: string): ParsedWebhookUrl {
  if (typeof raw !== "string" || raw.length === 0) return { ok: false, reason: "URL is required" };
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return { ok: false, reason: `URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters` };
  }
  // The URL parser silently drops tabs/newlines and trims spaces; refusing them keeps what is
  // stored identical to what the user sees.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u0020\u007f]/.test(raw))
    return { ok: false, reason: "URL must not contain spaces or control characters" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "URL must use http or https" };
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "URL must not contain credentials" };
  if (url.hostname === "") return { ok: false, reason: "URL must include a host" };
  // Fragments are never sent over HTTP; dropping one keeps the stored URL canonical.
  url.hash = "";
  return { ok: true, url };
}

/** Strips IPv6 brackets and the trailing root dot so "localhost." and "[::1]" are judged like their plain forms. */
export function normalizeHost(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  while (host.endsWith(".")) host = host.slice(0, -1);
  return host;
}

function isLocalhostName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/**
 * Resolves a host and judges every address it yields. Shared by the submit-time check and the
 * connection-time guard so both apply the same rules.
 */
export async function resolveTarget(
  hostname: string,
  policy: TargetPolicy,
): Promise<{ ok: true; addresses: LookupAddress[] } | { ok: false; reason: string }> {
  const host = normalizeHost(hostname);
  if (host === "") return { ok: false, reason: "URL must include a host" };
  const literal = isIP(host);
  if (literal !== 0) {
    if (!policy.allowPrivate && !isPublicAddress(host)) {
      return { ok: false, reason: TARGET_NOT_ALLOWED };
    }
    return { ok: true, addresses: [{ address: host, family: literal }] };
  }
  // RFC 6761 reserves these names for loopback, whatever a resolver might answer.
  if (!policy.allowPrivate && isLocalhostName(host)) return { ok: false, reason: TARGET_NOT_ALLOWED };
  let addresses: LookupAddress[];
  try {
    addresses = await (policy.lookup ?? defaultLookup)(host, { all: true, verbatim: true });
  } catch {
    return { ok: false, reason: "does not resolve" };
  }
  if (addresses.length === 0) return { ok: false, reason: "does not resolve" };
  if (!policy.allowPrivate) {
    // Every address must pass: a client may pick any of them, and an attacker controls the order.
    if (addresses.some((a) => !isPublicAddress(a.address))) return { ok: false, reason: TARGET_NOT_ALLOWED };
  }
  return { ok: true, addresses };
}

/**
 * Submit-time check that a parsed webhook URL points only at public addresses. Reasons are short
 * and safe to return in an API error.
 */
export async function checkWebhookTarget(url: URL, options: TargetPolicy): Promise<WebhookTargetCheck> {
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "URL must use http or https" };
  const result = await resolveTarget(url.hostname, options);
  if (!result.ok) return result;
  return { ok: true, addresses: result.addresses.map((a) => a.address) };
}
