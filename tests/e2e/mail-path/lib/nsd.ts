/**
 * An NSD authoritative server for the test zone. The zone is this test's own SOA/NS records
 * followed by the pool's rendered zone-file fragment, unchanged.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetHost, Started, TestNetwork } from "./netns";
import { nsdConf, zoneText } from "../../../lab/fixtures";

const run = promisify(execFile);

/** A running NSD instance. */
export interface NsdServer {
  readonly host: NetHost;
  readonly dir: string;
  readonly zoneName: string;
  process: Started;
}

async function launch(net: TestNetwork, server: Omit<NsdServer, "process">): Promise<Started> {
  const started = net.start(server.host, "nsd", "nsd", ["-d", "-c", join(server.dir, "nsd.conf")]);
  await net.waitListening(server.host, 53, "udp");
  return started;
}

/** Writes the zone and configuration, checks both with NSD's own tools, and starts NSD. */
export async function startNsd(
  net: TestNetwork,
  host: NetHost,
  dir: string,
  zoneName: string,
  poolFragment: string,
): Promise<NsdServer> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "nsd.conf"),
    nsdConf({ address: host.address, dir, zones: { [zoneName]: `${zoneName}.zone` } }),
  );
  const zoneFile = join(dir, `${zoneName}.zone`);
  writeFileSync(zoneFile, zoneText(zoneName, host.address, poolFragment, 1));
  await run("nsd-checkconf", [join(dir, "nsd.conf")]);
  await run("nsd-checkzone", [zoneName, zoneFile]);
  const base = { host, dir, zoneName };
  return { ...base, process: await launch(net, base) };
}

/** Replaces the served zone (new serial) and restarts NSD so the change is visible at once. */
export async function replaceZone(
  net: TestNetwork,
  server: NsdServer,
  poolFragment: string,
  serial: number,
): Promise<void> {
  const zoneFile = join(server.dir, `${server.zoneName}.zone`);
  writeFileSync(zoneFile, zoneText(server.zoneName, server.host.address, poolFragment, serial));
  await run("nsd-checkzone", [server.zoneName, zoneFile]);
  await net.stop(server.process);
  server.process = await launch(net, server);
}
