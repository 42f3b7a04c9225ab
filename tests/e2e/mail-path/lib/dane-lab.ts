/**
 * I/O: the DANE lab. Network namespaces on the mail-path segment:
 * - `dns` (10.232.0.53): NSD serving the lab zone, reloaded through `nsd-control` (the drill's LabDns), so the
 *   zone can be written either by the test (signed here with the Cloudflare stand-in's `signZoneFile`) or by
 *   the Cloudflare stand-in under the real engine;
 * - `res` (10.232.0.54): Unbound validating the zone with its DS record as the only trust anchor;
 * - `snd` (10.232.9.25): Postfix with `smtp_dns_support_level = dnssec` and `smtp_tls_security_level = dane`,
 *   resolving through Unbound (`options trust-ad`, or glibc drops the AD bit and Postfix sees no DNSSEC);
 * - one namespace per gateway host: the mail-path SMTP receiver with that host's certificate and key.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cloud } from "../../../engine/providers/context";
import {
  signZoneFile,
  zoneDs,
  zoneKeys,
  type ZoneKeys,
} from "../../../engine/providers/cloudflare";
import {
  startValidatingResolver,
  type ValidatingResolver,
} from "../../../engine/providers/unbound";
import { startLabDns, type LabDns } from "../../../drill/lib/dns";
import { sleep, TestNetwork, waitFor, type NetHost, type Started } from "./netns";
import { mailLog, startPostfixSender, type PostfixSender } from "./postfix";
import { runDirectory, runPrefix, zoneText } from "../../../lab/fixtures";

const run = promisify(execFile);

export const DNS_ADDRESS = "10.232.0.53";
export const RESOLVER_ADDRESS = "10.232.0.54";
export const SENDER_ADDRESS = "10.232.9.25";

/** The sender's DANE settings (Postfix TLS_README, "Mandatory server certificate verification" / DANE). */
export const DANE_MAIN_CF = `
# DANE (RFC 7672): TLSA records are used only from DNSSEC-validated answers.
smtp_dns_support_level = dnssec
smtp_tls_security_level = dane
# Each smtp process also caches TLSA answers for their TTL; one delivery per process leaves the resolver
# (Unbound) as the only cache, which the lab empties when it changes the zone.
max_use = 1
`;

/** A certificate and key on disk, served by a receiver. */
export interface ServedCert {
  certFile: string;
  keyFile: string;
}

/** One message as a receiver recorded it. */
export interface Received {
  messageId: string;
  host: string;
  tls: boolean;
  at: number;
}

export class DaneLab {
  dns!: LabDns;
  resolver: ValidatingResolver | undefined;
  sender!: PostfixSender;
  senderHost!: NetHost;
  resolverHost!: NetHost;
  readonly gateways = new Map<string, NetHost>();
  private readonly receivers = new Map<string, Started>();
  private serial = 1;
  /** Zone signing keys when the test signs the zone itself. */
  readonly keys: ZoneKeys;

  private constructor(
    readonly net: TestNetwork,
    readonly dir: string,
    readonly zoneName: string,
    readonly mailDomain: string,
  ) {
    this.keys = zoneKeys(new Cloud(join(dir, "signing")), zoneName);
  }

  /** The journal address mail is sent to. */
  get recipient(): string {
    return `mbx-0123456789abcdef0123456789abcdef@${this.mailDomain}`;
  }

  /** Builds the namespaces, NSD and the Postfix sender (Unbound comes with {@link startResolver}). */
  static async create(options: {
    prefix: string;
    zoneName: string;
    mailDomain: string;
    gateways: Record<string, string>;
  }): Promise<DaneLab> {
    const prefix = runPrefix(options.prefix);
    const dir = runDirectory(prefix);
    const net = await TestNetwork.create(prefix, dir);
    let lab: DaneLab;
    try {
      // The constructor makes keys (ldns-keygen): a failure there must not leave the network behind.
      lab = new DaneLab(net, dir, options.zoneName, options.mailDomain);
    } catch (err) {
      await net.destroy();
      throw err;
    }
    try {
      const dnsHost = await net.addHost("dns", DNS_ADDRESS);
      lab.resolverHost = await net.addHost("res", RESOLVER_ADDRESS);
      lab.senderHost = await net.addHost("snd", SENDER_ADDRESS, RESOLVER_ADDRESS);
      // glibc 2.31+ passes the resolver's AD bit to applications only with trust-ad.
      writeFileSync(
        `/etc/netns/${lab.senderHost.ns}/resolv.conf`,
        `nameserver ${RESOLVER_ADDRESS}\noptions timeout:1 attempts:2 trust-ad\n`,
      );
      let i = 0;
      for (const [hostname, address] of Object.entries(options.gateways)) {
        i += 1;
        lab.gateways.set(hostname, await net.addHost(`gw${i}`, address));
      }
      lab.dns = await startLabDns(net, dnsHost, join(dir, "nsd"), options.zoneName);
      lab.sender = await startPostfixSender(
        net,
        lab.senderHost,
        join(dir, "postfix"),
        "/etc/ssl/certs/ca-certificates.crt",
        DANE_MAIN_CF,
      );
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /** The DS record of the test's own signing key (trust anchor when the test signs the zone). */
  get ds(): string {
    return zoneDs(this.keys).ds;
  }

  /** Starts (or restarts) the validating resolver with `trustAnchor` (a DS record). */
  async startResolver(trustAnchor: string): Promise<void> {
    await this.resolver?.stop();
    this.resolver = await startValidatingResolver({
      dir: join(this.dir, "unbound"),
      zone: this.zoneName,
      trustAnchor,
      stubAddress: DNS_ADDRESS,
      address: RESOLVER_ADDRESS,
      netns: this.resolverHost.ns,
    });
  }

  /**
   * Serves `fragment` (zone-file lines) under the SOA/NS, signed with the test's keys (signatures valid in
   * `window`, default an hour ago to 14 days ahead), waits until NSD serves the new serial, and empties
   * the resolver's cache of the zone.
   */
  async serveSignedZone(
    fragment: string,
    window?: { inception: string; expiration: string },
  ): Promise<void> {
    this.serial += 1;
    const file = join(this.dns.zonesDir, `${this.zoneName}.zone`);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, zoneText(this.zoneName, DNS_ADDRESS, fragment, this.serial) + "\n");
    signZoneFile(tmp, this.zoneName, this.keys, window);
    await run("mv", [tmp, file]);
    await this.reloadZone(this.serial);
  }

  /** Reloads NSD and waits (10 s at most) until it serves `serial`; then flushes the resolver. */
  async reloadZone(serial?: number): Promise<void> {
    const [cmd, ...args] = this.dns.control as [string, ...string[]];
    await run(cmd, [...args, "reload", this.zoneName], { timeout: 10_000 });
    if (serial !== undefined) {
      // NSD's old server process answers for a moment after a reload: wait for ten answers in a row
      // with the new serial before the resolver's cache is emptied.
      let streak = 0;
      await waitFor(
        `NSD serving serial ${serial} only`,
        async () => {
          const out = await this.net
            .exec(this.resolverHost, "drill", ["-p", "53", `@${DNS_ADDRESS}`, this.zoneName, "SOA"])
            .catch(() => "");
          streak = new RegExp(`\\sSOA\\s+\\S+\\s+\\S+\\s+${serial}\\s`).test(out) ? streak + 1 : 0;
          return streak >= 10 ? true : undefined;
        },
        15_000,
        100,
      );
    }
    await this.resolver?.flush(this.zoneName);
  }

  /** Where a host's receiver records accepted messages. */
  recordFile(hostname: string): string {
    return join(this.dir, `received-${hostname}.jsonl`);
  }

  /** Starts (or restarts) `hostname`'s receiver with `cert`; `noStarttls` plays a STARTTLS stripper. */
  async startReceiver(hostname: string, cert: ServedCert, noStarttls = false): Promise<void> {
    await this.stopReceiver(hostname);
    const host = this.gateways.get(hostname) as NetHost;
    const started = this.net.start(host, `receiver-${host.role}`, process.execPath, [
      "--import",
      "tsx",
      join(__dirname, "smtp-receiver.ts"),
      "--listen",
      host.address,
      "--hostname",
      hostname,
      "--cert",
      cert.certFile,
      "--key",
      cert.keyFile,
      "--record",
      this.recordFile(hostname),
      ...(noStarttls ? ["--no-starttls"] : []),
    ]);
    this.receivers.set(hostname, started);
    await this.net.waitListening(host, 25);
  }

  async stopReceiver(hostname: string): Promise<void> {
    const started = this.receivers.get(hostname);
    if (started === undefined) return;
    await this.net.stop(started);
    this.receivers.delete(hostname);
  }

  /** Every message recorded by every receiver so far. */
  received(): Received[] {
    const all: Received[] = [];
    for (const hostname of this.gateways.keys()) {
      const file = this.recordFile(hostname);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() !== "") all.push(JSON.parse(line) as Received);
      }
    }
    return all;
  }

  /** Submits `count` messages to the sender; resolves with their Message-IDs. */
  async inject(count: number, tag: string): Promise<string[]> {
    return this.startInjection(count, tag);
  }

  /**
   * Starts submitting `count` messages, one every `intervalMs`, in a process of its own (it goes on while
   * the test waits for the engine); the promise resolves with their Message-IDs.
   */
  async startInjection(count: number, tag: string, intervalMs = 0): Promise<string[]> {
    const started = this.net.start(this.senderHost, `inject-${tag}`, process.execPath, [
      "--import",
      "tsx",
      join(__dirname, "inject.ts"),
      "--count",
      String(count),
      "--to",
      this.recipient,
      "--tag",
      tag,
      "--interval-ms",
      String(intervalMs),
    ]);
    const code = await started.exited;
    const lines = readFileSync(started.logFile, "utf8").split("\n");
    if (code !== 0)
      throw new Error(`injection ${tag} exited with ${code}: ${lines.slice(-5).join(" ")}`);
    return lines
      .filter((l) => l.startsWith("{"))
      .map((l) => (JSON.parse(l) as { messageId: string }).messageId);
  }

  /** Waits until every id has been received somewhere (bounded). */
  async waitDelivered(ids: readonly string[], timeoutMs: number): Promise<void> {
    const wanted = new Set(ids);
    await waitFor(
      `${wanted.size} messages to arrive`,
      () => {
        const got = new Set(
          this.received()
            .map((m) => m.messageId)
            .filter((id) => wanted.has(id)),
        );
        return got.size === wanted.size ? true : undefined;
      },
      timeoutMs,
      200,
    );
  }

  /** Waits until the sender's log holds at least `count` lines matching `pattern` (bounded). */
  async waitLogged(pattern: RegExp, count: number, timeoutMs: number): Promise<number> {
    const flags = pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`;
    const global = new RegExp(pattern.source, flags);
    let n = 0;
    await waitFor(
      `${count} sender log lines matching ${pattern}`,
      () => {
        n = (mailLog(this.sender).match(global) ?? []).length;
        return n >= count ? true : undefined;
      },
      timeoutMs,
      200,
    );
    return n;
  }

  /** Asks Postfix to retry every deferred message now (`postqueue -f`). */
  async flushQueue(): Promise<void> {
    await this.net.exec(this.senderHost, "postqueue", ["-c", this.sender.dir, "-f"]);
  }

  /** Lets retries in flight finish, so a late duplicate would show before counting. */
  async settle(ms = 2_000): Promise<void> {
    await sleep(ms);
  }

  async destroy(): Promise<void> {
    await this.resolver?.stop();
    await this.net.destroy();
  }
}
