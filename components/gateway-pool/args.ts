// Pure: the arguments of GatewayPool: each public type (with its TSDoc) and, right below it, its rule as a zod
// schema. The same schema checks the TypeScript API, the stack's `msgw:pool` configuration and generates
// the JSON Schema editors use for `Pulumi.<stack>.yaml`.
//
// To add an argument:
//   1. add the field with its TSDoc (summary, `@default`, units, errors) to the interface;
//   2. add its rule to the `strictObject({...})` right below, from `components/schema/` when the concept
//      is shared (host names, CIDR lists, ports, folders, SSH keys, PowerShell-safe text) - give every
//      rule an `error` that shows the value and says the fix;
//   3. a rule that compares several arguments goes into `poolRules` (pool-rules.ts, applied by validate.ts);
//   4. `npm run typecheck` fails until the interface and the schema agree (`exact<T>()`), and
//      `npm run schema:json` regenerates `schema/stack-config.schema.json` (a test compares it).
import type * as pulumi from "@pulumi/pulumi";
import * as z from "zod";
import {
  LINUX_DATA_DIR_EXAMPLE,
  WINDOWS_DATA_DIR,
  cidrList,
  dataDirectory,
  dnsTtl,
  hostName,
  ipv4Address,
  powershellSafeString,
  pulumiInput,
  revision,
  serviceControl,
  show,
  sshKeyPath,
  sshPublicKey,
  sshUser,
  strictObject,
  tcpPort,
  windowsServiceName,
} from "../schema";
import { iamRoleArns, isIPv4 } from "../schema";
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
import { AWS_REGION } from "./plan/limits";
import { resolverAddress } from "../schema/resolver-address";
// Compile-time proof that a schema accepts exactly the documented type: a mismatch is a type error.
import { exact } from "../schema/exact";

const ARG = { noun: "argument" } as const;
const message =
  (tail: string) =>
  (iss: { input?: unknown }): string =>
    `${show(iss.input)} ${tail}`;
const enumOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, {
    error: message(
      `is not ${what}; use ${values
        .map((v) => `"${v}"`)
        .join(", ")
        .replace(/, ([^,]*)$/, " or $1")}`,
    ),
  });
const int = (tail: string, min: number, max: number) =>
  z
    .int({ error: message(tail) })
    .min(min, { error: message(tail) })
    .max(max, { error: message(tail) });
const flag = (what: string) => z.boolean({ error: message(`is not true or false; ${what}`) });

/** Whether a gateway host takes new mail. */
export type HostState = "active" | "draining" | "standby";

/** How MX preferences are assigned to active hosts. */
export type MxStrategy = "balanced" | "tiered";

/** Where host certificates come from. */
export type CertificateMode = "self-signed" | "pool-ca" | "gateway-lets-encrypt";

/** Phase of the single gateway the pool replaces. */
export type LegacyPhase = "migrating" | "retired";

const mxPreference = () =>
  int("is not a valid MX preference; use a whole number from 0 to 65535", 0, 65535);
const platform = () => enumOf(["windows", "linux"], "supported");

/**
 * The Cloudflare zone that holds every record the pool owns.
 *
 * @example
 * ```ts
 * zone: { name: "example.com", id: "023e105f4ecef8ad9ca31a8372d0c353" }
 * ```
 */
export interface ZoneArgs {
  /** Zone name, e.g. `example.com`. Every host name and the mail domain must lie inside it. */
  name: string;
  /**
   * Cloudflare zone id.
   * @default - looked up by `name` with `cloudflare.getZoneOutput`
   */
  id?: pulumi.Input<string>;
}
const zoneSchema = exact<ZoneArgs>()(
  strictObject(
    {
      name: hostName('use the Cloudflare zone, e.g. "example.com"', "a valid DNS zone name"),
      id: pulumiInput(z.string({ error: message("is not a Cloudflare zone id") })).optional(),
    },
    { ...ARG, missing: 'give the Cloudflare zone, e.g. { name: "example.com" }' },
  ),
);

/**
 * Overrides for a host that runs on AWS EC2 (the default placement).
 *
 * @example
 * ```ts
 * aws: { region: "eu-west-1", instanceType: "t3.large", dataVolumeGiB: 200 }
 * ```
 */
export interface AwsHostArgs {
  /**
   * AWS region of this host, so hosts can sit in different regions.
   * @default - the region of the AWS provider passed in `opts.providers.aws`
   */
  region?: string;
  /**
   * Subnet to launch into; its VPC hosts the security group.
   * @default - `aws.subnetId` of the pool, else the region's default VPC and subnet
   */
  subnetId?: pulumi.Input<string>;
  /**
   * EC2 instance type; a Nitro-based type (t3, m5 and later), whose EBS volumes Windows sees with the volume
   * id as disk serial number (the first boot finds the data volume by it).
   * @default - `aws.instanceType` of the pool, else `t3.medium`
   */
  instanceType?: pulumi.Input<string>;
  /**
   * AMI id (`ami-` and 8 or 17 hex digits). Setting or changing it replaces this host's instance (its data
   * volume is reattached): the rolling image update, one host at a time, after draining it.
   * @default - `aws.ami` of the pool, else the newest Amazon-owned `Windows_Server-2022-English-Full-Base-*`
   * at creation, then kept: a newer published image never replaces a running host
   */
  ami?: pulumi.Input<string>;
  /**
   * Root volume size in GiB (Windows and the program; mail lives on the data volume): 30 (what Windows
   * Server needs) to 16384 (the EBS gp3 limit). Growing it grows the volume in place and the settings
   * association extends C: to the new size.
   * @default - `aws.rootVolumeGiB` of the pool, else 60
   */
  rootVolumeGiB?: number;
  /**
   * Availability zone of the instance and its mail data volume (an EBS volume lives in one zone). Must lie
   * in the host's region; not together with a subnet (the subnet's zone is used).
   * @default - `aws.availabilityZone` of the pool, else the subnet's zone, else the region's first available zone
   */
  availabilityZone?: string;
  /**
   * Size of the encrypted EBS volume holding the gateway's data directory (configuration and queued mail),
   * GiB, 20–16384. It survives instance replacement; EBS volumes can grow but never shrink. Growing it
   * grows the volume in place, and the host's settings association runs again and extends the NTFS
   * partition to the new size (EBS allows one size change per volume every six hours).
   * @default - `aws.dataVolumeGiB` of the pool, else 100
   */
  dataVolumeGiB?: number;
  /**
   * EBS snapshot (`snap-…`) to create the data volume from, e.g. for the restore drill. Changing it on an
   * existing host is refused by the volume's `protect` option (the volume is never replaced silently).
   * @default - a blank volume
   */
  dataVolumeSnapshotId?: string;
  /**
   * EC2 key pair name, for the Windows Administrator password (Session Manager works without one).
   * @default - `aws.keyName` of the pool, else none
   */
  keyName?: string;
}
const rootVolumeGiB = () =>
  int(
    "is out of range; Windows Server needs at least 30 GiB (at most 16384, the EBS gp3 limit)",
    30,
    16384,
  );
const awsText = (what: string) => pulumiInput(z.string({ error: message(`is not ${what}`) }));
// EC2 resource ids (2016 longer-id format): AMI ids are "ami-" and 8 or 17 hex digits.
const amiId = () => {
  const tail =
    'cannot be an AMI id; AMI ids are "ami-" and 8 or 17 lower-case hex digits, e.g. "ami-0123456789abcdef0"';
  return pulumiInput(z.string({ error: message(tail) }).regex(AMI_ID, { error: message(tail) }));
};
const availabilityZone = () =>
  z
    .string({ error: message('is not an availability zone name such as "eu-central-1a"') })
    .regex(AVAILABILITY_ZONE, {
      error: message('is not an availability zone name such as "eu-central-1a"'),
    });
const dataVolumeGiB = () =>
  int(
    `is out of range; the mail data volume needs ${DATA_VOLUME_MIN_GIB} to ${DATA_VOLUME_MAX_GIB} GiB (EBS volumes only grow: never give less than the volume has today)`,
    DATA_VOLUME_MIN_GIB,
    DATA_VOLUME_MAX_GIB,
  );
const keyName = () => {
  const tail = "is not an EC2 key pair name (1 to 255 printable ASCII characters)";
  return z.string({ error: message(tail) }).regex(KEY_PAIR_NAME, { error: message(tail) });
};
const importId = () => {
  const tail =
    'is not a Cloudflare import id; give "<zoneId>/<recordId>" (two 32-digit hex ids, from the dashboard or the DNS records API)';
  return z.string({ error: message(tail) }).regex(CLOUDFLARE_IMPORT_ID, { error: message(tail) });
};
const awsHostSchema = exact<AwsHostArgs>()(
  strictObject(
    {
      region: z
        .string({ error: message('is not an AWS region name such as "eu-central-1"') })
        .regex(AWS_REGION, {
          error: message('is not an AWS region name such as "eu-central-1"'),
        })
        .optional(),
      subnetId: awsText("a subnet id").optional(),
      instanceType: awsText("an instance type").optional(),
      ami: amiId().optional(),
      rootVolumeGiB: rootVolumeGiB().optional(),
      availabilityZone: availabilityZone().optional(),
      dataVolumeGiB: dataVolumeGiB().optional(),
      dataVolumeSnapshotId: z
        .string({ error: message("cannot be a snapshot id") })
        .regex(SNAPSHOT_ID, {
          error: message(
            'cannot be a snapshot id; snapshot ids are "snap-" and 8 or 17 lower-case hex digits',
          ),
        })
        .optional(),
      keyName: keyName().optional(),
    },
    ARG,
  ),
);

/**
 * How `msgw config` stops, starts and checks the gateway service on a host: one shell command each, run
 * over SSH as the replication user.
 *
 * @example
 * ```ts
 * serviceControl: {
 *   start: "sudo systemctl start mailstore-gateway",
 *   stop: "sudo systemctl stop mailstore-gateway",
 *   status: "systemctl is-active --quiet mailstore-gateway",
 * }
 * ```
 */
export interface ServiceControlArgs {
  /** Starts the service; exits 0 when the start was accepted. One line. */
  start: string;
  /** Stops the service; exits 0 when the stop was accepted. One line. */
  stop: string;
  /** Exits 0 exactly when the service runs. One line. */
  status: string;
  /**
   * Exits 0 when the service is installed; a restore waits (bounded) until it does. One line.
   * @default - not checked
   */
  exists?: string;
}
const serviceControlSchema = exact<ServiceControlArgs>()(serviceControl(ARG.noun));
// A host's data directory: its platform decides the folder rules, so poolRules checks the value.
const hostDataDirectory = () =>
  z
    .string({
      error: message(
        `is not a folder path; give the gateway's data directory, e.g. ${show(WINDOWS_DATA_DIR)} (windows) or ${show(LINUX_DATA_DIR_EXAMPLE)} (linux)`,
      ),
    })
    .optional();

/**
 * A machine the pool does not create, e.g. in another facility.
 *
 * @example
 * ```ts
 * existing: {
 *   address: "203.0.113.20",
 *   sshHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv",
 *   dataDirectory: "D:\\Gateway",
 * }
 * ```
 */
export interface ExistingHostArgs {
  /**
   * Stable public IPv4 address; the host's A record points here. Private, loopback, link-local and other
   * non-public addresses (IANA special-purpose registry) are refused unless `allowPrivateAddress` is set.
   */
  address: pulumi.Input<string>;
  /**
   * Publish an A record for a non-public `address` (10.0.0.5, 192.168.1.20, …), for a split-horizon
   * setup where only internal senders and MailStore Server resolve the name.
   * @default false - a non-public address is refused: the public A record would point nowhere
   */
  allowPrivateAddress?: boolean;
  /**
   * SSH host public key (`ssh-ed25519 AAAA…`), pinned for configuration replication.
   * Required when `configSync` is set: keys are never trusted on first use.
   */
  sshHostKey?: string;
  /**
   * SSH port for configuration replication.
   * @default 22
   */
  sshPort?: number;
  /**
   * SSH user for configuration replication.
   * @default - `configSync.sshUser`, else `Administrator`
   */
  sshUser?: string;
  /**
   * Operating system; decides the data directory's form and how replication controls the service. A
   * `linux` host takes part in configuration replication (`configSync`) when it gives `dataDirectory` and
   * `serviceControl`.
   * @default "windows"
   */
  platform?: "windows" | "linux";
  /**
   * The gateway's data directory on this machine, which configuration replication reads and writes
   * (backups are kept beside it, `<dataDirectory>.msgw-backups`). An absolute local folder of the host's
   * platform, not a drive or file-system root nor a share: on `windows` with backslashes (`D:\Gateway`),
   * on `linux` from `/` (`/var/lib/msgw`); folder names of letters, digits and `. _ - ( )` (and spaces) on
   * Windows, `. _ @ + -` on Linux.
   * @default - on `windows`, `gateway.dataDirectory`; on `linux` none: required with `configSync`
   *   (MailStore Gateway has no Linux default to assume)
   */
  dataDirectory?: string;
  /**
   * Commands that stop, start and check the gateway service during configuration replication.
   * @default - on `windows`, PowerShell `Stop-Service` / `Start-Service` / `Get-Service` of
   *   `gateway.serviceName`; on `linux` none: required with `configSync`
   */
  serviceControl?: ServiceControlArgs;
}
const existingHostSchema = exact<ExistingHostArgs>()(
  strictObject(
    {
      address: pulumiInput(ipv4Address("198.51.100.20")),
      allowPrivateAddress: flag("set true only for a split-horizon setup").optional(),
      sshHostKey: sshPublicKey().optional(),
      sshPort: tcpPort().optional(),
      sshUser: sshUser().optional(),
      platform: platform().optional(),
      dataDirectory: hostDataDirectory(),
      serviceControl: serviceControlSchema.optional(),
    },
    { ...ARG, missing: "give the machine's stable public IPv4 address" },
  ),
);

/**
 * One gateway host of the pool.
 *
 * @example
 * ```ts
 * hosts: [
 *   { hostname: "msgw1.example.com" },
 *   { hostname: "msgw2.example.com", aws: { region: "eu-west-1" } },
 *   { hostname: "msgw3.example.com", state: "standby", existing: { address: "203.0.113.30" } },
 * ]
 * ```
 */
export interface GatewayHostArgs {
  /**
   * The host's own fully qualified name, e.g. `msgw1.example.com`: its A record, its certificate's subject
   * and SAN, and the server MailStore Server's archiving profile connects to. Never the mail domain, nor the
   * zone apex.
   */
  hostname: string;
  /**
   * Explicit MX preference (0–65535); wins over `mx.strategy`.
   * @default - from `mx.strategy`
   */
  mxPriority?: number;
  /**
   * `active`: the host has an MX record and takes mail. `standby`: everything but the MX record (host,
   * A record, certificate, archiving profile), so a new host can be prepared and checked before it is
   * published. `draining`: its MX record is removed and everything else kept, so its mailboxes can be
   * archived empty before the host is removed. An active AWS host's MX record waits for its readiness
   * gate (`readinessGate`), and its instance and Elastic IP are `protect`ed: an update that would
   * replace or delete them is refused (set `standby` first). Add new AWS hosts as `standby`.
   * @default "active"
   */
  state?: HostState;
  /**
   * Run the host on AWS EC2 (Windows Server), with these overrides.
   * @default - an EC2 host with the pool's AWS defaults, unless `existing` is set
   */
  aws?: AwsHostArgs;
  /** Use an existing machine instead of creating one. Mutually exclusive with `aws`. */
  existing?: ExistingHostArgs;
  /**
   * Cloudflare id of an MX record for this host that already exists on the mail domain, as
   * `<zoneId>/<recordId>`: the pool adopts it (resource option `import`) instead of failing with
   * "81058 An identical record already exists". Active hosts only; remove it after the first `up`.
   * @default - the MX record is created
   */
  mxImportId?: string;
}
const gatewayHostSchema = exact<GatewayHostArgs>()(
  strictObject(
    {
      // The example in the fix is filled in by poolRules (it knows the host's position).
      hostname: hostName('give the host its own name, e.g. "msgw1.example.com"'),
      mxPriority: mxPreference().optional(),
      state: enumOf(["active", "draining", "standby"], "a host state").optional(),
      aws: awsHostSchema.optional(),
      existing: existingHostSchema.optional(),
      mxImportId: importId().optional(),
    },
    { ...ARG, missing: 'give the host, e.g. { hostname: "msgw1.example.com" }' },
  ),
);

/**
 * MX record settings for the mail domain.
 *
 * @example
 * ```ts
 * mx: { strategy: "tiered", priority: 10, step: 10 }
 * ```
 */
export interface MxArgs {
  /**
   * `balanced`: every active host gets `priority`, so senders spread mail across them.
   * `tiered`: active hosts get `priority`, `priority + step`, … in list order (the first is primary).
   * @default "balanced"
   */
  strategy?: MxStrategy;
  /**
   * Base preference (0–65535).
   * @default 0
   */
  priority?: number;
  /**
   * Preference gap between tiers (tiered only), 1–65535.
   * @default 10
   */
  step?: number;
  /**
   * TTL of the MX records, seconds: 1 (automatic) or 60–86400.
   * @default 300
   */
  ttl?: number;
  /**
   * Allow `mailDomain` to be the zone apex (`example.com` in zone `example.com`). The pool's MX records
   * then sit beside the company's own mail MX records and receive a share of its mail.
   * @default false - a mail domain at the zone apex is refused; use a subdomain such as `msgw.example.com`
   */
  allowZoneApex?: boolean;
}
const mxSchema = exact<MxArgs>()(
  strictObject(
    {
      strategy: enumOf(["balanced", "tiered"], "a strategy").optional(),
      priority: mxPreference().optional(),
      step: int(
        "is not a valid preference gap; use a whole number from 1 to 65535",
        1,
        65535,
      ).optional(),
      ttl: dnsTtl().optional(),
      allowZoneApex: flag(
        "set true only when the pool may share the zone apex's MX records",
      ).optional(),
    },
    ARG,
  ),
);

/**
 * DNS settings other than MX.
 *
 * @example
 * ```ts
 * dns: { addressTtl: 3600 }
 * ```
 */
export interface DnsArgs {
  /**
   * TTL of the hosts' A records (and the legacy A record), seconds: 1 (automatic) or 60–86400.
   * @default 300
   */
  addressTtl?: number;
}
const dnsSchema = exact<DnsArgs>()(strictObject({ addressTtl: dnsTtl().optional() }, ARG));

/**
 * Pool certificate authority settings (`pool-ca` mode only).
 *
 * @example
 * ```ts
 * ca: { commonName: "Example gateway pool CA", validityDays: 3650 }
 * ```
 */
export interface PoolCaArgs {
  /**
   * Subject common name of the CA.
   * @default - `<mailDomain> gateway pool CA`
   */
  commonName?: string;
  /**
   * CA validity in days, from twice the host certificates' validity to 7300. The CA is renewed early, once
   * less than a host certificate's validity (plus a day) remains, so no host certificate outlives it.
   * @default 3650
   */
  validityDays?: number;
}
const poolCaSchema = exact<PoolCaArgs>()(
  strictObject(
    {
      commonName: z
        .string({
          error: message('is not a common name; give text such as "Example gateway pool CA"'),
        })
        .min(1, { error: message('is empty; give text such as "Example gateway pool CA"') })
        // RFC 5280, Appendix A.1: ub-common-name is 64 characters.
        .max(X509_NAME_MAX, {
          error: message(
            `is longer than ${X509_NAME_MAX} characters (X.509 ub-common-name, RFC 5280); shorten it`,
          ),
        })
        .optional(),
      // Range checked against certificates.validityDays in poolRules.
      validityDays: z.number({ error: message("is not a number of days") }).optional(),
    },
    ARG,
  ),
);

/**
 * Host certificates.
 *
 * @example
 * ```ts
 * certificates: { mode: "pool-ca", validityDays: 397, organization: "Example Ltd" }
 * ```
 */
export interface CertificateArgs {
  /**
   * `self-signed`: one self-signed certificate per host. `pool-ca`: one CA for the pool signs every host
   * certificate, so MailStore Server trusts one CA. `gateway-lets-encrypt`: no certificate is created; the
   * gateway's built-in Let's Encrypt is used and 80/tcp is opened to the world.
   * @default "pool-ca"
   */
  mode?: CertificateMode;
  /**
   * Host certificate validity in days (1–825).
   * @default 397
   */
  validityDays?: number;
  /**
   * Days before expiry from which `pulumi up` replaces a host certificate; below `validityDays`.
   * @default 30
   */
  earlyRenewalDays?: number;
  /**
   * Subject organization.
   * @default "MailStore Gateway pool"
   */
  organization?: string;
  /** CA settings; only valid with `mode: "pool-ca"`. */
  ca?: PoolCaArgs;
}
const certificateSchema = exact<CertificateArgs>()(
  strictObject(
    {
      mode: enumOf(["self-signed", "pool-ca", "gateway-lets-encrypt"], "a mode").optional(),
      validityDays: int("is out of range; use 1 to 825 days", 1, 825).optional(),
      // Range checked against validityDays in poolRules.
      earlyRenewalDays: z.number({ error: message("is not a number of days") }).optional(),
      organization: z
        .string({ error: message("is not an organization name") })
        .min(1, { error: message('is empty; give the organization, e.g. "Example Ltd"') })
        // RFC 5280, Appendix A.1: ub-organization-name is 64 characters.
        .max(X509_NAME_MAX, {
          error: message(
            `is longer than ${X509_NAME_MAX} characters (X.509 ub-organization-name, RFC 5280); shorten it`,
          ),
        })
        .optional(),
      ca: poolCaSchema.optional(),
    },
    ARG,
  ),
);

/**
 * Who may reach which port. SMTP is open to `smtpSourceCidrs`; POP3 (and POP3 over TLS) only to
 * MailStore Server; the Management Console and SSH only to administrators; 80/tcp is opened to anyone only
 * for the gateway's own Let's Encrypt. No other inbound port is opened.
 *
 * @example
 * ```ts
 * access: {
 *   mailStoreServerCidrs: ["198.51.100.10/32"],
 *   adminCidrs: ["198.51.100.0/24"],
 *   smtpSourceCidrs: ["203.0.113.0/24"],
 * }
 * ```
 */
export interface AccessArgs {
  /**
   * Addresses of MailStore Server(s), the only sources allowed on POP3 (110, and 995 when enabled). A list
   * whose blocks together cover a whole address family (`0.0.0.0/0`, or `0.0.0.0/1` + `128.0.0.0/1`) is
   * refused.
   */
  mailStoreServerCidrs: string[];
  /**
   * Administrator networks: Management Console (8450) and SSH for configuration replication (22). A list
   * whose blocks together cover a whole address family is refused.
   */
  adminCidrs: string[];
  /**
   * Sources allowed on SMTP 25, e.g. Microsoft 365's published ranges.
   * @default ["0.0.0.0/0"] - journal senders come from anywhere
   */
  smtpSourceCidrs?: string[];
}
const accessSchema = exact<AccessArgs>()(
  strictObject(
    {
      mailStoreServerCidrs: cidrList({
        purpose: "POP3 for MailStore Server",
        worldOpenAllowed: false,
      }),
      adminCidrs: cidrList({
        purpose: "the Management Console and SSH",
        worldOpenAllowed: false,
      }),
      smtpSourceCidrs: cidrList({
        purpose: "SMTP for journal senders",
        worldOpenAllowed: true,
      }).optional(),
    },
    {
      ...ARG,
      missing:
        "give access.mailStoreServerCidrs and access.adminCidrs so POP3, the Management Console and SSH are not open to the world",
    },
  ),
);

/**
 * Ports MailStore Gateway listens on (1–65535). No two services may share a port, nor use 22 while
 * configuration replication runs over SSH, nor 80 with the gateway's own Let's Encrypt: the security
 * group would open the port to the other rule's sources too.
 *
 * @example
 * ```ts
 * ports: { pop3s: 995 }
 * ```
 */
export interface GatewayPortsArgs {
  /** @default 25 */
  smtp?: number;
  /** @default 110 */
  pop3?: number;
  /**
   * Dedicated POP3-over-TLS port; `false` keeps it closed. Unconfirmed by the vendor's docs.
   * @default false
   */
  pop3s?: number | false;
  /** @default 8450 */
  managementConsole?: number;
}
const portsSchema = exact<GatewayPortsArgs>()(
  strictObject(
    {
      smtp: tcpPort().optional(),
      pop3: tcpPort().optional(),
      pop3s: z
        .union([tcpPort(), z.literal(false)], {
          error: message("is not a TCP port; use a whole number from 1 to 65535, or false"),
        })
        .optional(),
      managementConsole: tcpPort().optional(),
    },
    ARG,
  ),
);

/**
 * Facts about MailStore Gateway that the vendor does not document; every one is an assumption with a
 * default, overridable here. Values written into the hosts' PowerShell first-boot script are limited to
 * small ASCII character sets, so none can leave its quoted string.
 *
 * @example
 * ```ts
 * gateway: {
 *   installerUrl: "https://downloads.example.com/mailstore-gateway/setup.exe",
 *   installerSha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
 *   dataDirectory: "D:\\MailStore\\Gateway",
 * }
 * ```
 */
export interface GatewaySoftwareArgs {
  /**
   * HTTPS URL of the MailStore Gateway installer, downloaded by the host's user data. RFC 3986 characters
   * other than `'` and `$` (percent-encode anything else).
   * @default - none: the host is prepared and the runbook lists the installation as a manual step
   */
  installerUrl?: string;
  /**
   * SHA-256 (hex) of the installer; the user data refuses a download that does not match.
   * @default - not checked
   */
  installerSha256?: string;
  /**
   * Silent-install switches (assumed; not documented by the vendor): letters, digits, spaces and
   * `/ \ - _ . : = , +`.
   * @default "/VERYSILENT /SUPPRESSMSGBOXES /NORESTART"
   */
  installerArgs?: string;
  /**
   * Windows service name (assumed): letters, digits, spaces, dots, dashes and underscores.
   * @default "MailStoreGateway"
   */
  serviceName?: string;
  /**
   * Data directory: configuration files (top level) and mailbox folders (sub-folders). An absolute local
   * Windows folder with backslashes (not a drive root or a share); folder names of letters, digits,
   * spaces and `. _ - ( )`. Replication keeps its backups beside it (`<dataDirectory>.msgw-backups`).
   * @default "C:\\ProgramData\\MailStore\\Gateway"
   */
  dataDirectory?: string;
  /** Listening ports. */
  ports?: GatewayPortsArgs;
}
const urlMessage = message(
  "must be an https:// URL of RFC 3986 characters other than ' and $, without spaces (it is downloaded on every host)",
);
const gatewaySchema = exact<GatewaySoftwareArgs>()(
  strictObject(
    {
      installerUrl: z
        .string({ error: urlMessage })
        .regex(/^https:\/\/[A-Za-z0-9\-._~:/?#[\]@!&()*+,;=%]+$/, { error: urlMessage })
        .optional(),
      installerSha256: z
        .string({ error: message("is not a SHA-256 hex digest (64 hex digits)") })
        .regex(/^[0-9a-fA-F]{64}$/, {
          error: message("is not a SHA-256 hex digest (64 hex digits)"),
        })
        .optional(),
      installerArgs: powershellSafeString("installerArgs", "silent-install switches").optional(),
      serviceName: windowsServiceName().optional(),
      dataDirectory: dataDirectory("windows").optional(),
      ports: portsSchema.optional(),
    },
    ARG,
  ),
);

/**
 * The single existing gateway the pool replaces.
 *
 * @example
 * ```ts
 * legacy: {
 *   hostname: "msgw.example.com",
 *   address: "198.51.100.5",
 *   phase: "migrating",
 *   sshHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv",
 * }
 * ```
 */
export interface LegacyGatewayArgs {
  /** Its name, typically the mail domain itself (`msgw.example.com`, an A record only). */
  hostname: string;
  /**
   * Its public IPv4 address (the A record the pool keeps while migrating). Non-public addresses are
   * refused unless `allowPrivateAddress` is set.
   */
  address: pulumi.Input<string>;
  /**
   * Publish the A record for a non-public `address` (split-horizon DNS).
   * @default false
   */
  allowPrivateAddress?: boolean;
  /**
   * `migrating`: its A record is kept (managed by the pool, never deleted by it) and it is the
   * configuration source. `retired`: the pool stops managing its A record, which stays in Cloudflare until
   * you delete it; the runbook says how to decommission the machine.
   */
  phase: LegacyPhase;
  /**
   * Cloudflare id of the legacy gateway's existing A record, `<zoneId>/<recordId>`: the pool adopts the
   * live record (resource option `import`) instead of failing with "81058 An identical record already
   * exists". Only while migrating; remove it after the first successful `up`.
   * @default - the A record is created
   */
  importId?: string;
  /** Pinned SSH host key of the legacy gateway (needed when it is the configuration source). */
  sshHostKey?: string;
  /** @default 22 */
  sshPort?: number;
  /** @default - `configSync.sshUser` */
  sshUser?: string;
  /**
   * Operating system. A migrating `linux` gateway can be the configuration source when it gives
   * `dataDirectory` and `serviceControl`.
   * @default "windows"
   */
  platform?: "windows" | "linux";
  /**
   * Its data directory, read as the configuration source (rules as for `hosts[].existing.dataDirectory`).
   * @default - on `windows`, `gateway.dataDirectory`; on `linux` none: required with `configSync` while
   *   migrating
   */
  dataDirectory?: string;
  /**
   * Commands that stop, start and check its gateway service (a snapshot only reads files, but `msgw config`
   * needs them for every host of its inventory).
   * @default - on `windows`, PowerShell service control of `gateway.serviceName`; on `linux` none:
   *   required with `configSync` while migrating
   */
  serviceControl?: ServiceControlArgs;
}
const legacySchema = exact<LegacyGatewayArgs>()(
  strictObject(
    {
      hostname: hostName('give the old gateway\'s name, e.g. "msgw.example.com"'),
      address: pulumiInput(
        z
          .string({ error: (iss) => legacyAddressMessage(iss.input) })
          .refine(isIPv4, { error: (iss) => legacyAddressMessage(iss.input) }),
      ),
      allowPrivateAddress: flag("set true only for a split-horizon setup").optional(),
      phase: enumOf(["migrating", "retired"], "a phase"),
      importId: importId().optional(),
      sshHostKey: sshPublicKey().optional(),
      sshPort: tcpPort().optional(),
      sshUser: sshUser().optional(),
      platform: platform().optional(),
      dataDirectory: hostDataDirectory(),
      serviceControl: serviceControlSchema.optional(),
    },
    {
      ...ARG,
      missing: 'give the old gateway: { hostname, address, phase: "migrating" }',
    },
  ),
);
function legacyAddressMessage(input: unknown): string {
  return input === undefined || input === null || input === ""
    ? "is missing; give the old gateway's public IPv4 address"
    : `${show(input)} is not an IPv4 address such as "198.51.100.5"`;
}

/**
 * Configuration replication from one source to every other host.
 *
 * @example
 * ```ts
 * configSync: {
 *   revision: 1,
 *   sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv msgw-sync",
 *   sshPrivateKeyPath: "~/.ssh/msgw_ed25519",
 *   parallel: 2,
 * }
 * ```
 */
export interface ConfigSyncArgs {
  /**
   * Bump to copy the source's configuration to every other host again: a whole number (0 or more) or a
   * label of up to 128 letters, digits, `.`, `_` and `-` starting with a letter or digit.
   */
  revision: string | number;
  /**
   * Host name of the configuration source.
   * @default - the legacy gateway while it is migrating, else the first active pool host
   */
  source?: string;
  /**
   * OpenSSH public key authorised on AWS hosts for replication (public only; never a private key). Its
   * comment may hold only letters, digits, spaces and `. _ @ + = : , / ( ) -`.
   * @default - none: add the key to the hosts by hand (see the runbook)
   */
  sshPublicKey?: string;
  /**
   * Path, on the machine running `pulumi up`, of the matching private key. Only the path enters state.
   * @default "~/.ssh/id_ed25519"
   */
  sshPrivateKeyPath?: string;
  /** @default "Administrator" */
  sshUser?: string;
  /**
   * Maximum number of targets restored at once (1–64).
   * @default 4
   */
  parallel?: number;
  /**
   * Command that runs the replication CLI on the machine running `pulumi up`.
   * @default "npx --no-install msgw"
   */
  cliCommand?: string;
  /**
   * How long replication waits for SSH on an AWS host the pool just created, seconds, 60–3600 (the
   * inventory's limit). The first boot starts sshd last, after the data volume, the pinned key from
   * SSM, OpenSSH Server and the gateway's installer. When the wait ends, the error says which first-boot
   * step the host was on (read through SSM Run Command from `C:\ProgramData\msgw\bootstrap.step`).
   * @default 2040 - Windows boot (240, AWS's "wait four minutes") + the first boot's data-volume wait
   * (900) + its SSM read (300) + allowances for OpenSSH Server (300) and the installer (300)
   */
  bootWaitSeconds?: number;
  /**
   * Folder on the machine running `pulumi up` where snapshots and backups are kept, with
   * `store: { kind: "local" }` (or when the pool has no AWS host).
   * @default ".msgw/backups"
   */
  backupDirectory?: string;
  /**
   * Where snapshots and pre-restore backups are kept. They must outlive the machine that runs
   * `pulumi up` (CI runners are thrown away): a later restore, or a replaced source host, needs them.
   * @default - with AWS hosts, a bucket the pool creates (private, versioned, SSE-KMS, public access
   * blocked, backups expire after 365 days); without AWS hosts, the local `backupDirectory`
   */
  store?: ConfigSyncStoreArgs;
}
/**
 * The replication store: an S3 bucket (the pool's own, or one you name) or, only when asked, a local
 * folder on the machine running `pulumi up`.
 *
 * @example
 * ```ts
 * store: { kind: "s3", bucket: "example-msgw-config", region: "eu-central-1", prefix: "prod/" }
 * ```
 * @example
 * ```ts
 * store: { kind: "local", path: "/srv/msgw/backups" }
 * ```
 */
export type ConfigSyncStoreArgs =
  | {
      kind: "s3";
      /**
       * An existing bucket to use; it must have versioning enabled (checked before first use).
       * @default - a bucket the pool creates (`<pool>-msgw-config-…`)
       */
      bucket?: pulumi.Input<string>;
      /** The bucket's region. @default - the region of the pool's AWS provider (for the pool's own bucket) */
      region?: pulumi.Input<string>;
      /** Key prefix, e.g. `"prod/"`. @default "" */
      prefix?: string;
      /** KMS key for SSE-KMS. @default - the account's `aws/s3` key */
      kmsKeyId?: pulumi.Input<string>;
    }
  | {
      kind: "local";
      /** Folder on the machine running `pulumi up`. @default - `backupDirectory` */
      path?: string;
    };

const storeS3Schema = strictObject(
  {
    kind: z.literal("s3"),
    bucket: awsText("a bucket name").optional(),
    region: awsText("an AWS region").optional(),
    prefix: z
      .string({
        error: message('is not a key prefix; use folder names ending in "/", e.g. "prod/"'),
      })
      .regex(/^([A-Za-z0-9._-]+\/)*$/, {
        error: message('must be empty or folder names ending in "/", e.g. "prod/"'),
      })
      .optional(),
    kmsKeyId: awsText("a KMS key id or ARN").optional(),
  },
  ARG,
);
const storeLocalSchema = strictObject(
  {
    kind: z.literal("local"),
    path: z
      .string({ error: message("must be a folder path") })
      .min(1, { error: message("must be a folder path") })
      .optional(),
  },
  ARG,
);
const configSyncStoreSchema = exact<ConfigSyncStoreArgs>()(
  z.discriminatedUnion("kind", [storeS3Schema, storeLocalSchema], {
    error: (iss) =>
      `${show((iss.input as { kind?: unknown } | null)?.kind)} must be "s3" (a bucket: the pool's own, or {kind:"s3",bucket,region}) or "local" (a folder on the machine running pulumi up)`,
  }),
);

const nonEmptyLine = (fix: string) =>
  z
    .string({ error: message(`is not text; ${fix}`) })
    .refine((v) => v.trim() !== "" && !/[\r\n\0]/.test(v), {
      error: message(`is empty or spans several lines; ${fix}`),
    });
const configSyncSchema = exact<ConfigSyncArgs>()(
  strictObject(
    {
      revision: revision(),
      source: z
        .string({
          error: message("is not a host name; name the host whose configuration is copied"),
        })
        .optional(),
      sshPublicKey: sshPublicKey().optional(),
      sshPrivateKeyPath: sshKeyPath().optional(),
      sshUser: sshUser().optional(),
      parallel: int("must be a whole number from 1 to 64", 1, 64).optional(),
      cliCommand: nonEmptyLine(
        'give the command that runs msgw, e.g. "npx --no-install msgw"',
      ).optional(),
      bootWaitSeconds: int(
        "must be a whole number of seconds from 60 to 3600 (the longest boot wait msgw config accepts)",
        60,
        3600,
      ).optional(),
      backupDirectory: nonEmptyLine('give a folder, e.g. ".msgw/backups"').optional(),
      store: configSyncStoreSchema.optional(),
    },
    { ...ARG, missing: "give at least configSync.revision" },
  ),
);

/**
 * The readiness gate: before a host's MX record is created, `msgw check --wait` runs on the machine
 * running `pulumi up` and must see SMTP (25) with STARTTLS and POP3 (110) with STLS at the host's
 * address, each presenting a certificate for the host's own name that verifies (against the pool CA,
 * the host's own self-signed certificate, or the public roots with the gateway's Let's Encrypt) and is
 * in date. A host that is not ready within `waitSeconds` fails the update with the check's report and
 * gets no MX record; with `configSync` the gate runs after the host's configuration restore. A gate
 * re-runs when its host machine or its certificate changes.
 *
 * Always on for every active host the pool creates on AWS (these settings only tune it): a machine
 * created in an update cannot take mail yet, so its MX record waits for the check. Given, it also
 * gates active `existing` hosts. A host created in the same update cannot pass (its certificate is
 * imported by hand afterwards): new hosts join as `standby`, are completed and checked by hand, then
 * set `active`. The machine running `pulumi up` must reach port 25 and port 110 of every gated host
 * (110 is open only to `access.mailStoreServerCidrs`, so that machine's address belongs there) and
 * have the msgw CLI (`msgw preflight --stack <stack>` checks what it can before an update).
 *
 * @example
 * ```ts
 * readinessGate: { waitSeconds: 1800 }
 * ```
 */
export interface ReadinessGateArgs {
  /**
   * Longest wait per host, in seconds; the check repeats every 5 seconds. From 10 to 7200.
   * @default 900
   */
  waitSeconds?: number;
  /**
   * Command that runs the msgw CLI on the machine running `pulumi up`.
   * @default - `configSync.cliCommand` when given, else "npx --no-install msgw"
   */
  cliCommand?: string;
  /**
   * Validating DNS resolver the gate asks for MX, A and TLSA answers with DNSSEC (`--resolver`), as
   * `IP` or `IP:PORT` (`[IPv6]:PORT`). Matters with `dane.enabled`: the gate then requires each host's
   * TLSA record to validate and match, which a non-validating resolver never confirms.
   * @default - the first name server of the machine running `pulumi up`
   */
  resolver?: string;
}
const readinessGateSchema = exact<ReadinessGateArgs>()(
  strictObject(
    {
      // The gate holds the whole update while it waits; two hours is the longest wait allowed.
      waitSeconds: int(
        "must be a whole number from 10 to 7200; the gate holds the update while it waits",
        10,
        7200,
      ).optional(),
      cliCommand: nonEmptyLine(
        'give the command that runs msgw, e.g. "npx --no-install msgw"',
      ).optional(),
      resolver: z
        .string({
          error: message('must be a resolver address such as "10.0.0.53" or "10.0.0.53:5353"'),
        })
        .refine((v) => resolverAddress(v) !== undefined, {
          error: message(
            'must be an IP address with an optional port: "10.0.0.53", "10.0.0.53:5353" or "[2001:db8::53]:5353"',
          ),
        })
        .optional(),
    },
    ARG,
  ),
);

/**
 * Pool-wide AWS defaults; each host's `aws` overrides them.
 *
 * @example
 * ```ts
 * aws: {
 *   instanceType: "t3.large",
 *   dataVolumeGiB: 200,
 *   tags: { environment: "prod", owner: "mail-team" },
 *   deployerRoleArns: ["arn:aws:iam::123456789012:role/msgw-deployer"],
 * }
 * ```
 */
export interface AwsPoolDefaultsArgs {
  /** @default - the default VPC's subnets */
  subnetId?: pulumi.Input<string>;
  /** @default "t3.medium" */
  instanceType?: pulumi.Input<string>;
  /**
   * AMI id for every host. Changing it replaces every host without its own `aws.ami` at once: prefer
   * per-host `aws.ami` for a rolling update.
   * @default - newest Amazon-owned Windows Server 2022 English Full Base at each host's creation, then kept
   */
  ami?: pulumi.Input<string>;
  /** Root volume size in GiB, 30–16384. @default 60 */
  rootVolumeGiB?: number;
  /** @default - the subnet's zone, else the region's first available zone */
  availabilityZone?: string;
  /** Mail data volume size in GiB, 20–16384. @default 100 */
  dataVolumeGiB?: number;
  /** EC2 key pair name. @default - none */
  keyName?: string;
  /** Tags added to every AWS resource. */
  tags?: Record<string, string>;
  /**
   * IAM roles that run `pulumi up`, `preview`, `refresh` and `import` for this stack (a person or CI job
   * assumes one), as role ARNs in the hosts' partition. With `configSync`, each AWS host's SSH host key
   * is an SSM SecureString under its own KMS key, and the AWS provider decrypts it on every read: the
   * key's policy lets exactly these roles and the host's own role use it (the account keeps key
   * administration, without decrypting or granting). Naming roles, not whoever ran last, keeps the policy
   * the same for everyone in a team, so previews plan no change to it.
   * @default - none; required when `configSync` is set and the pool has an AWS host
   * @example
   * ```ts
   * aws: { deployerRoleArns: ["arn:aws:iam::123456789012:role/msgw-deployer"] }
   * ```
   */
  deployerRoleArns?: string[];
}
const awsPoolSchema = exact<AwsPoolDefaultsArgs>()(
  strictObject(
    {
      subnetId: awsText("a subnet id").optional(),
      instanceType: awsText("an instance type").optional(),
      ami: amiId().optional(),
      rootVolumeGiB: rootVolumeGiB().optional(),
      availabilityZone: availabilityZone().optional(),
      dataVolumeGiB: dataVolumeGiB().optional(),
      keyName: keyName().optional(),
      tags: z
        .record(
          z.string(),
          z.string({ error: message("is not a tag value; tag values are text") }),
          {
            error: message('is not a map of tags, e.g. { environment: "prod" }'),
          },
        )
        .optional(),
      deployerRoleArns: iamRoleArns().optional(),
    },
    ARG,
  ),
);

/**
 * Scheduled snapshots of the AWS hosts' mail data volumes (AWS Data Lifecycle Manager).
 *
 * @example
 * ```ts
 * backup: { intervalHours: 12, startTime: "02:30", retainCount: 28 }
 * ```
 */
export interface BackupArgs {
  /**
   * `false` creates no snapshot policy (not recommended: the data volumes then have no copy).
   * @default true
   */
  enabled?: boolean;
  /**
   * Hours between snapshots: 1, 2, 3, 4, 6, 8, 12 or 24 (the intervals Data Lifecycle Manager accepts).
   * @default 24
   */
  intervalHours?: number;
  /**
   * Time of day of the first snapshot, UTC, `HH:MM`.
   * @default "03:00"
   */
  startTime?: string;
  /**
   * Snapshots kept per volume, 1–1000; older ones are deleted.
   * @default 14
   */
  retainCount?: number;
}
// Data Lifecycle Manager API: CreateRule Interval (hours) and Times (hh:mm UTC), RetainRule Count.
const backupSchema = exact<BackupArgs>()(
  strictObject(
    {
      enabled: flag("false turns snapshots off").optional(),
      intervalHours: z
        .number({ error: message("is not a number of hours") })
        .refine((v) => DLM_INTERVAL_HOURS.includes(v), {
          error: message(
            `is not an interval Data Lifecycle Manager accepts; use one of ${DLM_INTERVAL_HOURS.join(", ")}`,
          ),
        })
        .optional(),
      startTime: z
        .string({ error: message('is not a UTC time of day; write "HH:MM", e.g. "03:00"') })
        .regex(DLM_TIME, {
          error: message('is not a UTC time of day; write "HH:MM", e.g. "03:00"'),
        })
        .optional(),
      retainCount: int(
        `must be a whole number of snapshots from 1 to ${DLM_RETAIN_MAX}`,
        1,
        DLM_RETAIN_MAX,
      ).optional(),
    },
    ARG,
  ),
);

/** Where the pool stands in one host's key rollover (see {@link DaneHostKeyArgs}). */
export type KeyRolloverStep = "publish" | "serve";

/**
 * The TLS key of one host, by generation. Generation 1 is the key the pool created first; a key rollover
 * moves to `generation + 1` in three updates, each a `pulumi up`:
 * 1. `{ generation: 1, rollover: "publish" }`: the next key (generation 2) is created and its TLSA
 *    record published beside the current one; the certificate stays on generation 1;
 * 2. `{ generation: 1, rollover: "serve" }`: the certificate is issued on generation 2. Refused by the
 *    update (it fails with "wait until <time>") before twice the TLSA TTL has passed since step 1, so
 *    every sender's cache holds the new record before the gateway presents the new key;
 * 3. `{ generation: 2 }`: the old key and its TLSA record are removed.
 *
 * A certificate renewal keeps the key, so it changes no TLSA record.
 *
 * @example
 * ```ts
 * keys: { "msgw1.example.com": { generation: 1, rollover: "publish" } }
 * ```
 */
export interface DaneHostKeyArgs {
  /**
   * The key generation the host's certificate is on (1 or more). Changing it by more than a rollover
   * (without `rollover`) is refused by the update, since senders hold no record for the new key yet.
   * @default 1
   */
  generation?: number;
  /**
   * Progress of a rollover to `generation + 1`: `publish` (next key's TLSA beside the current one) or
   * `serve` (certificate on the next key; both records kept).
   * @default - no rollover: only the current key and its record
   */
  rollover?: KeyRolloverStep;
}
const daneHostKeySchema = exact<DaneHostKeyArgs>()(
  strictObject(
    {
      generation: int(
        "is not a key generation; use a whole number from 1 (the first key) to 1000000",
        1,
        1_000_000,
      ).optional(),
      rollover: enumOf(["publish", "serve"], "a rollover step").optional(),
    },
    ARG,
  ),
);

/**
 * DANE for journal delivery (RFC 7672): per receiving host a TLSA `3 1 1` record (DANE-EE, the certificate's
 * SubjectPublicKeyInfo, SHA-256) at `_<smtp port>._tcp.<host>`, published before the host's MX record, in a
 * DNSSEC-signed zone. A validating sender (Exchange Online since 2022) then delivers only to a host whose
 * certificate carries that key: no STARTTLS stripping, no other certificate. Refused with
 * `certificates.mode: "gateway-lets-encrypt"` (the pool does not hold that key).
 *
 * @example
 * ```ts
 * dane: { enabled: true, ttl: 300, tlsReportingRua: ["mailto:tlsrpt@example.com"] }
 * ```
 */
export interface DaneArgs {
  /** Publish TLSA records (and, by default, sign the zone). */
  enabled: boolean;
  /**
   * Who signs the zone. `pool`: the pool turns on Cloudflare DNSSEC (`cloudflare.ZoneDnssec`), outputs the
   * DS record for the registrar, and never turns it off (kept on destroy and on `enabled: false`).
   * `operator`: the zone is already signed and its DS published, managed elsewhere.
   * @default "pool" - TLSA records in an unsigned zone are ignored by every sender; turning signing on is
   *   idempotent for an already signed zone
   */
  dnssec?: "pool" | "operator";
  /**
   * TTL of the TLSA records, seconds: 1 (automatic, 300) or 60–86400. A key rollover waits twice this
   * between publishing the next record and serving the next key, so twice it must fit within
   * `certificates.earlyRenewalDays`.
   * @default 300
   */
  ttl?: number;
  /**
   * SMTP TLS reporting (RFC 8460): `mailto:` or `https:` addresses published as
   * `_smtp._tls.<mailDomain> TXT "v=TLSRPTv1; rua=…"`.
   * @default - no TLS reporting record
   */
  tlsReportingRua?: string[];
  /**
   * The legacy gateway's certificate (PEM) or public key (PEM SubjectPublicKeyInfo), so its name gets a
   * TLSA record while it is migrating.
   * @default - the legacy gateway has no TLSA record (the runbook says so)
   */
  legacyPublicKeyPem?: string;
  /** Key generation and rollover per host name. @default - generation 1 for every host */
  keys?: Record<string, DaneHostKeyArgs>;
}
const tlsRptUri = () => {
  const tail =
    'is not a TLS reporting address; give "mailto:tlsrpt@example.com" or an "https://" URL (RFC 8460 3), without "," or ";" or spaces';
  return z
    .string({ error: message(tail) })
    .regex(/^(mailto:[^\s,;!@]+@[^\s,;!@]+|https:\/\/[^\s,;!]+)$/, { error: message(tail) });
};
const daneSchema = exact<DaneArgs>()(
  strictObject(
    {
      enabled: flag("true publishes TLSA records"),
      dnssec: enumOf(["pool", "operator"], "a DNSSEC owner").optional(),
      ttl: dnsTtl().optional(),
      tlsReportingRua: z
        .array(tlsRptUri(), { error: message("is not a list of TLS reporting addresses") })
        .min(1, {
          error: () => 'is empty; give at least one address, e.g. ["mailto:tlsrpt@example.com"]',
        })
        .optional(),
      legacyPublicKeyPem: z
        .string({ error: message("is not PEM text") })
        .regex(/-----BEGIN (CERTIFICATE|PUBLIC KEY)-----/, {
          error: () =>
            'is not a PEM certificate or public key; give the legacy gateway\'s certificate ("-----BEGIN CERTIFICATE-----…")',
        })
        .optional(),
      keys: z
        .record(z.string(), daneHostKeySchema, {
          error: message(
            'is not a map of host names, e.g. { "msgw1.example.com": { generation: 1 } }',
          ),
        })
        .optional(),
    },
    { ...ARG, missing: "give dane: { enabled: true }" },
  ),
);

/**
 * Arguments of {@link GatewayPool}.
 *
 * @example
 * ```ts
 * {
 *   zone: { name: "example.com" },
 *   mailDomain: "msgw.example.com",
 *   hosts: [{ hostname: "msgw1.example.com" }, { hostname: "msgw2.example.com" }],
 *   access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.0/24"] },
 *   certificates: { mode: "pool-ca", organization: "Example Ltd" },
 *   backup: { retainCount: 30 },
 * }
 * ```
 */
export interface GatewayPoolArgs {
  /** The Cloudflare zone holding every record. */
  zone: ZoneArgs;
  /**
   * The domain journal rules deliver to (`mbx-…@msgw.example.com`); it owns the MX records. Inside the
   * zone, and not its apex unless `mx.allowZoneApex` is set.
   */
  mailDomain: string;
  /** The gateway hosts. Child resources are keyed by host name, so order only matters for `tiered`. */
  hosts: GatewayHostArgs[];
  /** MX records. */
  mx?: MxArgs;
  /** Other DNS settings. */
  dns?: DnsArgs;
  /** Host certificates. */
  certificates?: CertificateArgs;
  /** Network access rules. */
  access: AccessArgs;
  /** MailStore Gateway software facts (all assumptions, all overridable). */
  gateway?: GatewaySoftwareArgs;
  /** Pool-wide AWS defaults. */
  aws?: AwsPoolDefaultsArgs;
  /** Snapshots of the AWS hosts' mail data volumes. */
  backup?: BackupArgs;
  /** The single gateway being replaced. */
  legacy?: LegacyGatewayArgs;
  /** Configuration replication. */
  configSync?: ConfigSyncArgs;
  /**
   * Wait for each host to pass `msgw check --wait` before its MX record is created.
   * @default - a 900 s gate for every active AWS host; existing hosts' MX records wait for their A record only
   */
  readinessGate?: ReadinessGateArgs;
  /**
   * DNSSEC and DANE for journal delivery.
   * @default - off: no TLSA records, the zone's signing left as it is
   */
  dane?: DaneArgs;
}
const poolShape = {
  zone: zoneSchema,
  mailDomain: hostName('use the domain journal rules deliver to, e.g. "msgw.example.com"'),
  hosts: z
    .array(gatewayHostSchema, {
      error: message(
        'is not a list; list at least one gateway host, e.g. [{ hostname: "msgw1.example.com" }]',
      ),
    })
    .min(1, {
      error: () =>
        'is empty; list at least one gateway host, e.g. [{ hostname: "msgw1.example.com" }]',
    }),
  mx: mxSchema.optional(),
  dns: dnsSchema.optional(),
  certificates: certificateSchema.optional(),
  access: accessSchema,
  gateway: gatewaySchema.optional(),
  aws: awsPoolSchema.optional(),
  backup: backupSchema.optional(),
  legacy: legacySchema.optional(),
  configSync: configSyncSchema.optional(),
  readinessGate: readinessGateSchema.optional(),
  dane: daneSchema.optional(),
};

/** The top-level argument names, in the order problems are reported. */
export const POOL_ARGUMENT_ORDER = Object.keys(poolShape);

/**
 * The schema of {@link GatewayPoolArgs}: every field's rule and strict keys at every level; validate.ts adds
 * the rules that compare several arguments (`poolRules`). Values that are still Outputs are skipped.
 * @internal Left out of the published declarations: zod 4.6's types need `esModuleInterop`.
 */
export const gatewayPoolArgsSchema = exact<GatewayPoolArgs>()(strictObject(poolShape, ARG));
