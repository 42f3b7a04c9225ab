/**
 * A private test network built from Linux network namespaces.
 *
 * One "hub" namespace holds a bridge; every host namespace gets a veth pair whose far end is
 * plugged into that bridge, so hosts talk over a single 10.232.0.0/16 segment and nothing is
 * added to the machine's own namespace. Every process started here is tracked by PID and
 * stopped by PID in {@link TestNetwork.destroy}.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository root; processes run from here so `--import tsx` resolves. */
export const REPO_ROOT = resolve(__dirname, "../../../..");

/** The only address range these tests may use. */
const ALLOWED_PREFIX = "10.232.";

/** A namespace attached to the test network. */
export interface NetHost {
  /** Short role name, e.g. `gw1`. */
  readonly role: string;
  /** Namespace name, always `mp-...`. */
  readonly ns: string;
  /** IPv4 address on the test segment. */
  readonly address: string;
}

/** A process started inside a namespace. */
export interface Started {
  readonly host: NetHost;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run("ip", args, { timeout: 10_000 });
  return stdout;
}

/** Sleep helper for bounded polling loops. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than `undefined`, or fails
 * with `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Every daemon started by any network in this process, so an abrupt exit still stops them. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A bridge-in-a-namespace test network; create with {@link TestNetwork.create}. */
export class TestNetwork {
  readonly hosts = new Map<string, NetHost>();
  private readonly started: Started[] = [];
  private readonly namespaces: string[] = [];
  private readonly hub: string;

  private constructor(
    readonly prefix: string,
    readonly workDir: string,
  ) {
    this.hub = `${prefix}-hub`;
  }

  /**
   * Creates the hub namespace and its bridge. `prefix` must start with `mp-` (mail-path tests) or
   * `dr-` (the migration drill); any leftover namespaces with that prefix from an aborted earlier
   * run are removed first.
   */
  static async create(prefix: string, workDir: string): Promise<TestNetwork> {
    if (!/^(mp|dr)-[a-z0-9]{1,8}$/.test(prefix)) {
      throw new Error(`network prefix "${prefix}" must match (mp|dr)-[a-z0-9]{1,8}`);
    }
    const net = new TestNetwork(prefix, workDir);
    await TestNetwork.removeLeftovers(prefix);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    await ip("netns", "add", net.hub);
    net.namespaces.push(net.hub);
    await ip("-n", net.hub, "link", "add", "br0", "type", "bridge");
    await ip("-n", net.hub, "link", "set", "br0", "up");
    return net;
  }

  private static async removeLeftovers(prefix: string): Promise<void> {
    const list = await ip("netns", "list");
    for (const line of list.split("\n")) {
      const name = line.split(" ")[0];
      if (name !== undefined && name.startsWith(`${prefix}-`)) {
        // Only this suite creates mp-*/dr-* namespaces: whatever still runs in one is ours, from an
        // aborted earlier run, and is stopped by PID before the namespace goes.
        const pids = (await ip("netns", "pids", name)).split("\n").filter((p) => /^\d+$/.test(p));
        for (const pid of pids) process.kill(Number(pid), "SIGKILL");
        await ip("netns", "delete", name);
        rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
      }
    }
  }

  /**
   * Adds a host namespace `<prefix>-<role>` with `address`/16 on the segment. With `resolver`,
   * the namespace's `/etc/resolv.conf` (bind-mounted by `ip netns exec`) points at it.
   */
  async addHost(role: string, address: string, resolver?: string): Promise<NetHost> {
    if (!address.startsWith(ALLOWED_PREFIX)) {
      throw new Error(`host ${role}: address ${address} is outside 10.232.0.0/16`);
    }
    const ns = `${this.prefix}-${role}`;
    const index = this.hosts.size + 1;
    await ip("netns", "add", ns);
    this.namespaces.push(ns);
    if (resolver !== undefined) {
      mkdirSync(`/etc/netns/${ns}`, { recursive: true });
      writeFileSync(
        `/etc/netns/${ns}/resolv.conf`,
        `nameserver ${resolver}\noptions timeout:1 attempts:2\n`,
      );
    }
    // The hub end keeps a short, index-based name (interface names are limited to 15 bytes).
    const hubEnd = `v${index}`;
    await ip(
      "-n",
      this.hub,
      "link",
      "add",
      hubEnd,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      ns,
    );
    await ip("-n", this.hub, "link", "set", hubEnd, "master", "br0", "up");
    await ip("-n", ns, "link", "set", "lo", "up");
    await ip("-n", ns, "addr", "add", `${address}/16`, "dev", "eth0");
    await ip("-n", ns, "link", "set", "eth0", "up");
    const host: NetHost = { role, ns, address };
    this.hosts.set(role, host);
    return host;
  }

  /** Adds a second address to a host (e.g. a legacy gateway's address). */
  async addAddress(host: NetHost, address: string): Promise<void> {
    if (!address.startsWith(ALLOWED_PREFIX)) {
      throw new Error(`host ${host.role}: address ${address} is outside 10.232.0.0/16`);
    }
    await ip("-n", host.ns, "addr", "add", `${address}/16`, "dev", "eth0");
  }

  /** Runs a command to completion inside `host`'s namespace and returns its stdout. */
  async exec(host: NetHost, cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
    const { stdout } = await run("ip", ["netns", "exec", host.ns, cmd, ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  }

  /** Runs a command inside `host`'s namespace and returns its exit code and output, never throwing. */
  async runStatus(
    host: NetHost,
    cmd: string,
    args: string[],
    timeoutMs = 60_000,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolvePromise) => {
      execFile(
        "ip",
        ["netns", "exec", host.ns, cmd, ...args],
        { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, cwd: REPO_ROOT },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
          resolvePromise({ code, stdout, stderr });
        },
      );
    });
  }

  /**
   * Starts a long-running process inside `host`'s namespace; stdout and stderr go to
   * `<workDir>/<name>.log`. `ip netns exec` execs the command, so the PID is the daemon's own.
   */
  start(host: NetHost, name: string, cmd: string, args: string[]): Started {
    const logFile = `${this.workDir}/${name}.log`;
    const fd = openSync(logFile, "a");
    const child = spawn("ip", ["netns", "exec", host.ns, cmd, ...args], {
      stdio: ["ignore", fd, fd],
      cwd: REPO_ROOT,
    });
    closeSync(fd);
    running.add(child);
    const exited = new Promise<number | string>((resolve) => {
      child.once("exit", (code, signal) => {
        running.delete(child);
        resolve(code ?? signal ?? "unknown");
      });
    });
    const started: Started = { host, child, logFile, exited };
    this.started.push(started);
    return started;
  }

  /** Waits until something listens on TCP/UDP `port` at `address` inside `host`. */
  async waitListening(
    host: NetHost,
    port: number,
    proto: "tcp" | "udp" = "tcp",
    timeoutMs = 15_000,
  ) {
    const flag = proto === "tcp" ? "-Hltn" : "-Hlun";
    await waitFor(
      `${proto} port ${port} listening in ${host.ns}`,
      async () => {
        const out = await this.exec(host, "ss", [flag, `sport = :${port}`]);
        return out.trim().length > 0 ? true : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * Stops one started process by PID: SIGTERM, then SIGKILL after `graceMs`.
   */
  async stop(started: Started, graceMs = 5_000): Promise<void> {
    if (started.child.exitCode !== null || started.child.signalCode !== null) return;
    started.child.kill("SIGTERM");
    const timer = setTimeout(() => started.child.kill("SIGKILL"), graceMs);
    await started.exited;
    clearTimeout(timer);
  }

  /**
   * Daemons fork (NSD's server and xfrd children, Postfix's services): anything of ours still in
   * the namespace after its main process stopped gets SIGTERM, then SIGKILL after 2 s.
   */
  private async reapNamespace(ns: string): Promise<void> {
    const pidsOf = async () =>
      (await ip("netns", "pids", ns))
        .split("\n")
        .filter((p) => /^\d+$/.test(p))
        .map(Number);
    const signal = (pids: number[], sig: NodeJS.Signals) => {
      for (const pid of pids) {
        try {
          process.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal(await pidsOf(), "SIGTERM");
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      if ((await pidsOf()).length === 0) return;
      await sleep(100);
    }
    signal(await pidsOf(), "SIGKILL");
  }

  /** Stops every process started here (by PID) and deletes every namespace created here. */
  async destroy(): Promise<void> {
    for (const started of [...this.started].reverse()) {
      await this.stop(started).catch(() => undefined);
    }
    for (const ns of [...this.namespaces].reverse()) {
      await this.reapNamespace(ns).catch(() => undefined);
      await ip("netns", "delete", ns).catch(() => undefined);
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
  }
}
