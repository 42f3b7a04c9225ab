/**
 * The drill's lab: a network of Linux namespaces (built with the mail-path test network) holding
 *
 * - `dns`: NSD, authoritative for the zone, serving whatever the stage driver wrote;
 * - `snd`: the journal sender, a private Postfix relaying with verified TLS (`verify`: chain to a
 *   trusted CA and the MX host's name), fed by {@link startJournal};
 * - one namespace per gateway host (the legacy gateway and every pool host): `sshd` with a host key
 *   made here (pinned in the stack config) and the gateway stand-in, controlled by
 *   `/etc/msgw-gateway/service.sh start|stop|status`.
 *
 * Every gateway host sees its own `/etc/msgw-gateway` (data, TLS files, service state): `ip netns
 * exec` bind-mounts `/etc/netns/<namespace>/msgw-gateway` there, so one pool-wide data directory
 * (`/etc/msgw-gateway/data`) means a different folder on each host, as on separate machines.
 *
 * The machine's own namespace is attached to the lab's bridge by one veth pair (`<prefix>r`, one
 * address in a /24 nobody else uses) so that what runs there (the Pulumi engine, replication, the
 * archiver) reaches the hosts; deleting the hub namespace removes the pair.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { Resolver } from "node:dns/promises";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { issueCertificate } from "../../e2e/mail-path/lib/certs";
import { REPO_ROOT, TestNetwork, type NetHost, type Started } from "../../e2e/mail-path/lib/netns";
import { startLabDns, writeLabZone, type LabDns } from "./dns";
import { startPostfixSender, type PostfixSender } from "../../e2e/mail-path/lib/postfix";
import { passwordHash, type MailboxRecord } from "./gateway-standin";
import { makeSshKey } from "../../lab/fixtures";

const run = promisify(execFile);

/** Where every gateway host sees its own files (a bind mount per namespace). */
export const GATEWAY_ROOT = "/etc/msgw-gateway";
/** The pool-wide data directory: configuration files at the top, one folder per mailbox. */
export const GATEWAY_DATA_DIR = `${GATEWAY_ROOT}/data`;
/** Service control of the stand-in, the same command on every host. */
export const SERVICE_SCRIPT = `${GATEWAY_ROOT}/service.sh`;

/** One gateway host of the lab. */
export interface GatewayHost {
  readonly hostname: string;
  readonly net: NetHost;
  readonly address: string;
  /** This host's `/etc/msgw-gateway`, as seen from the machine's own namespace. */
  readonly root: string;
  /** `ssh-ed25519 AAAA…` public host key, pinned in the stack config. */
  readonly hostKey: string;
  sshd?: Started;
}

/** One line of a stand-in's `smtp.jsonl`. */
export interface SmtpEvent {
  event: "accepted" | "refused";
  messageId?: string;
  mailbox?: string;
  rcpt?: string;
  code?: number;
  at: number;
}

/** A mailbox the drill created (its password is known only to the drill and the archiver). */
export interface Mailbox {
  readonly id: string;
  readonly password: string;
}

/** Options of {@link DrillLab.create}. */
export interface LabOptions {
  /** Namespace prefix, `dr-` plus up to 8 characters. */
  prefix: string;
  zoneName: string;
  mailDomain: string;
}

const ip = async (...args: string[]) => (await run("ip", args, { timeout: 10_000 })).stdout;

/** A /24 of 10.232.0.0/16 with no address or route in the machine's own namespace. */
async function freeSubnet(prefix: string): Promise<string> {
  const used = (await ip("-4", "-o", "addr", "show")) + (await ip("-4", "route", "show"));
  // Start where the prefix points, so two labs starting together rarely probe the same subnet first.
  const start = createHash("sha256").update(prefix).digest()[0] % 50;
  for (let i = 0; i < 50; i += 1) {
    const y = 200 + ((start + i) % 50);
    if (!used.includes(`10.232.${y}.`)) return `10.232.${y}`;
  }
  throw new Error("no free 10.232.y.0/24 (200 <= y < 250) in the machine's own namespace");
}

function serviceScript(
  host: { hostname: string; address: string },
  mailDomain: string,
  node: string,
): string {
  const standin = join(__dirname, "gateway-standin.ts");
  return `#!/bin/sh
# MailStore Gateway stand-in, service control: start | stop | status (exit 0 = running).
base=${GATEWAY_ROOT}
state=$base/run
pidf=$state/gateway.pid
alive() { st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ]; }
running() { [ -f "$pidf" ] && alive "$(cat "$pidf")"; }
case "\${1:-}" in
  status) running ;;
  start)
    running && exit 0
    rm -f "$state/ready"
    cd '${REPO_ROOT}' || exit 1
    nohup '${node}' --import tsx '${standin}' --listen ${host.address} --hostname ${host.hostname} \\
      --mail-domain ${mailDomain} --data "$base/data" --tls "$base/tls" --state "$state" \\
      >>"$state/gateway.log" 2>&1 </dev/null &
    echo $! >"$pidf"
    i=0
    while [ ! -f "$state/ready" ]; do
      if ! alive "$(cat "$pidf")"; then
        rm -f "$pidf"; echo "gateway stand-in exited while starting; see $state/gateway.log" >&2; exit 1
      fi
      if [ $i -ge 400 ]; then echo "gateway stand-in not ready after 40 s" >&2; exit 1; fi
      sleep 0.1; i=$((i+1))
    done
    echo "start $(date +%s)" >>"$state/events" ;;
  stop)
    running || exit 0
    pid=$(cat "$pidf")
    kill "$pid"
    i=0
    while alive "$pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    if alive "$pid"; then kill -9 "$pid"; fi
    rm -f "$pidf" "$state/ready"
    echo "stop $(date +%s)" >>"$state/events" ;;
  *) echo "usage: service.sh start|stop|status" >&2; exit 2 ;;
esac
`;
}

/** The lab; create with {@link DrillLab.create}, always `destroy()` it. */
export class DrillLab {
  readonly gateways = new Map<string, GatewayHost>();
  dns!: LabDns;
  senderHost!: NetHost;
  sender!: PostfixSender;
  /** The machine's own address on the lab's bridge. */
  rootAddress = "";
  /** SSH client key replication uses (the private key path goes into the stack config). */
  readonly clientKey: string;
  /** CA files the sender trusts, concatenated into {@link trustFile}. */
  private readonly trusted = new Map<string, string>();
  private serial = 1;

  private constructor(
    readonly net: TestNetwork,
    readonly dir: string,
    readonly subnet: string,
    readonly options: LabOptions,
  ) {
    this.clientKey = join(dir, "replication_ed25519");
  }

  get dnsAddress(): string {
    return `${this.subnet}.53`;
  }

  get trustFile(): string {
    return join(this.dir, "sender-trust.pem");
  }

  /** Builds the network, NSD (zone with SOA/NS only), the Postfix sender and the SSH client key. */
  static async create(options: LabOptions): Promise<DrillLab> {
    if (!/^dr-[a-z0-9]{1,8}$/.test(options.prefix)) {
      throw new Error(`lab prefix "${options.prefix}" must match dr-[a-z0-9]{1,8}`);
    }
    // A folder of its own per run: two drills (or one left by a crash) never share it.
    const dir = mkdtempSync(join(tmpdir(), `msgw-drill-${options.prefix}-`));
    const net = await TestNetwork.create(options.prefix, dir);
    const lab = new DrillLab(net, dir, await freeSubnet(options.prefix), options);
    try {
      await lab.build();
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  private async build(): Promise<void> {
    const { net, subnet } = this;
    // The machine's own namespace on the bridge: one veth pair, the far end in the hub.
    const rootEnd = `${this.options.prefix.replace(/-/g, "")}r`;
    const hub = `${this.options.prefix}-hub`;
    await ip("link", "add", rootEnd, "type", "veth", "peer", "name", "vroot", "netns", hub);
    await ip("-n", hub, "link", "set", "vroot", "master", "br0", "up");
    this.rootAddress = `${subnet}.1`;
    await ip("addr", "add", `${this.rootAddress}/24`, "dev", rootEnd);
    await ip("link", "set", rootEnd, "up");

    if (!existsSync(GATEWAY_ROOT)) mkdirSync(GATEWAY_ROOT);
    makeSshKey(this.clientKey, { comment: "msgw-drill" });
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

    const dnsHost = await net.addHost("dns", this.dnsAddress);
    this.dns = await startLabDns(net, dnsHost, join(this.dir, "nsd"), this.options.zoneName);
    this.senderHost = await net.addHost("snd", `${subnet}.25`, this.dnsAddress);
    writeFileSync(this.trustFile, "");
    this.sender = await startPostfixSender(
      net,
      this.senderHost,
      join(this.dir, "postfix"),
      this.trustFile,
    );
  }

  /**
   * Adds a gateway host at `<subnet>.<octet>`: namespace, its own `/etc/msgw-gateway` (data
   * directory with `config`, TLS folder, service state), service script, host key and `sshd`.
   * The host answers with a self-signed certificate of its own until the pool's is deployed; the
   * service is not started.
   */
  async addGateway(
    hostname: string,
    role: string,
    octet: number,
    config: Record<string, unknown>,
  ): Promise<GatewayHost> {
    const address = `${this.subnet}.${octet}`;
    const netHost = await this.net.addHost(role, address, this.dnsAddress);
    const root = `/etc/netns/${netHost.ns}/msgw-gateway`;
    for (const d of ["data", "tls", "run", "ssh"]) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, "data", "gateway.json"), `${JSON.stringify(config, null, 2)}\n`);
    writeFileSync(
      join(root, "service.sh"),
      serviceScript({ hostname, address }, this.options.mailDomain, process.execPath),
    );
    chmodSync(join(root, "service.sh"), 0o755);
    const keyFile = join(root, "ssh", "ssh_host_ed25519_key");
    const hostKey = makeSshKey(keyFile, { comment: hostname }).publicKey;
    writeFileSync(join(root, "ssh", "authorized_keys"), readFileSync(`${this.clientKey}.pub`));
    const sshdConfig = join(root, "ssh", "sshd_config");
    writeFileSync(
      sshdConfig,
      [
        `ListenAddress ${address}`,
        "Port 22",
        `HostKey ${keyFile}`,
        `PidFile ${join(root, "run", "sshd.pid")}`,
        `AuthorizedKeysFile ${join(root, "ssh", "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "UseDNS no",
        "MaxStartups 50",
        "LogLevel ERROR",
        "Subsystem sftp internal-sftp",
        `SetEnv HOME=${root}`,
        "",
      ].join("\n"),
    );
    // A fresh install answers with its own self-signed certificate until the pool's is deployed.
    const own = await issueCertificate(join(root, "tls"), "default", {
      commonName: hostname,
      dnsNames: [hostname],
      isCa: false,
      keyAlgorithm: "ECDSA",
      notAfter: new Date(Date.now() + 30 * 86_400_000),
    });
    writeFileSync(join(root, "tls", "cert.pem"), own.certPem);
    writeFileSync(join(root, "tls", "key.pem"), readFileSync(own.keyFile, "utf8"), { mode: 0o600 });
    const host: GatewayHost = { hostname, net: netHost, address, root, hostKey };
    host.sshd = this.net.start(netHost, `sshd-${role}`, "/usr/sbin/sshd", [
      "-D",
      "-e",
      "-f",
      sshdConfig,
    ]);
    await this.net.waitListening(netHost, 22);
    this.gateways.set(hostname, host);
    return host;
  }

  gateway(hostname: string): GatewayHost {
    const host = this.gateways.get(hostname);
    if (host === undefined) throw new Error(`no lab gateway ${hostname}`);
    return host;
  }

  /** Writes the certificate and key deployed for `hostname`; a running service is restarted. */
  async deployCertificate(hostname: string, certPem: string, keyPem: string): Promise<boolean> {
    const host = this.gateway(hostname);
    const certFile = join(host.root, "tls", "cert.pem");
    const same =
      existsSync(certFile) &&
      readFileSync(certFile, "utf8") === certPem &&
      readFileSync(join(host.root, "tls", "key.pem"), "utf8") === keyPem;
    if (same) return false;
    writeFileSync(certFile, certPem);
    writeFileSync(join(host.root, "tls", "key.pem"), keyPem, { mode: 0o600 });
    if ((await this.service(hostname, "status")).code === 0) {
      await this.mustService(hostname, "stop");
      await this.mustService(hostname, "start");
    }
    return true;
  }

  /** Runs the host's service control inside its namespace. */
  service(
    hostname: string,
    verb: "start" | "stop" | "status",
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.net.runStatus(this.gateway(hostname).net, "sh", [SERVICE_SCRIPT, verb], 60_000);
  }

  async mustService(hostname: string, verb: "start" | "stop"): Promise<void> {
    const r = await this.service(hostname, verb);
    if (r.code !== 0) throw new Error(`${hostname}: service ${verb} exited ${r.code}: ${r.stderr}`);
  }

  /** The host's configuration file as it is now. */
  readConfig(hostname: string): { mailboxes: MailboxRecord[] } {
    const file = join(this.gateway(hostname).root, "data", "gateway.json");
    return JSON.parse(readFileSync(file, "utf8")) as { mailboxes: MailboxRecord[] };
  }

  /** Replaces the host's configuration file (an administrator's edit in the Management Console). */
  writeConfig(hostname: string, config: Record<string, unknown>): void {
    const file = join(this.gateway(hostname).root, "data", "gateway.json");
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** What the host's SMTP service logged: accepted messages and refused recipients. */
  smtpEvents(hostname: string): SmtpEvent[] {
    const file = join(this.gateway(hostname).root, "run", "smtp.jsonl");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as SmtpEvent);
  }

  /** Messages waiting in the host's mailbox folders (not yet archived). */
  waitingMail(hostname: string): number {
    const data = join(this.gateway(hostname).root, "data");
    let n = 0;
    for (const entry of readdirSync(data, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      n += readdirSync(join(data, entry.name)).filter((f) => f.endsWith(".eml")).length;
    }
    return n;
  }

  /** Serves `fragment` (records below SOA/NS) in the zone, with a new serial. */
  async serveZone(fragment: string): Promise<void> {
    this.serial += 1;
    await writeLabZone(this.dns, fragment, this.serial);
  }

  /** Sets the CAs the sender trusts (by name) and makes Postfix re-read them. */
  async trust(name: string, pem: string | undefined): Promise<void> {
    if (pem === undefined) this.trusted.delete(name);
    else this.trusted.set(name, pem);
    const text = [...this.trusted.values()].join("");
    if (existsSync(this.trustFile) && readFileSync(this.trustFile, "utf8") === text) return;
    writeFileSync(this.trustFile, text);
    // SIGHUP: the master re-reads its configuration; new smtp clients load the CA file again.
    this.sender.process.child.kill("SIGHUP");
  }

  /** Every CA the sender trusts, concatenated (the archiver trusts the same). */
  trustedPems(): string {
    return [...this.trusted.values()].join("");
  }

  /** Answers of the lab DNS server for `name`/`type`, as `dig +short` prints them, sorted. */
  async query(name: string, type: "A" | "MX"): Promise<string[]> {
    const resolver = new Resolver({ timeout: 2_000, tries: 2 });
    resolver.setServers([this.dnsAddress]);
    try {
      if (type === "A") return (await resolver.resolve4(name)).sort();
      return (await resolver.resolveMx(name)).map((r) => `${r.priority} ${r.exchange}`).sort();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ENODATA" || code === "ENOTFOUND") return [];
      throw error;
    }
  }

  /** Stops every process by PID, deletes every namespace (and with the hub, the root veth). */
  async destroy(): Promise<void> {
    await this.net.destroy();
    // GATEWAY_ROOT stays (an empty folder): another lab running at the same time bind-mounts its
    // hosts' folders there, and removing it would break that lab.
  }
}

/** A new journal mailbox: `mbx-<32 hex>` and a random password (the gateway shows it once). */
export function newMailbox(seed: string): Mailbox {
  const id = `mbx-${createHash("sha256").update(seed).digest("hex").slice(0, 32)}`;
  return { id, password: randomBytes(18).toString("base64url") };
}

/** The configuration record of a mailbox as the stand-in (and the guard) read it. */
export function mailboxRecord(mailDomain: string, m: Mailbox, keyVersion = 1): MailboxRecord {
  return {
    id: m.id,
    address: `${m.id}@${mailDomain}`,
    status: "Active",
    passwordSha256: passwordHash(m.password),
    protectedKey: `${m.id}-key-${keyVersion}`,
  };
}
