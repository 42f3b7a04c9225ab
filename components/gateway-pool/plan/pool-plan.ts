import { DEFAULTS } from "../defaults";
import type * as pulumi from "@pulumi/pulumi";
import type {
  CertificateMode,
  GatewayPoolArgs,
  HostState,
  LegacyPhase,
  MxStrategy,
  ServiceControlArgs,
} from "../args";
import { planMxPreferences } from "./mx";
import { hostKey, normalizeDnsName } from "./names";
import { assertValidGatewayPoolArgs } from "../validate";
import { X509_NAME_MAX } from "./limits";

/**
 * Defaults, including the facts about MailStore Gateway its vendor does not document (service name,
 * installer switches, data directory, ports). Exported so docs and tests quote one source.
 */
export const GATEWAY_DEFAULTS = {
  serviceName: DEFAULTS.gateway.serviceName,
  dataDirectory: DEFAULTS.gateway.dataDirectory,
  installerArgs: DEFAULTS.gateway.installerArgs,
  ports: {
    smtp: DEFAULTS.gateway.ports.smtp,
    pop3: DEFAULTS.gateway.ports.pop3,
    managementConsole: DEFAULTS.gateway.ports.managementConsole,
    ssh: DEFAULTS.hosts.existing.sshPort,
    http: 80,
  },
  instanceType: DEFAULTS.aws.instanceType,
  rootVolumeGiB: DEFAULTS.aws.rootVolumeGiB,
  dataVolumeGiB: DEFAULTS.aws.dataVolumeGiB,
  backup: {
    intervalHours: DEFAULTS.backup.intervalHours,
    startTime: DEFAULTS.backup.startTime,
    retainCount: DEFAULTS.backup.retainCount,
  },
  windowsAmiNamePattern: "Windows_Server-2022-English-Full-Base-*",
  ttl: DEFAULTS.mx.ttl,
  certificateValidityDays: DEFAULTS.certificates.validityDays,
  certificateEarlyRenewalDays: DEFAULTS.certificates.earlyRenewalDays,
  caValidityDays: DEFAULTS.certificates.ca.validityDays,
  organization: DEFAULTS.certificates.organization,
} as const;

/** One host as the pool will build it. */
export interface HostPlan {
  /** Resource-name key (`msgw1`); stable across reordering. */
  key: string;
  /** Normalised host name. */
  hostname: string;
  state: HostState;
  /** MX preference; undefined when standby or draining (no MX record). */
  mxPreference: number | undefined;
  placement: "aws" | "existing";
  /** AWS region override (undefined: the provider's region). */
  region: string | undefined;
  /** Existing host address; undefined for AWS hosts (their EIP is only known at deployment). */
  address: pulumi.Input<string> | undefined;
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
  serviceControl: ServiceControlArgs | undefined;
  /** Cloudflare `<zoneId>/<recordId>` of an existing MX record to adopt. */
  mxImportId: string | undefined;
}

/** The legacy gateway as the pool handles it. */
export interface LegacyPlan {
  hostname: string;
  address: pulumi.Input<string>;
  phase: LegacyPhase;
  /** Resource-name key of its A record. */
  key: string;
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
  serviceControl: ServiceControlArgs | undefined;
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

/** Everything decided from plain arguments before any resource exists. */
export interface GatewayPoolPlan {
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
  configSync:
    | {
        revision: string;
        /** Host name of the source (legacy or a pool host). */
        source: string;
        /** Host names receiving the configuration (every pool host except the source). */
        targets: string[];
        sshPublicKey: string | undefined;
        sshPrivateKeyPath: string;
        parallel: number;
        cliCommand: string;
        backupDirectory: string;
        /** Where snapshots and backups live; `bucket` undefined: the pool creates one. */
        store: ConfigSyncStorePlan;
      }
    | undefined;
}

/** With AWS hosts the default store is the pool's own bucket; a local folder only when asked (or no AWS host). */
function planStore(
  sync: NonNullable<GatewayPoolArgs["configSync"]>,
  hosts: HostPlan[],
): ConfigSyncStorePlan {
  const local = sync.backupDirectory ?? DEFAULTS.configSync.backupDirectory;
  const s = sync.store;
  if (s?.kind === "local") return { kind: "local", path: s.path ?? local };
  if (s === undefined && hosts.every((h) => h.placement === "existing"))
    return { kind: "local", path: local };
  return {
    kind: "s3",
    bucket: s?.bucket,
    region: s?.region,
    prefix: s?.prefix ?? DEFAULTS.configSync.store.prefix,
    kmsKeyId: s?.kmsKeyId,
  };
}

/**
 * Validates the arguments and turns them into a plan of plain values (plus the addresses that may still be
 * Outputs). Pure: it creates nothing and is safe to call from tests, the CLI and the component.
 * @throws GatewayPoolArgsError listing every problem
 */
export function planGatewayPool(args: GatewayPoolArgs): GatewayPoolPlan {
  assertValidGatewayPoolArgs(args);
  const zoneName = normalizeDnsName(args.zone.name);
  const mailDomain = normalizeDnsName(args.mailDomain);
  const strategy = args.mx?.strategy ?? DEFAULTS.mx.strategy;
  const sync = args.configSync;
  const defaultUser = sync?.sshUser ?? DEFAULTS.configSync.sshUser;

  const preferences = planMxPreferences(
    args.hosts.map((h) => ({ state: h.state ?? DEFAULTS.hosts.state, mxPriority: h.mxPriority })),
    {
      strategy,
      priority: args.mx?.priority ?? DEFAULTS.mx.priority,
      step: args.mx?.step ?? DEFAULTS.mx.step,
    },
  );

  const poolDataDirectory = args.gateway?.dataDirectory ?? GATEWAY_DEFAULTS.dataDirectory;
  const dataDirectoryOf = (
    platform: "windows" | "linux",
    own: string | undefined,
  ): string | undefined => own ?? (platform === "windows" ? poolDataDirectory : undefined);
  const serviceControlOf = (own: ServiceControlArgs | undefined) =>
    own && {
      start: own.start,
      stop: own.stop,
      status: own.status,
      ...(own.exists !== undefined ? { exists: own.exists } : {}),
    };

  const hosts: HostPlan[] = args.hosts.map((h, i) => ({
    key: hostKey(h.hostname, zoneName),
    hostname: normalizeDnsName(h.hostname),
    state: h.state ?? DEFAULTS.hosts.state,
    mxPreference: preferences[i],
    placement: h.existing ? "existing" : "aws",
    region: h.aws?.region,
    address: h.existing?.address,
    platform: h.existing?.platform ?? DEFAULTS.hosts.existing.platform,
    sshPort: h.existing?.sshPort ?? DEFAULTS.hosts.existing.sshPort,
    sshUser: h.existing?.sshUser ?? defaultUser,
    sshHostKey: h.existing?.sshHostKey?.trim(),
    dataDirectory: dataDirectoryOf(
      h.existing?.platform ?? DEFAULTS.hosts.existing.platform,
      h.existing?.dataDirectory,
    ),
    serviceControl: serviceControlOf(h.existing?.serviceControl),
    mxImportId: h.mxImportId,
  }));

  const legacy: LegacyPlan | undefined = args.legacy && {
    hostname: normalizeDnsName(args.legacy.hostname),
    address: args.legacy.address,
    phase: args.legacy.phase,
    key: `legacy-${hostKey(args.legacy.hostname, zoneName)}`,
    platform: args.legacy.platform ?? DEFAULTS.legacy.platform,
    sshPort: args.legacy.sshPort ?? DEFAULTS.legacy.sshPort,
    sshUser: args.legacy.sshUser ?? defaultUser,
    sshHostKey: args.legacy.sshHostKey?.trim(),
    dataDirectory: dataDirectoryOf(
      args.legacy.platform ?? DEFAULTS.legacy.platform,
      args.legacy.dataDirectory,
    ),
    serviceControl: serviceControlOf(args.legacy.serviceControl),
    importId: args.legacy.importId,
  };

  const certs = args.certificates ?? {};
  const mode = certs.mode ?? DEFAULTS.certificates.mode;
  const validityDays = certs.validityDays ?? GATEWAY_DEFAULTS.certificateValidityDays;
  const gw = args.gateway ?? {};

  let configSync: GatewayPoolPlan["configSync"];
  if (sync) {
    const source =
      legacy?.phase === "migrating"
        ? legacy.hostname
        : sync.source !== undefined
          ? normalizeDnsName(sync.source)
          : (hosts.find((h) => h.state === "active") ?? hosts[0]).hostname;
    configSync = {
      revision: String(sync.revision),
      source,
      targets: hosts.map((h) => h.hostname).filter((h) => h !== source),
      sshPublicKey: sync.sshPublicKey?.trim(),
      sshPrivateKeyPath: sync.sshPrivateKeyPath ?? DEFAULTS.configSync.sshPrivateKeyPath,
      parallel: sync.parallel ?? DEFAULTS.configSync.parallel,
      cliCommand: sync.cliCommand ?? DEFAULTS.configSync.cliCommand,
      backupDirectory: sync.backupDirectory ?? DEFAULTS.configSync.backupDirectory,
      store: planStore(sync, hosts),
    };
  }

  return {
    zoneName,
    mailDomain,
    strategy,
    mxTtl: args.mx?.ttl ?? GATEWAY_DEFAULTS.ttl,
    addressTtl: args.dns?.addressTtl ?? DEFAULTS.dns.addressTtl,
    hosts,
    legacy,
    certificates: {
      mode,
      validityDays,
      earlyRenewalDays: certs.earlyRenewalDays ?? GATEWAY_DEFAULTS.certificateEarlyRenewalDays,
      organization: certs.organization ?? GATEWAY_DEFAULTS.organization,
      ca:
        mode === "pool-ca"
          ? {
              // RFC 5280 ub-common-name is 64: a long mail domain falls back to a generic name.
              commonName:
                certs.ca?.commonName ??
                (`${mailDomain} gateway pool CA`.length <= X509_NAME_MAX
                  ? `${mailDomain} gateway pool CA`
                  : "MailStore Gateway pool CA"),
              validityDays: certs.ca?.validityDays ?? GATEWAY_DEFAULTS.caValidityDays,
            }
          : undefined,
    },
    access: {
      mailStoreServerCidrs: [...args.access.mailStoreServerCidrs],
      adminCidrs: [...args.access.adminCidrs],
      smtpSourceCidrs: [...(args.access.smtpSourceCidrs ?? DEFAULTS.access.smtpSourceCidrs)],
    },
    gateway: {
      installerUrl: gw.installerUrl,
      installerSha256: gw.installerSha256?.toLowerCase(),
      installerArgs: gw.installerArgs ?? GATEWAY_DEFAULTS.installerArgs,
      serviceName: gw.serviceName ?? GATEWAY_DEFAULTS.serviceName,
      dataDirectory: gw.dataDirectory ?? GATEWAY_DEFAULTS.dataDirectory,
      ports: {
        smtp: gw.ports?.smtp ?? GATEWAY_DEFAULTS.ports.smtp,
        pop3: gw.ports?.pop3 ?? GATEWAY_DEFAULTS.ports.pop3,
        pop3s:
          gw.ports?.pop3s === false || gw.ports?.pop3s === undefined ? undefined : gw.ports.pop3s,
        managementConsole: gw.ports?.managementConsole ?? GATEWAY_DEFAULTS.ports.managementConsole,
      },
    },
    backup:
      args.backup?.enabled === false
        ? undefined
        : {
            intervalHours: args.backup?.intervalHours ?? GATEWAY_DEFAULTS.backup.intervalHours,
            startTime: args.backup?.startTime ?? GATEWAY_DEFAULTS.backup.startTime,
            retainCount: args.backup?.retainCount ?? GATEWAY_DEFAULTS.backup.retainCount,
          },
    configSync,
  };
}
