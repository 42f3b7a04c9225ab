// I/O: DANE resources from the DANE plan: the hosts' TLS keys per generation, one TLSA record per key, the
// commands that record each record's publication and hold a new key back until it is cached, Cloudflare
// DNSSEC (never turned off by the pool), the TLS reporting record and the `dane` output.
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import * as command from "@pulumi/command";
import * as tls from "@pulumi/tls";
import type { CertificatePlan } from "../plan/certificates-plan";
import {
  PUBLISH_MARKER_COMMAND,
  SERVE_GATE_ENV,
  TLSA_MATCHING_SHA256,
  TLSA_SELECTOR_SPKI,
  TLSA_USAGE_DANE_EE,
  serveGateCommand,
  tlsaSha256,
  type DanePlan,
  type TlsaRole,
} from "../plan/dane";
import { fitRecordComment } from "../plan/limits";
import { commandDirectory } from "./command-directory";

/** One TLSA record as the `dane` output reports it. */
export interface TlsaRecordOutput {
  generation: number;
  /** `current` (served), `next` (published ahead of a rollover) or `previous` (kept until the rollover ends). */
  role: TlsaRole;
  /** Presentation form: `3 1 1 <sha256 hex>`. */
  rdata: string;
  /** When the pool first published it (RFC 3339). */
  publishedAt: string;
}

/** DANE state of one host. */
export interface DaneHostOutput {
  hostname: string;
  /** `_25._tcp.<host>` (the SMTP port). */
  recordName: string;
  /** Key generation the certificate is on. */
  servingGeneration: number;
  /** `none`, `publish` (next record published) or `serve` (certificate on the next key). */
  rollover: "none" | "publish" | "serve";
  /** During `publish`: from when the next update may serve the next key (RFC 3339). */
  serveAllowedFrom: string | null;
  records: TlsaRecordOutput[];
}

/** What `dane` reports. */
export interface DaneOutput {
  /** `pool`: the pool turned Cloudflare DNSSEC on; `operator`: signed elsewhere. */
  dnssec: "pool" | "operator";
  /** DS record for the registrar (`pool` only; Cloudflare Registrar adds it itself). */
  ds: string | null;
  /** TTL of the TLSA records, seconds. */
  ttl: number;
  hosts: DaneHostOutput[];
  /** The legacy gateway's TLSA record, or null when it has none (not covered by DANE). */
  legacy: { hostname: string; recordName: string; rdata: string } | null;
  /** The TLS reporting TXT record's content, or null. */
  tlsReporting: string | null;
}

/** The hosts' keys by host name and generation. */
export type HostKeys = Map<string, Map<number, tls.PrivateKey>>;

/**
 * One `tls.PrivateKey` per host and key generation. Generation 1 keeps the name the pool always gave a
 * host key (`<pool>-<host>-tls-key`), so turning DANE on replaces nothing; later generations are
 * `<pool>-<host>-tls-key-g<N>`.
 */
export function createHostKeys(
  name: string,
  plan: DanePlan,
  certificates: CertificatePlan,
  parent: pulumi.Resource,
): HostKeys {
  const keys: HostKeys = new Map();
  for (const k of plan.keys) {
    const cert = certificates.hosts.find((h) => h.hostname === k.hostname);
    if (cert === undefined) continue;
    const byGeneration = new Map<number, tls.PrivateKey>();
    for (const g of k.generations) {
      byGeneration.set(
        g,
        new tls.PrivateKey(
          g === 1 ? `${name}-${k.key}-tls-key` : `${name}-${k.key}-tls-key-g${g}`,
          { algorithm: cert.keyAlgorithm, ecdsaCurve: cert.ecdsaCurve },
          { parent },
        ),
      );
    }
    keys.set(k.hostname, byGeneration);
  }
  return keys;
}

/** Result of {@link createDane}. */
export interface DaneResources {
  /** TLSA records per host name: the host's MX record depends on them. */
  records: Map<string, pulumi.Resource[]>;
  /** Per host name, what the certificate waits for before it is issued (the serve gate). */
  certificateDependsOn: Map<string, pulumi.Resource[]>;
  output: pulumi.Output<DaneOutput> | undefined;
}

/** Creates the DANE resources exactly as planned (nothing when DANE is off). */
export function createDane(args: {
  name: string;
  plan: DanePlan;
  zoneId: pulumi.Input<string>;
  keys: HostKeys;
  parent: pulumi.Resource;
}): DaneResources {
  const { name, plan, zoneId, keys, parent } = args;
  const records = new Map<string, pulumi.Resource[]>();
  const certificateDependsOn = new Map<string, pulumi.Resource[]>();
  if (!plan.enabled) return { records, certificateDependsOn, output: undefined };

  const dnssec =
    plan.dnssec === "pool"
      ? new cloudflare.ZoneDnssec(
          `${name}-dnssec`,
          { zoneId, status: "active" },
          // A DS record at the registrar with signing off makes every name of the zone bogus: the pool
          // never turns signing off, on destroy or on `dane.enabled: false` alike.
          { parent, retainOnDelete: true },
        )
      : undefined;
  const signed = dnssec === undefined ? [] : [dnssec];
  const dir = commandDirectory();
  const tlsa = (
    resourceName: string,
    recordName: string,
    hash: pulumi.Input<string>,
    what: string,
  ) =>
    new cloudflare.DnsRecord(
      resourceName,
      {
        zoneId,
        name: recordName,
        type: "TLSA",
        ttl: plan.ttl,
        data: {
          usage: TLSA_USAGE_DANE_EE,
          selector: TLSA_SELECTOR_SPKI,
          matchingType: TLSA_MATCHING_SHA256,
          certificate: hash,
        },
        comment: fitRecordComment(`DANE-EE for ${what} (pool ${name})`),
      },
      { parent, dependsOn: signed },
    );

  const hostOutputs = plan.hosts.map((h) => {
    const made = h.records.map((r) => {
      // The plan gives every TLSA record a key generation that createHostKeys made.
      const key = keys.get(h.hostname)?.get(r.generation);
      if (key === undefined) throw new Error(`${h.hostname}: no key of generation ${r.generation}`);
      const hash = key.publicKeyPem.apply(tlsaSha256);
      const record = tlsa(
        `${name}-${h.key}-tlsa-g${r.generation}`,
        h.recordName,
        hash,
        `${h.hostname} key ${r.generation}`,
      );
      const published = new command.local.Command(
        `${name}-${h.key}-tlsa-g${r.generation}-published`,
        {
          create: PUBLISH_MARKER_COMMAND,
          dir,
          addPreviousOutputInEnv: true,
          // A new record (or a new key under it) is a new publication.
          triggers: [record.id, hash],
        },
        { parent },
      );
      return { ...r, record, hash, publishedAt: published.stdout };
    });
    records.set(
      h.hostname,
      made.map((m) => m.record),
    );
    const served = made.find((m) => m.generation === h.serving) as (typeof made)[number];
    const script = serveGateCommand();
    const gate = new command.local.Command(
      `${name}-${h.key}-dane-serve`,
      {
        create: script,
        update: script,
        dir,
        addPreviousOutputInEnv: true,
        environment: {
          [SERVE_GATE_ENV.generation]: String(h.serving),
          [SERVE_GATE_ENV.publishedAt]: served.publishedAt,
          [SERVE_GATE_ENV.waitSeconds]: String(plan.waitSeconds),
          [SERVE_GATE_ENV.hostname]: h.hostname,
        },
      },
      { parent, dependsOn: made.map((m) => m.record) },
    );
    certificateDependsOn.set(h.hostname, [gate]);
    return pulumi
      .all(made.map((m) => pulumi.all([m.hash, m.publishedAt])))
      .apply((facts): DaneHostOutput => {
        const list = made.map((m, i) => ({
          generation: m.generation,
          role: m.role,
          rdata: `3 1 1 ${facts[i][0]}`,
          publishedAt: facts[i][1],
        }));
        const next = list.find((r) => r.role === "next");
        const nextAt = next === undefined ? NaN : Date.parse(next.publishedAt);
        return {
          hostname: h.hostname,
          recordName: h.recordName,
          servingGeneration: h.serving,
          rollover: h.rollover ?? "none",
          serveAllowedFrom: Number.isFinite(nextAt)
            ? new Date(nextAt + plan.waitSeconds * 1000).toISOString()
            : null,
          records: list,
        };
      });
  });

  if (plan.legacy) {
    const l = plan.legacy;
    records.set(l.hostname, [
      tlsa(`${name}-${l.key}-tlsa`, l.recordName, l.sha256, `legacy gateway ${l.hostname}`),
    ]);
  }
  if (plan.tlsReporting) {
    new cloudflare.DnsRecord(
      `${name}-tlsrpt`,
      {
        zoneId,
        name: plan.tlsReporting.name,
        type: "TXT",
        ttl: plan.ttl,
        content: plan.tlsReporting.content,
        comment: fitRecordComment(`SMTP TLS reporting (pool ${name})`),
      },
      { parent },
    );
  }
  const output = pulumi
    .all([pulumi.all(hostOutputs), dnssec?.ds ?? pulumi.output(null)])
    .apply(([hosts, ds]): DaneOutput => ({
      dnssec: plan.dnssec,
      ds: ds ?? null,
      ttl: plan.ttl,
      hosts,
      legacy: plan.legacy
        ? {
            hostname: plan.legacy.hostname,
            recordName: plan.legacy.recordName,
            rdata: `3 1 1 ${plan.legacy.sha256}`,
          }
        : null,
      tlsReporting: plan.tlsReporting?.content ?? null,
    }));
  return { records, certificateDependsOn, output };
}
