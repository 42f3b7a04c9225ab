/**
 * The lab's authoritative DNS server: NSD in its own namespace, serving `<zonesDir>/<zone>.zone`,
 * reloaded through `nsd-control` on a Unix socket (no certificates, no TCP port). Whatever writes
 * the zone file — the drill's direct driver or the Cloudflare stand-in provider — reloads it with
 * the same command, so an answer changes without restarting NSD.
 */
import { execFile } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetHost, Started, TestNetwork } from "../../e2e/mail-path/lib/netns";
import { nsdConf, zoneText } from "../../lab/fixtures";

const run = promisify(execFile);

/** A running NSD with remote control. */
export interface LabDns {
  readonly host: NetHost;
  readonly zoneName: string;
  /** The zones directory (`<zone>.zone` files). */
  readonly zonesDir: string;
  /** `nsd-control` with its configuration: append `reload <zone>`. */
  readonly control: string[];
  readonly process: Started;
}

/** Writes the configuration and an SOA/NS-only zone, checks both, starts NSD and waits for control. */
export async function startLabDns(
  net: TestNetwork,
  host: NetHost,
  dir: string,
  zoneName: string,
): Promise<LabDns> {
  const zonesDir = join(dir, "zones");
  mkdirSync(zonesDir, { recursive: true });
  const conf = join(dir, "nsd.conf");
  writeFileSync(
    conf,
    nsdConf({
      address: host.address,
      dir,
      zonesDir,
      controlSocket: join(dir, "control.sock"),
      zones: { [zoneName]: `${zoneName}.zone` },
    }),
  );
  writeFileSync(join(zonesDir, `${zoneName}.zone`), zoneText(zoneName, host.address, "", 1));
  await run("nsd-checkconf", [conf]);
  const started = net.start(host, "nsd", "nsd", ["-d", "-c", conf]);
  await net.waitListening(host, 53, "udp");
  const dns: LabDns = {
    host,
    zoneName,
    zonesDir,
    control: ["nsd-control", "-c", conf],
    process: started,
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await run("nsd-control", ["-c", conf, "status"], { timeout: 5_000 });
      return dns;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`nsd-control status failed for 15 s: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Replaces the zone (SOA/NS, then `fragment`) atomically, checks it and reloads it. */
export async function writeLabZone(dns: LabDns, fragment: string, serial: number): Promise<void> {
  const file = join(dns.zonesDir, `${dns.zoneName}.zone`);
  writeFileSync(`${file}.tmp`, zoneText(dns.zoneName, dns.host.address, fragment, serial));
  await run("nsd-checkzone", [dns.zoneName, `${file}.tmp`]);
  renameSync(`${file}.tmp`, file);
  const [cmd, ...args] = dns.control as [string, ...string[]];
  await run(cmd, [...args, "reload", dns.zoneName], { timeout: 10_000 });
  // `reload` returns before the new zone is served: wait (bounded) for its serial.
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([dns.host.address]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const soa = await resolver.resolveSoa(dns.zoneName).catch(() => undefined);
    if (soa?.serial === serial) return;
    if (Date.now() > deadline) {
      throw new Error(
        `NSD still serves serial ${soa?.serial} of ${dns.zoneName} 10 s after reloading serial ${serial}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
