/**
 * I/O: a validating resolver for a lab: Unbound with the lab zone's DS record as its only trust anchor,
 * sending queries for the zone to the lab's NSD (a stub zone). `query` asks it with `drill -D` and reports
 * the rcode, the AD flag and the answer records. Waits are bounded; `stop` ends only the Unbound process this
 * helper started (by PID).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);
const START_DEADLINE_MS = 15_000;

/** One answer as `drill` reports it. */
export interface ResolverAnswer {
  rcode: string;
  /** The AD flag: the answer was validated by DNSSEC. */
  ad: boolean;
  /** Answer records of the asked type, rdata only (`3 1 1 abcd…`, `0 msgw1.example.com.`). */
  records: string[];
}

/** A running Unbound. */
export interface ValidatingResolver {
  address: string;
  port: number;
  /** `unbound-control` with its configuration (append e.g. `flush_zone example.com`). */
  control: string[];
  query(name: string, type: string): Promise<ResolverAnswer>;
  /** Forgets everything cached under `zone` (records, validation results, the zone's keys). */
  flush(zone: string): Promise<void>;
  stop(): Promise<void>;
}

/** Parses `drill` output: header flags, rcode and the answer section's records of `type`. */
export function parseDrill(text: string, type: string): ResolverAnswer {
  const header = /rcode: (\w+)/.exec(text);
  const flags = /;; flags: ([a-z ]*);/.exec(text);
  const answer = text.split(";; ANSWER SECTION:")[1]?.split(";; AUTHORITY SECTION:")[0] ?? "";
  const records = answer
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 5 && f[3] === type)
    .map((f) => f.slice(4).join(" "))
    .sort();
  return {
    rcode: header?.[1] ?? "NO-ANSWER",
    ad: (flags?.[1] ?? "").split(" ").includes("ad"),
    records,
  };
}

/**
 * Starts Unbound on `address`:`port` (port 53 inside `netns`), validating `zone` from `trustAnchor` (a DS
 * record in presentation form) and resolving it at `stubAddress` (`addr` or `addr@port`). `cacheMaxTtl`
 * caps cached TTLs (default: the records' own).
 */
export async function startValidatingResolver(options: {
  dir: string;
  zone: string;
  trustAnchor: string;
  stubAddress: string;
  address?: string;
  port?: number;
  netns?: string;
}): Promise<ValidatingResolver> {
  mkdirSync(options.dir, { recursive: true });
  const address = options.address ?? "127.0.0.1";
  const port = options.port ?? (options.netns ? 53 : 53053);
  const conf = join(options.dir, "unbound.conf");
  const controlSocket = join(options.dir, "unbound.ctl");
  writeFileSync(
    conf,
    [
      "server:",
      `  interface: ${address}@${port}`,
      "  do-daemonize: no",
      '  username: ""',
      '  chroot: ""',
      `  directory: "${options.dir}"`,
      `  pidfile: "${join(options.dir, "unbound.pid")}"`,
      "  use-syslog: no",
      `  logfile: "${join(options.dir, "unbound.log")}"`,
      "  verbosity: 1",
      "  val-log-level: 2",
      "  access-control: 0.0.0.0/0 allow",
      "  do-not-query-localhost: no",
      "  do-ip6: no",
      '  module-config: "validator iterator"',
      "  prefetch: no",
      "  serve-expired: no",
      "  harden-dnssec-stripped: yes",
      `  trust-anchor: "${options.trustAnchor.replace(/"/g, "")}"`,
      // Unbound answers special-use names (RFC 6761: test., invalid., …) itself unless told not to.
      `  local-zone: "${options.zone.split(".").pop() as string}." nodefault`,
      "stub-zone:",
      `  name: "${options.zone}"`,
      `  stub-addr: ${options.stubAddress}`,
      "remote-control:",
      "  control-enable: yes",
      `  control-interface: "${controlSocket}"`,
      "  control-use-cert: no",
      "",
    ].join("\n"),
  );
  await run("unbound-checkconf", [conf], { timeout: 10_000 });
  const inNs = (argv: string[]) =>
    options.netns ? ["ip", "netns", "exec", options.netns, ...argv] : argv;
  const argv = inNs(["unbound", "-d", "-c", conf]);
  const child: ChildProcess = spawn(argv[0] as string, argv.slice(1), {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const control = ["unbound-control", "-c", conf];
  const query = async (name: string, type: string): Promise<ResolverAnswer> => {
    const q = inNs(["drill", "-D", "-p", String(port), `@${address}`, name, type]);
    const { stdout } = await run(q[0] as string, q.slice(1), { timeout: 10_000 });
    return parseDrill(stdout, type);
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(5000)]);
  };
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`unbound exited with ${child.exitCode}: ${stderr}`);
    try {
      if (existsSync(controlSocket)) {
        await run(control[0] as string, [...control.slice(1), "status"], { timeout: 5_000 });
        break;
      }
    } catch {
      // Not ready yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `unbound on ${address}:${port} did not start within ${START_DEADLINE_MS} ms: ${stderr}`,
      );
    }
    await sleep(100);
  }
  return {
    address,
    port,
    control,
    query,
    async flush(zone: string) {
      for (const cmd of [
        ["flush_zone", zone],
        ["flush_bogus"],
        ["flush_negative"],
        ["flush_infra", "all"],
      ]) {
        await run(control[0] as string, [...control.slice(1), ...cmd], { timeout: 5_000 });
      }
    },
    stop,
  };
}
