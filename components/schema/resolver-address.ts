/** Pure: a DNS resolver's address, `IP[:PORT]` (IPv6 with a port as `[::1]:53`). */
import { isIP } from "node:net";

/**
 * The resolver address and port (53 when none is given), or undefined when the text is not an IP
 * address with an optional port 1-65535.
 * @example resolverAddress("10.0.0.53") // { address: "10.0.0.53", port: 53 }
 * @example resolverAddress("[2001:db8::53]:5353") // { address: "2001:db8::53", port: 5353 }
 */
export function resolverAddress(value: string): { address: string; port: number } | undefined {
  let address = value;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    address = bracketed[1] as string;
    portText = bracketed[2];
    if (isIP(address) !== 6) return undefined;
  } else if (isIP(value) === 0) {
    const colon = value.lastIndexOf(":");
    if (colon < 0) return undefined;
    address = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (isIP(address) !== 4) return undefined;
  }
  const port = portText === undefined ? 53 : Number(portText);
  if (!/^\d+$/.test(portText ?? "53") || port < 1 || port > 65535) return undefined;
  return { address, port };
}
