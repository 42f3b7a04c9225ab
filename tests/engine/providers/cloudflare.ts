/**
 * Stand-in for the `cloudflare` provider (@pulumi/cloudflare 6.x, a bridge of cloudflare/terraform-provider-
 * cloudflare 5.x): `cloudflare.DnsRecord` (TLSA records through `data`), `cloudflare.ZoneDnssec` and
 * `cloudflare.getZone`. Records live in the fake account (the cloud directory); after every change the zone
 * is rendered as a zone file into `dnsZoneDir`, signed with `ldns-signzone` when its DNSSEC is active (real
 * RRSIG, DNSKEY and NSEC records; the DS record `ZoneDnssec` reports is the trust anchor of a test's
 * validating resolver), and NSD is told to reload it, so DNS queries see what the engine deployed. `read`
 * returns the live record, so `import` (id `<zoneId>/<recordId>`) adopts a record that already exists.
 *
 * Only `zoneId` replaces a record (terraform-provider-cloudflare internal/services/dns_record/schema.go:
 * `zone_id` has `stringplanmodifier.RequiresReplace()`; every other attribute is updated in place).
 */
import { execFile, execFileSync } from "node:child_process";
import { isIPv4, isIPv6 } from "node:net";
import { mkdirSync, readFileSync, readdirSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Cloud, StandInSettings } from "./context";
import type {
  Failure,
  Props,
  ReadFound,
  ResourceType,
  StandInPackage,
  FunctionType,
} from "./framework";
import { ApiError, UNKNOWN, hex, sdkVersion, stableHex } from "./framework";

const run = promisify(execFile);

/** A zone of the fake account. */
export interface FakeZone {
  id: string;
  name: string;
  plan: "Free" | "Pro" | "Business" | "Enterprise";
  serial: number;
  /** DNSSEC status (`cloudflare.ZoneDnssec`); absent: never turned on. */
  dnssec?: "active" | "disabled";
  /** Signature validity override for tests (RFC 3339 inception/expiration); default now-1h .. now+14d. */
  signatureWindow?: { inception: string; expiration: string };
}

/** TLSA record components (DNS records API, TLSA `data`). */
export interface TlsaData {
  usage: number;
  selector: number;
  matchingType: number;
  certificate: string;
}

/** A DNS record as the Cloudflare API stores it. */
export interface FakeRecord {
  id: string;
  zoneId: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  priority?: number;
  comment?: string;
  /** TLSA components; `content` is then their presentation form. */
  data?: TlsaData;
  tags: string[];
  createdOn: string;
  modifiedOn: string;
}

/** Zone id of a zone name (stable, 32 hex characters like Cloudflare's). */
export function zoneIdOf(name: string): string {
  return stableHex(`zone/${name}`, 32);
}

/** The zones of the fake account, created from the settings on first use. */
export function zones(cloud: Cloud, settings: StandInSettings): FakeZone[] {
  for (const name of settings.zones ?? ["example.com"]) {
    cloud.create("cf-zones", zoneIdOf(name), {
      id: zoneIdOf(name),
      name,
      plan: "Free",
      serial: 1,
    } satisfies FakeZone);
  }
  return [...cloud.list<FakeZone>("cf-zones").values()];
}

function zoneById(
  ctx: { cloud: Cloud; settings: StandInSettings },
  zoneId: string,
): FakeZone | undefined {
  return zones(ctx.cloud, ctx.settings).find((z) => z.id === zoneId);
}

function records(cloud: Cloud, zoneId: string): FakeRecord[] {
  return [...cloud.list<FakeRecord>(`cf-records-${zoneId}`).values()];
}

/** The error text the provider prints for a Cloudflare API error (cloudflare-go v4 apierror). */
function cfError(
  method: string,
  path: string,
  errors: { code: number; message: string; error_chain?: { code: number; message: string }[] }[],
): ApiError {
  return new ApiError(
    `failed to make http request: ${method} "https://api.cloudflare.com/client/v4${path}": 400 Bad Request ` +
      JSON.stringify({ errors, messages: [], success: false, result: null }),
  );
}

/** A DNS validation error: code 1004 with the specific rule in `error_chain` (as the API reports it). */
function validation(method: string, path: string, code: number, message: string): ApiError {
  return cfError(method, path, [
    { code: 1004, message: "DNS Validation Error", error_chain: [{ code, message }] },
  ]);
}

/** Record types that can be proxied (Cloudflare DNS docs, "Proxy status": A, AAAA, CNAME). */
const PROXIABLE = ["A", "AAAA", "CNAME"];
/** Comment length per plan (Cloudflare DNS docs, "Record attributes": Free 100, paid plans 500). */
const COMMENT_MAX: Record<FakeZone["plan"], number> = {
  Free: 100,
  Pro: 500,
  Business: 500,
  Enterprise: 500,
};
const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** The record name as the API stores it: names outside the zone are taken as relative to it. */
export function fullName(name: string, zone: string): string {
  const n = name.replace(/\.$/, "").toLowerCase();
  if (n === "@" || n === "") return zone;
  return n === zone || n.endsWith(`.${zone}`) ? n : `${n}.${zone}`;
}

/** Cloudflare API rules a record must pass (create and update). Throws the API's error. */
function validate(p: Props, zone: FakeZone, method: string, path: string): void {
  const type = p.type as string;
  const ttl = p.ttl as number;
  // DNS records API, ttl: "1 means automatic; 60–86400 seconds (30 minimum on Enterprise zones)".
  const minTtl = zone.plan === "Enterprise" ? 30 : 60;
  if (ttl !== 1 && (ttl < minTtl || ttl > 86400)) {
    throw validation(
      method,
      path,
      9021,
      `TTL must be between ${minTtl} and 86400 seconds, or 1 for Automatic.`,
    );
  }
  const content = p.content as string | undefined;
  if (type === "A" && !isIPv4(content ?? "")) {
    throw validation(method, path, 9005, "Content for A record must be a valid IPv4 address.");
  }
  if (type === "AAAA" && !isIPv6(content ?? "")) {
    throw validation(method, path, 9006, "Content for AAAA record must be a valid IPv6 address.");
  }
  if (type === "MX") {
    const priority = p.priority as number | undefined;
    // DNS records API, MX priority: required, 0–65535 (RFC 1035 3.3.9 PREFERENCE is 16 bits).
    if (priority === undefined || !Number.isInteger(priority) || priority < 0 || priority > 65535) {
      throw validation(
        method,
        path,
        9102,
        `MX priority must be an integer between 0 and 65535, got ${String(priority)}.`,
      );
    }
    if (!HOSTNAME.test((content ?? "").replace(/\.$/, ""))) {
      throw validation(method, path, 9008, "Content for MX record must be a valid hostname.");
    }
  }
  if (type === "TLSA") tlsaRules(p, method, path);
  if (p.proxied === true && !PROXIABLE.includes(type)) {
    throw validation(method, path, 9004, "This record type cannot be proxied.");
  }
  const comment = p.comment as string | undefined;
  if (comment !== undefined && [...comment].length > COMMENT_MAX[zone.plan]) {
    throw validation(
      method,
      path,
      9101,
      `DNS record comment has ${[...comment].length} characters; the zone's ${zone.plan} plan allows ${COMMENT_MAX[zone.plan]}.`,
    );
  }
}

/**
 * TLSA records (DNS records API, TLSA record: `data.usage`, `data.selector`, `data.matching_type` 0–255,
 * `data.certificate` hex; `content` is the formatted form and is not accepted in place of `data`).
 */
function tlsaRules(p: Props, method: string, path: string): void {
  const data = p.data as Partial<TlsaData> | undefined;
  if (data === undefined || data === null || typeof data !== "object") {
    throw validation(
      method,
      path,
      9201,
      "TLSA record requires data (usage, selector, matching_type, certificate).",
    );
  }
  if (p.content !== undefined && p.content !== "") {
    throw validation(method, path, 9202, "Content for TLSA record is read-only; set data instead.");
  }
  for (const [key, api] of [
    ["usage", "usage"],
    ["selector", "selector"],
    ["matchingType", "matching_type"],
  ] as const) {
    const v = data[key];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 255) {
      throw validation(
        method,
        path,
        9203,
        `TLSA data.${api} must be an integer between 0 and 255, got ${String(v)}.`,
      );
    }
  }
  if (typeof data.certificate !== "string" || !/^([0-9a-fA-F]{2})+$/.test(data.certificate)) {
    throw validation(method, path, 9204, "TLSA data.certificate must be a hexadecimal string.");
  }
}

/** The presentation form of TLSA data (`3 1 1 <hex>`), as the API reports it in `content`. */
export function tlsaContent(d: TlsaData): string {
  return `${d.usage} ${d.selector} ${d.matchingType} ${d.certificate.toLowerCase()}`;
}

/** The zone file NSD serves: SOA, NS, the name server's address, then every record of the zone. */
export function zoneFileText(zone: FakeZone, recs: FakeRecord[], nsAddress: string): string {
  const lines = [
    `$ORIGIN ${zone.name}.`,
    "$TTL 300",
    `@ IN SOA ns1.${zone.name}. hostmaster.${zone.name}. ${zone.serial} 3600 600 86400 60`,
    `@ IN NS ns1.${zone.name}.`,
    `ns1.${zone.name}. IN A ${nsAddress}`,
  ];
  const sorted = [...recs].sort((a, b) =>
    `${a.name} ${a.type} ${a.content}`.localeCompare(`${b.name} ${b.type} ${b.content}`),
  );
  for (const r of sorted) {
    // TTL 1 (automatic) is served as 300 seconds (Cloudflare DNS docs, "Time to Live (TTL)").
    const ttl = r.ttl === 1 ? 300 : r.ttl;
    const rdata =
      r.type === "MX"
        ? `${r.priority} ${r.content.replace(/\.$/, "")}.`
        : r.type === "CNAME" || r.type === "NS"
          ? `${r.content.replace(/\.$/, "")}.`
          : r.type === "TXT"
            ? JSON.stringify(r.content)
            : r.content;
    lines.push(`${r.name}. ${ttl} IN ${r.type} ${rdata}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes `<dnsZoneDir>/<zone>.zone` from the fake account's records (atomically). */
export function writeZoneFile(
  cloud: Cloud,
  settings: StandInSettings,
  zone: FakeZone,
): string | undefined {
  if (!settings.dnsZoneDir) return undefined;
  mkdirSync(settings.dnsZoneDir, { recursive: true });
  const file = join(settings.dnsZoneDir, `${zone.name}.zone`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    zoneFileText(zone, records(cloud, zone.id), settings.nsAddress ?? "127.0.0.1"),
  );
  if (zone.dnssec === "active") {
    signZoneFile(tmp, zone.name, zoneKeys(cloud, zone.name), zone.signatureWindow);
  }
  renameSync(tmp, file);
  return file;
}

/** The signing keys of a zone (KSK and ZSK, ECDSA P-256 SHA-256, algorithm 13): key file base names. */
export interface ZoneKeys {
  dir: string;
  ksk: string;
  zsk: string;
}

/** The zone's keys in the fake account, generated with `ldns-keygen` the first time DNSSEC is turned on. */
export function zoneKeys(cloud: Cloud, zoneName: string): ZoneKeys {
  const dir = join(cloud.dir, "cf-dnssec-keys", zoneName);
  mkdirSync(dir, { recursive: true });
  const find = (flag: number): string | undefined =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".key"))
      .find((f) => new RegExp(`DNSKEY\\s+${flag}\\s`).test(readFileSync(join(dir, f), "utf8")))
      ?.replace(/\.key$/, "");
  const make = (ksk: boolean): string =>
    execFileSync(
      "ldns-keygen",
      ["-a", "ECDSAP256SHA256", ...(ksk ? ["-k"] : []), "-r", "/dev/urandom", zoneName],
      { cwd: dir, encoding: "utf8", timeout: 10_000 },
    ).trim();
  const ksk = find(257) ?? make(true);
  const zsk = find(256) ?? make(false);
  return { dir, ksk, zsk };
}

/** DS record of the zone's KSK (SHA-256 digest), in presentation form: `<zone>. <ttl> IN DS <tag> 13 2 <hex>`. */
export function zoneDs(keys: ZoneKeys): {
  ds: string;
  keyTag: number;
  digest: string;
  publicKey: string;
} {
  const dsFile = join(keys.dir, `${keys.ksk}.ds`);
  const ds = readFileSync(dsFile, "utf8").trim().replace(/\s+/g, " ");
  const m = /^(\S+) (\d+ )?IN DS (\d+) 13 2 ([0-9a-fA-F]+)$/.exec(ds);
  if (!m) throw new Error(`unexpected DS record from ldns-keygen: ${ds}`);
  const key = readFileSync(join(keys.dir, `${keys.ksk}.key`), "utf8")
    .trim()
    .split(/\s+/);
  const digest = (m[4] as string).toUpperCase();
  return {
    // The form the DNSSEC API reports: TTL 3600, upper-case digest.
    ds: `${m[1]} 3600 IN DS ${m[3]} 13 2 ${digest}`,
    keyTag: Number(m[3]),
    digest,
    publicKey: key.slice(key.indexOf("DNSKEY") + 4).join(""),
  };
}

/**
 * Signs a zone file in place with `ldns-signzone` (NSEC, both keys). The signatures are valid from an hour
 * before now (so a resolver's clock skew never makes them "not yet valid") to 14 days after, unless
 * `window` says otherwise (a test's expired zone).
 */
export function signZoneFile(
  file: string,
  zoneName: string,
  keys: ZoneKeys,
  window?: { inception: string; expiration: string },
): void {
  const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const inception = window ? new Date(window.inception) : new Date(Date.now() - 3600_000);
  const expiration = window ? new Date(window.expiration) : new Date(Date.now() + 14 * 86400_000);
  execFileSync(
    "ldns-signzone",
    [
      "-i",
      stamp(inception),
      "-e",
      stamp(expiration),
      "-o",
      zoneName,
      "-f",
      `${file}.signed`,
      file,
      join(keys.dir, keys.ksk),
      join(keys.dir, keys.zsk),
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  renameSync(`${file}.signed`, file);
}

/** Bumps the zone serial, rewrites the zone file and asks NSD to reload it (10 s deadline). */
export async function publish(
  ctx: { cloud: Cloud; settings: StandInSettings },
  zone: FakeZone,
): Promise<void> {
  const current = ctx.cloud.get<FakeZone>("cf-zones", zone.id) ?? zone;
  const next = { ...current, serial: current.serial + 1 };
  ctx.cloud.put("cf-zones", zone.id, next);
  if (!writeZoneFile(ctx.cloud, ctx.settings, next)) return;
  const control = ctx.settings.nsdControl;
  if (!control?.length) return;
  try {
    await run(control[0], [...control.slice(1), "reload", zone.name], { timeout: 10_000 });
  } catch (e) {
    throw new ApiError(
      `stand-in DNS: the change is saved in the fake Cloudflare account, but reloading NSD failed ` +
        `(${control.join(" ")} reload ${zone.name}): ${(e as Error).message.trim()}. Check that the test's NSD ` +
        `is running, then run pulumi up again.`,
    );
  }
}

const INPUT_KEYS = [
  "zoneId",
  "data",
  "name",
  "type",
  "content",
  "ttl",
  "proxied",
  "priority",
  "comment",
  "tags",
];

function asOutputs(r: FakeRecord): Props {
  const outs: Props = {
    zoneId: r.zoneId,
    name: r.name,
    type: r.type,
    content: r.content,
    ttl: r.ttl,
    proxied: r.proxied,
    proxiable: PROXIABLE.includes(r.type),
    tags: r.tags,
    createdOn: r.createdOn,
    modifiedOn: r.modifiedOn,
    meta: "{}",
    settings: { ipv4Only: false, ipv6Only: false },
  };
  if (r.priority !== undefined) outs.priority = r.priority;
  if (r.comment !== undefined) outs.comment = r.comment;
  if (r.data !== undefined) outs.data = { ...r.data };
  return outs;
}

function inputsOf(r: FakeRecord): Props {
  const out = asOutputs(r);
  const inputs: Props = {};
  for (const k of INPUT_KEYS) if (out[k] !== undefined) inputs[k] = out[k];
  if (r.tags.length === 0) delete inputs.tags;
  return inputs;
}

function tlsaDataOf(p: Props): TlsaData {
  const d = p.data as TlsaData;
  return {
    usage: d.usage,
    selector: d.selector,
    matchingType: d.matchingType,
    certificate: d.certificate.toLowerCase(),
  };
}

const dnsRecord: ResourceType = {
  token: "cloudflare:index/dnsRecord:DnsRecord",
  replaceOn: {
    zoneId: "terraform-provider-cloudflare dns_record/schema.go: zone_id RequiresReplace",
  },
  computed: [
    "createdOn",
    "modifiedOn",
    "proxiable",
    "meta",
    "commentModifiedOn",
    "tagsModifiedOn",
    "settings",
    "tags",
    "proxied",
    // Optional and computed: a TLSA record's content is derived from `data`.
    "content",
  ],
  defaults: { proxied: false },
  check(p) {
    const failures: Failure[] = [];
    for (const k of ["zoneId", "name", "type", "ttl"]) {
      if (p[k] === undefined)
        failures.push({ property: k, reason: `Missing required argument "${k}"` });
    }
    const type = p.type;
    const types = [
      "A",
      "AAAA",
      "CAA",
      "CERT",
      "CNAME",
      "DNSKEY",
      "DS",
      "HTTPS",
      "LOC",
      "MX",
      "NAPTR",
      "NS",
      "OPENPGPKEY",
      "PTR",
      "SMIMEA",
      "SRV",
      "SSHFP",
      "SVCB",
      "TLSA",
      "TXT",
      "URI",
    ];
    if (typeof type === "string" && type !== UNKNOWN && !types.includes(type)) {
      failures.push({
        property: "type",
        reason: `value must be one of: ${types.join(", ")}; got "${type}"`,
      });
    }
    if (typeof p.priority === "number" && (p.priority < 0 || p.priority > 65535)) {
      failures.push({
        property: "priority",
        reason: `value must be between 0 and 65535, got ${p.priority}`,
      });
    }
    return failures;
  },
  async create(p, ctx) {
    const zoneId = p.zoneId as string;
    const path = `/zones/${zoneId}/dns_records`;
    const zone = zoneById(ctx, zoneId);
    if (!zone)
      throw cfError("POST", path, [
        {
          code: 7003,
          message:
            "Could not route to /zones/" +
            zoneId +
            "/dns_records, perhaps your object identifier is invalid?",
        },
      ]);
    validate(p, zone, "POST", path);
    const name = fullName(p.name as string, zone.name);
    if (name !== (p.name as string).toLowerCase().replace(/\.$/, "")) {
      ctx.log(
        "warning",
        `record name ${String(p.name)} is outside zone ${zone.name}; Cloudflare stores it as ${name}`,
      );
    }
    const record = await ctx.cloud.withLock(`cf-zone-${zoneId}`, async () => {
      const existing = records(ctx.cloud, zoneId).filter((r) => r.name === name);
      const type = p.type as string;
      const data = type === "TLSA" ? tlsaDataOf(p) : undefined;
      const content = data ? tlsaContent(data) : ((p.content as string | undefined) ?? "");
      if (
        existing.some(
          (r) =>
            r.type === type &&
            r.content.toLowerCase() === content.toLowerCase() &&
            (type !== "MX" || r.priority === p.priority),
        )
      ) {
        throw cfError("POST", path, [
          { code: 81058, message: "An identical record already exists." },
        ]);
      }
      if (
        (type === "CNAME" && existing.length > 0) ||
        (["A", "AAAA"].includes(type) && existing.some((r) => r.type === "CNAME"))
      ) {
        throw cfError("POST", path, [
          { code: 81053, message: "An A, AAAA, or CNAME record with that host already exists." },
        ]);
      }
      const now = ctx.now().toISOString();
      const r: FakeRecord = {
        id: hex(32),
        zoneId,
        name,
        type,
        content,
        ttl: p.ttl as number,
        proxied: (p.proxied as boolean | undefined) ?? false,
        ...(p.priority !== undefined ? { priority: p.priority as number } : {}),
        ...(p.comment !== undefined ? { comment: p.comment as string } : {}),
        ...(data ? { data } : {}),
        tags: (p.tags as string[] | undefined) ?? [],
        createdOn: now,
        modifiedOn: now,
      };
      ctx.cloud.put(`cf-records-${zoneId}`, r.id, r);
      await publish(ctx, zone);
      return r;
    });
    return { id: record.id, outs: asOutputs(record) };
  },
  async read(id, state, ctx): Promise<ReadFound | undefined> {
    // Import ids are `<zoneId>/<recordId>` (dns_record import); refresh passes the record id and state.
    const [zoneId, recordId] = id.includes("/") ? id.split("/", 2) : [state.zoneId as string, id];
    const r = zoneId ? ctx.cloud.get<FakeRecord>(`cf-records-${zoneId}`, recordId) : undefined;
    if (!r) return undefined;
    return { id: r.id, outs: asOutputs(r), inputs: inputsOf(r) };
  },
  async update(id, olds, news, ctx) {
    const zoneId = olds.zoneId as string;
    const path = `/zones/${zoneId}/dns_records/${id}`;
    const zone = zoneById(ctx, zoneId);
    const current = ctx.cloud.get<FakeRecord>(`cf-records-${zoneId}`, id);
    if (!zone || !current)
      throw cfError("PATCH", path, [{ code: 81044, message: "Record does not exist." }]);
    validate(news, zone, "PATCH", path);
    const updated = await ctx.cloud.withLock(`cf-zone-${zoneId}`, async () => {
      const r: FakeRecord = {
        ...current,
        name: fullName(news.name as string, zone.name),
        type: news.type as string,
        content:
          news.type === "TLSA"
            ? tlsaContent(tlsaDataOf(news))
            : ((news.content as string | undefined) ?? ""),
        ...(news.type === "TLSA" ? { data: tlsaDataOf(news) } : {}),
        ttl: news.ttl as number,
        proxied: (news.proxied as boolean | undefined) ?? false,
        priority: news.priority as number | undefined,
        comment: news.comment as string | undefined,
        tags: (news.tags as string[] | undefined) ?? [],
        modifiedOn: ctx.now().toISOString(),
      };
      if (r.priority === undefined) delete r.priority;
      if (r.comment === undefined) delete r.comment;
      if (r.type !== "TLSA") delete r.data;
      const clash = records(ctx.cloud, zoneId).find(
        (x) =>
          x.id !== id &&
          x.name === r.name &&
          x.type === r.type &&
          x.content === r.content &&
          x.priority === r.priority,
      );
      if (clash)
        throw cfError("PATCH", path, [
          { code: 81058, message: "An identical record already exists." },
        ]);
      ctx.cloud.put(`cf-records-${zoneId}`, id, r);
      await publish(ctx, zone);
      return r;
    });
    return asOutputs(updated);
  },
  async delete(id, state, ctx) {
    const zoneId = state.zoneId as string;
    const zone = zoneById(ctx, zoneId);
    await ctx.cloud.withLock(`cf-zone-${zoneId}`, async () => {
      ctx.cloud.remove(`cf-records-${zoneId}`, id);
      if (zone) await publish(ctx, zone);
    });
  },
};

/**
 * `cloudflare.ZoneDnssec` (DNSSEC API: PATCH /zones/{zone_id}/dnssec turns signing on or off, DELETE removes
 * it): the id is the zone id; `status` "active" signs the zone (keys made on first use, kept after), and the
 * outputs carry the DS record for the registrar. Deleting it unsigns the zone, as the API does; a DS record
 * left at a parent then makes the zone bogus, which is why the pool retains it.
 */
const zoneDnssec: ResourceType = {
  token: "cloudflare:index/zoneDnssec:ZoneDnssec",
  replaceOn: {
    zoneId: "terraform-provider-cloudflare zone_dnssec/schema.go: zone_id RequiresReplace",
  },
  computed: [
    "algorithm",
    "digest",
    "digestAlgorithm",
    "digestType",
    "ds",
    "flags",
    "keyTag",
    "keyType",
    "modifiedOn",
    "publicKey",
    "status",
    "dnssecMultiSigner",
    "dnssecPresigned",
    "dnssecUseNsec3",
  ],
  check(p) {
    const failures: Failure[] = [];
    if (p.zoneId === undefined)
      failures.push({ property: "zoneId", reason: 'Missing required argument "zoneId"' });
    if (
      p.status !== undefined &&
      p.status !== UNKNOWN &&
      p.status !== "active" &&
      p.status !== "disabled"
    ) {
      failures.push({
        property: "status",
        reason: `value must be one of: "active", "disabled"; got ${JSON.stringify(p.status)}`,
      });
    }
    return failures;
  },
  async create(p, ctx) {
    return { id: p.zoneId as string, outs: await setDnssec(p, ctx) };
  },
  async read(id, _state, ctx) {
    const zone = zoneById(ctx, id);
    if (!zone) return undefined;
    const outs = dnssecOutputs(ctx, zone);
    return { id, outs, inputs: { zoneId: id, status: outs.status } };
  },
  async update(_id, _olds, news, ctx) {
    return setDnssec(news, ctx);
  },
  async delete(id, _state, ctx) {
    const zone = zoneById(ctx, id);
    if (!zone) return;
    await ctx.cloud.withLock(`cf-zone-${id}`, async () => {
      const current = ctx.cloud.get<FakeZone>("cf-zones", id) ?? zone;
      ctx.cloud.put("cf-zones", id, { ...current, dnssec: "disabled" });
      await publish(ctx, { ...current, dnssec: "disabled" });
    });
  },
};

async function setDnssec(
  p: Props,
  ctx: { cloud: Cloud; settings: StandInSettings; now(): Date },
): Promise<Props> {
  const zoneId = p.zoneId as string;
  const zone = zoneById(ctx, zoneId);
  if (!zone)
    throw cfError("PATCH", `/zones/${zoneId}/dnssec`, [
      {
        code: 7003,
        message: `Could not route to /zones/${zoneId}/dnssec, perhaps your object identifier is invalid?`,
      },
    ]);
  const status = (p.status as "active" | "disabled" | undefined) ?? "active";
  return ctx.cloud.withLock(`cf-zone-${zoneId}`, async () => {
    const current = ctx.cloud.get<FakeZone>("cf-zones", zoneId) ?? zone;
    const next = { ...current, dnssec: status };
    ctx.cloud.put("cf-zones", zoneId, next);
    await publish(ctx, next);
    return dnssecOutputs(ctx, next);
  });
}

function dnssecOutputs(ctx: { cloud: Cloud }, zone: FakeZone): Props {
  const zoneId = zone.id;
  const status = zone.dnssec ?? "disabled";
  const base: Props = {
    zoneId,
    status,
    dnssecMultiSigner: false,
    dnssecPresigned: false,
    dnssecUseNsec3: false,
    modifiedOn: new Date().toISOString(),
  };
  if (status !== "active") return base;
  const ds = zoneDs(zoneKeys(ctx.cloud, zone.name));
  return {
    ...base,
    algorithm: "13",
    keyType: "ECDSAP256SHA256",
    digestAlgorithm: "SHA256",
    digestType: "2",
    digest: ds.digest,
    ds: ds.ds,
    flags: 257,
    keyTag: ds.keyTag,
    publicKey: ds.publicKey,
  };
}

/** The DS record of a zone whose DNSSEC is active (a test's trust anchor), or undefined. */
export function activeZoneDs(
  cloud: Cloud,
  settings: StandInSettings,
  zoneName: string,
): string | undefined {
  const zone = zones(cloud, settings).find((z) => z.name === zoneName);
  return zone?.dnssec === "active" ? zoneDs(zoneKeys(cloud, zone.name)).ds : undefined;
}

const getZone: FunctionType = {
  token: "cloudflare:index/getZone:getZone",
  async invoke(args, ctx) {
    const filterName = (args.filter as Props | undefined)?.name as string | undefined;
    const all = zones(ctx.cloud, ctx.settings);
    const zone = args.zoneId
      ? all.find((z) => z.id === args.zoneId)
      : all.find((z) => z.name === filterName);
    if (!zone) {
      throw new ApiError(
        `failed to find exactly one result: no zone ${String(args.zoneId ?? filterName)} in this account ` +
          `(zones: ${all.map((z) => z.name).join(", ") || "none"}); the API token needs Zone Read on it`,
      );
    }
    return {
      ...args,
      id: zone.id,
      zoneId: zone.id,
      name: zone.name,
      status: "active",
      paused: false,
      type: "full",
      account: { id: stableHex("account", 32), name: "stand-in account" },
      plan: { name: `${zone.plan} Website`, legacyId: zone.plan.toLowerCase(), isSubscribed: true },
      nameServers: [`ns1.${zone.name}`],
      originalNameServers: [],
      permissions: [],
      vanityNameServers: [],
    };
  },
};

/** Adds a record straight into the fake account (a record that existed before the program), returning it. */
export async function seedDnsRecord(
  cloud: Cloud,
  settings: StandInSettings,
  record: {
    zone: string;
    name: string;
    type: string;
    content: string;
    ttl: number;
    priority?: number;
    comment?: string;
  },
): Promise<FakeRecord> {
  const zone = zones(cloud, settings).find((z) => z.name === record.zone);
  if (!zone) throw new Error(`seedDnsRecord: zone ${record.zone} is not in the stand-in account`);
  const now = new Date().toISOString();
  const r: FakeRecord = {
    id: hex(32),
    zoneId: zone.id,
    name: fullName(record.name, zone.name),
    type: record.type,
    content: record.content,
    ttl: record.ttl,
    proxied: false,
    ...(record.priority !== undefined ? { priority: record.priority } : {}),
    ...(record.comment !== undefined ? { comment: record.comment } : {}),
    tags: [],
    createdOn: now,
    modifiedOn: now,
  };
  await cloud.withLock(`cf-zone-${zone.id}`, async () => {
    cloud.put(`cf-records-${zone.id}`, r.id, r);
    await publish({ cloud, settings }, zone);
  });
  return r;
}

/** Every record of a zone in the fake account (for assertions). */
export function zoneRecords(
  cloud: Cloud,
  settings: StandInSettings,
  zoneName: string,
): FakeRecord[] {
  const zone = zones(cloud, settings).find((z) => z.name === zoneName);
  return zone ? records(cloud, zone.id) : [];
}

/** The cloudflare stand-in package. */
export const cloudflarePackage: StandInPackage = {
  name: "cloudflare",
  version: sdkVersion("cloudflare"),
  resources: [dnsRecord, zoneDnssec],
  functions: [getZone],
};
