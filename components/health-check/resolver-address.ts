/** Pure: parses `--resolver IP[:PORT]` (IPv6 with a port as `[::1]:53`). */
import { isIP } from "node:net";
import { CheckInputError } from "./targets";
import type { ResolverAddress } from "./types";

/**
 * @example parseResolverAddress("10.0.0.53") // { address: "10.0.0.53", port: 53 }
 * @example parseResolverAddress("[2001:db8::53]:5353") // { address: "2001:db8::53", port: 5353 }
 * @throws CheckInputError when the value is not an IP address with an optional port 1-65535
 */
export function parseResolverAddress(value: string): ResolverAddress {
  const fail = (): never => {
    throw new CheckInputError(
      `--resolver "${value}" must be an IP address with an optional port: 10.0.0.53, 10.0.0.53:5353 or [2001:db8::53]:5353`,
    );
  };
  let address = value;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    address = bracketed[1] as string;
    portText = bracketed[2];
    if (isIP(address) !== 6) fail();
  } else if (isIP(value) === 0) {
    const colon = value.lastIndexOf(":");
    if (colon < 0) fail();
    address = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (isIP(address) !== 4) fail();
  }
  const port = portText === undefined ? 53 : Number(portText);
  if (!/^\d+$/.test(portText ?? "53") || port < 1 || port > 65535) fail();
  return { address, port };
}

/** How a resolver appears in reports: `ADDRESS:PORT`, or `[IPv6]:PORT`. */
export function formatResolverAddress(resolver: ResolverAddress): string {
  return isIP(resolver.address) === 6
    ? `[${resolver.address}]:${resolver.port}`
    : `${resolver.address}:${resolver.port}`;
}
