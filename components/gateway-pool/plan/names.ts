import * as net from "node:net";

/** Lower-cases a DNS name and drops one trailing dot: `MSGW1.Example.com.` -> `msgw1.example.com`. */
export function normalizeDnsName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** True for a syntactically valid host name of two or more labels (letters, digits, hyphens). */
export function isValidHostName(name: string): boolean {
  const n = normalizeDnsName(name);
  if (n.length === 0 || n.length > 253) return false;
  const labels = n.split(".");
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/** True when `name` is `zone` itself or lies below it (both normalised). */
export function isInZone(name: string, zone: string): boolean {
  const n = normalizeDnsName(name);
  const z = normalizeDnsName(zone);
  return n === z || n.endsWith(`.${z}`);
}

/** `msgw1.dc2.example.com` in zone `example.com` -> `msgw1.dc2`; the apex -> `@`. */
export function relativeName(name: string, zone: string): string {
  const n = normalizeDnsName(name);
  const z = normalizeDnsName(zone);
  if (n === z) return "@";
  return n.slice(0, n.length - z.length - 1);
}

/**
 * Stable resource-name key of a host: its name relative to the zone with dots as dashes
 * (`msgw1.example.com` -> `msgw1`). Names are API: changing this function replaces cloud resources.
 */
export function hostKey(hostname: string, zone: string): string {
  const rel = relativeName(hostname, zone);
  return rel === "@" ? "apex" : rel.replace(/\./g, "-");
}

/** True for a dotted-quad IPv4 address. */
export function isIPv4(address: string): boolean {
  return net.isIPv4(address);
}

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

/** True when no address bits are set below the prefix (`10.0.0.0/8`, not `10.1.0.0/8`). */
export function isCanonicalCidr(cidr: Cidr): boolean {
  const bits = cidr.family === 4 ? 32 : 128;
  const value = cidr.family === 4 ? ipv4ToBigInt(cidr.address) : ipv6ToBigInt(cidr.address);
  const hostBits = BigInt(bits - cidr.prefix);
  return (value & ((1n << hostBits) - 1n)) === 0n;
}

/** Resource-name fragment for a CIDR: `203.0.113.0/24` -> `203-0-113-0-24`. */
export function cidrKey(cidr: string): string {
  return cidr.replace(/[.:/]+/g, "-").replace(/^-|-$/g, "");
}
