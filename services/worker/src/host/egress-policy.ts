// Who a function's `fetch` may reach. Deny rules win, then allow rules; otherwise an address that
// belongs to the machine or its private networks (loopback, link-local including the cloud metadata
// address, RFC 1918, CGNAT, IPv6 ULA, unspecified, multicast, reserved) is refused, so functions cannot
// reach the cluster's own services by default. The decision is made on the address that will be dialed.
import { BlockList, isIP } from "node:net";

export interface EgressRules {
  /** Host names (`*.example.com` for subdomains), IPs or CIDRs always allowed. */
  allow: readonly string[];
  /** Host names, IPs or CIDRs always refused. */
  deny: readonly string[];
}

export type EgressDecision = { allowed: true } | { allowed: false; reason: string };

type Family = "ipv4" | "ipv6";

const SPECIAL_RANGES: readonly [network: string, prefix: number, family: Family, kind: string][] = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "shared (CGNAT)"],
  ["169.254.0.0", 16, "ipv4", "link-local"],
  ["192.0.0.0", 24, "ipv4", "reserved"],
  ["198.18.0.0", 15, "ipv4", "reserved"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  ["fc00::", 7, "ipv6", "private (unique local)"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["fec0::", 10, "ipv6", "site-local"],
  ["ff00::", 8, "ipv6", "multicast"],
];

const specialRanges = SPECIAL_RANGES.map(([network, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, kind };
});

/** The 8 hextets of an IPv6 address (which must be valid). */
function hextets(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a, b, c, d] = dotted[1].split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((part) => parseInt(part, 16));
}

/**
 * The address in its plain form: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible and NAT64 (`64:ff9b::/96`)
 * IPv6 addresses carry an IPv4 address, which is what they reach.
 */
export function canonicalAddress(address: string): { address: string; family: Family } | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: "ipv4" };
  if (version !== 6) return undefined;
  const parts = hextets(bare);
  const high = parts.slice(0, 6);
  const mapped = high.slice(0, 5).every((part) => part === 0) && (high[5] === 0xffff || high[5] === 0);
  const nat64 = parts[0] === 0x64 && parts[1] === 0xff9b && parts.slice(2, 6).every((part) => part === 0);
  const low = (parts[6] ?? 0) * 0x10000 + (parts[7] ?? 0);
  if ((mapped && (high[5] === 0xffff || low > 1)) || nat64) {
    return { address: [low >>> 24, (low >>> 16) & 255, (low >>> 8) & 255, low & 255].join("."), family: "ipv4" };
  }
  return { address: bare, family: "ipv6" };
}

/** Which special range an address is in (`loopback`, `private`, …), or undefined for a public address. */
export function specialAddressKind(address: string): string | undefined {
  const canonical = canonicalAddress(address);
  if (!canonical) return "invalid";
  for (const range of specialRanges) {
    if (range.family === canonical.family && range.list.check(canonical.address, canonical.family)) return range.kind;
  }
  return undefined;
}

interface CompiledRules {
  names: Set<string>;
  suffixes: string[];
  addresses: BlockList;
}

function compileRules(rules: readonly string[]): CompiledRules {
  const compiled: CompiledRules = { names: new Set(), suffixes: [], addresses: new BlockList() };
  for (const raw of rules) {
    const rule = raw.trim().toLowerCase();
    if (!rule) continue;
    const slash = rule.indexOf("/");
    const ip = canonicalAddress(slash < 0 ? rule : rule.slice(0, slash));
    if (ip && slash >= 0) {
      const prefix = Number(rule.slice(slash + 1));
      compiled.addresses.addSubnet(ip.address, ip.family === "ipv4" && isIP(rule.slice(0, slash)) === 6 ? Math.max(0, prefix - 96) : prefix, ip.family);
    } else if (ip) {
      compiled.addresses.addAddress(ip.address, ip.family);
    } else if (rule.startsWith("*.")) {
      compiled.suffixes.push(rule.slice(1));
    } else {
      compiled.names.add(rule.replace(/\.$/, ""));
    }
  }
  return compiled;
}

function matches(rules: CompiledRules, hostname: string, address: { address: string; family: Family } | undefined): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (rules.names.has(name) || rules.suffixes.some((suffix) => name.endsWith(suffix))) return true;
  return address !== undefined && rules.addresses.check(address.address, address.family);
}

export class EgressPolicy {
  private readonly allow: CompiledRules;
  private readonly deny: CompiledRules;

  constructor(rules: EgressRules) {
    this.allow = compileRules(rules.allow);
    this.deny = compileRules(rules.deny);
  }

  /** May a request for `hostname` connect to `address` (the address it resolved to)? */
  decide(hostname: string, address: string): EgressDecision {
    const canonical = canonicalAddress(address);
    if (matches(this.deny, hostname, canonical)) return { allowed: false, reason: `${hostname} is denied by the egress policy` };
    if (matches(this.allow, hostname, canonical)) return { allowed: true };
    const kind = specialAddressKind(address);
    if (kind) return { allowed: false, reason: `${hostname} resolves to ${address}, a ${kind} address, which the egress policy does not allow` };
    return { allowed: true };
  }
}
