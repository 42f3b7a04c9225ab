/**
 * The whole test network for one scenario, built from a pool's own plan:
 * - `dns` (10.232.0.53): NSD serving SOA/NS plus `renderZoneFile(plan, addresses)`;
 * - `snd` (10.232.9.25): Postfix relaying with verified TLS against the pool CA;
 * - one namespace per gateway host at its planned address: an SMTP receiver with STARTTLS and
 *   the certificate issued per `planCertificates(plan)`, optionally Dovecot POP3 with STLS;
 * - `legacy` at the legacy gateway's address when the plan has a migrating legacy gateway.
 */
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  planCertificates,
  planGatewayPool,
  renderZoneFile,
  type CertificatePlan,
  type GatewayPoolArgs,
  type GatewayPoolPlan,
} from "../../../../components";
import { issueCertificate, type IssuedCert } from "./certs";
import { sleep, TestNetwork, waitFor, type NetHost, type Started } from "./netns";
import { replaceZone, startNsd, type NsdServer } from "./nsd";
import { startPostfixSender, type PostfixSender } from "./postfix";
import { runDirectory, runPrefix, startPop3Lab } from "../../../lab/fixtures";

export const DNS_ADDRESS = "10.232.0.53";
export const SENDER_ADDRESS = "10.232.9.25";
export const OPERATOR_ADDRESS = "10.232.9.30";
/** The journal mailbox every message is addressed to (its local part is irrelevant here). */
export const MAILBOX_LOCAL_PART = "mbx-0123456789abcdef0123456789abcdef";

/** How a host's certificate should deviate from its plan (for negative tests). */
export interface CertDeviation {
  commonName?: string;
  dnsNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

/** Scenario options. */
export interface WorldOptions {
  /** Namespace prefix, `mp-` plus up to 8 characters. */
  prefix: string;
  /** Pool arguments; every host must be `existing` with a literal address in 10.232.0.0/16. */
  args: GatewayPoolArgs;
  /** Per host name: how its certificate deviates from the plan. */
  certDeviations?: Record<string, CertDeviation>;
  /** Start Dovecot POP3 on every gateway host. */
  pop3?: boolean;
  /** Start the Postfix sender (default true). */
  sender?: boolean;
  /** Add an operator namespace for the health check. */
  operator?: boolean;
}

/** One message as recorded by a receiver. */
export interface ReceivedMessage {
  messageId: string;
  host: string;
  tls: boolean;
  at: number;
}

/** An injection running in the background. */
export interface Injection {
  readonly process: Started;
  /** Resolves with the Message-IDs the sender accepted, in order. */
  readonly done: Promise<string[]>;
}

function literalAddress(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`${what}: the test needs a literal address`);
  return value;
}

/** Host name -> address of every pool host and a migrating legacy gateway. */
export function addressesOf(args: GatewayPoolArgs): Record<string, string> {
  const addresses: Record<string, string> = {};
  for (const host of args.hosts) {
    addresses[host.hostname] = literalAddress(host.existing?.address, host.hostname);
  }
  if (args.legacy !== undefined) {
    addresses[args.legacy.hostname] = literalAddress(args.legacy.address, args.legacy.hostname);
  }
  return addresses;
}

/** A running scenario; always `destroy()` it in a `finally`/`after`. */
export class MailWorld {
  plan: GatewayPoolPlan;
  readonly certPlan: CertificatePlan;
  readonly gateways = new Map<string, NetHost>();
  readonly certs = new Map<string, IssuedCert>();
  readonly receivers = new Map<string, Started>();
  caFile = "";
  dns!: NsdServer;
  senderHost!: NetHost;
  sender: PostfixSender | undefined;
  operator: NetHost | undefined;
  private serial = 1;

  private constructor(
    readonly net: TestNetwork,
    readonly dir: string,
    readonly options: WorldOptions,
  ) {
    this.plan = planGatewayPool(options.args);
    this.certPlan = planCertificates(this.plan);
  }

  /** The address journal mail is sent to. */
  get recipient(): string {
    return `${MAILBOX_LOCAL_PART}@${this.plan.mailDomain}`;
  }

  /** Builds and starts everything; tears down what was started if any step fails. */
  static async create(options: WorldOptions): Promise<MailWorld> {
    const prefix = runPrefix(options.prefix);
    const dir = runDirectory(prefix);
    const net = await TestNetwork.create(prefix, dir);
    const world = new MailWorld(net, dir, options);
    try {
      await world.build();
    } catch (error) {
      await world.destroy();
      throw error;
    }
    return world;
  }

  private async build(): Promise<void> {
    const { net, plan } = this;
    const addresses = addressesOf(this.options.args);
    const dnsHost = await net.addHost("dns", DNS_ADDRESS);
    this.senderHost = await net.addHost("snd", SENDER_ADDRESS, DNS_ADDRESS);
    if (this.options.operator === true) {
      this.operator = await net.addHost("op", OPERATOR_ADDRESS, DNS_ADDRESS);
    }
    let index = 0;
    for (const host of plan.hosts) {
      index += 1;
      this.gateways.set(host.hostname, await net.addHost(`gw${index}`, addresses[host.hostname]));
    }
    if (plan.legacy?.phase === "migrating") {
      this.gateways.set(
        plan.legacy.hostname,
        await net.addHost("legacy", addresses[plan.legacy.hostname]),
      );
    }
    await this.issueCertificates();
    this.dns = await startNsd(
      net,
      dnsHost,
      join(this.dir, "nsd"),
      plan.zoneName,
      renderZoneFile(plan, addresses),
    );
    await Promise.all([...this.gateways.keys()].map((hostname) => this.startReceiver(hostname)));
    if (this.options.pop3 === true) {
      for (const [hostname, host] of this.gateways) {
        const cert = this.certs.get(hostname) as IssuedCert;
        await startPop3Lab(net, host, join(this.dir, `dovecot-${host.role}`), {
          cert: cert.certFile,
          key: cert.keyFile,
        });
      }
    }
    if (this.options.sender !== false) {
      this.sender = await startPostfixSender(
        net,
        this.senderHost,
        join(this.dir, "postfix"),
        this.caFile,
      );
    }
  }

  /** Issues the CA and every host certificate exactly per the certificate plan (plus deviations). */
  private async issueCertificates(): Promise<void> {
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
    const plan = this.certPlan;
    let ca: IssuedCert | undefined;
    if (plan.ca !== undefined) {
      ca = await issueCertificate(this.dir, "pool-ca", {
        commonName: plan.ca.commonName,
        organization: plan.ca.organization,
        dnsNames: [],
        isCa: true,
        keyAlgorithm: plan.ca.keyAlgorithm,
        ecdsaCurve: plan.ca.ecdsaCurve,
        notAfter: hours(plan.ca.validityHours),
      });
    }
    const hostPlans = [...plan.hosts];
    // A migrating legacy gateway keeps a certificate for its own name, from the same issuer.
    const legacy = this.plan.legacy;
    if (legacy?.phase === "migrating" && hostPlans[0] !== undefined) {
      hostPlans.push({
        ...hostPlans[0],
        hostname: legacy.hostname,
        commonName: legacy.hostname,
        dnsNames: [legacy.hostname],
      });
    }
    for (const host of hostPlans) {
      const deviation = this.options.certDeviations?.[host.hostname] ?? {};
      const issued = await issueCertificate(
        this.dir,
        host.hostname,
        {
          commonName: deviation.commonName ?? host.commonName ?? host.hostname,
          organization: host.organization,
          dnsNames: deviation.dnsNames ?? host.dnsNames,
          isCa: false,
          keyAlgorithm: host.keyAlgorithm,
          ecdsaCurve: host.ecdsaCurve,
          notBefore: deviation.notBefore,
          notAfter: deviation.notAfter ?? hours(host.validityHours),
        },
        host.issuer === "pool-ca" ? ca : undefined,
      );
      this.certs.set(host.hostname, issued);
    }
    // The sender trusts the pool CA, or each self-signed host certificate.
    this.caFile = join(this.dir, "trusted.pem");
    const trusted = ca !== undefined ? [ca] : [...this.certs.values()];
    writeFileSync(this.caFile, trusted.map((c) => c.certPem).join(""));
  }

  /** Where a host's receiver records accepted messages. */
  recordFile(hostname: string): string {
    return join(this.dir, `received-${hostname}.jsonl`);
  }

  /** Starts (or restarts) the SMTP receiver of `hostname`; records append across restarts. */
  async startReceiver(hostname: string): Promise<void> {
    const host = this.gateways.get(hostname);
    const cert = this.certs.get(hostname);
    if (host === undefined || cert === undefined) throw new Error(`no gateway host ${hostname}`);
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
    ]);
    this.receivers.set(hostname, started);
    await this.net.waitListening(host, 25);
  }

  /** Stops the receiver of `hostname` like a service stop (SIGTERM, graceful). */
  async stopReceiver(hostname: string): Promise<void> {
    const started = this.receivers.get(hostname);
    if (started === undefined) throw new Error(`no receiver running for ${hostname}`);
    await this.net.stop(started);
    this.receivers.delete(hostname);
  }

  /** Takes a gateway host off the network (link down, like a power or network outage) or back on. */
  async setLink(hostname: string, up: boolean): Promise<void> {
    const host = this.gateways.get(hostname);
    if (host === undefined) throw new Error(`no gateway host ${hostname}`);
    await this.net.exec(host, "ip", ["link", "set", "eth0", up ? "up" : "down"]);
  }

  /** Re-plans the pool with new arguments and serves the new zone. */
  async replan(args: GatewayPoolArgs): Promise<void> {
    this.plan = planGatewayPool(args);
    this.serial += 1;
    await replaceZone(
      this.net,
      this.dns,
      renderZoneFile(this.plan, addressesOf(args)),
      this.serial,
    );
  }

  /** Serves a hand-written fragment instead of the plan's (e.g. the zone before a migration). */
  async serveFragment(fragment: string): Promise<void> {
    this.serial += 1;
    await replaceZone(this.net, this.dns, fragment, this.serial);
  }

  /** How many messages `hostname` has recorded so far. */
  countAt(hostname: string): number {
    return this.received().filter((m) => m.host === hostname).length;
  }

  /** When `hostname` recorded its first message (ms since the epoch; Infinity if none yet). */
  firstArrivalAt(hostname: string): number {
    return Math.min(
      ...this.received()
        .filter((m) => m.host === hostname)
        .map((m) => m.at),
    );
  }

  /** Every message recorded by every receiver so far. */
  received(): ReceivedMessage[] {
    const all: ReceivedMessage[] = [];
    for (const hostname of this.gateways.keys()) {
      const file = this.recordFile(hostname);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() !== "") all.push(JSON.parse(line) as ReceivedMessage);
      }
    }
    return all;
  }

  /** Starts submitting `count` messages in the background. */
  startInjection(count: number, tag: string, intervalMs = 0): Injection {
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
    const done = started.exited.then((code) => {
      const lines = readFileSync(started.logFile, "utf8").split("\n");
      if (code !== 0)
        throw new Error(`injection ${tag} exited with ${code}: ${lines.slice(-5).join(" ")}`);
      return lines
        .filter((l) => l.startsWith("{"))
        .map((l) => (JSON.parse(l) as { messageId: string }).messageId);
    });
    return { process: started, done };
  }

  /** Submits `count` messages and waits until the sender has accepted all of them. */
  async inject(count: number, tag: string, intervalMs = 0): Promise<string[]> {
    return this.startInjection(count, tag, intervalMs).done;
  }

  /** Waits until every id in `ids` has been received somewhere; returns the time it took. */
  async waitDelivered(ids: readonly string[], timeoutMs: number): Promise<number> {
    const begin = Date.now();
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
    return Date.now() - begin;
  }

  /**
   * The IPv4 addresses `name` resolves to from the sender's namespace (its resolver is the test
   * NSD), or [] when the name does not resolve.
   */
  async resolveFromSender(name: string): Promise<string[]> {
    try {
      const out = await this.net.exec(this.senderHost, "getent", ["ahostsv4", name]);
      return [
        ...new Set(
          out
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => l.split(/\s+/)[0] as string),
        ),
      ];
    } catch {
      return [];
    }
  }

  /** Lets in-flight retries finish so late duplicates would show up before counting. */
  async settle(ms = 2_000): Promise<void> {
    await sleep(ms);
  }

  /** Stops every process by PID and removes every namespace. */
  async destroy(): Promise<void> {
    await this.net.destroy();
  }
}
