// A lab of real sshd hosts, each in its own network namespace (cs-*), addresses in 10.231.0.0/16.
// Every host has a data directory, mailbox sub-folders and a stand-in gateway service (a pid file
// managed by a shell script), reached over SSH with a pinned ed25519 host key made by the lab.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { makeSshKey } from "../../../lab/fixtures";

export interface LabHost {
  name: string;
  ns: string;
  address: string;
  dir: string;
  dataDir: string;
  backupDir: string;
  stateDir: string;
  hostKey: string;
  sshd?: ChildProcess;
}

const SERVICE_SCRIPT = `#!/bin/sh
# Stand-in for the gateway service: start|stop|status STATE_DIR DATA_DIR
cmd=$1; state=$2; data=$3
pidf="$state/gateway.pid"
# One-shot faults the tests arm by creating a file: hang-VERB, noisy-VERB (holds a byte count), fail-VERB;
# stuck-VERB hangs every VERB command until it is removed.
if [ -f "$state/stuck-$cmd" ]; then exec sleep 100000; fi
if [ -f "$state/noisy-$cmd" ]; then n=$(cat "$state/noisy-$cmd"); rm -f "$state/noisy-$cmd"; head -c "$n" /dev/zero | tr '\\000' 'x'; fi
if [ -f "$state/hang-$cmd" ]; then rm -f "$state/hang-$cmd"; exec sleep 100000; fi
if [ -f "$state/fail-$cmd" ]; then rm -f "$state/fail-$cmd"; echo "injected failure" >&2; exit 1; fi
# alive and not a zombie (an orphaned process may wait a while to be reaped)
alive() { st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ]; }
running() { [ -f "$pidf" ] && alive "$(cat "$pidf")"; }
case "$cmd" in
  status) running ;;
  start)
    running && exit 0
    if grep -qs FAIL-START "$data"/*.json; then echo "gateway: configuration rejected" >&2; exit 1; fi
    nohup sleep 100000 >/dev/null 2>&1 </dev/null &
    echo $! > "$pidf"
    echo start >> "$state/events" ;;
  stop)
    running || exit 0
    kill "$(cat "$pidf")"
    i=0; while alive "$(cat "$pidf")" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
    rm -f "$pidf"
    echo stop >> "$state/events" ;;
  *) exit 2 ;;
esac
`;

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
const tryRun = (cmd: string, args: string[]) => {
  try {
    run(cmd, args);
  } catch {
    /* cleanup: already gone */
  }
};

export class Lab {
  readonly dir: string;
  readonly hosts = new Map<string, LabHost>();
  readonly clientKey: string;
  private readonly tag: string;
  private readonly slot: number;
  private readonly mounts: string[] = [];
  private readonly immutable: string[] = [];

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "cs-lab-"));
    // A tag no namespace on this machine carries (another run's, or one a crash left behind): this lab
    // creates only names of its own and never deletes one it did not create.
    const namespaces = run("ip", ["netns", "list"]);
    let tag = "";
    for (let i = 0; i < 50 && (tag === "" || namespaces.includes(`cs-${tag}-`)); i++) {
      tag = randomBytes(2).readUInt16BE(0).toString(36).padStart(3, "0").slice(-3);
    }
    if (namespaces.includes(`cs-${tag}-`))
      throw new Error("no free config-sync lab tag in 50 tries");
    this.tag = tag;
    // A /24 of 10.231.0.0/16 that no other lab (a concurrent run) has addresses in.
    const used = run("ip", ["-4", "-o", "addr", "show"]);
    let slot = (process.pid % 250) + 1;
    for (let i = 0; i < 250 && used.includes(`10.231.${slot}.`); i++) slot = (slot % 250) + 1;
    this.slot = slot;
    this.clientKey = path.join(this.dir, "client_ed25519");
    makeSshKey(this.clientKey, { comment: "cs-lab-client" });
    fs.writeFileSync(path.join(this.dir, "fake-gateway.sh"), SERVICE_SCRIPT, { mode: 0o755 });
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  }

  /** Creates host `name` (index i < 60): namespace, veth pair, host key, folders; sshd not yet started. */
  addHost(name: string, i: number): LabHost {
    const ns = `cs-${this.tag}-${i}`;
    const outside = `cs${this.tag}${i}o`;
    const inside = `cs${this.tag}${i}i`;
    const base = `10.231.${this.slot}`;
    const address = `${base}.${4 * i + 2}`;
    run("ip", ["netns", "add", ns]);
    run("ip", ["link", "add", outside, "type", "veth", "peer", "name", inside]);
    run("ip", ["link", "set", inside, "netns", ns]);
    run("ip", ["addr", "add", `${base}.${4 * i + 1}/30`, "dev", outside]);
    run("ip", ["link", "set", outside, "up"]);
    run("ip", ["netns", "exec", ns, "ip", "addr", "add", `${address}/30`, "dev", inside]);
    run("ip", ["netns", "exec", ns, "ip", "link", "set", inside, "up"]);
    run("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);

    const dir = path.join(this.dir, name);
    const h: LabHost = {
      name,
      ns,
      address,
      dir,
      dataDir: path.join(dir, "data"),
      backupDir: path.join(dir, "data.msgw-backups"),
      stateDir: path.join(dir, "run"),
      hostKey: "",
    };
    for (const d of [dir, h.dataDir, h.stateDir, path.join(dir, "etc")])
      fs.mkdirSync(d, { recursive: true });
    const keyFile = path.join(dir, "etc", "ssh_host_ed25519_key");
    h.hostKey = makeSshKey(keyFile, { comment: name }).publicKey;
    fs.writeFileSync(
      path.join(dir, "etc", "authorized_keys"),
      fs.readFileSync(`${this.clientKey}.pub`),
    );
    fs.writeFileSync(
      path.join(dir, "etc", "sshd_config"),
      [
        `ListenAddress ${address}`,
        "Port 22",
        `HostKey ${keyFile}`,
        `PidFile ${path.join(dir, "run", "sshd.pid")}`,
        `AuthorizedKeysFile ${path.join(dir, "etc", "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "UseDNS no",
        "MaxStartups 100",
        "MaxSessions 50",
        "LogLevel ERROR",
        // A separate sftp-server process per session, so a test can stall SFTP alone (SIGSTOP)
        // while sshd keeps answering keepalives.
        "Subsystem sftp /usr/lib/openssh/sftp-server",
        // A clean home: bash run by sshd reads ~/.bashrc, and this machine's root has a slow one.
        `SetEnv HOME=${dir}`,
        "",
      ].join("\n"),
    );
    this.hosts.set(name, h);
    return h;
  }

  host(name: string): LabHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h;
  }

  /** Starts the host's sshd and waits (bounded) until it accepts TCP connections. */
  async startSshd(name: string): Promise<void> {
    const h = this.host(name);
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        h.ns,
        "/usr/sbin/sshd",
        "-D",
        "-e",
        "-f",
        path.join(h.dir, "etc", "sshd_config"),
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    h.sshd = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`sshd for ${name} exited: ${err}`);
      if (await canConnect(h.address, 22)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sshd for ${name} did not listen within 10s: ${err}`);
  }

  serviceCommand(name: string, verb: "start" | "stop" | "status"): string {
    const h = this.host(name);
    return `sh ${path.join(this.dir, "fake-gateway.sh")} ${verb} ${h.stateDir} ${h.dataDir}`;
  }

  /** Runs the stand-in service command inside the host's namespace (as the host's own boot would). */
  service(name: string, verb: "start" | "stop"): void {
    const h = this.host(name);
    run("ip", ["netns", "exec", h.ns, "sh", "-c", this.serviceCommand(name, verb)]);
  }

  serviceRunning(name: string): boolean {
    const h = this.host(name);
    const pidFile = path.join(h.stateDir, "gateway.pid");
    if (!fs.existsSync(pidFile)) return false;
    const pid = fs.readFileSync(pidFile, "utf8").trim();
    try {
      return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
    } catch {
      return false;
    }
  }

  events(name: string): string[] {
    const f = path.join(this.host(name).stateDir, "events");
    return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").filter(Boolean) : [];
  }

  /** Kills every process of the host's namespace (sshd, sessions, the service): a crash. */
  crash(name: string): void {
    const h = this.host(name);
    const pids = run("ip", ["netns", "pids", h.ns]).trim().split(/\s+/).filter(Boolean);
    for (const p of pids) tryRun("kill", ["-9", p]);
    h.sshd = undefined;
  }

  /** Boots a crashed host again: sshd and the service (which starts automatically, as on Windows). */
  async boot(name: string): Promise<void> {
    fs.rmSync(path.join(this.host(name).stateDir, "gateway.pid"), { force: true });
    await this.startSshd(name);
    this.service(name, "start");
  }

  /** Processes of the host's namespace: pid and command name. */
  private nsProcesses(name: string): { pid: number; comm: string }[] {
    const h = this.host(name);
    return run("ip", ["netns", "pids", h.ns])
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((p) => {
        try {
          return { pid: Number(p), comm: fs.readFileSync(`/proc/${p}/comm`, "utf8").trim() };
        } catch {
          return { pid: Number(p), comm: "" };
        }
      });
  }

  /** Freezes every SFTP server process of the host (SIGSTOP): requests stall, sshd still answers keepalives. */
  stallSftp(name: string): number {
    const procs = this.nsProcesses(name).filter((p) => p.comm === "sftp-server");
    for (const p of procs) tryRun("kill", ["-STOP", String(p.pid)]);
    return procs.length;
  }

  /** Kills frozen SFTP servers (their sessions are gone anyway). */
  killStalledSftp(name: string): void {
    for (const p of this.nsProcesses(name).filter((x) => x.comm === "sftp-server")) {
      tryRun("kill", ["-CONT", String(p.pid)]);
      tryRun("kill", ["-9", String(p.pid)]);
    }
  }

  /** Cuts every SSH session of the host (kills the per-connection sshd processes); sshd keeps listening. */
  cutConnections(name: string): number {
    const listener = this.host(name).sshd?.pid;
    const procs = this.nsProcesses(name).filter(
      (p) => (p.comm === "sshd" || p.comm.startsWith("sshd-")) && p.pid !== listener,
    );
    for (const p of procs) tryRun("kill", ["-9", String(p.pid)]);
    return procs.length;
  }

  /**
   * Arms a fault for `verb` service commands: a one-shot hang, huge output (bytes) or failure of the
   * next one, or `stuck`: every one hangs until {@link disarm}.
   */
  arm(
    name: string,
    fault: "hang" | "noisy" | "fail" | "stuck",
    verb: "start" | "stop" | "status",
    bytes = 0,
  ) {
    fs.writeFileSync(path.join(this.host(name).stateDir, `${fault}-${verb}`), String(bytes));
  }

  /** Removes armed faults that did not fire. */
  disarm(name: string): void {
    const d = this.host(name).stateDir;
    for (const f of fs.readdirSync(d))
      if (/^(hang|noisy|fail|stuck)-/.test(f)) fs.rmSync(path.join(d, f), { force: true });
  }

  /** Kills leftover `sleep` processes of hung commands (never the service's own). */
  killHung(name: string): void {
    const h = this.host(name);
    const pidFile = path.join(h.stateDir, "gateway.pid");
    const service = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : -1;
    for (const p of this.nsProcesses(name))
      if (p.comm === "sleep" && p.pid !== service) tryRun("kill", ["-9", String(p.pid)]);
  }

  /** Mounts a tmpfs of `kib` KiB on the host's data directory (a small disk). */
  smallDisk(name: string, kib: number): void {
    const d = this.host(name).dataDir;
    run("mount", ["-t", "tmpfs", "-o", `size=${kib}k`, "cs-lab", d]);
    this.mounts.push(d);
  }

  unmount(name: string): void {
    const d = this.host(name).dataDir;
    tryRun("umount", [d]);
    this.mounts.splice(this.mounts.indexOf(d), 1);
  }

  /** Makes a file immutable (even root gets EPERM); undone at teardown or by `mutable`. */
  makeImmutable(file: string): void {
    run("chattr", ["+i", file]);
    this.immutable.push(file);
  }

  mutable(file: string): void {
    tryRun("chattr", ["-i", file]);
  }

  /** Writes an inventory file for the given hosts and returns its path. */
  inventory(
    names: string[],
    tweak: (host: Record<string, unknown>, name: string) => void = () => undefined,
    file = "inventory.json",
  ): string {
    const hosts: Record<string, unknown> = {};
    for (const n of names) {
      const h = this.host(n);
      const spec: Record<string, unknown> = {
        address: h.address,
        username: "root",
        privateKeyPath: this.clientKey,
        hostKey: h.hostKey,
        platform: "linux",
        dataDir: h.dataDir,
        serviceName: "fake-gateway",
        serviceControl: {
          start: this.serviceCommand(n, "start"),
          stop: this.serviceCommand(n, "stop"),
          status: this.serviceCommand(n, "status"),
        },
        connectTimeoutSeconds: 20,
        serviceTimeoutSeconds: 10,
        settleSeconds: 0.2,
      };
      tweak(spec, n);
      hosts[n] = spec;
    }
    const p = path.join(this.dir, file);
    fs.writeFileSync(
      p,
      JSON.stringify(
        { store: { kind: "local", path: path.join(this.dir, "store") }, hosts },
        null,
        2,
      ),
    );
    return p;
  }

  /** Stops everything the lab started, by pid and by namespace, and removes its folders. */
  destroy(): void {
    for (const h of this.hosts.values()) {
      try {
        this.crash(h.name);
      } catch {
        /* namespace already gone */
      }
      tryRun("ip", ["netns", "del", h.ns]);
    }
    for (const f of this.immutable) tryRun("chattr", ["-i", f]);
    for (const m of this.mounts) tryRun("umount", [m]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 500 });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });
}
