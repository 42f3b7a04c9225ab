import type * as pulumi from "@pulumi/pulumi";

/** Whether a gateway host takes new mail. */
export type HostState = "active" | "draining";

/** How MX preferences are assigned to active hosts. */
export type MxStrategy = "balanced" | "tiered";

/** Where host certificates come from. */
export type CertificateMode = "self-signed" | "pool-ca" | "gateway-lets-encrypt";

/** Phase of the single gateway the pool replaces. */
export type LegacyPhase = "migrating" | "retired";

/** The Cloudflare zone that holds every record the pool owns. */
export interface ZoneArgs {
  /** Zone name, e.g. `example.com`. Every host name and the mail domain must lie inside it. */
  name: string;
  /**
   * Cloudflare zone id.
   * @default - looked up by `name` with `cloudflare.getZoneOutput`
   */
  id?: pulumi.Input<string>;
}

/** Overrides for a host that runs on AWS EC2 (the default placement). */
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
   * Root volume size in GiB (Windows and the program; mail lives on the data volume).
   * @default - `aws.rootVolumeGiB` of the pool, else 60
   */
  rootVolumeGiB?: number;
  /**
   * Availability zone of the instance and its mail data volume (an EBS volume lives in one zone). Must lie
   * in the host's region and, with `subnetId`, be the subnet's zone (checked during preview).
   * @default - `aws.availabilityZone` of the pool, else the subnet's zone, else the region's first available zone
   */
  availabilityZone?: string;
  /**
   * Size of the encrypted EBS volume holding the gateway's data directory (configuration and queued mail),
   * GiB, 20–16384. It survives instance replacement; EBS volumes can grow but never shrink.
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

/** A machine the pool does not create, e.g. in another facility. */
export interface ExistingHostArgs {
  /** Stable public IPv4 address; the host's A record points here. */
  address: pulumi.Input<string>;
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
   * Operating system; decides service control and paths for replication.
   * @default "windows"
   */
  platform?: "windows" | "linux";
}

/** One gateway host of the pool. */
export interface GatewayHostArgs {
  /**
   * The host's own fully qualified name, e.g. `msgw1.example.com`: its A record, its certificate's subject
   * and SAN, and the server MailStore Server's archiving profile connects to. Never the mail domain.
   */
  hostname: string;
  /**
   * Explicit MX preference (0–65535); wins over `mx.strategy`.
   * @default - from `mx.strategy`
   */
  mxPriority?: number;
  /**
   * `draining` removes the host's MX record and keeps everything else (A record, host, certificate), so its
   * mailboxes can be archived empty before the host is removed.
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
   * "81058 An identical record already exists". Remove it after the first successful `up`.
   * @default - the MX record is created
   */
  mxImportId?: string;
}

/** MX record settings for the mail domain. */
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
   * Preference gap between tiers (tiered only).
   * @default 10
   */
  step?: number;
  /**
   * TTL of the MX records, seconds: 1 (automatic) or 60–86400.
   * @default 300
   */
  ttl?: number;
}

/** DNS settings other than MX. */
export interface DnsArgs {
  /**
   * TTL of the hosts' A records (and the legacy A record), seconds: 1 (automatic) or 60–86400.
   * @default 300
   */
  addressTtl?: number;
}

/** Pool certificate authority settings (`pool-ca` mode only). */
export interface PoolCaArgs {
  /**
   * Subject common name of the CA.
   * @default - `<mailDomain> gateway pool CA`
   */
  commonName?: string;
  /**
   * CA validity in days.
   * @default 3650
   */
  validityDays?: number;
}

/** Host certificates. */
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
   * Days before expiry from which `pulumi up` replaces a host certificate.
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

/** Who may reach which port (DESIGN.md section 5). */
export interface AccessArgs {
  /** Addresses of MailStore Server(s), the only sources allowed on POP3 (110, and 995 when enabled). */
  mailStoreServerCidrs: string[];
  /** Administrator networks: Management Console (8450) and SSH for configuration replication (22). */
  adminCidrs: string[];
  /**
   * Sources allowed on SMTP 25, e.g. Microsoft 365's published ranges.
   * @default ["0.0.0.0/0"] - journal senders come from anywhere
   */
  smtpSourceCidrs?: string[];
}

/** Ports MailStore Gateway listens on. */
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

/**
 * Facts about MailStore Gateway that the vendor does not document; every one is an assumption with a
 * default, overridable here.
 */
export interface GatewaySoftwareArgs {
  /**
   * HTTPS URL of the MailStore Gateway installer, downloaded by the host's user data.
   * @default - none: the host is prepared and the runbook lists the installation as a manual step
   */
  installerUrl?: string;
  /**
   * SHA-256 (hex) of the installer; the user data refuses a download that does not match.
   * @default - not checked
   */
  installerSha256?: string;
  /**
   * Silent-install switches (assumed; not documented by the vendor).
   * @default "/VERYSILENT /SUPPRESSMSGBOXES /NORESTART"
   */
  installerArgs?: string;
  /**
   * Windows service name (assumed).
   * @default "MailStoreGateway"
   */
  serviceName?: string;
  /**
   * Data directory: configuration files (top level) and mailbox folders (sub-folders).
   * @default "C:\\ProgramData\\MailStore\\Gateway"
   */
  dataDirectory?: string;
  /** Listening ports. */
  ports?: GatewayPortsArgs;
}

/** The single existing gateway the pool replaces. */
export interface LegacyGatewayArgs {
  /** Its name, typically the mail domain itself (`msgw.example.com`, an A record only). */
  hostname: string;
  /** Its public IPv4 address (the A record the pool keeps while migrating). */
  address: pulumi.Input<string>;
  /**
   * `migrating`: its A record is kept (managed by the pool) and it is the configuration source.
   * `retired`: its A record is removed; the runbook says how to decommission it.
   */
  phase: LegacyPhase;
  /** Pinned SSH host key of the legacy gateway (needed when it is the configuration source). */
  sshHostKey?: string;
  /** @default 22 */
  sshPort?: number;
  /** @default - `configSync.sshUser` */
  sshUser?: string;
  /** @default "windows" */
  platform?: "windows" | "linux";
  /**
   * Cloudflare id of the legacy gateway's existing A record, `<zoneId>/<recordId>`: the pool adopts the
   * live record (resource option `import`) instead of failing with "81058 An identical record already
   * exists". Whatever happens to the pool while migrating, the live record is never deleted by it
   * (`retainOnDelete`); `retired` only stops managing it (see the runbook).
   * @default - the A record is created
   */
  importId?: string;
}

/** Configuration replication from one source to every other host. */
export interface ConfigSyncArgs {
  /** Bump to copy the source's configuration to every other host again. */
  revision: string | number;
  /**
   * Host name of the configuration source.
   * @default - the legacy gateway while it is migrating, else the first active pool host
   */
  source?: string;
  /**
   * OpenSSH public key authorised on AWS hosts for replication (public only; never a private key).
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
   * Maximum number of targets restored at once.
   * @default 4
   */
  parallel?: number;
  /**
   * Command that runs the replication CLI on the machine running `pulumi up`.
   * @default "npx --no-install msgw"
   */
  cliCommand?: string;
  /**
   * Folder on the machine running `pulumi up` where snapshots and backups are kept.
   * @default ".msgw/backups"
   */
  backupDirectory?: string;
}

/** Pool-wide AWS defaults; each host's `aws` overrides them. */
export interface AwsPoolDefaultsArgs {
  /** @default - the default VPC's subnets */
  subnetId?: pulumi.Input<string>;
  /** @default "t3.medium" */
  instanceType?: pulumi.Input<string>;
  /**
   * AMI id for every host. Changing it replaces every host at once: prefer per-host `aws.ami` for a
   * rolling update.
   * @default - newest Amazon-owned Windows Server 2022 English Full Base at each host's creation, then kept
   */
  ami?: pulumi.Input<string>;
  /** @default 60 */
  rootVolumeGiB?: number;
  /** @default - the subnet's zone, else the region's first available zone */
  availabilityZone?: string;
  /** @default 100 */
  dataVolumeGiB?: number;
  /** @default - none */
  keyName?: string;
  /** Tags added to every AWS resource. */
  tags?: Record<string, string>;
}

/** Scheduled snapshots of the mail data volumes (AWS Data Lifecycle Manager). */
export interface BackupArgs {
  /**
   * `false` creates no snapshot policy (not recommended: the data volume then has no copy).
   * @default true
   */
  enabled?: boolean;
  /**
   * Hours between snapshots: 1, 2, 3, 4, 6, 8, 12 or 24 (the intervals Data Lifecycle Manager accepts).
   * @default 24
   */
  intervalHours?: number;
  /**
   * First snapshot time of day, UTC, `HH:MM`.
   * @default "03:00"
   */
  startTime?: string;
  /**
   * Snapshots kept per volume, 1–1000; older ones are deleted.
   * @default 14
   */
  retainCount?: number;
}

/** Arguments of {@link GatewayPool}. */
export interface GatewayPoolArgs {
  /** The Cloudflare zone holding every record. */
  zone: ZoneArgs;
  /** The domain journal rules deliver to (`mbx-…@msgw.example.com`); it owns the MX records. */
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
}
