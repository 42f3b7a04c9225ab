// Pure: rules of GatewayPoolArgs that compare several arguments. They run even when single fields failed (every
// problem at once), so they read the arguments defensively and skip what a field rule already refused.
import { DEFAULTS } from "./defaults";
import type * as z from "zod";
import type { GatewayPoolArgs } from "./args";
import {
  formatPath,
  isInZone,
  isIPv4,
  isUnknownYet,
  isValidHostName,
  nonPublicReason,
  normalizeDnsName,
  replicatedHostRules,
  report,
  show,
  WINDOWS_DATA_DIR,
} from "../schema";
import { deployerRules } from "./deployer-rules";
import { hostKey } from "./plan/names";
import { AVAILABILITY_ZONE, AWS_REGION } from "./plan/limits";
import { daneRules } from "./dane-rules";

type Ctx = z.core.$RefinementCtx<unknown>;
type Loose<T> = { [K in keyof T]?: unknown };
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const obj = <T>(v: unknown): Loose<T> => (isObject(v) ? (v as Loose<T>) : {});
const isString = (v: unknown): v is string => typeof v === "string";
const isInt = (v: unknown): v is number => Number.isInteger(v);

/** SSH for configuration replication listens here on AWS hosts (the security group's SSH rule). */
const SSH_PORT = 22;
/** The gateway's Let's Encrypt client answers HTTP-01 challenges here (RFC 8555 8.3: port 80). */
const HTTP_PORT = 80;

/** Cross-argument rules of {@link GatewayPoolArgs}; each problem is reported at the path it concerns. */
export function poolRules(raw: GatewayPoolArgs, ctx: Ctx): void {
  const a = obj<GatewayPoolArgs>(raw);
  const zoneName = obj<GatewayPoolArgs["zone"]>(a.zone).name;
  const zoneOk = isString(zoneName) && isValidHostName(zoneName);
  const zone = zoneOk ? normalizeDnsName(zoneName) : "";
  const mx = obj<NonNullable<GatewayPoolArgs["mx"]>>(a.mx);

  // Mail domain: inside the zone; at the apex only with an explicit opt-in.
  let mailDomain: string | undefined;
  if (isString(a.mailDomain) && isValidHostName(a.mailDomain)) {
    mailDomain = normalizeDnsName(a.mailDomain);
    if (zoneOk && !isInZone(mailDomain, zone)) {
      report(
        ctx,
        ["mailDomain"],
        `"${a.mailDomain}" is outside zone "${zoneName}"; use a name ending in .${zone}`,
      );
    } else if (zoneOk && mailDomain === zone && mx.allowZoneApex !== true) {
      report(
        ctx,
        ["mailDomain"],
        `"${a.mailDomain}" is the zone apex: the pool's MX records would sit beside the company's own and take a share of its mail. Use a subdomain such as "msgw.${zone}", or set mx.allowZoneApex: true if the whole domain is for journal mail`,
      );
    }
  }

  // Hosts: unique names inside the zone, never the mail domain; states; placement.
  const hosts = Array.isArray(a.hosts) ? (a.hosts as unknown[]) : [];
  const sync = isObject(a.configSync)
    ? obj<NonNullable<GatewayPoolArgs["configSync"]>>(a.configSync)
    : undefined;
  const poolDataDir = obj<NonNullable<GatewayPoolArgs["gateway"]>>(a.gateway).dataDirectory;
  const windowsDataDir = isString(poolDataDir) ? poolDataDir : WINDOWS_DATA_DIR;
  const hostNames = new Map<string, number>();
  const keys = new Map<string, number>();
  const states: string[] = [];
  hosts.forEach((entry, i) => {
    const h = obj<GatewayPoolArgs["hosts"][number]>(entry);
    const at = (...rest: PropertyKey[]) => ["hosts", i, ...rest];
    const hostname = h.hostname;
    if (isString(hostname) && isValidHostName(hostname)) {
      const n = normalizeDnsName(hostname);
      if (zoneOk && !isInZone(n, zone)) {
        report(
          ctx,
          at("hostname"),
          `"${hostname}" is outside zone "${zoneName}"; use a name ending in .${zone}`,
        );
      }
      if (zoneOk && n === zone && mailDomain !== zone) {
        report(
          ctx,
          at("hostname"),
          `"${hostname}" is the zone apex, whose A record is the company's own (website, mail); give the host a name below the zone, e.g. "msgw${i + 1}.${zone}"`,
        );
      }
      if (mailDomain !== undefined && n === mailDomain) {
        report(
          ctx,
          at("hostname"),
          `"${hostname}" equals mailDomain; give each gateway its own name (msgw${i + 1}.${zone || "example.com"}) and let MX records carry the mail domain`,
        );
      }
      const first = hostNames.get(n);
      if (first !== undefined) {
        report(
          ctx,
          at("hostname"),
          `"${hostname}" duplicates hosts[${first}].hostname; every gateway needs a unique name (names compare case-insensitively, trailing dot ignored)`,
        );
      } else {
        hostNames.set(n, i);
        if (zoneOk && isInZone(n, zone)) {
          const key = hostKey(n, zone);
          const clash = keys.get(key);
          if (clash !== undefined) {
            report(
              ctx,
              at("hostname"),
              `"${hostname}" and hosts[${clash}].hostname map to the same resource key "${key}"; rename one of them`,
            );
          }
          keys.set(key, i);
        }
      }
    }
    states.push(
      isString(h.state) ? h.state : h.state === undefined ? DEFAULTS.hosts.state : "invalid",
    );
    if (h.aws !== undefined && h.existing !== undefined) {
      report(
        ctx,
        at(),
        "sets both aws and existing; a host either runs on EC2 (aws) or is an existing machine (existing), not both",
      );
    }
    if (h.existing === undefined) awsPlacement(ctx, i, h.aws, a.aws);
    if (h.mxImportId !== undefined && isString(h.state) && h.state !== "active") {
      report(
        ctx,
        at("mxImportId"),
        `is set but the host is "${h.state}" and has no MX record to adopt; remove mxImportId`,
      );
    }
    if (isObject(h.existing)) {
      const ex = obj<NonNullable<GatewayPoolArgs["hosts"][number]["existing"]>>(h.existing);
      publicAddress(ctx, at("existing"), ex.address, ex.allowPrivateAddress);
      if (sync !== undefined && ex.sshHostKey === undefined) {
        report(
          ctx,
          at("existing", "sshHostKey"),
          "is missing; configuration replication pins host keys, so give the host's public key (ssh-keyscan output, checked out of band)",
        );
      }
      hostReplicationRules(ctx, at("existing"), ex, sync !== undefined, windowsDataDir);
    }
  });
  const validStates = states.every((s) => s === "active" || s === "draining" || s === "standby");
  if (
    hosts.length > 0 &&
    validStates &&
    !states.includes("active") &&
    states.includes("draining")
  ) {
    report(
      ctx,
      ["hosts[*]", "state"],
      states.every((s) => s === "draining")
        ? ': every host is "draining", so mailDomain would have no MX record and mail would bounce; keep at least one host "active"'
        : `: no host is "active" while hosts[${states.indexOf("draining")}] is "draining", so mailDomain would have no MX record and mail would bounce; keep at least one host "active" ("standby" hosts take no mail)`,
    );
  }

  // MX: a tiered pool's last preference must stay within 0-65535 (RFC 5321 4.1.3, a 16-bit value).
  const priority = mx.priority ?? DEFAULTS.mx.priority;
  const step = mx.step ?? DEFAULTS.mx.step;
  if (mx.strategy === "tiered" && hosts.length > 0 && isInt(priority) && isInt(step)) {
    const highest = priority + step * Math.max(0, hosts.length - 1);
    if (highest > 65535) {
      report(
        ctx,
        ["mx", "step"],
        `${show(step)} with mx.priority ${show(priority)} gives the last of ${hosts.length} hosts preference ${highest}, above 65535; use a smaller step`,
      );
    }
  }

  // Certificates.
  const certs = obj<NonNullable<GatewayPoolArgs["certificates"]>>(a.certificates);
  const mode = certs.mode ?? DEFAULTS.certificates.mode;
  if (certs.ca !== undefined && isString(mode) && mode !== "pool-ca") {
    report(
      ctx,
      ["certificates", "ca"],
      `is set but certificates.mode is "${mode}"; a pool CA only exists in "pool-ca" mode, so remove certificates.ca or switch the mode`,
    );
  }
  if (
    mode === "gateway-lets-encrypt" &&
    (certs.validityDays !== undefined || certs.earlyRenewalDays !== undefined)
  ) {
    report(
      ctx,
      ["certificates", "validityDays/earlyRenewalDays"],
      "do not apply to \"gateway-lets-encrypt\"; the gateway's Let's Encrypt client chooses them",
    );
  }
  const validity = certs.validityDays ?? DEFAULTS.certificates.validityDays;
  const early = certs.earlyRenewalDays ?? DEFAULTS.certificates.earlyRenewalDays;
  if (!isInt(early) || early < 0 || (isInt(validity) && early >= validity)) {
    report(
      ctx,
      ["certificates", "earlyRenewalDays"],
      `${show(early)} must be a whole number of days below certificates.validityDays (${show(validity)})`,
    );
  }
  const ca = obj<NonNullable<NonNullable<GatewayPoolArgs["certificates"]>["ca"]>>(certs.ca);
  if (ca.validityDays !== undefined) {
    const caDays = ca.validityDays;
    // The CA is renewed once less than a host validity (plus a day) remains, so no host certificate
    // outlives it; at least twice the host validity keeps that from renewing the CA at every update.
    const minimum = 2 * (isInt(validity) ? validity : 397);
    if (!isInt(caDays) || caDays < minimum || caDays > 7300) {
      report(
        ctx,
        ["certificates", "ca", "validityDays"],
        `${show(caDays)} must be a whole number from twice the host validity (${minimum}) to 7300 days; the CA is renewed early so no host certificate outlives it`,
      );
    }
  }

  // Ports: a port shared by two rules opens it to both rules' sources, so each service needs its own.
  const gw = obj<NonNullable<GatewayPoolArgs["gateway"]>>(a.gateway);
  const ports = obj<NonNullable<NonNullable<GatewayPoolArgs["gateway"]>["ports"]>>(gw.ports);
  const chosen: Array<[string, unknown]> = [
    ["smtp", ports.smtp ?? 25],
    ["pop3", ports.pop3 ?? 110],
    ["pop3s", ports.pop3s ?? DEFAULTS.gateway.ports.pop3s],
    ["managementConsole", ports.managementConsole ?? 8450],
  ];
  const gatewayPorts = chosen.map(([, p]) => p).filter((p): p is number => isInt(p));
  if (new Set(gatewayPorts).size !== gatewayPorts.length) {
    report(
      ctx,
      ["gateway", "ports"],
      `${show(gatewayPorts)} uses one port for two services; give each service its own port`,
    );
  }
  const reserved: Array<[number, boolean, string]> = [
    [
      SSH_PORT,
      sync !== undefined,
      "SSH port for configuration replication (open to access.adminCidrs); SSH would become reachable from this service's sources",
    ],
    [
      HTTP_PORT,
      mode === "gateway-lets-encrypt",
      "HTTP port the gateway's Let's Encrypt needs open to the whole internet; this service would become world-open",
    ],
  ];
  for (const [name, port] of chosen) {
    for (const [reservedPort, inUse, why] of reserved) {
      if (inUse && port === reservedPort) {
        report(
          ctx,
          ["gateway", "ports", name],
          `${reservedPort} is also the ${why}. Give ${name} another port`,
        );
      }
    }
  }

  // Legacy gateway.
  const legacy = isObject(a.legacy)
    ? obj<NonNullable<GatewayPoolArgs["legacy"]>>(a.legacy)
    : undefined;
  if (legacy !== undefined) {
    if (isString(legacy.hostname) && isValidHostName(legacy.hostname)) {
      const n = normalizeDnsName(legacy.hostname);
      const clash = hostNames.get(n);
      if (clash !== undefined) {
        report(
          ctx,
          ["legacy", "hostname"],
          `"${legacy.hostname}" equals hosts[${clash}].hostname; the old gateway keeps its own name and each new host needs a new one`,
        );
      }
      if (zoneOk && !isInZone(n, zone)) {
        report(
          ctx,
          ["legacy", "hostname"],
          `"${legacy.hostname}" is outside zone "${zoneName}"; the pool can only manage its A record inside the zone`,
        );
      }
    }
    publicAddress(ctx, ["legacy"], legacy.address, legacy.allowPrivateAddress);
    // Replicated only as the configuration source, i.e. while migrating.
    hostReplicationRules(
      ctx,
      ["legacy"],
      legacy,
      sync !== undefined && legacy.phase === "migrating",
      windowsDataDir,
    );
    if (legacy.importId !== undefined && legacy.phase === "retired") {
      report(
        ctx,
        ["legacy", "importId"],
        'is set but legacy.phase is "retired"; the pool manages no legacy record once retired, so remove importId',
      );
    }
  }

  deployerRules(a, ctx);

  // Configuration replication.
  if (sync !== undefined) {
    const migrating = legacy?.phase === "migrating";
    if (sync.source !== undefined && isString(sync.source)) {
      const src = normalizeDnsName(sync.source);
      const isLegacy = isString(legacy?.hostname) && src === normalizeDnsName(legacy.hostname);
      if (migrating && !isLegacy) {
        report(
          ctx,
          ["configSync", "source"],
          `"${sync.source}" is not the migrating legacy gateway "${String(legacy?.hostname)}"; while migrating, the old gateway's configuration is the one restored onto the pool (omit source)`,
        );
      } else if (!migrating && !hostNames.has(src)) {
        report(
          ctx,
          ["configSync", "source"],
          `${show(sync.source)} is not one of the pool's hosts; name the host whose configuration is copied to the others`,
        );
      }
    }
    if (migrating && legacy?.sshHostKey === undefined) {
      report(
        ctx,
        ["legacy", "sshHostKey"],
        "is missing; the migrating legacy gateway is the configuration source and its SSH host key must be pinned",
      );
    }
    // The pool's own bucket needs an AWS host (and so an AWS provider); a named bucket needs its region.
    const store = sync.store as { kind?: unknown; bucket?: unknown; region?: unknown } | undefined;
    if (isObject(store) && store.kind === "s3") {
      const noAws = hosts.every(
        (h) => isObject(h) && (h as { existing?: unknown }).existing !== undefined,
      );
      if (store.bucket === undefined && noAws)
        report(
          ctx,
          ["configSync", "store"],
          ': the pool has no AWS host, so it creates no bucket; name one (store.bucket and store.region) or use {kind:"local"}',
        );
      if (store.bucket !== undefined && store.region === undefined)
        report(
          ctx,
          ["configSync", "store", "region"],
          "is required with store.bucket; give the bucket's region",
        );
    }
  }

  // DANE.
  daneRules(a, ctx);
}

/**
 * The data directory and service control of an `existing` or `legacy` host, by the rules `msgw config`
 * applies to the inventory the pool writes for it (`replicatedHostRules`, shared with the inventory).
 */
function hostReplicationRules(
  ctx: Ctx,
  at: PropertyKey[],
  host: { platform?: unknown; dataDirectory?: unknown; serviceControl?: unknown },
  replicated: boolean,
  windowsDataDir: string,
): void {
  const platform = host.platform ?? DEFAULTS.hosts.existing.platform;
  if (platform !== "windows" && platform !== "linux") return;
  replicatedHostRules(
    ctx,
    { platform, dataDir: host.dataDirectory, serviceControl: host.serviceControl },
    { dataDir: [...at, "dataDirectory"], serviceControl: [...at, "serviceControl"] },
    { replicated, windowsDefault: windowsDataDir },
  );
}

/** Public A records point only at public addresses, unless the owner opted in (split-horizon DNS). */
/**
 * An AWS host's placement: its zone inside its region, and never a zone beside a subnet (a subnet lies in
 * one zone, and the data volume must be in the instance's zone: the subnet alone decides).
 */
function awsPlacement(ctx: Ctx, i: number, hostAws: unknown, poolAws: unknown): void {
  const h = obj<NonNullable<GatewayPoolArgs["hosts"][number]["aws"]>>(hostAws);
  const p = obj<NonNullable<GatewayPoolArgs["aws"]>>(poolAws);
  const zoneAt =
    h.availabilityZone !== undefined
      ? ["hosts", i, "aws", "availabilityZone"]
      : p.availabilityZone !== undefined
        ? ["aws", "availabilityZone"]
        : undefined;
  const subnetAt =
    h.subnetId !== undefined
      ? `hosts[${i}].aws.subnetId`
      : p.subnetId !== undefined
        ? "aws.subnetId"
        : undefined;
  if (zoneAt !== undefined && subnetAt !== undefined) {
    report(
      ctx,
      zoneAt,
      `and ${subnetAt} are both set for hosts[${i}]; a subnet lies in one zone and the data volume must be in the instance's zone, so give only the subnet (its zone is used) or only the zone`,
    );
  }
  const zone = h.availabilityZone ?? p.availabilityZone;
  const region = h.region;
  const m = isString(zone) ? AVAILABILITY_ZONE.exec(zone) : null;
  if (m && isString(region) && AWS_REGION.test(region) && m[1] !== region) {
    report(
      ctx,
      zoneAt ?? ["hosts", i, "aws", "availabilityZone"],
      `"${zone}" is not in region "${region}"; an instance and its data volume must sit in a zone of their region, e.g. "${region}a"`,
    );
  }
}

function publicAddress(ctx: Ctx, at: PropertyKey[], address: unknown, optIn: unknown): void {
  if (optIn === true || isUnknownYet(address) || !isString(address) || !isIPv4(address)) return;
  const reason = nonPublicReason(address);
  if (reason !== undefined) {
    report(
      ctx,
      [...at, "address"],
      `"${address}" is ${reason}, not reachable from the internet, yet it would be published in a public A record; give the machine's public address, or set ${formatPath([...at, "allowPrivateAddress"])}: true for split-horizon DNS`,
    );
  }
}
