// Pure: what replication runs and writes: the snapshot and restore command lines and each host's
// inventory entry (addresses may still be Outputs; the wiring resolves them).
import type * as pulumi from "@pulumi/pulumi";
import type { ConfigSyncPlan, ReplicaPlan, SettingsPlan } from "./settings";
import { BOOTSTRAP_STEP } from "./user-data";
import { shQuote } from "./shell";
import type { InventoryHost } from "../../config-sync/inventory";
import type { ServiceControl } from "../../config-sync/service-control";

/** A plan with configuration replication: what every replication step needs, so none checks for it. */
export type SyncedPlan<P extends SettingsPlan = SettingsPlan> = P & { configSync: ConfigSyncPlan };

/** True when the plan replicates configuration (narrows it to {@link SyncedPlan}). */
export function isSynced<P extends SettingsPlan>(plan: P): plan is SyncedPlan<P> {
  return plan.configSync !== undefined;
}

/** How long a restore waits for the gateway service on a host the pool just created (its installer runs on first boot). */
export const FRESH_HOST_SERVICE_WAIT_SECONDS = 1800;

// The inventory's entries as `msgw config` reads them: one schema (config-sync/inventory.ts) checks both
// what the pool writes and what the CLI reads.
export type { InventoryHost, InventoryStore } from "../../config-sync/inventory";

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
  serviceControl: ServiceControl | undefined;
  /** True for a host the pool creates (long first boot, gateway installed on first boot). */
  freshlyCreated: boolean;
  /** Changes when the machine is replaced (the instance id), for hosts the pool creates. */
  generation?: pulumi.Input<string>;
  /** The EC2 instance's ARN, for AWS hosts: a timed-out boot wait reads its first-boot step through SSM. */
  bootStepInstanceArn?: pulumi.Input<string>;
}

/**
 * How replication reaches one machine (a pool host or the legacy gateway): its planned connection facts
 * with what is known only at deployment (address, pinned host key, instance id and ARN) added.
 */
export function replicationEndpoint(
  replica: ReplicaPlan & { hostname: string },
  facts: {
    address: pulumi.Input<string>;
    sshHostKey: pulumi.Input<string>;
    freshlyCreated: boolean;
    generation?: pulumi.Input<string>;
    bootStepInstanceArn?: pulumi.Input<string>;
  },
): ReplicationEndpoint {
  return {
    hostname: replica.hostname,
    address: facts.address,
    sshHostKey: facts.sshHostKey,
    port: replica.sshPort,
    username: replica.sshUser,
    platform: replica.platform,
    dataDirectory: replica.dataDirectory,
    serviceControl: replica.serviceControl,
    freshlyCreated: facts.freshlyCreated,
    ...(facts.generation !== undefined ? { generation: facts.generation } : {}),
    ...(facts.bootStepInstanceArn !== undefined
      ? { bootStepInstanceArn: facts.bootStepInstanceArn }
      : {}),
  };
}

/**
 * One host's inventory entry: its own platform, data directory and service control, so `msgw config`
 * accepts a pool of Windows and Linux hosts. Windows hosts keep the pool's service name (and PowerShell
 * service control unless they give their own); linux hosts carry their commands. Pure with plain inputs.
 * @throws Error for a linux host without data directory or service control (the pool's rules refuse it)
 */
export function inventoryHost(
  plan: SyncedPlan,
  e: ReplicationEndpoint,
  forCommands: boolean,
): Omit<InventoryHost, "address" | "hostKey" | "generation" | "bootStep"> & {
  address: pulumi.Input<string>;
  hostKey: pulumi.Input<string>;
  generation?: pulumi.Input<string>;
  bootStep?: { instanceArn: pulumi.Input<string>; file: string };
} {
  const sync = plan.configSync;
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
 * The commands replication runs (pure, so tests pin them). The snapshot runs with `--first-up` (a
 * source without configuration waits, or gets the stored revision back when it was replaced); the
 * restores with `--wait-for-snapshot` (nothing to restore yet is a waiting state, not a failure).
 */
export function replicationCommands(plan: SyncedPlan): {
  snapshot: string;
  restore: Map<string, string>;
} {
  const sync = plan.configSync;
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
