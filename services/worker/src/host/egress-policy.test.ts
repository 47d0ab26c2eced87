import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { EgressPolicy, HOST_ADDRESSES_TTL_MS, canonicalAddress, type InterfaceLister } from "./egress-policy.js";

/** A machine with no interfaces of its own beyond what a test gives it. */
const noInterfaces: InterfaceLister = () => ({});
const open = new EgressPolicy({ allow: [], deny: [] }, { interfaces: noInterfaces });

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
    ["x", "192.0.2.1", false],
    ["x", "198.51.100.77", false],
    ["x", "203.0.113.255", false],
    ["x", "198.18.0.1", false],
    ["x", "198.19.255.255", false],
    ["x", "198.20.0.1", true],
    ["x", "239.255.255.250", false],
    ["x", "255.255.255.255", false],
    ["x", "250.1.2.3", false],
    ["x", "0.1.2.3", false],
    ["x", "2001:db8::1", false],
    ["x", "2001:db8:ffff::1", false],
    ["x", "3fff::1", false],
    ["x", "100::1", false],
    ["x", "2001::1", false],
    ["x", "ff02::1", false],
    ["x", "::ffff:192.0.2.1", false],
    ["x", "::ffff:c000:201", false],
    ["x", "64:ff9b::c633:6401", false],
    ["x", "2002:7f00:1::", false],
    ["x", "2002:c000:201::1", false],
    ["x", "2002:808:808::1", true],
    ["x", "2001:4860:4860::8888", true],
  ])("%s at %s: allowed=%s by default", (host, address, allowed) => {
    expect(open.decide(host, address).allowed).toBe(allowed);
  });

  it("names the reserved range it refuses", () => {
    expect(open.decide("x", "198.51.100.1")).toMatchObject({ reason: expect.stringContaining("a documentation (TEST-NET-2) address") });
    expect(open.decide("x", "255.255.255.255")).toMatchObject({ reason: expect.stringContaining("a broadcast address") });
    expect(open.decide("x", "2001:db8::1")).toMatchObject({ reason: expect.stringContaining("a documentation address") });
    expect(open.decide("x", "2002:7f00:1::")).toMatchObject({ reason: expect.stringContaining("a loopback address") });
  });

  it("refuses every address of the machine's own interfaces, kept current, unless allowed", () => {
    let now = 0;
    let addresses = [{ address: "93.184.216.34" }, { address: "2606:2800:220:1::1" }, { address: "fe80::1%eth0" }];
    const interfaces: InterfaceLister = () => ({ eth0: addresses, lo: [{ address: "127.0.0.1" }] });
    const policy = new EgressPolicy({ allow: [], deny: [] }, { interfaces, now: () => now });
    expect(policy.decide("me", "93.184.216.34")).toEqual({
      allowed: false,
      reason: "me resolves to 93.184.216.34, an address of this machine, which the egress policy does not allow",
    });
    expect(policy.decide("me", "::ffff:93.184.216.34").allowed).toBe(false);
    expect(policy.decide("me", "2606:2800:220:1::1").allowed).toBe(false);
    expect(policy.decide("other", "93.184.216.35").allowed).toBe(true);
    // The machine's addresses change; the policy reads them again once they are old.
    addresses = [{ address: "93.184.216.35" }];
    now += HOST_ADDRESSES_TTL_MS - 1;
    expect(policy.decide("other", "93.184.216.35").allowed).toBe(true);
    now += 1;
    expect(policy.decide("other", "93.184.216.35").allowed).toBe(false);
    expect(policy.decide("me", "93.184.216.34").allowed).toBe(true);
    const allowed = new EgressPolicy({ allow: ["93.184.216.35"], deny: [] }, { interfaces, now: () => now });
    expect(allowed.decide("me", "93.184.216.35").allowed).toBe(true);
  });

  it("knows the real machine's interfaces by default", () => {
    const policy = new EgressPolicy({ allow: [], deny: [] });
    const own = Object.values(networkInterfaces())
      .flatMap((entries) => entries ?? [])
      .map((entry) => entry.address);
    expect(own.length).toBeGreaterThan(0);
    for (const address of own) expect(policy.decide("me", address).allowed, address).toBe(false);
  });

  it("explains a refusal", () => {
    expect(open.decide("metadata", "169.254.169.254")).toEqual({
      allowed: false,
      reason: "metadata resolves to 169.254.169.254, a link-local address, which the egress policy does not allow",
    });
  });

  const policy = new EgressPolicy(
    { allow: ["127.0.0.1", "10.0.0.0/8", "*.internal.test", "svc.local", "2002:c000:200::/40"], deny: ["evil.test", "*.blocked.test", "8.8.0.0/16", "10.9.9.9"] },
    { interfaces: noInterfaces },
  );

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
    ["a", "192.0.2.9", true],
    ["a", "198.51.100.1", false],
    ["a", "2002:c000:209::", true],
  ])("with rules, %s at %s: allowed=%s", (host, address, allowed) => {
    expect(policy.decide(host, address).allowed).toBe(allowed);
  });

  it("reads IPv4 carried in IPv6 as IPv4", () => {
    expect(canonicalAddress("::ffff:10.0.0.1")).toEqual({ address: "10.0.0.1", family: "ipv4" });
    expect(canonicalAddress("[::1]")).toEqual({ address: "::1", family: "ipv6" });
    expect(canonicalAddress("not-an-ip")).toBeUndefined();
  });
});
