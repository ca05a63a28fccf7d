import type { LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector } from "undici";
import { isPublicAddress } from "./address-policy.js";
import { type LookupFn, normalizeHost, resolveTarget, TARGET_NOT_ALLOWED, type TargetPolicy } from "./webhook-url.js";

export interface GuardedDispatcherOptions {
  /** Lets deliveries reach loopback/private addresses; meant for local development and tests only. */
  allowPrivate: boolean;
  connectTimeoutMs: number;
  lookup?: LookupFn;
}

/** Raised (as the connection error, so usually as a fetch error's `cause`) when the guard refuses a target. */
export class BlockedTargetError extends Error {
  readonly code = "ERR_WEBHOOK_TARGET_BLOCKED";
  constructor(readonly reason: string) {
    super(`blocked: ${reason}`);
    this.name = "BlockedTargetError";
  }
}

type LookupCallback = Parameters<LookupFunction>[2];

function fail(callback: LookupCallback, all: boolean | undefined, err: NodeJS.ErrnoException): void {
  if (all) callback(err, []);
  else callback(err, "");
}

/**
 * A `net.connect` lookup that re-resolves and re-judges the host for every new connection, so a
 * DNS answer that changed since the submit-time check (rebinding) cannot reach a private address.
 * Exported for clients other than undici; note that `net` never calls it for IP-literal hosts.
 */
export function createGuardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveTarget(hostname, policy).then(
      (result) => {
        if (!result.ok) {
          fail(callback, options.all, new BlockedTargetError(result.reason));
          return;
        }
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const addresses: LookupAddress[] =
          family === 4 || family === 6 ? result.addresses.filter((a) => a.family === family) : result.addresses;
        const first = addresses[0];
        if (first === undefined) {
          const err: NodeJS.ErrnoException = new Error(`no IPv${family} address for the host`);
          err.code = "ENOTFOUND";
          fail(callback, options.all, err);
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (err: unknown) => fail(callback, options.all, err instanceof Error ? err : new Error(String(err))),
    );
  };
}

/**
 * An undici dispatcher for webhook deliveries that refuses, at connection time, any host that is
 * or resolves to a non-public address (unless `allowPrivate`).
 *
 * Callers must send with `redirect: "manual"` (fetch) or without a redirect interceptor (undici
 * `request`): a followed redirect would be checked by this dispatcher too, but treating a 3xx as
 * the delivery's answer keeps a receiver from bouncing deliveries around at all.
 *
 * Connections are pooled per origin, so a rebinding takes effect on the next new connection, never
 * on one that was already opened to an address that passed the check.
 */
export function createGuardedDispatcher(options: GuardedDispatcherOptions): Agent {
  const policy: TargetPolicy = { allowPrivate: options.allowPrivate, lookup: options.lookup };
  const connectViaLookup = buildConnector({ timeout: options.connectTimeoutMs, lookup: createGuardedLookup(policy) });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    // net.connect skips the lookup hook for IP literals, so those are judged here instead.
    const host = normalizeHost(connectOptions.hostname);
    if (isIP(host) !== 0 && !options.allowPrivate && !isPublicAddress(host)) {
      callback(new BlockedTargetError(TARGET_NOT_ALLOWED), null);
      return;
    }
    connectViaLookup(connectOptions, callback);
  };
  return new Agent({ connect });
}
