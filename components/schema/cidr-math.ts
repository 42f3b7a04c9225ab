// Pure: CIDR parsing (ipaddr.js) and the union rule (two /1 blocks are the whole internet), shared by the
// component's schema and the policy pack (which lists ipaddr.js among its own dependencies).
import * as net from "node:net";
import * as ipaddr from "ipaddr.js";

/** A parsed CIDR block. */
export interface Cidr {
  family: 4 | 6;
  address: string;
  prefix: number;
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; returns undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const [, address, prefixText] = match;
  const prefix = Number(prefixText);
  if (ipaddr.IPv4.isValidFourPartDecimal(address) && prefix <= 32) {
    return { family: 4, address, prefix };
  }
  // node's syntax check: ipaddr.js's IPv6 parser also takes five-digit groups and nine around "::".
  // Embedded IPv4 tails (::ffff:1.2.3.4) are legal but not worth the complexity in a firewall rule.
  if (net.isIPv6(address) && !address.includes(".") && prefix <= 128) {
    return { family: 6, address, prefix };
  }
  return undefined;
}

const kindOf = (cidr: Cidr) => (cidr.family === 4 ? ipaddr.IPv4 : ipaddr.IPv6);
// A zone id (`fe80::1%eth0`) names an interface, not address bits.
const addressOf = (cidr: Cidr) => kindOf(cidr).parse(cidr.address.replace(/%.*$/, ""));

/** True when no address bits are set below the prefix (`10.0.0.0/8`, not `10.1.0.0/8`). */
export function isCanonicalCidr(cidr: Cidr): boolean {
  const address = addressOf(cidr);
  const network = kindOf(cidr).networkAddressFromCIDR(`${address.toString()}/${cidr.prefix}`);
  return network.toNormalizedString() === address.toNormalizedString();
}

/** Resource-name fragment for a CIDR: `203.0.113.0/24` -> `203-0-113-0-24`. */
export function cidrKey(cidr: string): string {
  return cidr.replace(/[.:/]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * True when the blocks of one family together cover that family's whole address space (two /1 blocks are
 * the whole internet, just like one /0): the union is judged, not each entry. Hand-written: ipaddr.js
 * matches one address against ranges but has no union of ranges.
 */
export function coversWholeFamily(cidrs: readonly Cidr[], family: 4 | 6): boolean {
  const bits = family === 4 ? 32 : 128;
  const ranges = cidrs
    .filter((c) => c.family === family)
    .map((c) => {
      const size = 1n << BigInt(bits - c.prefix);
      const value = addressOf(c)
        .toByteArray()
        .reduce((acc, byte) => (acc << 8n) + BigInt(byte), 0n);
      const start = value & ~(size - 1n);
      return [start, start + size] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let reached = 0n;
  for (const [start, end] of ranges) {
    if (start > reached) return false;
    if (end > reached) reached = end;
  }
  return reached === 1n << BigInt(bits);
}
