// Pure, dependency-free: CIDR parsing and the union rule (two /1 blocks are the whole internet), shared
// by the component's schema and the policy pack.
import * as net from "node:net";

/** A parsed CIDR block. */
export interface Cidr {
  family: 4 | 6;
  address: string;
  prefix: number;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split(".").reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [
    ...headParts,
    ...Array<string>(tail === undefined ? 0 : missing).fill("0"),
    ...tailParts,
  ];
  return parts.reduce((acc, part) => (acc << 16n) + BigInt(parseInt(part || "0", 16)), 0n);
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; returns undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const [, address, prefixText] = match;
  const prefix = Number(prefixText);
  if (net.isIPv4(address) && prefix <= 32) return { family: 4, address, prefix };
  // Embedded IPv4 tails (::ffff:1.2.3.4) are legal but not worth the complexity in a firewall rule.
  if (net.isIPv6(address) && !address.includes(".") && prefix <= 128) {
    return { family: 6, address, prefix };
  }
  return undefined;
}

const bitsOf = (cidr: Cidr) => (cidr.family === 4 ? 32 : 128);
const valueOf = (cidr: Cidr) =>
  cidr.family === 4 ? ipv4ToBigInt(cidr.address) : ipv6ToBigInt(cidr.address);

/** True when no address bits are set below the prefix (`10.0.0.0/8`, not `10.1.0.0/8`). */
export function isCanonicalCidr(cidr: Cidr): boolean {
  const hostBits = BigInt(bitsOf(cidr) - cidr.prefix);
  return (valueOf(cidr) & ((1n << hostBits) - 1n)) === 0n;
}

/** Resource-name fragment for a CIDR: `203.0.113.0/24` -> `203-0-113-0-24`. */
export function cidrKey(cidr: string): string {
  return cidr.replace(/[.:/]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * True when the blocks of one family together cover that family's whole address space (two /1 blocks are
 * the whole internet, just like one /0): the union is judged, not each entry.
 */
export function coversWholeFamily(cidrs: readonly Cidr[], family: 4 | 6): boolean {
  const bits = family === 4 ? 32 : 128;
  const ranges = cidrs
    .filter((c) => c.family === family)
    .map((c) => {
      const size = 1n << BigInt(bits - c.prefix);
      const start = valueOf(c) & ~(size - 1n);
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
