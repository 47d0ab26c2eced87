import { describe, expect, it } from "vitest";
import { EgressPolicy, canonicalAddress } from "./egress-policy.js";

const open = new EgressPolicy({ allow: [], deny: [] });

describe("EgressPolicy", () => {
  it.each([
    ["example.com", "93.184.216.34", true],
    ["example.com", "2606:2800:220:1:248:1893:25c8:1946", true],
    ["localhost", "127.0.0.1", false],
    ["x", "127.8.9.10", false],
    ["metadata", "169.254.169.254", false],
    ["x", "10.1.2.3", false],
    ["x", "172.16.0.1", false],
    ["x", "172.31.255.255", false],
    ["x", "172.32.0.1", true],
    ["x", "192.168.1.1", false],
    ["x", "100.64.0.1", false],
    ["x", "0.0.0.0", false],
    ["x", "224.0.0.1", false],
    ["x", "::1", false],
    ["x", "::", false],
    ["x", "fd00::1", false],
    ["x", "fe80::1", false],
    ["x", "::ffff:127.0.0.1", false],
    ["x", "::ffff:7f00:1", false],
    ["x", "::ffff:a9fe:a9fe", false],
    ["x", "64:ff9b::a00:1", false],
    ["x", "::ffff:8.8.8.8", true],
  ])("%s at %s: allowed=%s by default", (host, address, allowed) => {
    expect(open.decide(host, address).allowed).toBe(allowed);
  });

  it("explains a refusal", () => {
    expect(open.decide("metadata", "169.254.169.254")).toEqual({
      allowed: false,
      reason: "metadata resolves to 169.254.169.254, a link-local address, which the egress policy does not allow",
    });
  });

  const policy = new EgressPolicy({ allow: ["127.0.0.1", "10.0.0.0/8", "*.internal.test", "svc.local"], deny: ["evil.test", "*.blocked.test", "8.8.0.0/16", "10.9.9.9"] });

  it.each([
    ["a", "127.0.0.1", true],
    ["a", "::ffff:127.0.0.1", true],
    ["a", "127.0.0.2", false],
    ["a", "10.200.1.1", true],
    ["db.internal.test", "192.168.5.5", true],
    ["internal.test", "192.168.5.5", false],
    ["SVC.local", "192.168.5.5", true],
    ["evil.test", "93.184.216.34", false],
    ["x.blocked.test", "93.184.216.34", false],
    ["dns", "8.8.8.8", false],
    ["a", "10.9.9.9", false],
    ["a", "1.1.1.1", true],
  ])("with rules, %s at %s: allowed=%s", (host, address, allowed) => {
    expect(policy.decide(host, address).allowed).toBe(allowed);
  });

  it("reads IPv4 carried in IPv6 as IPv4", () => {
    expect(canonicalAddress("::ffff:10.0.0.1")).toEqual({ address: "10.0.0.1", family: "ipv4" });
    expect(canonicalAddress("[::1]")).toEqual({ address: "::1", family: "ipv6" });
    expect(canonicalAddress("not-an-ip")).toBeUndefined();
  });
});
