/**
 * The DANE lab of `msgw check`: real DNSSEC in network namespaces. NSD (10.232.0.53) serves three
 * zones: `good.test`, signed by ldns-signzone, holding one mail domain per DANE case; `plain.test`,
 * unsigned but with TLSA records; `bogus.test`, signed with signatures that expired in 2020.
 * Unbound (10.232.0.54) validates with the lab's trust anchors (the DS records of good.test and
 * bogus.test; no root anchor, so plain.test is insecure). One namespace (10.232.1.10) serves every
 * host's certificate by SNI name on SMTP 25 (STARTTLS) and POP3 110 (STLS); the check runs from
 * an operator namespace (10.232.0.20).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { TestNetwork, type NetHost } from "../../mail-path/lib/netns";
import { labCert, type LabCert } from "./cert-lab";
import type { FaultServerConfig } from "./fault-server";
import { ldnsSignZone, nsdConf, startPop3Lab, zoneText } from "../../../lab/fixtures";

const run = promisify(execFile);

export const NS = "10.232.0.53";
export const RESOLVER = "10.232.0.54";
export const GW = "10.232.1.10";
const OPERATOR = "10.232.0.20";

/** Every host name the gateway namespace answers for, with how its certificate is made. */
const HOSTS = {
  "mx1.good.test": {},
  "mx2.good.test": {},
  "mxbad.good.test": {},
  "mxnotlsa.good.test": {},
  "mxpin.good.test": {},
  "mxexp.good.test": { notBeforeDays: -40, notAfterDays: -2 },
  "mx.plain.test": {},
  "mx.bogus.test": {},
} as const;
export type LabHost = keyof typeof HOSTS;

/** The running lab; `destroy()` it in `after`. */
export interface DaneLab {
  net: TestNetwork;
  operator: NetHost;
  dir: string;
  /** The lab CA (PEM file) that issued every host certificate. */
  caFile: string;
  certs: Map<LabHost, LabCert>;
  /** An unrelated key's certificate, whose 3 1 1 record matches nothing in the lab. */
  stranger: LabCert;
  destroy(): Promise<void>;
}

/** `3 1 1`: SHA-256 of the certificate's SubjectPublicKeyInfo, from @peculiar/x509's encoding. */
export function spki256(cert: LabCert): string {
  return createHash("sha256").update(Buffer.from(cert.cert.publicKey.rawData)).digest("hex");
}

/** `3 0 1`: SHA-256 of the whole certificate. */
export function cert256(cert: LabCert): string {
  return createHash("sha256").update(Buffer.from(cert.cert.rawData)).digest("hex");
}

function zone(origin: string, body: string[]): string {
  return `${zoneText(origin, NS, body.join("\n"), 1)}\n`;
}

/** The zones' records: one mail domain per case under good.test. */
export function labZones(certs: Map<LabHost, LabCert>, stranger: LabCert): Record<string, string> {
  const c = (h: LabHost) => certs.get(h) as LabCert;
  const a = (rel: string) => `${rel} IN A ${GW}`;
  const tlsa = (rel: string, value: string) => `_25._tcp.${rel} IN TLSA ${value}`;
  return {
    "good.test": zone("good.test", [
      // Both MX hosts covered, both match.
      "@ IN MX 0 mx1",
      "@ IN MX 10 mx2",
      a("mx1"),
      a("mx2"),
      tlsa("mx1", `3 1 1 ${spki256(c("mx1.good.test"))}`),
      tlsa("mx2", `3 1 1 ${spki256(c("mx2.good.test"))}`),
      // A record for another key.
      "mismatch IN MX 0 mxbad",
      a("mxbad"),
      tlsa("mxbad", `3 1 1 ${spki256(stranger)}`),
      // One MX host with TLSA, one without.
      "partial IN MX 0 mx1",
      "partial IN MX 10 mxnotlsa",
      a("mxnotlsa"),
      // The whole certificate pinned.
      "pin IN MX 0 mxpin",
      a("mxpin"),
      tlsa("mxpin", `3 0 1 ${cert256(c("mxpin.good.test"))}`),
      // A matching record, an expired certificate.
      "expired IN MX 0 mxexp",
      a("mxexp"),
      tlsa("mxexp", `3 1 1 ${spki256(c("mxexp.good.test"))}`),
    ]),
    "plain.test": zone("plain.test", [
      "@ IN MX 0 mx",
      a("mx"),
      tlsa("mx", `3 1 1 ${spki256(c("mx.plain.test"))}`),
    ]),
    "bogus.test": zone("bogus.test", [
      "@ IN MX 0 mx",
      a("mx"),
      tlsa("mx", `3 1 1 ${spki256(c("mx.bogus.test"))}`),
    ]),
  };
}

function unboundConf(dir: string, anchors: string[], zones: string[]): string {
  return `server:
  interface: ${RESOLVER}
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${join(dir, "unbound.pid")}"
  use-syslog: no
  logfile: ""
  verbosity: 1
  val-log-level: 2
  do-ip6: no
  access-control: 10.232.0.0/16 allow
  module-config: "validator iterator"
  harden-dnssec-stripped: yes
  qname-minimisation: no
  # No Extended DNS Errors: Unbound's code for one bogus zone varies with its cache (7 Signature
  # Expired when it validates, 6 DNSSEC Bogus from the cache), and the verdicts are pinned whole.
  ede: no
  # Unbound answers the RFC 6761 name test. itself (NXDOMAIN) unless told not to.
  local-zone: "test." nodefault
${anchors.map((file) => `  trust-anchor-file: "${file}"`).join("\n")}
remote-control:
  control-enable: no
${zones.map((name) => `stub-zone:\n  name: "${name}"\n  stub-addr: ${NS}\n`).join("")}`;
}

/** Builds the lab under namespace prefix `prefix` (mp-...). */
export async function createDaneLab(prefix: string, dir: string): Promise<DaneLab> {
  const net = await TestNetwork.create(prefix, dir);
  try {
    const ca = await labCert({ commonName: "Lab DANE CA", ca: true, notAfterDays: 3650 });
    const certs = new Map<LabHost, LabCert>();
    for (const [name, spec] of Object.entries(HOSTS)) {
      certs.set(name as LabHost, await labCert({ commonName: name, ...spec }, ca));
    }
    const stranger = await labCert({ commonName: "mxbad.good.test" }, ca);
    const caFile = join(dir, "lab-ca.pem");
    writeFileSync(caFile, ca.certPem);

    // DNS: three zones, two signed (one with signatures that expired long ago).
    const dnsDir = join(dir, "dns");
    mkdirSync(dnsDir, { recursive: true });
    const zones = labZones(certs, stranger);
    for (const [name, text] of Object.entries(zones))
      writeFileSync(join(dnsDir, `${name}.zone`), text);
    const goodDs = await ldnsSignZone(dnsDir, "good.test", "good.test.zone");
    const bogusDs = await ldnsSignZone(dnsDir, "bogus.test", "bogus.test.zone", {
      inception: "20200101000000",
      expiration: "20200201000000",
    });
    const served = {
      "good.test": "good.test.zone.signed",
      "plain.test": "plain.test.zone",
      "bogus.test": "bogus.test.zone.signed",
    };
    writeFileSync(join(dnsDir, "nsd.conf"), nsdConf({ address: NS, dir: dnsDir, zones: served }));
    await run("nsd-checkconf", [join(dnsDir, "nsd.conf")], { timeout: 15_000 });
    const anchors = [join(dnsDir, "good.test.anchor"), join(dnsDir, "bogus.test.anchor")];
    writeFileSync(anchors[0] as string, goodDs);
    writeFileSync(anchors[1] as string, bogusDs);
    writeFileSync(join(dnsDir, "unbound.conf"), unboundConf(dnsDir, anchors, Object.keys(served)));
    await run("unbound-checkconf", [join(dnsDir, "unbound.conf")], { timeout: 15_000 });

    const ns = await net.addHost("ns", NS);
    const res = await net.addHost("res", RESOLVER);
    const gw = await net.addHost("gw", GW);
    const operator = await net.addHost("op", OPERATOR, RESOLVER);
    net.start(ns, "nsd", "nsd", ["-d", "-c", join(dnsDir, "nsd.conf")]);
    await net.waitListening(ns, 53, "udp");
    net.start(res, "unbound", "unbound", ["-d", "-c", join(dnsDir, "unbound.conf")]);
    await net.waitListening(res, 53, "udp");

    // SMTP (STARTTLS) and POP3 (STLS), every host's certificate chosen by SNI.
    const files: Record<string, { cert: string; key: string }> = {};
    for (const [name, cert] of certs) {
      files[name] = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
      writeFileSync(files[name].cert, cert.certPem);
      writeFileSync(files[name].key, cert.keyPem);
    }
    const config: FaultServerConfig = {
      listen: GW,
      ports: [{ port: 25, mode: "smtp" }],
      certs: files,
      defaultCert: "mx1.good.test",
    };
    writeFileSync(join(dir, "smtp.json"), JSON.stringify(config, null, 2));
    net.start(gw, "smtp", process.execPath, [
      "--import",
      "tsx",
      join(__dirname, "fault-server.ts"),
      "--config",
      join(dir, "smtp.json"),
    ]);
    await net.waitListening(gw, 25);
    const { "mx1.good.test": first, ...rest } = files;
    await startPop3Lab(net, gw, join(dir, "dovecot"), first as never, {
      byName: rest,
      weakCertificates: true,
    });
    return { net, operator, dir, caFile, certs, stranger, destroy: () => net.destroy() };
  } catch (error) {
    await net.destroy();
    throw error;
  }
}
