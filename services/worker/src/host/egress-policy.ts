// Who a function's `fetch` may reach. Deny rules win, then allow rules; otherwise an address that
// belongs to the machine or its private networks is refused, so functions cannot reach the cluster's own
// services by default: every address of every interface of the machine the worker runs on (read at start
// and again at most every HOST_ADDRESSES_TTL_MS, when a decision is made), loopback, link-local including
// the cloud metadata address, RFC 1918, CGNAT, IPv6 ULA, and the reserved ranges: unspecified,
// documentation (TEST-NET-1/2/3, 2001:db8::/32), benchmarking, multicast, broadcast and the rest. IPv6
// forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that address. The
// decision is made on the address that will be dialed.
import { BlockList, isIP } from "node:net";
import { networkInterfaces } from "node:os";

export interface EgressRules {
  /** Host names (`*.example.com` for subdomains), IPs or CIDRs always allowed. */
  allow: readonly string[];
  /** Host names, IPs or CIDRs always refused. */
  deny: readonly string[];
}

export type EgressDecision = { allowed: true } | { allowed: false; reason: string };

type Family = "ipv4" | "ipv6";

/** How long the machine's own addresses are trusted before they are read again. */
export const HOST_ADDRESSES_TTL_MS = 30_000;

const SPECIAL_RANGES: readonly [network: string, prefix: number, family: Family, kind: string][] = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "shared (CGNAT)"],
  ["169.254.0.0", 16, "ipv4", "link-local"],
  ["192.0.0.0", 24, "ipv4", "reserved"],
  ["192.0.2.0", 24, "ipv4", "documentation (TEST-NET-1)"],
  ["198.51.100.0", 24, "ipv4", "documentation (TEST-NET-2)"],
  ["203.0.113.0", 24, "ipv4", "documentation (TEST-NET-3)"],
  ["192.88.99.0", 24, "ipv4", "reserved (6to4 relay)"],
  ["198.18.0.0", 15, "ipv4", "benchmarking"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["255.255.255.255", 32, "ipv4", "broadcast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  ["100::", 64, "ipv6", "reserved (discard)"],
  ["2001::", 23, "ipv6", "reserved (IETF protocol assignments)"],
  ["2001:db8::", 32, "ipv6", "documentation"],
  ["3fff::", 20, "ipv6", "documentation"],
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
 * The address in its plain form: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible, NAT64 (`64:ff9b::/96`) and
 * 6to4 (`2002:aabb:ccdd::/48`) IPv6 addresses carry an IPv4 address, which is what they reach.
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
  const dotted = (value: number): string => [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
  if ((mapped && (high[5] === 0xffff || low > 1)) || nat64) return { address: dotted(low), family: "ipv4" };
  // 6to4 (2002::/16) carries the IPv4 address it stands for in its second and third hextets.
  if (parts[0] === 0x2002) return { address: dotted((parts[1] ?? 0) * 0x10000 + (parts[2] ?? 0)), family: "ipv4" };
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
      const network = rule.slice(0, slash);
      if (ip.family === "ipv4" && isIP(network) === 6) {
        // An IPv6 range of addresses that carry IPv4 ones is that IPv4 range (6to4's sits 16 bits in, the rest 96).
        const offset = hextets(network)[0] === 0x2002 ? 16 : 96;
        if (prefix >= offset) compiled.addresses.addSubnet(ip.address, Math.min(32, prefix - offset), "ipv4");
        else compiled.addresses.addSubnet(network, prefix, "ipv6");
      } else {
        compiled.addresses.addSubnet(ip.address, prefix, ip.family);
      }
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

/** The machine's interfaces, as `os.networkInterfaces()` lists them. */
export type InterfaceLister = () => Record<string, { address: string }[] | undefined>;

export interface EgressPolicyOptions {
  /** Where the machine's own addresses come from (the real interfaces by default). */
  interfaces?: InterfaceLister;
  /** The clock the addresses' age is read on (milliseconds). */
  now?: () => number;
}

/** Every address of every interface of the machine, read again once they are HOST_ADDRESSES_TTL_MS old. */
class HostAddresses {
  private list = new BlockList();
  private readAt = -Infinity;

  constructor(
    private readonly interfaces: InterfaceLister,
    private readonly now: () => number,
  ) {}

  has(address: { address: string; family: Family }): boolean {
    const now = this.now();
    if (now - this.readAt >= HOST_ADDRESSES_TTL_MS) this.read(now);
    return this.list.check(address.address, address.family);
  }

  private read(now: number): void {
    const list = new BlockList();
    let interfaces: ReturnType<InterfaceLister>;
    try {
      interfaces = this.interfaces();
    } catch {
      // The interfaces cannot be read: the last list stands, and is asked again next time.
      return;
    }
    for (const entries of Object.values(interfaces)) {
      for (const { address } of entries ?? []) {
        const canonical = canonicalAddress(address.split("%")[0] ?? address);
        if (canonical) list.addAddress(canonical.address, canonical.family);
      }
    }
    this.list = list;
    this.readAt = now;
  }
}

export class EgressPolicy {
  private readonly allow: CompiledRules;
  private readonly deny: CompiledRules;
  private readonly host: HostAddresses;

  constructor(rules: EgressRules, options: EgressPolicyOptions = {}) {
    this.allow = compileRules(rules.allow);
    this.deny = compileRules(rules.deny);
    this.host = new HostAddresses(options.interfaces ?? (networkInterfaces as InterfaceLister), options.now ?? Date.now);
  }

  /** May a request for `hostname` connect to `address` (the address it resolved to)? */
  decide(hostname: string, address: string): EgressDecision {
    const canonical = canonicalAddress(address);
    if (matches(this.deny, hostname, canonical)) return { allowed: false, reason: `${hostname} is denied by the egress policy` };
    if (matches(this.allow, hostname, canonical)) return { allowed: true };
    const kind = specialAddressKind(address);
    const refused = kind ? `a ${kind} address` : canonical && this.host.has(canonical) ? "an address of this machine" : undefined;
    if (refused) return { allowed: false, reason: `${hostname} resolves to ${address}, ${refused}, which the egress policy does not allow` };
    return { allowed: true };
  }
}
