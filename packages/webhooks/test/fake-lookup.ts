import type { LookupAddress } from "node:dns";
import { isIP } from "node:net";
import type { LookupFn } from "../src/index.js";

/**
 * A stand-in for DNS: answers only for the names it is given and fails like ENOTFOUND for the
 * rest, so no test ever reaches a real resolver. `calls` lets tests prove a lookup happened.
 */
export function fakeLookup(table: Record<string, string[]>): LookupFn & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) {
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      err.code = "ENOTFOUND";
      throw err;
    }
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };
  return Object.assign(lookup, { calls });
}
