import { describe, expect, it } from "vitest";
import { isPublicAddress } from "../src/index.js";

// Pure classification checks: nothing here opens a socket or resolves a name.
describe("isPublicAddress", () => {
  const refused: ReadonlyArray<readonly [string, string]> = [
    ["127.0.0.1", "IPv4 loopback"],
    ["127.1.2.3", "anywhere in 127/8"],
    ["10.0.0.1", "10/8 private"],
    ["172.16.0.1", "the bottom of 172.16/12"],
    ["172.31.255.255", "the top of 172.16/12"],
    ["192.168.1.1", "192.168/16 private"],
    ["100.64.0.1", "CGNAT shared space"],
    ["169.254.169.254", "the cloud metadata address"],
    ["0.0.0.0", "the unspecified IPv4 address"],
    ["0.1.2.3", "this-network 0/8"],
    ["192.0.0.8", "IETF protocol assignments"],
    ["192.0.2.1", "TEST-NET-1"],
    ["192.88.99.1", "the 6to4 relay anycast"],
    ["198.18.0.1", "benchmarking space"],
    ["198.19.255.255", "the top of benchmarking space"],
    ["198.51.100.7", "TEST-NET-2"],
    ["203.0.113.9", "TEST-NET-3"],
    ["224.0.0.1", "IPv4 multicast"],
    ["239.255.255.250", "the top of IPv4 multicast"],
    ["240.0.0.1", "reserved 240/4"],
    ["255.255.255.255", "limited broadcast"],
    ["::1", "IPv6 loopback"],
    ["::", "the unspecified IPv6 address"],
    ["::127.0.0.1", "a deprecated IPv4-compatible address"],
    ["fc00::1", "a ULA in fc00::/8"],
    ["fd12:3456::1", "a ULA in fd00::/8"],
    ["fe80::1", "IPv6 link-local"],
    ["febf:ffff::1", "the top of IPv6 link-local"],
    ["fec0::1", "deprecated site-local"],
    ["ff02::1", "IPv6 multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback in dotted form"],
    ["::ffff:7f00:1", "IPv4-mapped loopback in hex form"],
    ["::FFFF:7F00:0001", "IPv4-mapped loopback in upper case with leading zeros"],
    ["0:0:0:0:0:ffff:7f00:1", "IPv4-mapped loopback written out in full"],
    ["::ffff:10.0.0.1", "IPv4-mapped private space"],
    ["::ffff:169.254.169.254", "IPv4-mapped cloud metadata"],
    ["64:ff9b::a00:1", "NAT64 of 10.0.0.1"],
    ["64:ff9b::127.0.0.1", "NAT64 of loopback in dotted form"],
    ["64:ff9b:1::808:808", "local-use NAT64"],
    ["2002:7f00:1::", "6to4 of loopback"],
    ["2002:a9fe:a9fe::1", "6to4 of the cloud metadata address"],
    ["2001::1", "Teredo"],
    ["2001:db8::1", "IPv6 documentation space"],
    ["100::1", "the IPv6 discard prefix"],
    ["3fff::1", "the RFC 9637 documentation prefix"],
    ["1000::1", "unallocated space below 2000::/3"],
    ["4000::1", "space outside global unicast"],
    ["fe80::1%eth0", "a zone-scoped address"],
  ];

  it.each(refused)("refuses %s because it is %s", (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  const accepted: ReadonlyArray<readonly [string, string]> = [
    ["8.8.8.8", "a public IPv4 resolver"],
    ["1.1.1.1", "another public IPv4 resolver"],
    ["172.32.0.1", "just above 172.16/12"],
    ["172.15.255.255", "just below 172.16/12"],
    ["100.128.0.1", "just above CGNAT space"],
    ["198.20.0.1", "just above benchmarking space"],
    ["223.255.255.255", "just below multicast"],
    ["::ffff:8.8.8.8", "IPv4-mapped public space"],
    ["64:ff9b::808:808", "NAT64 of a public address"],
    ["2002:808:808::1", "6to4 of a public address"],
    ["2001:4860:4860::8888", "public IPv6"],
    ["2606:4700:4700::1111", "another public IPv6 address"],
    ["3fff:1000::1", "just above the RFC 9637 documentation prefix"],
  ];

  it.each(accepted)("accepts %s because it is %s", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  const garbage = [
    "",
    "localhost",
    "example.com",
    "not an ip",
    "8.8.8",
    "8.8.8.8.8",
    "256.1.1.1",
    "127.1",
    "0x7f.0.0.1",
    "2130706433",
    "010.0.0.1",
    " 8.8.8.8",
    "[::1]",
    "[2001:4860:4860::8888]",
    "2001:4860:4860::8888::1",
    "::ffff:999.0.0.1",
    "gggg::1",
  ];

  it.each(garbage)("refuses the non-address %j", (input) => {
    expect(isPublicAddress(input)).toBe(false);
  });

  it("refuses a value that is not a string at all", () => {
    expect(isPublicAddress(undefined as unknown as string)).toBe(false);
    expect(isPublicAddress(134744072 as unknown as string)).toBe(false);
  });
});
