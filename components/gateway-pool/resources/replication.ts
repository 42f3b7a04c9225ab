// I/O (Pulumi resources): configuration replication as commands (snapshot of the source, a restore per target) and the
// inventory they and the operator read.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import {
  inventoryHost,
  replicationCommands,
  type InventoryHost,
  type InventoryStore,
  type ReplicationEndpoint,
  type SyncedPlan,
} from "../plan/replication";
import type { WiredHost } from "./wired-host";
import { commandDirectory } from "./command-directory";

/** The bucket the pool created for the store, when it did. */
export interface StoreBucket {
  bucket: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** Settings the store needs before first use (versioning is checked by the engine). */
  ready?: pulumi.Resource[];
}

/** The store entry of the inventory: the planned store, with the pool's own bucket filled in. */
export function inventoryStore(
  plan: SyncedPlan,
  own: StoreBucket | undefined,
): pulumi.Output<InventoryStore> {
  const sync = plan.configSync;
  const s = sync.store;
  if (s.kind === "local") return pulumi.output({ kind: "local" as const, path: s.path });
  const bucket = s.bucket ?? own?.bucket;
  const region = s.region ?? own?.region;
  if (bucket === undefined || region === undefined)
    throw new Error(
      "an s3 store needs a bucket and a region (the pool's own bucket was not created)",
    );
  return pulumi.all([bucket, region, s.kmsKeyId]).apply(([b, r, k]) => ({
    kind: "s3" as const,
    bucket: b,
    region: r,
    prefix: s.prefix,
    ...(k !== undefined ? { kmsKeyId: k } : {}),
  }));
}

/**
 * The inventory JSON: addresses, pinned public host keys and a key *path*; never key material.
 * `forCommands`: the inventory of the pool's own commands, which wait for hosts the pool just created;
 * the operator's inventory (a stack output) waits for nothing, so an unreachable host fails fast.
 */
export function inventoryJson(
  plan: SyncedPlan,
  endpoints: ReplicationEndpoint[],
  store: pulumi.Input<InventoryStore>,
  forCommands = true,
): pulumi.Output<string> {
  return pulumi.jsonStringify(inventoryObject(plan, endpoints, store, forCommands));
}

/** {@link inventoryJson} as an object (for the `configSyncInventory` stack output). */
export function inventoryObject(
  plan: SyncedPlan,
  endpoints: ReplicationEndpoint[],
  store: pulumi.Input<InventoryStore>,
  forCommands: boolean,
): pulumi.Output<{ store: InventoryStore; hosts: Record<string, InventoryHost> }> {
  const hosts: Record<string, pulumi.Input<InventoryHost>> = {};
  for (const e of endpoints) {
    hosts[e.hostname] = pulumi.output(inventoryHost(plan, e, forCommands));
  }
  return pulumi.output({ store, hosts }) as pulumi.Output<{
    store: InventoryStore;
    hosts: Record<string, InventoryHost>;
  }>;
}

/** What {@link createReplication} gives back. */
export interface Replication {
  /** The snapshot's stdout: the manifest, or the waiting state of a source without configuration. */
  manifest: pulumi.Output<string>;
  snapshot: command.local.Command;
  /** One restore per target, by host name (what a readiness gate depends on). */
  restores: Map<string, command.local.Command>;
  /** The inventory `msgw config --stack` reads (no key material; waits for nothing). */
  operatorInventory: pulumi.Output<{ store: InventoryStore; hosts: Record<string, InventoryHost> }>;
}

/**
 * Replication as resources: one snapshot of the source (stdout = manifest of names, sizes and SHA-256, or
 * a waiting state; no content enters state) and one restore per target, which waits for that target's
 * host and re-runs when the revision, the manifest or the target machine changes. Targets restore in
 * parallel (siblings). `own`: the bucket the pool created for the store, if it did.
 */
export function createReplication(
  name: string,
  plan: SyncedPlan,
  hosts: WiredHost[],
  endpoints: ReplicationEndpoint[],
  parent: pulumi.Resource,
  own?: StoreBucket,
): Replication {
  const sync = plan.configSync;
  const store = inventoryStore(plan, own);
  // Each command gets an inventory of just the host it talks to, so it waits for that host alone.
  const only = (hostname: string) => ({
    MSGW_INVENTORY: inventoryJson(
      plan,
      endpoints.filter((e) => e.hostname === hostname),
      store,
    ),
  });
  const commands = replicationCommands(plan);
  // Undefined when the source is the legacy gateway.
  const sourceHost = hosts.find((h) => h.plan.hostname === sync.source)?.machine;
  const snapshot = new command.local.Command(
    `${name}-config-snapshot`,
    {
      create: commands.snapshot,
      dir: commandDirectory(),
      environment: only(sync.source),
      triggers: [sync.revision, sourceHost ? sourceHost.identity : sync.source],
      logging: "stderr",
    },
    { parent, dependsOn: [...(sourceHost?.ready ?? []), ...(own?.ready ?? [])] },
  );
  const restores = new Map<string, command.local.Command>();
  for (const { plan: target, machine: host } of hosts) {
    const create = commands.restore.get(target.hostname);
    if (create === undefined) continue; // the source
    restores.set(
      target.hostname,
      new command.local.Command(
        `${name}-${target.key}-config-restore`,
        {
          create,
          dir: commandDirectory(),
          environment: only(target.hostname),
          triggers: [sync.revision, snapshot.stdout, host.identity],
          logging: "stderr",
        },
        { parent, dependsOn: [snapshot, ...host.ready, ...(own?.ready ?? [])] },
      ),
    );
  }
  return {
    manifest: snapshot.stdout,
    snapshot,
    restores,
    operatorInventory: inventoryObject(plan, endpoints, store, false),
  };
}
