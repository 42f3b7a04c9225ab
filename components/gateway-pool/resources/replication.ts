import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as path from "node:path";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import type { GatewayHostResources } from "./aws-host";
import { BOOTSTRAP_STEP } from "../plan/user-data";

/** How long a restore waits for the gateway service on a host the pool just created (its installer runs on first boot). */
export const FRESH_HOST_SERVICE_WAIT_SECONDS = 1800;

/** One host entry of the replication inventory (the format `msgw config` reads). */
export interface InventoryHost {
  address: string;
  port: number;
  username: string;
  privateKeyPath: string;
  hostKey: string;
  platform: "windows" | "linux";
  dataDir: string;
  /** Written for windows hosts (their default service control uses it). */
  serviceName?: string;
  /** Written when the host gives its own (always for linux hosts). */
  serviceControl?: { start: string; stop: string; status: string; exists?: string };
  /** Only in the inventory of the pool's own commands, for a host the pool creates (long first boot). */
  bootWaitSeconds?: number;
  /** Same: where the first boot's current step is read through SSM when the boot wait ends. */
  bootStep?: { instanceArn: string; file: string };
  /** The EC2 instance id: the boot wait ends once the store has seen this instance answer. */
  generation?: string;
  /** Same: the gateway's installer may still be running when SSH first answers. */
  serviceWaitSeconds?: number;
}

/** The store as the inventory names it. */
export type InventoryStore =
  | { kind: "local"; path: string }
  | { kind: "s3"; bucket: string; region: string; prefix: string; kmsKeyId?: string };

/** Connection facts of one host, resolved or not. */
export interface ReplicationEndpoint {
  hostname: string;
  address: pulumi.Input<string>;
  sshHostKey: pulumi.Input<string>;
  port: number;
  username: string;
  platform: "windows" | "linux";
  /** The host's data directory (see `HostPlan.dataDirectory`); required for linux hosts. */
  dataDirectory: string | undefined;
  /** The host's own service control, when it gives one (linux hosts must). */
  serviceControl: { start: string; stop: string; status: string; exists?: string } | undefined;
  /** True for a host the pool creates (long first boot, gateway installed on first boot). */
  freshlyCreated: boolean;
  /** Changes when the machine is replaced (the instance id), for hosts the pool creates. */
  generation?: pulumi.Input<string>;
  /** The EC2 instance's ARN, for AWS hosts: a timed-out boot wait reads its first-boot step through SSM. */
  bootStepInstanceArn?: pulumi.Input<string>;
}

/** The bucket the pool created for the store, when it did. */
export interface StoreBucket {
  bucket: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** Settings the store needs before first use (versioning is checked by the engine). */
  ready?: pulumi.Resource[];
}

/** The store entry of the inventory: the planned store, with the pool's own bucket filled in. */
export function inventoryStore(
  plan: GatewayPoolPlan,
  own: StoreBucket | undefined,
): pulumi.Output<InventoryStore> {
  const sync = plan.configSync;
  if (!sync) throw new Error("inventoryStore needs configSync");
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
  plan: GatewayPoolPlan,
  endpoints: ReplicationEndpoint[],
  store: pulumi.Input<InventoryStore>,
  forCommands = true,
): pulumi.Output<string> {
  return pulumi.jsonStringify(inventoryObject(plan, endpoints, store, forCommands));
}

/** {@link inventoryJson} as an object (for the `configSyncInventory` stack output). */
export function inventoryObject(
  plan: GatewayPoolPlan,
  endpoints: ReplicationEndpoint[],
  store: pulumi.Input<InventoryStore>,
  forCommands: boolean,
): pulumi.Output<{ store: InventoryStore; hosts: Record<string, InventoryHost> }> {
  const sync = plan.configSync;
  if (!sync) throw new Error("inventoryJson needs configSync");
  const hosts: Record<string, pulumi.Input<InventoryHost>> = {};
  for (const e of endpoints) {
    hosts[e.hostname] = pulumi.output(inventoryHost(plan, e, forCommands));
  }
  return pulumi.output({ store, hosts }) as pulumi.Output<{
    store: InventoryStore;
    hosts: Record<string, InventoryHost>;
  }>;
}

/**
 * One host's inventory entry: its own platform, data directory and service control, so `msgw config`
 * accepts a pool of Windows and Linux hosts. Windows hosts keep the pool's service name (and PowerShell
 * service control unless they give their own); linux hosts carry their commands. Pure with plain inputs.
 * @throws Error for a linux host without data directory or service control (the pool's rules refuse it)
 */
export function inventoryHost(
  plan: GatewayPoolPlan,
  e: ReplicationEndpoint,
  forCommands: boolean,
): Omit<InventoryHost, "address" | "hostKey" | "generation" | "bootStep"> & {
  address: pulumi.Input<string>;
  hostKey: pulumi.Input<string>;
  generation?: pulumi.Input<string>;
  bootStep?: { instanceArn: pulumi.Input<string>; file: string };
} {
  const sync = plan.configSync;
  if (!sync) throw new Error("inventoryHost needs configSync");
  const dataDir =
    e.dataDirectory ?? (e.platform === "windows" ? plan.gateway.dataDirectory : undefined);
  if (dataDir === undefined || (e.platform === "linux" && e.serviceControl === undefined)) {
    throw new Error(
      `${e.hostname}: a linux host needs dataDirectory and serviceControl for configuration replication`,
    );
  }
  return {
    address: e.address,
    port: e.port,
    username: e.username,
    privateKeyPath: sync.sshPrivateKeyPath,
    hostKey: e.sshHostKey,
    platform: e.platform,
    dataDir,
    ...(e.platform === "windows" ? { serviceName: plan.gateway.serviceName } : {}),
    ...(e.serviceControl !== undefined ? { serviceControl: { ...e.serviceControl } } : {}),
    ...(forCommands && e.freshlyCreated
      ? {
          bootWaitSeconds: sync.bootWaitSeconds,
          serviceWaitSeconds: FRESH_HOST_SERVICE_WAIT_SECONDS,
          ...(e.generation !== undefined ? { generation: e.generation } : {}),
          ...(e.bootStepInstanceArn !== undefined
            ? { bootStep: { instanceArn: e.bootStepInstanceArn, file: BOOTSTRAP_STEP } }
            : {}),
        }
      : {}),
  };
}

/**
 * Working directory of the replication commands: the project root (the directory of Pulumi.yaml, which the
 * runtime knows as its root directory), relative to the program's working directory. The Pulumi CLI starts
 * the program and the command provider in the directory of Pulumi.yaml's `main`, so without it `cliCommand`
 * (`npx … msgw`, `tsx bin/msgw.ts`), `sshPrivateKeyPath` and the local store (`.msgw/…`) would resolve
 * there. Relative, so state does not change between checkouts in different places. "." when both are the
 * same (and under mocks, which have no root directory).
 */
export function commandDirectory(
  root: string = pulumi.runtime.getRootDirectory(),
  cwd: string = process.cwd(),
): string {
  return path.relative(cwd, root || cwd) || ".";
}

/** Shell-quotes one argument for /bin/sh. */
export function shQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=,+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands replication runs (pure, so tests pin them). The snapshot runs with `--first-up` (a
 * source without configuration waits, or gets the stored revision back when it was replaced); the
 * restores with `--wait-for-snapshot` (nothing to restore yet is a waiting state, not a failure).
 */
export function replicationCommands(plan: GatewayPoolPlan): {
  snapshot: string;
  restore: Map<string, string>;
} {
  const sync = plan.configSync;
  if (!sync) throw new Error("replicationCommands needs configSync");
  const cli = sync.cliCommand;
  const rev = shQuote(sync.revision);
  return {
    snapshot: `${cli} config snapshot --source ${shQuote(sync.source)} --revision ${rev} --first-up`,
    restore: new Map(
      sync.targets.map((t) => [
        t,
        `${cli} config restore --target ${shQuote(t)} --revision ${rev} --wait-for-snapshot`,
      ]),
    ),
  };
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
  plan: GatewayPoolPlan,
  hosts: Map<string, GatewayHostResources>,
  endpoints: ReplicationEndpoint[],
  keyOf: Map<string, string>,
  parent: pulumi.Resource,
  own?: StoreBucket,
): Replication {
  const sync = plan.configSync;
  if (!sync) throw new Error("createReplication needs configSync");
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
  const sourceHost = hosts.get(sync.source);
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
  for (const target of sync.targets) {
    const host = hosts.get(target) as GatewayHostResources;
    restores.set(
      target,
      new command.local.Command(
        `${name}-${keyOf.get(target)}-config-restore`,
        {
          create: commands.restore.get(target) as string,
          dir: commandDirectory(),
          environment: only(target),
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
