import { BlockList, isIP } from "node:net";

// Ranges a webhook must never reach: loopback, private, link-local (cloud metadata lives at
// 169.254.169.254), shared/CGNAT, documentation, benchmarking, multicast and reserved space.
const blockedV4: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

// Ranges that embed an IPv4 address (IPv4-mapped, NAT64, 6to4) are not listed here: they are
// judged by the IPv4 they carry, because that is where the packets end up.
const blockedV6: ReadonlyArray<readonly [string, number]> = [
  // The deprecated IPv4-compatible block, which also holds :: and ::1; nothing legitimate lives there.
  ["::", 96],
  // Local-use NAT64 (RFC 8215) is operator-defined, so its embedded IPv4 cannot be trusted either way.
  ["64:ff9b:1::", 48],
  ["100::", 64],
  // Teredo embeds an obfuscated client address and tunnels through a relay: refuse it whole.
  ["2001::", 32],
  ["2001:db8::", 32],
  // Second documentation prefix (RFC 9637).
  ["3fff::", 20],
  ["fc00::", 7],
  ["fe80::", 10],
  // Deprecated site-local; some stacks still route it internally.
  ["fec0::", 10],
  ["ff00::", 8],
];

function buildList(entries: ReadonlyArray<readonly [string, number]>, family: "ipv4" | "ipv6"): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of entries) list.addSubnet(network, prefix, family);
  return list;
}

// Separate lists per family so BlockList never cross-matches a v6 address against v4 rules.
const v4List = buildList(blockedV4, "ipv4");
const v6List = buildList(blockedV6, "ipv6");
// Everything outside 2000::/3 is unallocated or special-purpose, so only global unicast passes.
const v6GlobalUnicast = buildList([["2000::", 3]], "ipv6");

function isPublicV4(ip: string): boolean {
  return !v4List.check(ip, "ipv4");
}

/** Expands a validated IPv6 literal to its 16 bytes, or null when it cannot be parsed. */
function ipv6Bytes(ip: string): Uint8Array | null {
  let text = ip;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    // Rewrite a trailing dotted quad as two hextets so one parser handles every spelling.
    if (isIP(tail) !== 4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string | undefined): number[] | null => {
    if (part === undefined || part === "") return [];
    const out: number[] = [];
    for (const h of part.split(":")) {
      if (!/^[0-9a-f]{1,4}$/i.test(h)) return null;
      out.push(Number.parseInt(h, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  if (head === null || rest === null) return null;
  let groups = head;
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

function v4At(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join(".");
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** The IPv4 address an IPv6 address delivers to, for the translation/tunnel ranges that embed one. */
function embeddedV4(bytes: Uint8Array): string | null {
  // ::ffff:0:0/96, IPv4-mapped
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return v4At(bytes, 12);
  // 64:ff9b::/96, well-known NAT64 prefix
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return v4At(bytes, 12);
  // 2002::/16, 6to4
  if (startsWith(bytes, [0x20, 0x02])) return v4At(bytes, 2);
  return null;
}

function hexForm(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(":");
}

/**
 * True only for a syntactically valid IP address that is globally routable. Anything else —
 * private, loopback, reserved, an IPv6 zone-scoped address, or not an IP at all — is false,
 * so callers can treat false as "do not connect".
 */
export function isPublicAddress(ip: string): boolean {
  if (typeof ip !== "string") return false;
  // Zone ids only make sense for link-local targets, which are refused anyway.
  if (ip.includes("%")) return false;
  const family = isIP(ip);
  if (family === 4) return isPublicV4(ip);
  if (family !== 6) return false;
  const bytes = ipv6Bytes(ip);
  if (bytes === null) return false;
  const v4 = embeddedV4(bytes);
  if (v4 !== null) return isPublicV4(v4);
  const canonical = hexForm(bytes);
  return v6GlobalUnicast.check(canonical, "ipv6") && !v6List.check(canonical, "ipv6");
}
