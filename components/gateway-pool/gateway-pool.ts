import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import type { GatewayPoolArgs, HostState } from "./args";
import { archivingProfile, type ArchivingProfileSettings } from "./plan/archiving-profile";
import { certificateFingerprint, createCertificates } from "./resources/certificates";
import { planCertificates } from "./plan/certificates-plan";
import { planIngressRules } from "./plan/firewall";
import { mxTable } from "./plan/mx";
import { createAwsHost, type GatewayHostResources } from "./resources/aws-host";
import { existingHost } from "./resources/existing-host";
import { planGatewayPool, type GatewayPoolPlan } from "./plan/pool-plan";
import { createReplication, type ReplicationEndpoint } from "./resources/replication";
import { renderRunbook } from "./plan/runbook";
import { GatewayPoolArgsError } from "./validate";
import { renderZoneFile } from "./plan/zone-file";

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
  /** Manifest of the last configuration snapshot (names, sizes, SHA-256), when replication is configured. */
  public readonly configManifest: pulumi.Output<string> | undefined;
  /** The validated plan (plain values), for callers that build on it. */
  public readonly plan: GatewayPoolPlan;

  constructor(name: string, args: GatewayPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("msgw:index:GatewayPool", name, {}, opts);

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
    this.plan = plan;
    const keyOf = new Map(plan.hosts.map((h) => [h.hostname, h.key]));

    // 2. Hosts, in parallel: nothing in one host waits for another.
    const ssh = plan.configSync !== undefined;
    const rules = planIngressRules(plan, { ssh });
    const hosts = new Map<string, GatewayHostResources>();
    for (const [i, host] of plan.hosts.entries()) {
      const hostArgs = args.hosts[i];
      hosts.set(
        host.hostname,
        host.placement === "existing"
          ? existingHost(host)
          : createAwsHost({
              name,
              host,
              overrides: hostArgs.aws ?? {},
              defaults: args.aws ?? {},
              plan,
              rules,
              ssh,
              parent: this,
            }),
      );
    }

    // 3. Certificates.
    const certificatePlan = planCertificates(plan);
    const certificates = createCertificates(name, certificatePlan, keyOf, this);
    this.caCertificatePem = certificates.caCertificatePem;

    // 4. DNS: A per host (never proxied), A for a migrating legacy gateway, MX per active host after its A
    //    (standby and draining hosts have no MX record).
    const zoneId =
      args.zone.id ??
      cloudflare.getZoneOutput({ filter: { name: plan.zoneName } }, { parent: this }).zoneId;
    for (const host of plan.hosts) {
      const a = new cloudflare.DnsRecord(
        `${name}-${host.key}-a`,
        {
          zoneId,
          name: host.hostname,
          type: "A",
          content: (hosts.get(host.hostname) as GatewayHostResources).address,
          ttl: plan.addressTtl,
          proxied: false,
          comment: `MailStore Gateway host (pool ${name})`,
        },
        { parent: this },
      );
      if (host.mxPreference !== undefined) {
        new cloudflare.DnsRecord(
          `${name}-mx-${host.key}`,
          {
            zoneId,
            name: plan.mailDomain,
            type: "MX",
            content: host.hostname,
            priority: host.mxPreference,
            ttl: plan.mxTtl,
            comment: `MailStore Gateway pool ${name}: ${host.hostname}`,
          },
          { parent: this, dependsOn: [a] },
        );
      }
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
          comment: `Legacy MailStore Gateway, kept while migrating (pool ${name})`,
        },
        { parent: this },
      );
    }

    // 5. Configuration replication.
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
          freshlyCreated: h.placement === "aws",
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
          freshlyCreated: false,
        });
      }
      this.configManifest = createReplication(name, plan, hosts, endpoints, keyOf, this).manifest;
    }

    // 6. Outputs.
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
        }));
    });
    this.gateways = pulumi.all(gatewayOutputs);
    this.certificatePrivateKeys = pulumi.secret(
      pulumi.all(
        Object.fromEntries(
          [...certificates.hosts].map(([hostname, c]) => [hostname, c.privateKeyPem]),
        ),
      ),
    );
    this.mxRecords = pulumi.output(mxTable(plan));
    const legacyAddress = legacy ? pulumi.output(legacy.address) : pulumi.output(undefined);
    this.zoneFile = pulumi.all([this.gateways, legacyAddress]).apply(([gws, legacyAddr]) => {
      const addresses: Record<string, string> = Object.fromEntries(
        gws.map((g) => [g.hostname, g.address]),
      );
      if (legacy && legacyAddr !== undefined) addresses[legacy.hostname] = legacyAddr;
      return renderZoneFile(plan, addresses);
    });
    this.runbook = pulumi.all([this.gateways, legacyAddress]).apply(([gws, legacyAddr]) =>
      renderRunbook({
        poolName: name,
        stack: pulumi.getStack(),
        plan,
        legacyAddress: legacyAddr,
        gateways: gws.map((g) => ({
          hostname: g.hostname,
          address: g.address,
          state: g.state,
          mxPreference: g.mxPreference ?? undefined,
          placement: g.placement,
          certificateSha256: g.certificateSha256 ?? undefined,
          archivingProfile: g.archivingProfile,
        })),
      }),
    );

    this.registerOutputs({
      gateways: this.gateways,
      mxRecords: this.mxRecords,
      zoneFile: this.zoneFile,
      runbook: this.runbook,
      caCertificatePem: this.caCertificatePem,
      certificatePrivateKeys: this.certificatePrivateKeys,
      configManifest: this.configManifest,
    });
  }
}
