// Pure: the plan, every decision the pool makes from its arguments before any resource exists. The wiring
// (resources/, the component) reads only this.
import { DEFAULTS } from "../defaults";
import type {
  AwsHostArgs,
  AwsPoolDefaultsArgs,
  GatewayPoolArgs,
  ServiceControlArgs,
} from "../args";
import { assertValidGatewayPoolArgs } from "../validate";
import { GATEWAY_DEFAULTS } from "./gateway-defaults";
import { planMxPreferences } from "./mx";
import { hostKey, normalizeDnsName } from "./names";
import { X509_NAME_MAX } from "./limits";
import { planIngressRules, type IngressRule } from "./firewall";
import { planCertificates, type CertificatePlan } from "./certificates-plan";
import { planDane, type DanePlan } from "./dane";
import { planReadinessGate, type ReadinessGatePlan } from "./readiness-gate";
import type {
  AwsHostPlan,
  ConfigSyncStorePlan,
  HostPlan,
  LegacyPlan,
  SettingsPlan,
} from "./settings";

export { GATEWAY_DEFAULTS } from "./gateway-defaults";
export type {
  AwsHostPlan,
  AwsPoolPlan,
  ConfigSyncPlan,
  ConfigSyncStorePlan,
  HostPlan,
  LegacyPlan,
  ReplicaPlan,
  SettingsPlan,
} from "./settings";

/** Everything the pool decided from its arguments: the settings and the parts planned from them. */
export interface GatewayPoolPlan extends SettingsPlan {
  /** The security group rules of each AWS host. */
  ingressRules: IngressRule[];
  /** The certificates the pool issues (none with the gateway's own Let's Encrypt). */
  certificateIssue: CertificatePlan;
  /** Host keys by generation, TLSA records and the DNSSEC owner (keys also with DANE off). */
  dane: DanePlan;
  /** The readiness gates; undefined when no host is gated. */
  readinessGate: ReadinessGatePlan | undefined;
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
  const settings = planSettings(args);
  return {
    ...settings,
    ingressRules: planIngressRules(settings, { ssh: settings.configSync !== undefined }),
    certificateIssue: planCertificates(settings),
    dane: planDane(args, settings),
    readinessGate: planReadinessGate(args, settings),
  };
}

/** The settings part of the plan: every argument with its default applied, host by host. */
function planSettings(args: GatewayPoolArgs): SettingsPlan {
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

  const poolAws = args.aws ?? {};
  const hosts: HostPlan[] = args.hosts.map((h, i) => ({
    key: hostKey(h.hostname, zoneName),
    hostname: normalizeDnsName(h.hostname),
    state: h.state ?? DEFAULTS.hosts.state,
    mxPreference: preferences[i],
    ...(h.existing
      ? { placement: "existing" as const, aws: undefined, address: h.existing.address }
      : { placement: "aws" as const, aws: planAwsHost(h.aws ?? {}, poolAws), address: undefined }),
    region: h.aws?.region,
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

  let configSync: SettingsPlan["configSync"];
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
      bootWaitSeconds: sync.bootWaitSeconds ?? DEFAULTS.configSync.bootWaitSeconds,
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
    zoneId: args.zone.id,
    aws: {
      tags: { ...(poolAws.tags ?? {}) },
      deployerRoleArns: [...(poolAws.deployerRoleArns ?? [])],
      instanceType: poolAws.instanceType,
    },
  };
}

/** One AWS host's machine: its own value, else the pool's, else the default. */
function planAwsHost(own: AwsHostArgs, pool: AwsPoolDefaultsArgs): AwsHostPlan {
  return {
    region: own.region,
    subnetId: own.subnetId ?? pool.subnetId,
    availabilityZone: own.availabilityZone ?? pool.availabilityZone,
    ami: own.ami ?? pool.ami,
    instanceType: own.instanceType ?? pool.instanceType ?? GATEWAY_DEFAULTS.instanceType,
    instanceTypeFrom:
      own.instanceType !== undefined
        ? "host"
        : pool.instanceType !== undefined
          ? "pool"
          : "default",
    keyName: own.keyName ?? pool.keyName,
    rootVolumeGiB: own.rootVolumeGiB ?? pool.rootVolumeGiB ?? GATEWAY_DEFAULTS.rootVolumeGiB,
    dataVolumeGiB: own.dataVolumeGiB ?? pool.dataVolumeGiB ?? GATEWAY_DEFAULTS.dataVolumeGiB,
    dataVolumeSnapshotId: own.dataVolumeSnapshotId,
  };
}
