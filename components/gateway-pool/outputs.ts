// Pure: what the pool reports (the stack exports exactly these), from the plan and the wired hosts.
import * as pulumi from "@pulumi/pulumi";
import { archivingProfile, type ArchivingProfileSettings } from "./plan/archiving-profile";
import { describeBackupSchedule } from "./plan/backup";
import { certificateFingerprint } from "./plan/certificates-plan";
import { daneZoneFileLines } from "./plan/dane";
import { renderDaneRunbook } from "./plan/dane-runbook";
import { mxTable } from "./plan/mx";
import type { GatewayPoolPlan, HostPlan } from "./plan/pool-plan";
import { renderRunbook } from "./plan/runbook";
import { renderZoneFile } from "./plan/zone-file";
import type { PoolCertificates } from "./resources/certificates";
import type { DaneOutput, DaneResources } from "./resources/dane";
import type { PoolMachines } from "./resources/hosts";
import type { InventoryHost, InventoryStore } from "./plan/replication";
import type { Replication } from "./resources/replication";

/** One gateway of the pool as the stack reports it. */
export interface GatewayOutput {
  hostname: string;
  /** Stable public IPv4 address (the A record). */
  address: string;
  /** `active` (MX record), `standby` (prepared, no MX record yet) or `draining` (MX record removed). */
  state: HostPlan["state"];
  /** MX preference; null when standby or draining (no MX record). */
  mxPreference: number | null;
  placement: "aws" | "existing";
  /** PEM certificate; null with the gateway's own Let's Encrypt. */
  certificatePem: string | null;
  /** SHA-256 fingerprint of the certificate (`AB:CD:…`); null with Let's Encrypt. */
  certificateSha256: string | null;
  /** The settings of this host's MailStore Server archiving profile(s). */
  archivingProfile: ArchivingProfileSettings;
  /**
   * The ports the gateway serves (`gateway.ports`): what `msgw check --outputs/--stack` probes.
   * `pop3s` is null unless POP3 over TLS is enabled.
   */
  ports: { smtp: number; pop3: number; pop3s: number | null };
}

/** What the data-volume snapshots protect, and how often. */
export interface BackupOutput {
  /** Human-readable schedule, e.g. `EBS snapshots daily from 03:00 UTC, newest 14 kept per volume`. */
  schedule: string;
  /** Data volume per AWS host. */
  volumes: Array<{ hostname: string; volumeId: string }>;
  /** Data Lifecycle Manager policy ids, one per region with AWS hosts. */
  policyIds: string[];
}

/** Expiry of one certificate the pool issued. */
export interface CertificateExpiryOutput {
  /** Host name, or `pool CA`. */
  name: string;
  /** RFC 3339 end of validity (`unknown` when the provider did not report it). */
  notAfter: string;
  /** From this time the next `pulumi up` replaces the certificate (RFC 3339). */
  renewsFrom: string;
  /** True when this update issued it (first issue or renewal): re-import it (runbook). */
  issuedThisUpdate: boolean;
}

/** One MX record of the mail domain. */
export interface MxRecordOutput {
  preference: number;
  target: string;
}

/** Every output of the pool, under the names the component registers and the stack exports. */
export interface PoolOutputs {
  mailDomain: pulumi.Output<string>;
  gateways: pulumi.Output<GatewayOutput[]>;
  mxRecords: pulumi.Output<MxRecordOutput[]>;
  zoneFile: pulumi.Output<string>;
  runbook: pulumi.Output<string>;
  caCertificatePem: pulumi.Output<string> | undefined;
  certificatePrivateKeys: pulumi.Output<Record<string, string>>;
  configManifest: pulumi.Output<string> | undefined;
  configSyncInventory:
    pulumi.Output<{ store: InventoryStore; hosts: Record<string, InventoryHost> }> | undefined;
  backups: pulumi.Output<BackupOutput> | undefined;
  alarmTopicArns: pulumi.Output<Record<string, string>> | undefined;
  certificateExpiry: pulumi.Output<CertificateExpiryOutput[]>;
  certificateRenewals: pulumi.Output<string[]>;
  dane: pulumi.Output<DaneOutput> | undefined;
}

/**
 * The outputs, from the plan and what was created. `updateStarted` (ms since the epoch) tells which
 * certificates this update issued.
 */
export function poolOutputs(input: {
  name: string;
  stack: string;
  plan: GatewayPoolPlan;
  machines: PoolMachines;
  certificates: PoolCertificates;
  dane: DaneResources;
  replication: Replication | undefined;
  updateStarted: number;
}): PoolOutputs {
  const { name, stack, plan, certificates, dane, updateStarted } = input;
  const { hosts, topics, backupPolicies } = input.machines;
  const legacy = plan.legacy;
  const gatewayOutputs = hosts.map(({ plan: h, machine: res }) => {
    const cert = certificates.hosts.get(h.hostname);
    return pulumi
      .all([res.address, cert?.certificatePem ?? null])
      .apply(([address, pem]): GatewayOutput => ({
        hostname: h.hostname,
        address,
        state: h.state,
        mxPreference: h.mxPreference ?? null,
        placement: h.placement,
        certificatePem: pem,
        certificateSha256: pem === null ? null : certificateFingerprint(pem),
        archivingProfile: archivingProfile(plan, h),
        ports: {
          smtp: plan.gateway.ports.smtp,
          pop3: plan.gateway.ports.pop3,
          pop3s: plan.gateway.ports.pop3s ?? null,
        },
      }));
  });
  const mailDomain = pulumi.output(plan.mailDomain);
  const gateways = pulumi.all(gatewayOutputs);
  const certificatePrivateKeys = pulumi.secret(
    pulumi.all(
      Object.fromEntries(
        [...certificates.hosts].map(([hostname, c]) => [hostname, c.privateKeyPem]),
      ),
    ),
  );
  const mxRecords = pulumi.output(mxTable(plan));
  const awsHosts = hosts.filter((h) => h.plan.placement === "aws");
  let backups: pulumi.Output<BackupOutput> | undefined = undefined;
  if (plan.backup && backupPolicies) {
    const schedule = describeBackupSchedule(plan.backup);
    const volumes = pulumi.all(
      awsHosts.map(({ plan: { hostname }, machine: h }) =>
        (h.aws?.dataVolumeId ?? pulumi.output("")).apply((volumeId) => ({ hostname, volumeId })),
      ),
    );
    const policyIds = pulumi.all([...backupPolicies.values()].map((p) => p.id));
    backups = pulumi
      .all([volumes, policyIds])
      .apply(([v, ids]): BackupOutput => ({ schedule, volumes: v, policyIds: ids }));
  }
  const alarmTopicArns =
    topics.size > 0
      ? pulumi.all(
          Object.fromEntries(
            [...topics].map(([region, topic]) => [region ?? "default", topic.arn]),
          ),
        )
      : undefined;
  const certificateExpiry = pulumi.all(
    certificates.expiry.map((e) =>
      pulumi
        .all([e.notBefore, e.notAfter])
        .apply(([notBefore, notAfter]): CertificateExpiryOutput => {
          // The tls provider records RFC 3339 times; anything else (a provider or mock without them)
          // is reported as unknown rather than failing the update.
          const end = Date.parse(notAfter);
          return {
            name: e.name,
            notAfter: Number.isFinite(end) ? notAfter : "unknown",
            renewsFrom: Number.isFinite(end)
              ? new Date(end - e.earlyRenewalHours * 3600_000).toISOString()
              : "unknown",
            issuedThisUpdate: Date.parse(notBefore) >= updateStarted - 60_000,
          };
        }),
    ),
  );
  const certificateRenewals = certificateExpiry.apply((list) =>
    list.filter((e) => e.issuedThisUpdate).map((e) => e.name),
  );
  const legacyAddress = legacy ? pulumi.output(legacy.address) : pulumi.output(undefined);
  let zoneFile = pulumi.all([gateways, legacyAddress]).apply(([gws, legacyAddr]) => {
    const addresses: Record<string, string> = Object.fromEntries(
      gws.map((g) => [g.hostname, g.address]),
    );
    if (legacy && legacyAddr !== undefined) addresses[legacy.hostname] = legacyAddr;
    return renderZoneFile(plan, addresses);
  });
  const awsInfo = pulumi.all(
    Object.fromEntries(
      awsHosts.map(({ plan: h, machine }) => {
        const res = machine.aws;
        return [
          h.hostname,
          pulumi
            .all([res?.instanceId ?? "", res?.dataVolumeId ?? ""])
            .apply(([instanceId, dataVolumeId]) => ({ instanceId, dataVolumeId })),
        ];
      }),
    ),
  );
  const regionOf = new Map(plan.hosts.map((h) => [h.hostname, h.region]));
  let runbook = pulumi
    .all([
      gateways,
      legacyAddress,
      awsInfo,
      alarmTopicArns ?? pulumi.output(undefined),
      certificateRenewals,
    ])
    .apply(([gws, legacyAddr, info, topicArns, renewals]) =>
      renderRunbook({
        poolName: name,
        stack,
        plan,
        legacyAddress: legacyAddr,
        backupSchedule: plan.backup ? describeBackupSchedule(plan.backup) : undefined,
        alarmTopicArns: topicArns,
        certificateRenewals: renewals,
        gateways: gws.map((g) => ({
          hostname: g.hostname,
          address: g.address,
          state: g.state,
          mxPreference: g.mxPreference ?? undefined,
          placement: g.placement,
          certificateSha256: g.certificateSha256 ?? undefined,
          archivingProfile: g.archivingProfile,
          aws:
            info[g.hostname] === undefined
              ? undefined
              : { ...info[g.hostname], region: regionOf.get(g.hostname) },
        })),
      }),
    );
  if (dane.output) {
    zoneFile = pulumi
      .all([zoneFile, dane.output])
      .apply(
        ([text, d]) =>
          text +
          daneZoneFileLines(plan.dane, plan.zoneName, [
            ...d.hosts.flatMap((h) =>
              h.records.map((r) => ({ recordName: h.recordName, rdata: r.rdata })),
            ),
            ...(d.legacy ? [d.legacy] : []),
          ]),
      );
    runbook = pulumi.all([runbook, dane.output]).apply(
      ([text, d]) =>
        text +
        renderDaneRunbook({
          plan: plan.dane,
          dane: d,
          mailDomain: plan.mailDomain,
          legacy: plan.legacy,
        }),
    );
  }
  return {
    mailDomain,
    gateways,
    mxRecords,
    zoneFile,
    runbook,
    caCertificatePem: certificates.caCertificatePem,
    certificatePrivateKeys,
    configManifest: input.replication?.manifest,
    configSyncInventory: input.replication?.operatorInventory,
    backups,
    alarmTopicArns,
    certificateExpiry,
    certificateRenewals,
    dane: dane.output,
  };
}
