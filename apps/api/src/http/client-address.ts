import { isIPv4, isIPv6 } from "node:net";

/** IPv6 addresses as eight hextets: "::" and an embedded IPv4 tail (two hextets) expanded. */
function hextets(address: string): string[] | null {
  const [head = "", tail, ...rest] = address.split("::");
  if (rest.length > 0) return null;
  const part = (text: string) =>
    text === ""
      ? []
      : text.split(":").flatMap((piece) => {
          if (!isIPv4(piece)) return [piece];
          const [a = 0, b = 0, c = 0, d = 0] = piece.split(".").map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, zeros)).fill("0"), ...right];
}

/**
 * The key per-client limits count under: an IPv4 address as it is (IPv4-mapped IPv6 too),
 * an IPv6 address by its /64, the smallest block one subscriber is usually given, so walking
 * through the addresses of one's own block does not buy a fresh budget.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const address = ip.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return mapped;
  if (!isIPv6(address)) return address;
  const groups = hextets(address.toLowerCase());
  if (!groups) return address;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
