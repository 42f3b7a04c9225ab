/** Pure: parses `--resolver IP[:PORT]` (IPv6 with a port as `[::1]:53`). */
import { isIP } from "node:net";
import { resolverAddress } from "../schema/resolver-address";
import { CheckInputError } from "./targets";
import type { ResolverAddress } from "./types";

/**
 * @example parseResolverAddress("10.0.0.53") // { address: "10.0.0.53", port: 53 }
 * @example parseResolverAddress("[2001:db8::53]:5353") // { address: "2001:db8::53", port: 5353 }
 * @throws CheckInputError when the value is not an IP address with an optional port 1-65535
 */
export function parseResolverAddress(value: string): ResolverAddress {
  const parsed = resolverAddress(value);
  if (parsed === undefined) {
    throw new CheckInputError(
      `--resolver "${value}" must be an IP address with an optional port: 10.0.0.53, 10.0.0.53:5353 or [2001:db8::53]:5353`,
    );
  }
  return parsed;
}

/** How a resolver appears in reports: `ADDRESS:PORT`, or `[IPv6]:PORT`. */
export function formatResolverAddress(resolver: ResolverAddress): string {
  return isIP(resolver.address) === 6
    ? `[${resolver.address}]:${resolver.port}`
    : `${resolver.address}:${resolver.port}`;
}
