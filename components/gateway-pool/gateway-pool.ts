import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import type * as tls from "@pulumi/tls";
import type { GatewayPoolArgs, HostState } from "./args";
import { archivingProfile, type ArchivingProfileSettings } from "./plan/archiving-profile";
import { certificateFingerprint, createCertificates } from "./resources/certificates";
import { planCertificates } from "./plan/certificates-plan";
import { planIngressRules } from "./plan/firewall";
import { mxTable } from "./plan/mx";
import { createAwsHost, type GatewayHostResources } from "./resources/aws-host";
import { PoolLookups } from "./resources/lookups";
import { existingHost } from "./resources/existing-host";
import { planGatewayPool, type GatewayPoolPlan } from "./plan/pool-plan";
import { createConfigStoreBucket } from "./resources/config-store-bucket";
import {
  createReplication,
  type InventoryHost,
  type InventoryStore,
  type Replication,
  type ReplicationEndpoint,
} from "./resources/replication";
import { createReadinessGates, planReadinessGate } from "./resources/readiness-gate";
import { renderRunbook } from "./plan/runbook";
import { GatewayPoolArgsError } from "./validate";
import { renderZoneFile } from "./plan/zone-file";
import { fitRecordComment } from "./plan/limits";
import { awsPoolProblems } from "./plan/aws-rules";
import { createAlarmTopics } from "./resources/alarms";
import { backupTagValue, createBackups, describeBackupSchedule } from "./resources/backup";
import { daneZoneFileLines, planDane } from "./plan/dane";
import { renderDaneRunbook } from "./plan/dane-runbook";
import { createDane, createHostKeys, type DaneOutput } from "./resources/dane";

/** One gateway of the pool as the stack reports it. */
export interface GatewayOutput {
  hostname: string;
  /** Stable public IPv4 address (the A record). */
  address: string;
  /** `active` (MX record), `standby` (prepared, no MX record yet) or `draining` (MX record removed). */
  state: HostState;
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

/**
 * MailStore Gateway as a pool of independent hosts behind one mail domain's MX records: per host an EC2
 * Windows instance (or an existing machine), an A record and a certificate for its own name; one MX record
 * per active host (none for standby and draining hosts); optional configuration replication from one
 * source.
 *
 * @example
 * ```ts
 * const pool = new GatewayPool("msgw", {
 *   zone: { name: "example.com" },
 *   mailDomain: "msgw.example.com",
 *   hosts: [{ hostname: "msgw1.example.com" }, { hostname: "msgw2.example.com" }],
 *   access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.0/24"] },
 * }, { providers: { aws, cloudflare } });
 * export const mx = pool.mxRecords;
 * ```
 */
export class GatewayPool extends pulumi.ComponentResource {
  /** The mail domain the pool's MX records are for (journal rules deliver to mbx-…@ this domain). */
  public readonly mailDomain: pulumi.Output<string>;
  /** Every gateway: name, address, state, MX preference, certificate and archiving-profile settings. */
  public readonly gateways: pulumi.Output<GatewayOutput[]>;
  /** MX records of the mail domain, by preference. */
  public readonly mxRecords: pulumi.Output<MxRecordOutput[]>;
  /** Every record the pool owns as a BIND zone-file fragment. */
  public readonly zoneFile: pulumi.Output<string>;
  /** Markdown: what an administrator still does by hand. */
  public readonly runbook: pulumi.Output<string>;
  /** Pool CA certificate (pool-ca mode), else undefined. */
  public readonly caCertificatePem: pulumi.Output<string> | undefined;
  /** Certificate private keys by host name (secret), to import into each gateway. */
  public readonly certificatePrivateKeys: pulumi.Output<Record<string, string>>;
  /** What the data-volume snapshots protect and how often; undefined without AWS hosts or with backups off. */
  public readonly backups: pulumi.Output<BackupOutput> | undefined;
  /** SNS topic ARN per region with AWS hosts (`default` = the provider's region): subscribe to get alarms. */
  public readonly alarmTopicArns: pulumi.Output<Record<string, string>> | undefined;
  /** Expiry of every certificate the pool issued (none with the gateway's Let's Encrypt). */
  public readonly certificateExpiry: pulumi.Output<CertificateExpiryOutput[]>;
  /** Certificates this update issued or renewed: each must be (re-)imported on its gateway (runbook). */
  public readonly certificateRenewals: pulumi.Output<string[]>;
  /**
   * Manifest of the last configuration snapshot (names, sizes, SHA-256), when replication is configured;
   * on a new pool whose source has no configuration yet, a waiting state
   * (`"state": "waiting-for-source-configuration"`, with what to do next).
   */
  public readonly configManifest: pulumi.Output<string> | undefined;
  /**
   * The inventory `msgw config --stack <stack>` reads (store, addresses, pinned host keys, key path;
   * never key material), when replication is configured.
   */
  public readonly configSyncInventory:
    pulumi.Output<{ store: InventoryStore; hosts: Record<string, InventoryHost> }> | undefined;
  /**
   * DANE: the DNSSEC owner and DS record, per host the TLSA records (`3 1 1 <SPKI SHA-256>`) with their
   * publication times and the key rollover state; undefined with `dane.enabled` off.
   */
  public readonly dane: pulumi.Output<DaneOutput> | undefined;
  /** The validated plan (plain values), for callers that build on it. */
  public readonly plan: GatewayPoolPlan;

  constructor(name: string, args: GatewayPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("msgw:index:GatewayPool", name, {}, opts);
    const updateStarted = Date.now();
    const stack = pulumi.getStack();

    // 1. Validate: every problem is reported before any child exists.
    let plan: GatewayPoolPlan;
    try {
      plan = planGatewayPool(args);
    } catch (err) {
      if (err instanceof GatewayPoolArgsError) {
        throw new pulumi.ResourceError(
          `GatewayPool "${name}": invalid arguments:\n${err.message}`,
          this,
        );
      }
      throw err;
    }
    // 2. Hosts, in parallel: nothing in one host waits for another. What AWS would refuse (quotas,
    // derived names, instance families, partitions) is refused here, before any child exists.
    const ssh = plan.configSync !== undefined;
    const rules = planIngressRules(plan, { ssh });
    const awsProblems = awsPoolProblems({ name, stack, plan, args, rules });
    if (awsProblems.length > 0) {
      throw new pulumi.ResourceError(
        `GatewayPool "${name}": invalid arguments:\n${awsProblems.join("\n")}`,
        this,
      );
    }
    this.plan = plan;
    const keyOf = new Map(plan.hosts.map((h) => [h.hostname, h.key]));

    const awsRegions = [
      ...new Set(plan.hosts.filter((h) => h.placement === "aws").map((h) => h.region)),
    ];
    const awsTags = { ...(args.aws?.tags ?? {}), "msgw:pool": name };
    const topics = createAlarmTopics({ name, regions: awsRegions, tags: awsTags, parent: this });
    const backupTag = plan.backup ? backupTagValue(stack, name) : undefined;
    const lookups = new PoolLookups(this);
    const hosts = new Map<string, GatewayHostResources>();
    for (const [i, host] of plan.hosts.entries()) {
      const hostArgs = args.hosts[i];
      hosts.set(
        host.hostname,
        host.placement === "existing"
          ? existingHost(host)
          : createAwsHost({
              name,
              stack,
              host,
              overrides: hostArgs.aws ?? {},
              defaults: args.aws ?? {},
              plan,
              rules,
              ssh,
              backupTag,
              alarmTopic: topics.get(host.region) as NonNullable<ReturnType<typeof topics.get>>,
              lookups,
              parent: this,
            }),
      );
    }
    const backupPolicies =
      plan.backup && awsRegions.length > 0
        ? createBackups({
            name,
            stack,
            plan: plan.backup,
            regions: awsRegions,
            tags: awsTags,
            // IAM is global per partition: that of the hosts' regions (one partition per pool).
            partition: lookups.partition(awsRegions.find((r) => r !== undefined)),
            parent: this,
          })
        : undefined;

    // 3. Keys, DANE (TLSA per key, published before the key is served), certificates.
    const zoneId =
      args.zone.id ??
      cloudflare.getZoneOutput({ filter: { name: plan.zoneName } }, { parent: this }).zoneId;
    const certificatePlan = planCertificates(plan);
    const danePlan = planDane(args, plan);
    const hostKeys = createHostKeys(name, danePlan, certificatePlan, this);
    const dane = createDane({ name, plan: danePlan, zoneId, keys: hostKeys, parent: this });
    this.dane = dane.output;
    const certificates = createCertificates(name, certificatePlan, keyOf, this, {
      keys: new Map(
        danePlan.keys.map((k) => [
          k.hostname,
          hostKeys.get(k.hostname)?.get(k.serving) as tls.PrivateKey,
        ]),
      ),
      dependsOn: dane.certificateDependsOn,
    });
    this.caCertificatePem = certificates.caCertificatePem;

    // 4. DNS: A per host (never proxied), A for a migrating legacy gateway.
    const aRecords = new Map<string, cloudflare.DnsRecord>();
    for (const host of plan.hosts) {
      aRecords.set(
        host.hostname,
        new cloudflare.DnsRecord(
          `${name}-${host.key}-a`,
          {
            zoneId,
            name: host.hostname,
            type: "A",
            content: (hosts.get(host.hostname) as GatewayHostResources).address,
            ttl: plan.addressTtl,
            proxied: false,
            comment: fitRecordComment(`MailStore Gateway host (pool ${name})`),
          },
          { parent: this },
        ),
      );
    }
    const legacy = plan.legacy;
    if (legacy?.phase === "migrating") {
      new cloudflare.DnsRecord(
        `${name}-${legacy.key}-a`,
        {
          zoneId,
          name: legacy.hostname,
          type: "A",
          content: legacy.address,
          ttl: plan.addressTtl,
          proxied: false,
          comment: fitRecordComment(
            `Legacy MailStore Gateway, kept while migrating (pool ${name})`,
          ),
        },
        {
          parent: this,
          // The live record of the old gateway: the pool never deletes it (destroy, retire or a
          // mistake leave it in Cloudflare, unmanaged). An import id adopts it instead of creating it.
          retainOnDelete: true,
          ...(legacy.importId === undefined
            ? {}
            : { import: legacy.importId, ignoreChanges: ["ttl", "comment"] }),
        },
      );
    }

    // 5. Configuration replication.
    const restores = new Map<string, pulumi.Resource>();
    if (plan.configSync) {
      const endpoints: ReplicationEndpoint[] = plan.hosts.map((h) => {
        const res = hosts.get(h.hostname) as GatewayHostResources;
        return {
          hostname: h.hostname,
          address: res.address,
          sshHostKey: res.sshHostKey as pulumi.Output<string>,
          port: h.sshPort,
          username: h.sshUser,
          platform: h.platform,
          dataDirectory: h.dataDirectory,
          serviceControl: h.serviceControl,
          freshlyCreated: h.placement === "aws",
          ...(h.placement === "aws" ? { generation: res.identity } : {}),
          ...(res.aws ? { bootStepInstanceArn: res.aws.instanceArn } : {}),
        };
      });
      if (legacy?.phase === "migrating") {
        endpoints.push({
          hostname: legacy.hostname,
          address: legacy.address,
          sshHostKey: legacy.sshHostKey as string,
          port: legacy.sshPort,
          username: legacy.sshUser,
          platform: legacy.platform,
          dataDirectory: legacy.dataDirectory,
          serviceControl: legacy.serviceControl,
          freshlyCreated: false,
        });
      }
      const store = plan.configSync.store;
      const own =
        store.kind === "s3" && store.bucket === undefined
          ? createConfigStoreBucket(name, args.aws?.tags ?? {}, this)
          : undefined;
      const replication: Replication = createReplication(
        name,
        plan,
        hosts,
        endpoints,
        keyOf,
        this,
        own,
      );
      this.configManifest = replication.manifest;
      this.configSyncInventory = replication.operatorInventory;
      for (const [target, restore] of replication.restores) restores.set(target, restore);
    }

    // 6. Readiness gates (every active AWS host; every active host with `readinessGate`), then one
    // MX record per active host after its A record and, with a gate, after the host passed
    // `msgw check --wait`.
    const gatePlan = planReadinessGate(args, plan);
    const gates =
      gatePlan === undefined
        ? new Map<string, pulumi.Resource>()
        : createReadinessGates(name, plan, gatePlan, hosts, certificates, restores, this);
    for (const host of plan.hosts) {
      if (host.mxPreference === undefined) continue;
      const gate = gates.get(host.hostname);
      new cloudflare.DnsRecord(
        `${name}-mx-${host.key}`,
        {
          zoneId,
          name: plan.mailDomain,
          type: "MX",
          content: host.hostname,
          priority: host.mxPreference,
          ttl: plan.mxTtl,
          comment: fitRecordComment(`MailStore Gateway pool ${name}: ${host.hostname}`),
        },
        {
          parent: this,
          dependsOn: [
            aRecords.get(host.hostname) as cloudflare.DnsRecord,
            ...(gate ? [gate] : []),
            // DANE: the host's TLSA records exist before senders can find it through MX.
            ...(dane.records.get(host.hostname) ?? []),
          ],
          // Adopt a live record: its ttl and comment may differ from ours until the import id is removed.
          ...(host.mxImportId === undefined
            ? {}
            : { import: host.mxImportId, ignoreChanges: ["ttl", "comment"] }),
        },
      );
    }

    // 7. Outputs.
    const gatewayOutputs = plan.hosts.map((h) => {
      const res = hosts.get(h.hostname) as GatewayHostResources;
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
    this.mailDomain = pulumi.output(plan.mailDomain);
    this.gateways = pulumi.all(gatewayOutputs);
    this.certificatePrivateKeys = pulumi.secret(
      pulumi.all(
        Object.fromEntries(
          [...certificates.hosts].map(([hostname, c]) => [hostname, c.privateKeyPem]),
        ),
      ),
    );
    this.mxRecords = pulumi.output(mxTable(plan));
    const awsHosts = plan.hosts.filter((h) => h.placement === "aws");
    this.backups = undefined;
    if (plan.backup && backupPolicies) {
      const schedule = describeBackupSchedule(plan.backup);
      const volumes = pulumi.all(
        awsHosts.map((h) =>
          (
            (hosts.get(h.hostname) as GatewayHostResources).aws?.dataVolumeId ?? pulumi.output("")
          ).apply((volumeId) => ({ hostname: h.hostname, volumeId })),
        ),
      );
      const policyIds = pulumi.all([...backupPolicies.values()].map((p) => p.id));
      this.backups = pulumi
        .all([volumes, policyIds])
        .apply(([v, ids]): BackupOutput => ({ schedule, volumes: v, policyIds: ids }));
    }
    this.alarmTopicArns =
      awsRegions.length > 0
        ? pulumi.all(
            Object.fromEntries(
              [...topics].map(([region, topic]) => [region ?? "default", topic.arn]),
            ),
          )
        : undefined;
    this.certificateExpiry = pulumi.all(
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
    this.certificateRenewals = this.certificateExpiry.apply((list) =>
      list.filter((e) => e.issuedThisUpdate).map((e) => e.name),
    );
    const legacyAddress = legacy ? pulumi.output(legacy.address) : pulumi.output(undefined);
    this.zoneFile = pulumi.all([this.gateways, legacyAddress]).apply(([gws, legacyAddr]) => {
      const addresses: Record<string, string> = Object.fromEntries(
        gws.map((g) => [g.hostname, g.address]),
      );
      if (legacy && legacyAddr !== undefined) addresses[legacy.hostname] = legacyAddr;
      return renderZoneFile(plan, addresses);
    });
    const awsInfo = pulumi.all(
      Object.fromEntries(
        plan.hosts
          .filter((h) => h.placement === "aws")
          .map((h) => {
            const res = (hosts.get(h.hostname) as GatewayHostResources).aws;
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
    this.runbook = pulumi
      .all([
        this.gateways,
        legacyAddress,
        awsInfo,
        this.alarmTopicArns ?? pulumi.output(undefined),
        this.certificateRenewals,
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
      this.zoneFile = pulumi
        .all([this.zoneFile, dane.output])
        .apply(
          ([text, d]) =>
            text +
            daneZoneFileLines(danePlan, plan.zoneName, [
              ...d.hosts.flatMap((h) =>
                h.records.map((r) => ({ recordName: h.recordName, rdata: r.rdata })),
              ),
              ...(d.legacy ? [d.legacy] : []),
            ]),
        );
      this.runbook = pulumi.all([this.runbook, dane.output]).apply(
        ([text, d]) =>
          text +
          renderDaneRunbook({
            plan: danePlan,
            dane: d,
            mailDomain: plan.mailDomain,
            legacy: plan.legacy,
          }),
      );
    }

    this.registerOutputs({
      mailDomain: this.mailDomain,
      gateways: this.gateways,
      mxRecords: this.mxRecords,
      zoneFile: this.zoneFile,
      runbook: this.runbook,
      caCertificatePem: this.caCertificatePem,
      certificatePrivateKeys: this.certificatePrivateKeys,
      configManifest: this.configManifest,
      configSyncInventory: this.configSyncInventory,
      backups: this.backups,
      alarmTopicArns: this.alarmTopicArns,
      certificateExpiry: this.certificateExpiry,
      certificateRenewals: this.certificateRenewals,
      dane: this.dane,
    });
  }
}
