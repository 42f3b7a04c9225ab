// I/O (Pulumi resources): the pool's DNS records: an A record per host and for a migrating legacy gateway, then one MX
// record per active host, after its A record, its TLSA records and its readiness gate.
import type * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import { fitRecordComment } from "../plan/limits";
import type { WiredHost } from "./wired-host";

/** A host with its A record. */
export type AddressedHost = WiredHost & { addressRecord: cloudflare.DnsRecord };

/** A per host (never proxied); A for a migrating legacy gateway, never deleted by the pool. */
export function createAddressRecords(input: {
  name: string;
  plan: GatewayPoolPlan;
  hosts: WiredHost[];
  zoneId: pulumi.Input<string>;
  parent: pulumi.Resource;
}): AddressedHost[] {
  const { name, plan, zoneId, parent } = input;
  const addressed = input.hosts.map((h) => ({
    ...h,
    addressRecord: new cloudflare.DnsRecord(
      `${name}-${h.plan.key}-a`,
      {
        zoneId,
        name: h.plan.hostname,
        type: "A",
        content: h.machine.address,
        ttl: plan.addressTtl,
        proxied: false,
        comment: fitRecordComment(`MailStore Gateway host (pool ${name})`),
      },
      { parent },
    ),
  }));
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
        comment: fitRecordComment(`Legacy MailStore Gateway, kept while migrating (pool ${name})`),
      },
      {
        parent,
        // The live record of the old gateway: the pool never deletes it (destroy, retire or a
        // mistake leave it in Cloudflare, unmanaged). An import id adopts it instead of creating it.
        retainOnDelete: true,
        ...(legacy.importId === undefined
          ? {}
          : { import: legacy.importId, ignoreChanges: ["ttl", "comment"] }),
      },
    );
  }
  return addressed;
}

/**
 * One MX record per active host, after its A record, its TLSA records (DANE: senders find the record
 * before the host) and its readiness gate (the host passed `msgw check --wait`).
 * @param gates readiness gate per host name (gated hosts only)
 * @param tlsa TLSA records per host name (DANE only)
 */
export function createMxRecords(input: {
  name: string;
  plan: GatewayPoolPlan;
  hosts: AddressedHost[];
  zoneId: pulumi.Input<string>;
  gates: Map<string, pulumi.Resource>;
  tlsa: Map<string, pulumi.Resource[]>;
  parent: pulumi.Resource;
}): void {
  const { name, plan, zoneId, parent } = input;
  for (const { plan: host, addressRecord } of input.hosts) {
    if (host.mxPreference === undefined) continue;
    const gate = input.gates.get(host.hostname);
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
        parent,
        dependsOn: [
          addressRecord,
          ...(gate ? [gate] : []),
          ...(input.tlsa.get(host.hostname) ?? []),
        ],
        // Adopt a live record: its ttl and comment may differ from ours until the import id is removed.
        ...(host.mxImportId === undefined
          ? {}
          : { import: host.mxImportId, ignoreChanges: ["ttl", "comment"] }),
      },
    );
  }
}
