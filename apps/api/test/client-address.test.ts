import { describe, expect, it } from "vitest";
import { clientKey } from "../src/http/client-address.js";

describe("the client key of per-client limits", () => {
  it("keeps an IPv4 address, mapped or not", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("puts every IPv6 address of one /64 under one key, whatever its spelling", () => {
    const key = clientKey("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    for (const ip of ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0DB8:0001:0002::abcd", "2001:db8:1:2::9%eth0"]) {
      expect(clientKey(ip), ip).toBe(key);
    }
    expect(clientKey("2001:db8:1:3::1")).not.toBe(key);
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
  });

  it("has a key for a request without an address", () => {
    expect(clientKey(undefined)).toBe("unknown");
  });
});
