// Pure: DNS names relative to the zone and the resource-name key of each host.
import { normalizeDnsName } from "../../schema/host-name";

// Name and address rules are shared with the stack configuration and the replication inventory.
export { normalizeDnsName, isValidHostName, isInZone } from "../../schema/host-name";
export { isIPv4 } from "../../schema/ipv4-address";
export { parseCidr, isCanonicalCidr, cidrKey, type Cidr } from "../../schema/cidr";

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
