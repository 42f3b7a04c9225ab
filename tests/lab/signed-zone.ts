/**
 * The labs' DNS zones: the SOA/NS head of a lab zone, NSD's configuration and ldns-signzone signing.
 * Hand-written configuration for real NSD, ldns and Unbound, because the tests need answers a real
 * validating resolver marks secure, insecure or bogus; no DNS library here signs and validates.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A lab zone as served: SOA (`serial`), NS `ns1.<zone>` at `nsAddress`, then `fragment` (zone-file lines). */
export function zoneText(zoneName: string, nsAddress: string, fragment: string, serial: number) {
  return [
    `$ORIGIN ${zoneName}.`,
    "$TTL 300",
    `@    IN SOA ns1.${zoneName}. hostmaster.${zoneName}. ${serial} 3600 600 86400 60`,
    `@    IN NS  ns1.${zoneName}.`,
    `ns1 IN A   ${nsAddress}`,
    fragment,
  ].join("\n");
}

/** Where and what an NSD of a lab serves. */
export interface NsdConfOptions {
  /** The address NSD listens on (port 53). */
  address: string;
  /** NSD's own files: pid, xfrd state, zone list, log. */
  dir: string;
  /** Where zone files are read from; default `dir`. */
  zonesDir?: string;
  /** `nsd-control`'s Unix socket; default none (remote control off). */
  controlSocket?: string;
  /** Zone name to zone file (relative to `zonesDir`). */
  zones: Record<string, string>;
}

/** nsd.conf for one NSD of a lab: no chroot, no user switch, no database, one server process. */
export function nsdConf(o: NsdConfOptions): string {
  const control =
    o.controlSocket === undefined
      ? "  control-enable: no\n"
      : `  control-enable: yes\n  control-interface: ${o.controlSocket}\n`;
  return `server:
  ip-address: ${o.address}
  port: 53
  username: ""
  chroot: ""
  zonesdir: "${o.zonesDir ?? o.dir}"
  pidfile: "${join(o.dir, "nsd.pid")}"
  xfrdfile: "${join(o.dir, "xfrd.state")}"
  zonelistfile: "${join(o.dir, "zone.list")}"
  database: ""
  logfile: "${join(o.dir, "nsd.log")}"
  server-count: 1
  verbosity: 1
remote-control:
${control}${Object.entries(o.zones)
    .map(([name, file]) => `zone:\n  name: "${name}"\n  zonefile: "${file}"\n`)
    .join("")}`;
}

/**
 * Signs `zoneFile` (in `dir`) with a new ECDSAP256SHA256 key made by ldns-keygen, writing
 * `<zoneFile>.signed`; `dates` are ldns-signzone's inception and expiration (YYYYMMDDhhmmss,
 * default its own). Returns the DS record, the trust anchor of the zone.
 */
export async function ldnsSignZone(
  dir: string,
  origin: string,
  zoneFile: string,
  dates: { inception?: string; expiration?: string } = {},
): Promise<string> {
  const { stdout } = await run("ldns-keygen", ["-a", "ECDSAP256SHA256", "-k", origin], {
    cwd: dir,
    timeout: 30_000,
  });
  const key = stdout.trim();
  const args = ["-o", origin];
  if (dates.inception !== undefined) args.push("-i", dates.inception);
  if (dates.expiration !== undefined) args.push("-e", dates.expiration);
  await run("ldns-signzone", [...args, zoneFile, key], { cwd: dir, timeout: 30_000 });
  return readFileSync(join(dir, `${key}.ds`), "utf8");
}
