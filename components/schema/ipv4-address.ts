// Pure: IPv4 address rules and the special-purpose address classes.
import * as ipaddr from "ipaddr.js";
import * as z from "zod";
import { show } from "./format";

/** True for a dotted-quad IPv4 address. */
export function isIPv4(address: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(address);
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and successors): blocks that are not reachable on
// the public internet, so an A record in public DNS must not point at them. The documentation blocks of
// RFC 5737 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are deliberately not listed: examples use them.
const NOT_PUBLIC: ReadonlyArray<[string, string]> = [
  ["0.0.0.0/8", "a 'this network' address (RFC 791)"],
  ["10.0.0.0/8", "a private address (RFC 1918)"],
  ["100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"],
  ["127.0.0.0/8", "a loopback address (RFC 1122)"],
  ["169.254.0.0/16", "a link-local address (RFC 3927)"],
  ["172.16.0.0/12", "a private address (RFC 1918)"],
  ["192.0.0.0/24", "an IETF protocol assignment (RFC 6890)"],
  ["192.168.0.0/16", "a private address (RFC 1918)"],
  ["198.18.0.0/15", "a benchmarking address (RFC 2544)"],
  ["224.0.0.0/4", "a multicast address (RFC 5771)"],
  ["240.0.0.0/4", "a reserved address (RFC 1112)"],
];
// This table, not ipaddr.js's range(): its "reserved" also holds the documentation blocks above and
// 192.88.99.0/24, and one name covers blocks whose reasons differ.
const NOT_PUBLIC_RANGES = NOT_PUBLIC.map(
  ([cidr, reason]) => [ipaddr.IPv4.parseCIDR(cidr), reason] as const,
);

/** Why `address` is not publicly routable (e.g. "a private address (RFC 1918)"), or undefined. */
export function nonPublicReason(address: string): string | undefined {
  if (!isIPv4(address)) return undefined;
  const ip = ipaddr.IPv4.parse(address);
  return NOT_PUBLIC_RANGES.find(([range]) => ip.match(range))?.[1];
}

/** A dotted-quad IPv4 address; `example` is shown in the fix.
 * @internal A zod schema: left out of the published declarations.
 */
export function ipv4Address(example: string) {
  const message = (input: unknown) =>
    input === undefined || input === ""
      ? "is missing; give the machine's stable public IPv4 address"
      : `${show(input)} is not an IPv4 address; the A record needs a dotted-quad address such as "${example}"`;
  return z.string({ error: (iss) => message(iss.input) }).refine(isIPv4, {
    error: (iss) => message(iss.input),
  });
}
