// I/O (Pulumi resources): the component: validate, plan, then wire the plan into resources step by step; the plan decides, the
// steps only create what it says.
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import type { GatewayPoolArgs } from "./args";
import { planGatewayPool, type GatewayPoolPlan } from "./plan/pool-plan";
import { awsPoolProblems } from "./plan/aws-rules";
import { isSynced, replicationEndpoint, type SyncedPlan } from "./plan/replication";
import { GatewayPoolArgsError } from "./validate";
import { createHosts } from "./resources/hosts";
import { createAddressRecords, createMxRecords } from "./resources/dns";
import { createKeysAndCertificates } from "./resources/certificates";
import { createConfigStoreBucket } from "./resources/config-store-bucket";
import { createReplication, type Replication } from "./resources/replication";
import { createReadinessGates } from "./resources/readiness-gate";
import type { DaneOutput } from "./resources/dane";
import type { InventoryHost, InventoryStore } from "./plan/replication";
import type { WiredHost } from "./resources/wired-host";
import {
  poolOutputs,
  type BackupOutput,
  type CertificateExpiryOutput,
  type GatewayOutput,
  type MxRecordOutput,
} from "./outputs";

export type {
  BackupOutput,
  CertificateExpiryOutput,
  GatewayOutput,
  MxRecordOutput,
} from "./outputs";

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
    // 1–2. Validate and plan: every problem is reported before any child exists, including what AWS
    // would refuse (quotas, derived names, instance families, partitions).
    const plan = this.validateAndPlan(name, stack, args);
    this.plan = plan;
    // 3. Hosts, in parallel: nothing in one host waits for another.
    const machines = createHosts({ name, stack, plan, parent: this });
    // 4. DNS: an A record per host (and the migrating legacy gateway).
    const zoneId =
      plan.zoneId ??
      cloudflare.getZoneOutput({ filter: { name: plan.zoneName } }, { parent: this }).zoneId;
    const hosts = createAddressRecords({ name, plan, hosts: machines.hosts, zoneId, parent: this });
    // 5. Keys, DANE (TLSA per key, published before the key is served), certificates.
    const { certificates, dane } = createKeysAndCertificates({ name, plan, zoneId, parent: this });
    // 6. Configuration replication, then the readiness gates (after each host's restore).
    const replication = isSynced(plan) ? this.replicate(name, plan, machines.hosts) : undefined;
    const gates = createReadinessGates(
      name,
      plan,
      machines.hosts,
      certificates,
      replication?.restores ?? new Map(),
      this,
    );
    // 7. MX: one record per active host, after its A record, its TLSA records and its gate.
    createMxRecords({ name, plan, hosts, zoneId, gates, tlsa: dane.records, parent: this });
    // 8. Outputs.
    const out = poolOutputs({
      name,
      stack,
      plan,
      machines,
      certificates,
      dane,
      replication,
      updateStarted,
    });
    this.mailDomain = out.mailDomain;
    this.gateways = out.gateways;
    this.mxRecords = out.mxRecords;
    this.zoneFile = out.zoneFile;
    this.runbook = out.runbook;
    this.caCertificatePem = out.caCertificatePem;
    this.certificatePrivateKeys = out.certificatePrivateKeys;
    this.configManifest = out.configManifest;
    this.configSyncInventory = out.configSyncInventory;
    this.backups = out.backups;
    this.alarmTopicArns = out.alarmTopicArns;
    this.certificateExpiry = out.certificateExpiry;
    this.certificateRenewals = out.certificateRenewals;
    this.dane = out.dane;

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

  /** Steps 1–2: the plan, or a ResourceError listing every problem (nothing is created). */
  private validateAndPlan(name: string, stack: string, args: GatewayPoolArgs): GatewayPoolPlan {
    const invalid = (problems: string) =>
      new pulumi.ResourceError(`GatewayPool "${name}": invalid arguments:\n${problems}`, this);
    let plan: GatewayPoolPlan;
    try {
      plan = planGatewayPool(args);
    } catch (err) {
      if (err instanceof GatewayPoolArgsError) throw invalid(err.message);
      throw err;
    }
    const awsProblems = awsPoolProblems({ name, stack, plan });
    if (awsProblems.length > 0) throw invalid(awsProblems.join("\n"));
    return plan;
  }

  /** Step 6: the store (the pool's own bucket unless one is given), snapshot and restores. */
  private replicate(
    name: string,
    plan: SyncedPlan<GatewayPoolPlan>,
    hosts: WiredHost[],
  ): Replication {
    const endpoints = hosts.map(({ plan: h, machine }) =>
      replicationEndpoint(h, {
        address: machine.address,
        sshHostKey: machine.sshHostKey ?? missingHostKey(h.hostname),
        freshlyCreated: h.placement === "aws",
        ...(h.placement === "aws" ? { generation: machine.identity } : {}),
        ...(machine.aws ? { bootStepInstanceArn: machine.aws.instanceArn } : {}),
      }),
    );
    const legacy = plan.legacy;
    if (legacy?.phase === "migrating") {
      endpoints.push(
        replicationEndpoint(legacy, {
          address: legacy.address,
          sshHostKey: legacy.sshHostKey ?? missingHostKey(legacy.hostname),
          freshlyCreated: false,
        }),
      );
    }
    const store = plan.configSync.store;
    const own =
      store.kind === "s3" && store.bucket === undefined
        ? createConfigStoreBucket(name, plan.aws.tags, this)
        : undefined;
    return createReplication(name, plan, hosts, endpoints, this, own);
  }
}

/** Validation requires a pinned host key for every host replication reaches; this is its invariant. */
function missingHostKey(hostname: string): never {
  throw new Error(`${hostname}: no SSH host key to pin (validation requires one with configSync)`);
}
