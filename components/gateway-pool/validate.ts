import type { AwsHostArgs, AwsPoolDefaultsArgs, GatewayPoolArgs } from "./args";
import {
  AMI_ID,
  AVAILABILITY_ZONE,
  CLOUDFLARE_IMPORT_ID,
  DATA_VOLUME_MAX_GIB,
  DATA_VOLUME_MIN_GIB,
  DLM_INTERVAL_HOURS,
  DLM_RETAIN_MAX,
  DLM_TIME,
  KEY_PAIR_NAME,
  SNAPSHOT_ID,
  X509_NAME_MAX,
} from "./plan/limits";
import {
  cidrKey,
  hostKey,
  isCanonicalCidr,
  isInZone,
  isIPv4,
  isValidHostName,
  normalizeDnsName,
  parseCidr,
} from "./plan/names";

/** Thrown for arguments that would produce a broken or unsafe pool; lists every problem found. */
export class GatewayPoolArgsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "GatewayPoolArgsError";
  }
}

const show = (value: unknown): string =>
  value === undefined ? "undefined" : JSON.stringify(value);
const isString = (v: unknown): v is string => typeof v === "string";
const isPlainNumber = (v: unknown): v is number => typeof v === "number";
const isInt = (v: unknown): v is number => Number.isInteger(v);

/** Cloudflare accepts 1 (automatic) or 60–86400 seconds outside Enterprise zones. */
export function isValidTtl(ttl: unknown): boolean {
  return isInt(ttl) && (ttl === 1 || (ttl >= 60 && ttl <= 86400));
}

/** Ports, for which "world" means any source at all. */
const WORLD = new Set(["0.0.0.0/0", "::/0"]);

function checkCidrList(
  problems: string[],
  path: string,
  value: unknown,
  opts: { worldOpenAllowed: boolean; purpose: string },
): void {
  if (!Array.isArray(value)) {
    problems.push(
      `${path} must be a list of CIDR blocks such as ["198.51.100.0/24"]; got ${show(value)}`,
    );
    return;
  }
  if (value.length === 0) {
    problems.push(
      `${path} is empty; ${opts.purpose} would be unreachable. List the networks that need it, e.g. ["198.51.100.0/24"]`,
    );
    return;
  }
  const seen = new Set<string>();
  value.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const cidr = isString(entry) ? parseCidr(entry) : undefined;
    if (!isString(entry) || !cidr) {
      problems.push(
        `${at} ${show(entry)} is not a CIDR block; write an address and prefix, e.g. "198.51.100.7/32"`,
      );
      return;
    }
    if (!isCanonicalCidr(cidr)) {
      problems.push(
        `${at} "${entry}" has address bits set below the /${cidr.prefix} prefix; use the network address of the block`,
      );
      return;
    }
    if (!opts.worldOpenAllowed && (WORLD.has(entry) || cidr.prefix === 0)) {
      problems.push(
        `${at} "${entry}" opens ${opts.purpose} to the whole internet; list only the networks that need it`,
      );
      return;
    }
    if (seen.has(cidrKey(entry))) {
      problems.push(`${at} "${entry}" is listed twice; remove the duplicate`);
    }
    seen.add(cidrKey(entry));
  });
}

function checkPriority(problems: string[], path: string, value: unknown): void {
  if (value === undefined) return;
  if (!isInt(value) || value < 0 || value > 65535) {
    problems.push(
      `${path} ${show(value)} is not a valid MX preference; use a whole number from 0 to 65535`,
    );
  }
}

function checkTtl(problems: string[], path: string, value: unknown): void {
  if (value === undefined) return;
  if (!isValidTtl(value)) {
    problems.push(
      `${path} ${show(value)} is not a TTL Cloudflare accepts; use 1 (automatic) or 60 to 86400 seconds`,
    );
  }
}

function checkPort(problems: string[], path: string, value: unknown): void {
  if (value === undefined) return;
  if (!isInt(value) || value < 1 || value > 65535) {
    problems.push(`${path} ${show(value)} is not a TCP port; use a whole number from 1 to 65535`);
  }
}

function checkSshPublicKey(problems: string[], path: string, value: unknown): void {
  if (value === undefined) return;
  if (
    !isString(value) ||
    !/^(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa) [A-Za-z0-9+/]+={0,3}( .*)?$/.test(
      value.trim(),
    )
  ) {
    problems.push(
      `${path} ${show(value)} is not an OpenSSH public key; paste the one-line key, e.g. "ssh-ed25519 AAAAC3Nza…"`,
    );
  } else if (/PRIVATE KEY/.test(value)) {
    problems.push(`${path} holds a private key; give only the public key`);
  }
}

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;

/**
 * The AWS placement and image arguments shared by a host's `aws` and the pool's `aws` defaults. Values that
 * are still Outputs are skipped. Sources of each limit are next to the constants in plan/limits.ts.
 */
function checkAwsPlacement(
  problems: string[],
  at: string,
  v: Partial<AwsHostArgs & AwsPoolDefaultsArgs>,
  region: unknown,
): void {
  if (isString(v.ami) && !AMI_ID.test(v.ami)) {
    problems.push(
      `${at}.ami ${show(v.ami)} cannot be an AMI id; AMI ids are "ami-" and 8 or 17 lower-case hex digits, e.g. "ami-0123456789abcdef0"`,
    );
  }
  if (v.availabilityZone !== undefined) {
    const m = isString(v.availabilityZone) ? AVAILABILITY_ZONE.exec(v.availabilityZone) : null;
    if (!m) {
      problems.push(
        `${at}.availabilityZone ${show(v.availabilityZone)} is not an availability zone name such as "eu-central-1a"`,
      );
    } else if (isString(region) && AWS_REGION.test(region) && m[1] !== region) {
      problems.push(
        `${at}.availabilityZone "${v.availabilityZone}" is not in region "${region}"; an instance and its data volume must sit in a zone of their region, e.g. "${region}a"`,
      );
    }
  }
  if (
    v.dataVolumeGiB !== undefined &&
    (!isInt(v.dataVolumeGiB) ||
      v.dataVolumeGiB < DATA_VOLUME_MIN_GIB ||
      v.dataVolumeGiB > DATA_VOLUME_MAX_GIB)
  ) {
    problems.push(
      `${at}.dataVolumeGiB ${show(v.dataVolumeGiB)} is out of range; the mail data volume needs ${DATA_VOLUME_MIN_GIB} to ${DATA_VOLUME_MAX_GIB} GiB (EBS volumes only grow: never give less than the volume has today)`,
    );
  }
  if (
    v.rootVolumeGiB !== undefined &&
    (!isInt(v.rootVolumeGiB) || v.rootVolumeGiB < 30 || v.rootVolumeGiB > 16384)
  ) {
    problems.push(
      `${at}.rootVolumeGiB ${show(v.rootVolumeGiB)} is out of range; Windows Server needs at least 30 GiB (at most 16384)`,
    );
  }
  if (
    v.dataVolumeSnapshotId !== undefined &&
    (!isString(v.dataVolumeSnapshotId) || !SNAPSHOT_ID.test(v.dataVolumeSnapshotId))
  ) {
    problems.push(
      `${at}.dataVolumeSnapshotId ${show(v.dataVolumeSnapshotId)} cannot be a snapshot id; snapshot ids are "snap-" and 8 or 17 lower-case hex digits`,
    );
  }
  if (v.keyName !== undefined && (!isString(v.keyName) || !KEY_PAIR_NAME.test(v.keyName))) {
    problems.push(
      `${at}.keyName ${show(v.keyName)} is not an EC2 key pair name (1 to 255 printable ASCII characters)`,
    );
  }
}

/**
 * Checks every argument of a pool and returns the problems found (empty when valid). Pure: values that are
 * still Outputs (addresses, zone ids) are skipped; plain values are checked against Cloudflare's and AWS's
 * documented rules and the design's safety rules.
 */
export function validateGatewayPoolArgs(args: GatewayPoolArgs): string[] {
  const problems: string[] = [];
  const a = (args ?? {}) as Partial<GatewayPoolArgs>;

  // Zone and mail domain.
  const zoneName = a.zone?.name;
  const zoneOk = isString(zoneName) && isValidHostName(zoneName);
  if (!zoneOk) {
    problems.push(
      `zone.name ${show(zoneName)} is not a valid DNS zone name; use the Cloudflare zone, e.g. "example.com"`,
    );
  }
  const zone = zoneOk ? normalizeDnsName(zoneName) : "";
  const mailDomainRaw = a.mailDomain;
  let mailDomain: string | undefined;
  if (!isString(mailDomainRaw) || !isValidHostName(mailDomainRaw)) {
    problems.push(
      `mailDomain ${show(mailDomainRaw)} is not a valid DNS name; use the domain journal rules deliver to, e.g. "msgw.example.com"`,
    );
  } else {
    mailDomain = normalizeDnsName(mailDomainRaw);
    if (zoneOk && !isInZone(mailDomain, zone)) {
      problems.push(
        `mailDomain "${mailDomainRaw}" is outside zone "${zoneName}"; use a name ending in .${zone}`,
      );
    }
  }

  // Hosts.
  const hosts = a.hosts;
  const hostNames = new Map<string, number>();
  const keys = new Map<string, number>();
  let activeCount = 0;
  let invalidState = false;
  if (!Array.isArray(hosts) || hosts.length === 0) {
    problems.push(
      `hosts is ${Array.isArray(hosts) ? "empty" : show(hosts)}; list at least one gateway host, e.g. [{ hostname: "msgw1.example.com" }]`,
    );
  } else {
    hosts.forEach((host, i) => {
      const at = `hosts[${i}]`;
      const h = (host ?? {}) as Partial<(typeof hosts)[number]>;
      const hostname = h.hostname;
      if (!isString(hostname) || !isValidHostName(hostname)) {
        problems.push(
          `${at}.hostname ${show(hostname)} is not a valid DNS name; give the host its own name, e.g. "msgw${i + 1}.example.com"`,
        );
      } else {
        const n = normalizeDnsName(hostname);
        if (zoneOk && !isInZone(n, zone)) {
          problems.push(
            `${at}.hostname "${hostname}" is outside zone "${zoneName}"; use a name ending in .${zone}`,
          );
        }
        if (mailDomain !== undefined && n === mailDomain) {
          problems.push(
            `${at}.hostname "${hostname}" equals mailDomain; give each gateway its own name (msgw${i + 1}.${zone || "example.com"}) and let MX records carry the mail domain`,
          );
        }
        const first = hostNames.get(n);
        if (first !== undefined) {
          problems.push(
            `${at}.hostname "${hostname}" duplicates hosts[${first}].hostname; every gateway needs a unique name (names compare case-insensitively, trailing dot ignored)`,
          );
        } else {
          hostNames.set(n, i);
          if (zoneOk && isInZone(n, zone)) {
            const key = hostKey(n, zone);
            const clash = keys.get(key);
            if (clash !== undefined) {
              problems.push(
                `${at}.hostname "${hostname}" and hosts[${clash}].hostname map to the same resource key "${key}"; rename one of them`,
              );
            }
            keys.set(key, i);
          }
        }
      }
      const state = h.state ?? "active";
      if (state !== "active" && state !== "draining") {
        problems.push(
          `${at}.state ${show(h.state)} is not a host state; use "active" or "draining"`,
        );
        invalidState = true;
      } else if (state === "active") {
        activeCount++;
      }
      checkPriority(problems, `${at}.mxPriority`, h.mxPriority);
      if (h.aws !== undefined && h.existing !== undefined) {
        problems.push(
          `${at} sets both aws and existing; a host either runs on EC2 (aws) or is an existing machine (existing), not both`,
        );
      }
      if (h.existing !== undefined) {
        const ex = h.existing;
        if (
          ex === null ||
          typeof ex !== "object" ||
          ex.address === undefined ||
          ex.address === null ||
          ex.address === ""
        ) {
          problems.push(
            `${at}.existing.address is missing; give the machine's stable public IPv4 address`,
          );
        } else if (isString(ex.address) && !isIPv4(ex.address)) {
          problems.push(
            `${at}.existing.address ${show(ex.address)} is not an IPv4 address; the A record needs a dotted-quad address such as "198.51.100.20"`,
          );
        }
        checkSshPublicKey(problems, `${at}.existing.sshHostKey`, ex?.sshHostKey);
        checkPort(problems, `${at}.existing.sshPort`, ex?.sshPort);
        if (ex?.platform !== undefined && ex.platform !== "windows" && ex.platform !== "linux") {
          problems.push(
            `${at}.existing.platform ${show(ex.platform)} is not supported; use "windows" or "linux"`,
          );
        }
        if (a.configSync !== undefined && ex && ex.sshHostKey === undefined) {
          problems.push(
            `${at}.existing.sshHostKey is missing; configuration replication pins host keys, so give the host's public key (ssh-keyscan output, checked out of band)`,
          );
        }
      }
      if (h.aws !== undefined) {
        if (
          h.aws.region !== undefined &&
          (!isString(h.aws.region) || !AWS_REGION.test(h.aws.region))
        ) {
          problems.push(
            `${at}.aws.region ${show(h.aws.region)} is not an AWS region name such as "eu-central-1"`,
          );
        }
        checkAwsPlacement(problems, `${at}.aws`, h.aws, h.aws.region);
      }
      if (h.existing === undefined) {
        // A volume lives in one zone and a subnet in one zone: with both given they could disagree, and the
        // data volume would never attach. The subnet alone decides the zone.
        const subnetAt =
          h.aws?.subnetId !== undefined
            ? `${at}.aws.subnetId`
            : a.aws?.subnetId !== undefined
              ? "aws.subnetId"
              : undefined;
        const zoneAt =
          h.aws?.availabilityZone !== undefined
            ? `${at}.aws.availabilityZone`
            : a.aws?.availabilityZone !== undefined
              ? "aws.availabilityZone"
              : undefined;
        if (subnetAt !== undefined && zoneAt !== undefined) {
          problems.push(
            `${zoneAt} and ${subnetAt} are both set for ${at}; a subnet lies in one zone and the data volume must be in the instance's zone, so give only the subnet (its zone is used) or only the zone`,
          );
        }
      }
      if (h.mxImportId !== undefined) {
        if (!isString(h.mxImportId) || !CLOUDFLARE_IMPORT_ID.test(h.mxImportId)) {
          problems.push(
            `${at}.mxImportId ${show(h.mxImportId)} is not a Cloudflare import id; give "<zoneId>/<recordId>" (two 32-digit hex ids, from the dashboard or the DNS records API)`,
          );
        } else if (state === "draining") {
          problems.push(
            `${at}.mxImportId is set but the host is "draining" and has no MX record to adopt; remove mxImportId`,
          );
        }
      }
    });
    if (activeCount === 0 && hosts.length > 0 && !invalidState) {
      problems.push(
        `hosts[*].state: every host is "draining", so mailDomain would have no MX record and mail would bounce; keep at least one host "active"`,
      );
    }
  }

  if (a.aws !== undefined) checkAwsPlacement(problems, "aws", a.aws, undefined);

  // Backups of the data volumes (Data Lifecycle Manager limits, see plan/limits.ts).
  const backup = a.backup;
  if (backup !== undefined) {
    if (backup.enabled !== undefined && typeof backup.enabled !== "boolean") {
      problems.push(`backup.enabled ${show(backup.enabled)} must be true or false`);
    }
    if (
      backup.intervalHours !== undefined &&
      !DLM_INTERVAL_HOURS.includes(backup.intervalHours as number)
    ) {
      problems.push(
        `backup.intervalHours ${show(backup.intervalHours)} is not an interval Data Lifecycle Manager accepts; use one of ${DLM_INTERVAL_HOURS.join(", ")}`,
      );
    }
    if (
      backup.startTime !== undefined &&
      (!isString(backup.startTime) || !DLM_TIME.test(backup.startTime))
    ) {
      problems.push(
        `backup.startTime ${show(backup.startTime)} is not a UTC time of day; write "HH:MM", e.g. "03:00"`,
      );
    }
    if (
      backup.retainCount !== undefined &&
      (!isInt(backup.retainCount) || backup.retainCount < 1 || backup.retainCount > DLM_RETAIN_MAX)
    ) {
      problems.push(
        `backup.retainCount ${show(backup.retainCount)} must be a whole number of snapshots from 1 to ${DLM_RETAIN_MAX}`,
      );
    }
  }

  // MX and DNS.
  const mx = a.mx ?? {};
  if (mx.strategy !== undefined && mx.strategy !== "balanced" && mx.strategy !== "tiered") {
    problems.push(`mx.strategy ${show(mx.strategy)} is not a strategy; use "balanced" or "tiered"`);
  }
  checkPriority(problems, "mx.priority", mx.priority);
  if (mx.step !== undefined && (!isInt(mx.step) || mx.step < 1 || mx.step > 65535)) {
    problems.push(
      `mx.step ${show(mx.step)} is not a valid preference gap; use a whole number from 1 to 65535`,
    );
  }
  if (
    mx.strategy === "tiered" &&
    Array.isArray(hosts) &&
    isInt(mx.priority ?? 0) &&
    isInt(mx.step ?? 10)
  ) {
    const highest = (mx.priority ?? 0) + (mx.step ?? 10) * Math.max(0, hosts.length - 1);
    if (highest > 65535) {
      problems.push(
        `mx.step ${mx.step ?? 10} with mx.priority ${mx.priority ?? 0} gives the last of ${hosts.length} hosts preference ${highest}, above 65535; use a smaller step`,
      );
    }
  }
  checkTtl(problems, "mx.ttl", mx.ttl);
  checkTtl(problems, "dns.addressTtl", a.dns?.addressTtl);

  // Certificates.
  const certs = a.certificates ?? {};
  const mode = certs.mode ?? "pool-ca";
  if (mode !== "self-signed" && mode !== "pool-ca" && mode !== "gateway-lets-encrypt") {
    problems.push(
      `certificates.mode ${show(certs.mode)} is not a mode; use "self-signed", "pool-ca" or "gateway-lets-encrypt"`,
    );
  }
  if (certs.ca !== undefined && mode !== "pool-ca") {
    problems.push(
      `certificates.ca is set but certificates.mode is "${mode}"; a pool CA only exists in "pool-ca" mode, so remove certificates.ca or switch the mode`,
    );
  }
  if (
    mode === "gateway-lets-encrypt" &&
    (certs.validityDays !== undefined || certs.earlyRenewalDays !== undefined)
  ) {
    problems.push(
      `certificates.validityDays/earlyRenewalDays do not apply to "gateway-lets-encrypt"; the gateway's Let's Encrypt client chooses them`,
    );
  }
  const validity = certs.validityDays ?? 397;
  if (!isInt(validity) || validity < 1 || validity > 825) {
    problems.push(
      `certificates.validityDays ${show(certs.validityDays)} is out of range; use 1 to 825 days`,
    );
  }
  const early = certs.earlyRenewalDays ?? 30;
  if (!isInt(early) || early < 0 || (isInt(validity) && early >= validity)) {
    problems.push(
      `certificates.earlyRenewalDays ${show(certs.earlyRenewalDays ?? 30)} must be a whole number of days below certificates.validityDays (${show(validity)})`,
    );
  }
  if (certs.ca?.validityDays !== undefined) {
    const caDays = certs.ca.validityDays;
    // The CA is renewed once less than a host validity (plus a day) remains, so that no host certificate
    // outlives it; at least twice the host validity keeps that from renewing the CA at every update.
    const minimum = isInt(validity) ? 2 * validity : 2 * 397;
    if (!isInt(caDays) || caDays < minimum || caDays > 7300) {
      problems.push(
        `certificates.ca.validityDays ${show(caDays)} must be a whole number from twice the host validity (${minimum}) to 7300 days; the CA is renewed early so no host certificate outlives it`,
      );
    }
  }
  // RFC 5280, Appendix A.1: ub-common-name and ub-organization-name are 64 characters.
  if (
    certs.organization !== undefined &&
    (!isString(certs.organization) ||
      certs.organization.length === 0 ||
      certs.organization.length > X509_NAME_MAX)
  ) {
    problems.push(
      `certificates.organization ${show(certs.organization)} must be 1 to ${X509_NAME_MAX} characters (X.509 ub-organization-name, RFC 5280)`,
    );
  }
  if (
    certs.ca?.commonName !== undefined &&
    (!isString(certs.ca.commonName) ||
      certs.ca.commonName.length === 0 ||
      certs.ca.commonName.length > X509_NAME_MAX)
  ) {
    problems.push(
      `certificates.ca.commonName ${show(certs.ca.commonName)} must be 1 to ${X509_NAME_MAX} characters (X.509 ub-common-name, RFC 5280); shorten it`,
    );
  }

  // Access.
  const access = a.access;
  if (access === undefined || access === null || typeof access !== "object") {
    problems.push(
      `access is missing; give access.mailStoreServerCidrs and access.adminCidrs so POP3, the Management Console and SSH are not open to the world`,
    );
  } else {
    checkCidrList(problems, "access.mailStoreServerCidrs", access.mailStoreServerCidrs, {
      worldOpenAllowed: false,
      purpose: "POP3 for MailStore Server",
    });
    checkCidrList(problems, "access.adminCidrs", access.adminCidrs, {
      worldOpenAllowed: false,
      purpose: "the Management Console and SSH",
    });
    if (access.smtpSourceCidrs !== undefined) {
      checkCidrList(problems, "access.smtpSourceCidrs", access.smtpSourceCidrs, {
        worldOpenAllowed: true,
        purpose: "SMTP for journal senders",
      });
    }
  }

  // Gateway software facts.
  const gw = a.gateway ?? {};
  if (
    gw.installerUrl !== undefined &&
    (!isString(gw.installerUrl) || !/^https:\/\/[^\s"'`$]+$/.test(gw.installerUrl))
  ) {
    problems.push(
      `gateway.installerUrl ${show(gw.installerUrl)} must be an https:// URL without quotes or spaces (it is downloaded on every host)`,
    );
  }
  if (
    gw.installerSha256 !== undefined &&
    (!isString(gw.installerSha256) || !/^[0-9a-fA-F]{64}$/.test(gw.installerSha256))
  ) {
    problems.push(
      `gateway.installerSha256 ${show(gw.installerSha256)} is not a SHA-256 hex digest (64 hex digits)`,
    );
  }
  for (const [field, value] of [
    ["serviceName", gw.serviceName],
    ["dataDirectory", gw.dataDirectory],
    ["installerArgs", gw.installerArgs],
  ] as const) {
    if (
      value !== undefined &&
      (!isString(value) || value.trim() === "" || /["'`$\r\n]/.test(value))
    ) {
      problems.push(
        `gateway.${field} ${show(value)} must be non-empty text without quotes, $ or line breaks (it is written into a PowerShell script)`,
      );
    }
  }
  const ports = gw.ports ?? {};
  checkPort(problems, "gateway.ports.smtp", ports.smtp);
  checkPort(problems, "gateway.ports.pop3", ports.pop3);
  if (ports.pop3s !== false) checkPort(problems, "gateway.ports.pop3s", ports.pop3s);
  checkPort(problems, "gateway.ports.managementConsole", ports.managementConsole);
  const portList = [
    ports.smtp ?? 25,
    ports.pop3 ?? 110,
    ports.pop3s === undefined ? false : ports.pop3s,
    ports.managementConsole ?? 8450,
  ].filter((p): p is number => isPlainNumber(p));
  if (new Set(portList).size !== portList.length) {
    problems.push(
      `gateway.ports ${show(portList)} uses one port for two services; give each service its own port`,
    );
  }

  // Legacy gateway.
  const legacy = a.legacy;
  if (legacy !== undefined) {
    if (!isString(legacy.hostname) || !isValidHostName(legacy.hostname)) {
      problems.push(
        `legacy.hostname ${show(legacy.hostname)} is not a valid DNS name; give the old gateway's name, e.g. "msgw.example.com"`,
      );
    } else {
      const n = normalizeDnsName(legacy.hostname);
      const clash = hostNames.get(n);
      if (clash !== undefined) {
        problems.push(
          `legacy.hostname "${legacy.hostname}" equals hosts[${clash}].hostname; the old gateway keeps its own name and each new host needs a new one`,
        );
      }
      if (zoneOk && !isInZone(n, zone)) {
        problems.push(
          `legacy.hostname "${legacy.hostname}" is outside zone "${zoneName}"; the pool can only manage its A record inside the zone`,
        );
      }
    }
    if (legacy.phase !== "migrating" && legacy.phase !== "retired") {
      problems.push(
        `legacy.phase ${show(legacy.phase)} is not a phase; use "migrating" or "retired"`,
      );
    }
    if (legacy.address === undefined || legacy.address === null || legacy.address === "") {
      problems.push(`legacy.address is missing; give the old gateway's public IPv4 address`);
    } else if (isString(legacy.address) && !isIPv4(legacy.address)) {
      problems.push(
        `legacy.address ${show(legacy.address)} is not an IPv4 address such as "198.51.100.5"`,
      );
    }
    if (legacy.importId !== undefined) {
      if (!isString(legacy.importId) || !CLOUDFLARE_IMPORT_ID.test(legacy.importId)) {
        problems.push(
          `legacy.importId ${show(legacy.importId)} is not a Cloudflare import id; give "<zoneId>/<recordId>" (two 32-digit hex ids, from the dashboard or the DNS records API)`,
        );
      } else if (legacy.phase === "retired") {
        problems.push(
          `legacy.importId is set but legacy.phase is "retired"; the pool manages no legacy record once retired, so remove importId`,
        );
      }
    }
    checkSshPublicKey(problems, "legacy.sshHostKey", legacy.sshHostKey);
    checkPort(problems, "legacy.sshPort", legacy.sshPort);
  }

  // Configuration replication.
  const sync = a.configSync;
  if (sync !== undefined) {
    const rev = sync.revision;
    if (!((isString(rev) && /^[A-Za-z0-9._-]{1,64}$/.test(rev)) || (isInt(rev) && rev >= 0))) {
      problems.push(
        `configSync.revision ${show(rev)} must be a non-negative whole number or up to 64 letters, digits, dots, dashes or underscores`,
      );
    }
    const migrating = legacy?.phase === "migrating";
    if (sync.source !== undefined) {
      const src = isString(sync.source) ? normalizeDnsName(sync.source) : "";
      const isLegacy =
        legacy !== undefined &&
        isString(legacy.hostname) &&
        src === normalizeDnsName(legacy.hostname);
      if (migrating && !isLegacy) {
        problems.push(
          `configSync.source "${sync.source}" is not the migrating legacy gateway "${legacy?.hostname}"; while migrating, the old gateway's configuration is the one restored onto the pool (omit source)`,
        );
      } else if (!migrating && !hostNames.has(src)) {
        problems.push(
          `configSync.source ${show(sync.source)} is not one of the pool's hosts; name the host whose configuration is copied to the others`,
        );
      }
    }
    if (migrating && legacy?.sshHostKey === undefined) {
      problems.push(
        `legacy.sshHostKey is missing; the migrating legacy gateway is the configuration source and its SSH host key must be pinned`,
      );
    }
    checkSshPublicKey(problems, "configSync.sshPublicKey", sync.sshPublicKey);
    if (
      sync.parallel !== undefined &&
      (!isInt(sync.parallel) || sync.parallel < 1 || sync.parallel > 64)
    ) {
      problems.push(
        `configSync.parallel ${show(sync.parallel)} must be a whole number from 1 to 64`,
      );
    }
    if (
      sync.sshPrivateKeyPath !== undefined &&
      (!isString(sync.sshPrivateKeyPath) || /PRIVATE KEY/.test(sync.sshPrivateKeyPath))
    ) {
      problems.push(
        `configSync.sshPrivateKeyPath must be a file path; never put the key itself in the program`,
      );
    }
  }

  return problems;
}

/** Throws {@link GatewayPoolArgsError} listing every problem, or returns when the arguments are valid. */
export function assertValidGatewayPoolArgs(args: GatewayPoolArgs): void {
  const problems = validateGatewayPoolArgs(args);
  if (problems.length > 0) throw new GatewayPoolArgsError(problems);
}
