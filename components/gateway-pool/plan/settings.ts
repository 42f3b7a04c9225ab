// Pure: the types of the plan's settings: what the pool decided from its arguments, host by host.
import type * as pulumi from "@pulumi/pulumi";
import type { CertificateMode, HostState, LegacyPhase, MxStrategy } from "../args";
import type { ServiceControl } from "../../config-sync/service-control";

/** How configuration replication reaches a machine: a pool host or the legacy gateway. */
export interface ReplicaPlan {
  platform: "windows" | "linux";
  sshPort: number;
  sshUser: string;
  sshHostKey: string | undefined;
  /**
   * Data directory replication reads and writes: the host's own, else (windows) `gateway.dataDirectory`;
   * undefined for a linux host that gives none (allowed only without configSync).
   */
  dataDirectory: string | undefined;
  /** Service control commands; undefined: PowerShell control of `gateway.serviceName` (windows). */
  serviceControl: ServiceControl | undefined;
}

/** What every host of the pool has, wherever it runs. */
export interface HostPlanBase extends ReplicaPlan {
  /** Resource-name key (`msgw1`); stable across reordering. */
  key: string;
  /** Normalised host name. */
  hostname: string;
  state: HostState;
  /** MX preference; undefined when standby or draining (no MX record). */
  mxPreference: number | undefined;
  /** AWS region override (undefined: the provider's region). */
  region: string | undefined;
  /** Cloudflare `<zoneId>/<recordId>` of an existing MX record to adopt. */
  mxImportId: string | undefined;
}

/**
 * One host as the pool will build it: an EC2 instance the pool creates (`aws`, its machine settings
 * resolved), or an existing machine (`address` as given; an AWS host's address is its Elastic IP, known
 * only at deployment).
 */
export type HostPlan =
  | (HostPlanBase & { placement: "aws"; aws: AwsHostPlan; address: undefined })
  | (HostPlanBase & { placement: "existing"; aws: undefined; address: pulumi.Input<string> });

/** One AWS host's machine as planned: each value is the host's own, else the pool's, else the default. */
export interface AwsHostPlan {
  /** Undefined: the provider's region. */
  region: string | undefined;
  /** Undefined: the region's default VPC. */
  subnetId: pulumi.Input<string> | undefined;
  /** Given zone; undefined: the subnet's, or the region's first zone (looked up). */
  availabilityZone: string | undefined;
  /** Given image; undefined: the newest Windows Server 2022 image at creation (looked up). */
  ami: pulumi.Input<string> | undefined;
  instanceType: pulumi.Input<string>;
  /** Where `instanceType` came from, for messages: the host's `aws`, the pool's `aws`, or the default. */
  instanceTypeFrom: "host" | "pool" | "default";
  keyName: string | undefined;
  /** GiB. */
  rootVolumeGiB: number;
  /** GiB. */
  dataVolumeGiB: number;
  dataVolumeSnapshotId: string | undefined;
}

/** Pool-wide AWS settings. */
export interface AwsPoolPlan {
  /** The user's tags (`aws.tags`), on every AWS resource beside the pool's own. */
  tags: Record<string, string>;
  /** `aws.deployerRoleArns` (required by validation whenever host keys are created). */
  deployerRoleArns: string[];
  /** `aws.instanceType` as given, for messages about the pool-wide value. */
  instanceType: pulumi.Input<string> | undefined;
}

/** The legacy gateway as the pool handles it. */
export interface LegacyPlan extends ReplicaPlan {
  hostname: string;
  address: pulumi.Input<string>;
  phase: LegacyPhase;
  /** Resource-name key of its A record. */
  key: string;
  /** Cloudflare `<zoneId>/<recordId>` of its live A record, adopted instead of created. */
  importId: string | undefined;
}

/** The replication store as planned. */
export type ConfigSyncStorePlan =
  | { kind: "local"; path: string }
  | {
      kind: "s3";
      /** Undefined: the pool creates its own bucket. */
      bucket: pulumi.Input<string> | undefined;
      region: pulumi.Input<string> | undefined;
      prefix: string;
      kmsKeyId: pulumi.Input<string> | undefined;
    };

/** The settings of the pool as decided from its arguments, before the parts planned from them. */
export interface SettingsPlan {
  zoneName: string;
  mailDomain: string;
  strategy: MxStrategy;
  mxTtl: number;
  addressTtl: number;
  hosts: HostPlan[];
  legacy: LegacyPlan | undefined;
  certificates: {
    mode: CertificateMode;
    validityDays: number;
    earlyRenewalDays: number;
    organization: string;
    ca: { commonName: string; validityDays: number } | undefined;
  };
  access: { mailStoreServerCidrs: string[]; adminCidrs: string[]; smtpSourceCidrs: string[] };
  gateway: {
    installerUrl: string | undefined;
    installerSha256: string | undefined;
    installerArgs: string;
    serviceName: string;
    dataDirectory: string;
    ports: { smtp: number; pop3: number; pop3s: number | undefined; managementConsole: number };
  };
  /** Snapshot schedule of the AWS hosts' data volumes; undefined when disabled. */
  backup: { intervalHours: number; startTime: string; retainCount: number } | undefined;
  /** Configuration replication; undefined without `configSync`. */
  configSync: ConfigSyncPlan | undefined;
  /** The Cloudflare zone id when given (`zone.id`); undefined: looked up by `zoneName`. */
  zoneId: pulumi.Input<string> | undefined;
  /** Pool-wide AWS settings (used only for AWS hosts). */
  aws: AwsPoolPlan;
}

/** Configuration replication as planned. */
export interface ConfigSyncPlan {
  revision: string;
  /** Host name of the source (legacy or a pool host). */
  source: string;
  /** Host names receiving the configuration (every pool host except the source). */
  targets: string[];
  sshPublicKey: string | undefined;
  sshPrivateKeyPath: string;
  parallel: number;
  cliCommand: string;
  /** Seconds replication waits for SSH on a host the pool just created. */
  bootWaitSeconds: number;
  backupDirectory: string;
  /** Where snapshots and backups live; `bucket` undefined: the pool creates one. */
  store: ConfigSyncStorePlan;
}
