import * as net from "node:net";
import * as z from "zod";
import { show } from "./format";

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

/** Options of {@link cidrList}. */
export interface CidrListOptions {
  /** What the list opens, for messages: "POP3 for MailStore Server". */
  purpose: string;
  /** False: a list whose union is a whole address family (`0.0.0.0/0`, two /1 blocks, `::/0`) is refused. */
  worldOpenAllowed: boolean;
}

/**
 * A non-empty list of canonical, distinct CIDR blocks (IPv4 or IPv6) for one security-group rule. Unless
 * world-open is allowed, the union of the list must not be a whole address family.
 * @internal A zod schema: left out of the published declarations.
 */
export function cidrList(opts: CidrListOptions) {
  const notList = (input: unknown) =>
    `${show(input)} must be a list of CIDR blocks such as ["198.51.100.0/24"]`;
  const notCidr = (input: unknown) =>
    `${show(input)} is not a CIDR block; write an address and prefix, e.g. "198.51.100.7/32"`;
  const entry = z.string({ error: (iss) => notCidr(iss.input) });
  return z.array(entry, { error: (iss) => notList(iss.input) }).superRefine(
    (list: unknown[], ctx) => {
      if (!Array.isArray(list)) return;
      const at = (i: number, message: string) =>
        ctx.addIssue({ code: "custom", path: [i], message, input: list[i] });
      if (list.length === 0) {
        ctx.addIssue({
          code: "custom",
          message: `is empty; ${opts.purpose} would be unreachable. List the networks that need it, e.g. ["198.51.100.0/24"]`,
          input: list,
        });
        return;
      }
      const seen = new Set<string>();
      const parsed: Cidr[] = [];
      let entryOpensWorld = false;
      list.forEach((entry, i) => {
        const cidr = typeof entry === "string" ? parseCidr(entry) : undefined;
        if (typeof entry !== "string" || cidr === undefined) {
          at(i, notCidr(entry));
          return;
        }
        if (!isCanonicalCidr(cidr)) {
          at(
            i,
            `"${entry}" has address bits set below the /${cidr.prefix} prefix; use the network address of the block`,
          );
          return;
        }
        if (!opts.worldOpenAllowed && cidr.prefix === 0) {
          at(
            i,
            `"${entry}" opens ${opts.purpose} to the whole internet; list only the networks that need it`,
          );
          entryOpensWorld = true;
          return;
        }
        if (seen.has(cidrKey(entry))) {
          at(i, `"${entry}" is listed twice; remove the duplicate`);
          return;
        }
        seen.add(cidrKey(entry));
        parsed.push(cidr);
      });
      if (!opts.worldOpenAllowed && !entryOpensWorld) {
        for (const family of [4, 6] as const) {
          if (coversWholeFamily(parsed, family)) {
            ctx.addIssue({
              code: "custom",
              message: `${show(list)} together cover every IPv${family} address, which opens ${opts.purpose} to the whole internet; list only the networks that need it`,
              input: list,
            });
          }
        }
      }
    },
    { when: () => true },
  );
}
