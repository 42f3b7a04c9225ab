// Pure: the DANE plan (TLSA records per host and key generation, DNSSEC ownership, TLS reporting), the TLSA
// hash of a key, and the text of the commands that record a publication and enforce the rollover wait.
import { DEFAULTS } from "../defaults";
import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import type { GatewayPoolArgs, KeyRolloverStep } from "../args";
import type { SettingsPlan } from "./settings";
import { normalizeDnsName, relativeName } from "./names";
import { shQuote } from "./shell";

/** Cloudflare serves TTL 1 ("automatic") as 300 seconds (Cloudflare DNS docs, "Time to Live (TTL)"). */
const AUTOMATIC_TTL = 300;
/** Default TTL of the TLSA records, seconds. */
export const DANE_DEFAULT_TTL = DEFAULTS.dane.ttl;

/** TLSA `3 1 1`: DANE-EE, SubjectPublicKeyInfo, SHA-256 (RFC 6698 2.1, RFC 7672 3.1, RFC 7218 names). */
export const TLSA_USAGE_DANE_EE = 3;
export const TLSA_SELECTOR_SPKI = 1;
export const TLSA_MATCHING_SHA256 = 1;

/** The DER SubjectPublicKeyInfo of a PEM certificate or PEM public key. */
export function spkiOfPem(pem: string): Buffer {
  const key = pem.includes("-----BEGIN CERTIFICATE-----")
    ? new X509Certificate(pem).publicKey
    : createPublicKey(pem);
  return key.export({ type: "spki", format: "der" });
}

/**
 * The certificate association data of a `3 1 1` TLSA record: SHA-256 of the DER SubjectPublicKeyInfo, lower-
 * case hex (64 digits), from a PEM certificate or public key. It follows the key: a renewal on the same key
 * keeps it.
 */
export function tlsaSha256(pem: string): string {
  return createHash("sha256").update(spkiOfPem(pem)).digest("hex");
}

/** The keys of one host: which generations exist, which one the certificate is on. */
export interface HostKeyPlan {
  hostname: string;
  /** Resource-name key of the host (`msgw1`). */
  key: string;
  /** `dane.keys[host].generation` (default 1). */
  generation: number;
  rollover: KeyRolloverStep | undefined;
  /** Generations whose key exists: `[generation]`, or `[generation, generation + 1]` during a rollover. */
  generations: number[];
  /** The generation the certificate is issued on: `generation + 1` at the `serve` step. */
  serving: number;
}

/** The role of a TLSA record during a rollover. */
export type TlsaRole = "current" | "next" | "previous";

/** One host's TLSA records. */
export interface DaneHostPlan {
  hostname: string;
  key: string;
  /** `_<smtp port>._tcp.<host>` (RFC 7672 2.2: TLSA base domain of the MX host, port of the service). */
  recordName: string;
  /** One record per key generation of the host, current first. */
  records: Array<{ generation: number; role: TlsaRole }>;
  serving: number;
  rollover: KeyRolloverStep | undefined;
}

/** The legacy gateway's TLSA record (while migrating, when its key is given). */
export interface DaneLegacyPlan {
  hostname: string;
  key: string;
  recordName: string;
  /** SHA-256 of its SubjectPublicKeyInfo, lower-case hex. */
  sha256: string;
}

/** Everything DANE adds to the pool, from plain arguments. */
export interface DanePlan {
  enabled: boolean;
  dnssec: "pool" | "operator";
  /** TTL of the TLSA records as given to Cloudflare (1 = automatic). */
  ttl: number;
  /** Least time between publishing a next key's record and serving that key: twice the served TTL. */
  waitSeconds: number;
  /** Keys of every host the pool issues a certificate for (also with DANE off). */
  keys: HostKeyPlan[];
  /** Hosts with TLSA records: every pool host (active, standby and draining) when enabled. */
  hosts: DaneHostPlan[];
  legacy: DaneLegacyPlan | undefined;
  /** `_smtp._tls.<mailDomain>` TXT (RFC 8460 3), when addresses are given and DANE is on. */
  tlsReporting: { name: string; content: string } | undefined;
}

/** Decides keys, TLSA records and the DNSSEC owner. Arguments are valid (checked by the schema first). */
export function planDane(args: GatewayPoolArgs, plan: SettingsPlan): DanePlan {
  const dane = args.dane;
  const enabled = dane?.enabled === true;
  const ttl = dane?.ttl ?? DANE_DEFAULT_TTL;
  const byName = new Map(
    Object.entries(dane?.keys ?? {}).map(([name, k]) => [normalizeDnsName(name), k]),
  );
  const keys: HostKeyPlan[] =
    plan.certificates.mode === "gateway-lets-encrypt"
      ? []
      : plan.hosts.map((h) => {
          const k = byName.get(h.hostname);
          const generation = k?.generation ?? 1;
          const rollover = k?.rollover;
          return {
            hostname: h.hostname,
            key: h.key,
            generation,
            rollover,
            generations: rollover === undefined ? [generation] : [generation, generation + 1],
            serving: rollover === "serve" ? generation + 1 : generation,
          };
        });
  const port = plan.gateway.ports.smtp;
  const hosts: DaneHostPlan[] = enabled
    ? keys.map((k) => ({
        hostname: k.hostname,
        key: k.key,
        recordName: `_${port}._tcp.${k.hostname}`,
        records: k.generations
          .map((generation) => ({
            generation,
            role: (generation === k.serving
              ? "current"
              : generation > k.serving
                ? "next"
                : "previous") as TlsaRole,
          }))
          .sort((a, b) => (a.role === "current" ? -1 : b.role === "current" ? 1 : 0)),
        serving: k.serving,
        rollover: k.rollover,
      }))
    : [];
  const legacyPem = dane?.legacyPublicKeyPem;
  const legacy =
    enabled && plan.legacy?.phase === "migrating" && legacyPem !== undefined
      ? {
          hostname: plan.legacy.hostname,
          key: plan.legacy.key,
          recordName: `_${port}._tcp.${plan.legacy.hostname}`,
          sha256: tlsaSha256(legacyPem),
        }
      : undefined;
  const rua = dane?.tlsReportingRua;
  return {
    enabled,
    dnssec: dane?.dnssec ?? DEFAULTS.dane.dnssec,
    ttl,
    waitSeconds: 2 * (ttl === 1 ? AUTOMATIC_TTL : ttl),
    keys,
    hosts,
    legacy,
    tlsReporting:
      enabled && rua !== undefined
        ? { name: `_smtp._tls.${plan.mailDomain}`, content: tlsReportingText(rua) }
        : undefined,
  };
}

/** `v=TLSRPTv1; rua=<a>,<b>` (RFC 8460 3: addresses separated by commas). */
export function tlsReportingText(rua: string[]): string {
  return `v=TLSRPTv1; rua=${rua.join(",")}`;
}

/**
 * Shell command recording when a TLSA record was first published: prints the current UTC time (RFC 3339)
 * on creation, and its previous output on any later run, so the time in state never moves until the
 * record itself is replaced (a trigger).
 */
export const PUBLISH_MARKER_COMMAND =
  'if [ -n "${PULUMI_COMMAND_STDOUT:-}" ]; then printf %s "$PULUMI_COMMAND_STDOUT"; else date -u +%Y-%m-%dT%H:%M:%SZ; fi';

/** Environment of {@link serveGateCommand}. */
export const SERVE_GATE_ENV = {
  generation: "MSGW_DANE_GENERATION",
  publishedAt: "MSGW_DANE_PUBLISHED_AT",
  waitSeconds: "MSGW_DANE_WAIT_SECONDS",
  hostname: "MSGW_DANE_HOST",
} as const;

const GATE_SCRIPT = [
  "const e=process.env;",
  `const gen=e.${SERVE_GATE_ENV.generation},prev=(e.PULUMI_COMMAND_STDOUT||"").trim();`,
  "if(prev===gen||prev===''){process.stdout.write(gen);process.exit(0)}",
  `const at=Date.parse(e.${SERVE_GATE_ENV.publishedAt}),ready=at+1000*Number(e.${SERVE_GATE_ENV.waitSeconds});`,
  "if(!Number.isFinite(ready)){console.error('DANE: no publication time for the TLSA record of key generation '+gen+' of '+e." +
    SERVE_GATE_ENV.hostname +
    "+'; refusing to serve that key');process.exit(1)}",
  "if(Date.now()<ready){console.error('DANE: '+e." +
    SERVE_GATE_ENV.hostname +
    "+' may serve key generation '+gen+' only once its TLSA record (published '+new Date(at).toISOString()+') has been cached by every sender, twice its TTL ('+e." +
    SERVE_GATE_ENV.waitSeconds +
    "+' s): wait until '+new Date(ready).toISOString()+', then run pulumi up again');process.exit(1)}",
  "process.stdout.write(gen)",
].join("");

/**
 * The serve gate: on creation (DANE just turned on for the host: no sender holds a TLSA record for it yet)
 * it records the served key generation; on every later run it passes when the generation is unchanged,
 * and otherwise only once `waitSeconds` have passed since that generation's TLSA record was published,
 * else it fails with "wait until <time>" and the certificate on the new key is not issued. Its stdout is
 * the generation now served, which the next run reads as PULUMI_COMMAND_STDOUT.
 */
export function serveGateCommand(): string {
  return `node -e ${shQuote(GATE_SCRIPT, { always: true })}`;
}

/**
 * Zone-file lines of the DANE records (appended to the pool's zone-file fragment): each host's TLSA records
 * (`3 1 1 <hex>`, presentation form) and the TLS reporting TXT record, names relative to the zone. TTL 1
 * ("automatic" at Cloudflare) is written as 300.
 */
export function daneZoneFileLines(
  plan: DanePlan,
  zoneName: string,
  records: Array<{ recordName: string; rdata: string }>,
): string {
  const ttl = String(plan.ttl === 1 ? AUTOMATIC_TTL : plan.ttl);
  const rows = records.map((r) => [relativeName(r.recordName, zoneName), "TLSA", r.rdata]);
  if (plan.tlsReporting) {
    rows.push([
      relativeName(plan.tlsReporting.name, zoneName),
      "TXT",
      JSON.stringify(plan.tlsReporting.content),
    ]);
  }
  return rows
    .map(([owner, type, data]) => `${owner} ${ttl.padStart(5)} IN ${type} ${data}\n`)
    .join("");
}
