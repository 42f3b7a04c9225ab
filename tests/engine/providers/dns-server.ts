/**
 * A real authoritative DNS server (NSD) for the Cloudflare stand-in's zones, on loopback. The stand-in writes
 * `<dir>/zones/<zone>.zone` and reloads NSD through its control socket; {@link StartedDns.standInOptions}
 * gives `installStandInPlugins` exactly those settings. Waits are bounded; `stop` ends only the NSD process
 * this helper started (by PID).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { zones, writeZoneFile } from "./cloudflare";
import { Cloud, type StandInSettings } from "./context";

const run = promisify(execFile);
const START_DEADLINE_MS = 15_000;

/** A running NSD. */
export interface StartedDns {
  address: string;
  port: number;
  dir: string;
  /** What to pass to `installStandInPlugins` (zone directory, reload command, ns1 address, zones). */
  standInOptions: Required<
    Pick<StandInSettings, "dnsZoneDir" | "nsdControl" | "nsAddress" | "zones">
  >;
  /** Answers of the server for `name`/`type` (A → addresses; MX → "pref exchange"); [] for NXDOMAIN/NODATA. */
  query(name: string, type: "A" | "MX" | "TXT"): Promise<string[]>;
  /** Polls until the answer equals `expected` (NSD reloads in the background); throws after `timeoutMs`. */
  waitForAnswer(
    name: string,
    type: "A" | "MX" | "TXT",
    expected: string[],
    timeoutMs?: number,
  ): Promise<void>;
  stop(): Promise<void>;
}

/** The resolver below, run by Node.js inside a namespace (prints the sorted answers as JSON). */
const NS_QUERY = `
const { Resolver } = require("node:dns/promises");
const [server, name, type] = process.argv.slice(1);
const r = new Resolver({ timeout: 1000, tries: 1 });
r.setServers([server]);
const ask = type === "A" ? r.resolve4(name) : type === "MX"
  ? r.resolveMx(name).then((l) => l.map((m) => m.priority + " " + m.exchange))
  : r.resolveTxt(name).then((l) => l.map((t) => t.join("")));
ask.then((a) => console.log(JSON.stringify(a.sort())), (e) => {
  if (e.code === "ENOTFOUND" || e.code === "ENODATA") console.log("[]");
  else { console.error(e.code || e.message); process.exit(1); }
});`;

async function queryInNamespace(
  netns: string,
  server: string,
  name: string,
  type: string,
): Promise<string[]> {
  const { stdout } = await run(
    "ip",
    ["netns", "exec", netns, process.execPath, "-e", NS_QUERY, server, name, type],
    { timeout: 10_000 },
  );
  return JSON.parse(stdout) as string[];
}

/** A port free for both UDP and TCP on `address`. */
export async function freePort(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, address, () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket("udp4");
      s.once("error", () => resolve(false));
      s.bind(port, address, () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error(`no free UDP+TCP port on ${address} after 20 attempts`);
}

/**
 * Starts NSD on `address` (default 127.0.0.1) serving `zoneNames` from the fake cloud in `cloudDir` (records
 * already there are served from the start). Fails after 15 s if NSD does not answer.
 */
export async function startDnsServer(options: {
  dir: string;
  cloudDir: string;
  zones?: string[];
  /** Address to serve on (default 127.0.0.1). */
  address?: string;
  /**
   * Network namespace to run NSD in (a lab namespace holding `address`); NSD then listens on port 53 and
   * `query` asks from inside the namespace. The control socket is a file, so reloads work from anywhere.
   */
  netns?: string;
}): Promise<StartedDns> {
  const address = options.address ?? "127.0.0.1";
  const zoneNames = options.zones ?? ["example.com"];
  const zoneDir = join(options.dir, "zones");
  mkdirSync(zoneDir, { recursive: true });
  const inNs = (argv: string[]) =>
    options.netns ? ["ip", "netns", "exec", options.netns, ...argv] : argv;
  const port = options.netns ? 53 : await freePort(address);
  const conf = join(options.dir, "nsd.conf");
  const controlSocket = join(options.dir, "nsd.ctl");
  const settings: StandInSettings = { dnsZoneDir: zoneDir, nsAddress: address, zones: zoneNames };
  const cloud = new Cloud(options.cloudDir);
  for (const zone of zones(cloud, settings).filter((z) => zoneNames.includes(z.name))) {
    writeZoneFile(cloud, settings, zone);
  }
  writeFileSync(
    conf,
    [
      "server:",
      `  ip-address: ${address}@${port}`,
      '  username: ""',
      '  chroot: ""',
      `  zonesdir: "${zoneDir}"`,
      `  pidfile: "${join(options.dir, "nsd.pid")}"`,
      `  xfrdfile: "${join(options.dir, "xfrd.state")}"`,
      `  zonelistfile: "${join(options.dir, "zone.list")}"`,
      '  database: ""',
      `  logfile: "${join(options.dir, "nsd.log")}"`,
      "  server-count: 1",
      "  verbosity: 1",
      "remote-control:",
      "  control-enable: yes",
      `  control-interface: "${controlSocket}"`,
      ...zoneNames.flatMap((z) => ["zone:", `  name: "${z}"`, `  zonefile: "${z}.zone"`]),
      "",
    ].join("\n"),
  );
  await run("nsd-checkconf", [conf], { timeout: 10_000 });
  const nsdArgv = inNs(["nsd", "-d", "-c", conf]);
  const child: ChildProcess = spawn(nsdArgv[0], nsdArgv.slice(1), {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`${address}:${port}`]);
  const query = async (name: string, type: "A" | "MX" | "TXT"): Promise<string[]> => {
    if (options.netns)
      return await queryInNamespace(options.netns, `${address}:${port}`, name, type);
    try {
      if (type === "A") return (await resolver.resolve4(name)).sort();
      if (type === "MX")
        return (await resolver.resolveMx(name)).map((m) => `${m.priority} ${m.exchange}`).sort();
      return (await resolver.resolveTxt(name)).map((t) => t.join("")).sort();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTFOUND" || code === "ENODATA") return [];
      throw e;
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(5000)]);
  };
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nsd exited with ${child.exitCode}: ${stderr}`);
    try {
      await query(`ns1.${zoneNames[0]}`, "A");
      if (existsSync(controlSocket)) break;
    } catch {
      // Not answering yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `nsd on ${address}:${port} did not answer within ${START_DEADLINE_MS} ms: ${stderr}`,
      );
    }
    await sleep(100);
  }
  return {
    address,
    port,
    dir: options.dir,
    standInOptions: {
      dnsZoneDir: zoneDir,
      nsdControl: ["nsd-control", "-c", conf],
      nsAddress: address,
      zones: zoneNames,
    },
    query,
    async waitForAnswer(name, type, expected, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      let last: string[] = [];
      while (Date.now() < until) {
        last = await query(name, type);
        if (JSON.stringify(last) === JSON.stringify([...expected].sort())) return;
        await sleep(100);
      }
      throw new Error(
        `${name} ${type}: expected ${JSON.stringify(expected)}, still ${JSON.stringify(last)} after ${timeoutMs} ms`,
      );
    },
    stop,
  };
}
