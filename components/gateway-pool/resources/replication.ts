import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as path from "node:path";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import type { GatewayHostResources } from "./aws-host";

/** One host entry of the replication inventory (the format `msgw config` reads from MSGW_INVENTORY). */
export interface InventoryHost {
  address: string;
  port: number;
  username: string;
  privateKeyPath: string;
  hostKey: string;
  platform: "windows" | "linux";
  dataDir: string;
  serviceName: string;
  /** How long to wait for SSH: a fresh EC2 Windows host installs OpenSSH on first boot, which takes minutes. */
  connectTimeoutSeconds: number;
}

/** Connection facts of one host, resolved or not. */
export interface ReplicationEndpoint {
  hostname: string;
  address: pulumi.Input<string>;
  sshHostKey: pulumi.Input<string>;
  port: number;
  username: string;
  platform: "windows" | "linux";
  /** True for a host the pool just created (long first boot). */
  freshlyCreated: boolean;
}

/** The inventory JSON: addresses, pinned public host keys and a key *path*; never key material. */
export function inventoryJson(
  plan: GatewayPoolPlan,
  endpoints: ReplicationEndpoint[],
): pulumi.Output<string> {
  const sync = plan.configSync;
  if (!sync) throw new Error("inventoryJson needs configSync");
  const hosts: Record<string, pulumi.Input<InventoryHost>> = {};
  for (const e of endpoints) {
    hosts[e.hostname] = pulumi.output({
      address: e.address,
      port: e.port,
      username: e.username,
      privateKeyPath: sync.sshPrivateKeyPath,
      hostKey: e.sshHostKey,
      platform: e.platform,
      dataDir: plan.gateway.dataDirectory,
      serviceName: plan.gateway.serviceName,
      connectTimeoutSeconds: e.freshlyCreated ? 900 : 300,
    });
  }
  return pulumi.jsonStringify({ store: { kind: "local", path: sync.backupDirectory }, hosts });
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

/** The commands replication runs (pure, so tests pin them). */
export function replicationCommands(plan: GatewayPoolPlan): {
  snapshot: string;
  restore: Map<string, string>;
} {
  const sync = plan.configSync;
  if (!sync) throw new Error("replicationCommands needs configSync");
  const cli = sync.cliCommand;
  const rev = shQuote(sync.revision);
  return {
    snapshot: `${cli} config snapshot --source ${shQuote(sync.source)} --revision ${rev}`,
    restore: new Map(
      sync.targets.map((t) => [
        t,
        `${cli} config restore --target ${shQuote(t)} --revision ${rev}`,
      ]),
    ),
  };
}

/**
 * Replication as resources: one snapshot of the source (stdout = manifest of names, sizes and SHA-256; no
 * content enters state) and one restore per target, which waits for that target's host and re-runs when the
 * revision, the manifest or the target machine changes. Targets restore in parallel (siblings).
 */
export function createReplication(
  name: string,
  plan: GatewayPoolPlan,
  hosts: Map<string, GatewayHostResources>,
  endpoints: ReplicationEndpoint[],
  keyOf: Map<string, string>,
  parent: pulumi.Resource,
): { manifest: pulumi.Output<string>; restores: command.local.Command[] } {
  const sync = plan.configSync;
  if (!sync) throw new Error("createReplication needs configSync");
  // Each command gets an inventory of just the host it talks to, so it waits for that host alone.
  const only = (hostname: string) => ({
    MSGW_INVENTORY: inventoryJson(
      plan,
      endpoints.filter((e) => e.hostname === hostname),
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
    { parent, dependsOn: sourceHost?.ready ?? [] },
  );
  const restores = sync.targets.map((target) => {
    const host = hosts.get(target) as GatewayHostResources;
    return new command.local.Command(
      `${name}-${keyOf.get(target)}-config-restore`,
      {
        create: commands.restore.get(target) as string,
        dir: commandDirectory(),
        environment: only(target),
        triggers: [sync.revision, snapshot.stdout, host.identity],
        logging: "stderr",
      },
      { parent, dependsOn: [snapshot, ...host.ready] },
    );
  });
  return { manifest: snapshot.stdout, restores };
}
