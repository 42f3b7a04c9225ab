/** I/O: the `msgw config` commands (snapshot, restore, status): parse options, open the inventory and store, print results. */
import type { Command } from "commander";
import type { EngineOptions } from "./connect-host";
import { inspectHost } from "./inspect";
import { InventoryError, loadInventory, type Inventory, type StoreSpec } from "./inventory";
import { renderRestoreSummary, renderStatus } from "./report";
import { mapBounded, restore } from "./restore";
import { inventoryFromOutputsFile, inventoryFromStack } from "./stack-inventory";
import { S3Store, sdkS3Objects } from "./s3-store";
import { snapshot } from "./snapshot";
import { loadSnapshot, LocalStore, type BackupStore } from "./store";
import type { Manifest } from "./types";

/** Opens the store an inventory names. */
export function openStore(spec: StoreSpec): BackupStore {
  return spec.kind === "local"
    ? new LocalStore(spec.path)
    : new S3Store(
        sdkS3Objects(spec.bucket, spec.region, spec.kmsKeyId, spec.endpoint),
        spec.bucket,
        spec.prefix,
      );
}

export interface HostFlags {
  target?: string;
  targets?: string;
  allTargets?: boolean;
}

/** Which hosts a command acts on: `--target`, `--targets a,b`, or `--all-targets` (every host but the snapshot's source). */
export function selectHosts(
  inv: Inventory,
  flags: HostFlags,
  source: string | undefined,
  required: boolean,
): string[] {
  const given = [
    flags.target !== undefined,
    flags.targets !== undefined,
    flags.allTargets === true,
  ].filter(Boolean).length;
  if (given > 1) throw new UsageError("give only one of --target, --targets and --all-targets");
  if (given === 0) {
    if (required)
      throw new UsageError("say which hosts: --target HOST, --targets A,B or --all-targets");
    return Object.keys(inv.hosts);
  }
  let names: string[];
  if (flags.allTargets) names = Object.keys(inv.hosts).filter((h) => h !== source);
  else
    names = (flags.target ?? flags.targets!)
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  if (names.length === 0) throw new UsageError("no hosts selected");
  const unknown = names.filter((n) => !inv.hosts[n]);
  if (unknown.length > 0)
    throw new UsageError(
      `unknown host(s) ${unknown.join(", ")}; the inventory has ${Object.keys(inv.hosts).join(", ")}`,
    );
  return [...new Set(names)];
}

class UsageError extends Error {}

/** Where the inventory comes from: `--stack`, `--outputs`, `--inventory` or `MSGW_INVENTORY`. */
export interface InventoryFlags {
  inventory?: string;
  stack?: string;
  outputs?: string;
  sshKey?: string;
}

/** Loads the inventory the flags name (one source at most). */
export async function resolveInventory(o: InventoryFlags): Promise<Inventory> {
  const given = [o.inventory, o.stack, o.outputs].filter((x) => x !== undefined).length;
  if (given > 1) throw new UsageError("give only one of --inventory, --stack and --outputs");
  if (o.stack !== undefined) return inventoryFromStack(o.stack, o.sshKey);
  if (o.outputs !== undefined) return inventoryFromOutputsFile(o.outputs, o.sshKey);
  if (o.sshKey !== undefined)
    throw new UsageError(
      "--ssh-key goes with --stack or --outputs; an inventory file names its keys",
    );
  return loadInventory(o.inventory);
}

const inventoryOptions = (c: Command) =>
  c
    .option(
      "--inventory <file>",
      "inventory JSON file (default: the MSGW_INVENTORY environment variable)",
    )
    .option(
      "--stack <name>",
      "take the inventory from the stack's configSyncInventory output (runs pulumi stack output --json)",
    )
    .option(
      "--outputs <file>",
      "take the inventory from a file written by pulumi stack output --json",
    )
    .option("--ssh-key <file>", "with --stack/--outputs: the SSH private key file to log in with");

const progress = (line: string) => process.stderr.write(`msgw: ${line}\n`);
const engineOpts: EngineOptions = { progress };

/** Runs a command body; maps errors to exit codes (2: bad input or inventory, 1: anything else). */
async function guarded(name: string, body: () => Promise<number>): Promise<void> {
  try {
    const code = await body();
    if (code !== 0) process.exitCode = code;
  } catch (e) {
    const bad = e instanceof InventoryError || e instanceof UsageError;
    process.stderr.write(`msgw config ${name}: ${bad ? "" : "error: "}${(e as Error).message}\n`);
    process.exitCode = bad ? 2 : 1;
  }
}

function parallelOf(v: string | undefined): number {
  const n = Number(v ?? "4");
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--parallel ${JSON.stringify(v)} must be a whole number from 1 to 64`);
  return n;
}

const hostOptions = (c: Command) =>
  inventoryOptions(
    c
      .option("--target <host>", "one host")
      .option("--targets <hosts>", "comma-separated hosts")
      .option("--all-targets", "every host in the inventory except the snapshot's source"),
  );

/**
 * Adds `config snapshot|restore|verify|status` to a commander program. Exit codes: 0 all good,
 * 1 a host failed, was blocked or differs, 2 bad arguments or inventory. Machine output with `--json`.
 */
export function registerConfigCommands(program: Command): void {
  const config = program
    .command("config")
    .description(
      "replicate MailStore Gateway configuration between hosts over SSH (snapshot, restore, verify, status)",
    );

  inventoryOptions(
    config
      .command("snapshot")
      .description(
        "read the configuration files from --source and store them under --revision; prints only the manifest JSON",
      )
      .requiredOption("--source <host>", "the host to read the configuration from")
      .requiredOption("--revision <rev>", "the revision to store it under (immutable)"),
  )
    .option(
      "--first-up",
      "a source without configuration is not an error: restore the stored revision onto it (a replaced source), or print a waiting state and exit 0",
    )
    .action((o: InventoryFlags & { source: string; revision: string; firstUp?: boolean }) =>
      guarded("snapshot", async () => {
        const inv = await resolveInventory(o);
        const res = await snapshot(inv, openStore(inv.store), o.source, o.revision, {
          ...engineOpts,
          firstUp: o.firstUp === true,
        });
        const out = "waiting" in res ? res.waiting : res.manifest;
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return 0;
      }),
    );

  hostOptions(
    config
      .command("restore")
      .description(
        "restore a stored snapshot to hosts: backup, stop, write, verify, start; rolls back on failure",
      )
      .requiredOption("--revision <rev>", "the stored snapshot to restore")
      .option(
        "--allow-key-change",
        "proceed although the mailbox-password guard found changed or removed mailbox key material",
      )
      .option("--parallel <n>", "hosts restored at once", "4")
      .option(
        "--wait-for-snapshot",
        "when no snapshot is stored under --revision yet (the source has no configuration), report a waiting state and exit 0",
      )
      .option("--json", "print the per-host outcomes as JSON"),
  ).action(
    (
      o: HostFlags &
        InventoryFlags & {
          revision: string;
          allowKeyChange?: boolean;
          parallel?: string;
          json?: boolean;
          waitForSnapshot?: boolean;
        },
    ) =>
      guarded("restore", async () => {
        const inv = await resolveInventory(o);
        const store = openStore(inv.store);
        if (o.waitForSnapshot && !(await store.getSnapshot(o.revision))) {
          const hosts = selectHosts(inv, o, undefined, true);
          const text = `no snapshot stored under revision ${o.revision} yet (the source has no configuration): replication waits; configure the source, then bump configSync.revision`;
          process.stdout.write(
            o.json
              ? `${JSON.stringify(
                  hosts.map((h) => ({
                    host: h,
                    revision: o.revision,
                    result: "waiting",
                    message: text,
                  })),
                  null,
                  2,
                )}\n`
              : `${hosts.map((h) => `${h.padEnd(24)} WAITING   ${text}`).join("\n")}\n`,
          );
          return 0;
        }
        const snap = await loadSnapshot(store, o.revision);
        const hosts = selectHosts(inv, o, snap.manifest.source, true);
        const outcomes = await restore(inv, store, snap, hosts, {
          ...engineOpts,
          allowKeyChange: o.allowKeyChange === true,
          parallel: parallelOf(o.parallel),
        });
        process.stdout.write(
          o.json ? `${JSON.stringify(outcomes, null, 2)}\n` : renderRestoreSummary(outcomes),
        );
        return outcomes.every((x) => x.result === "updated" || x.result === "unchanged") ? 0 : 1;
      }),
  );

  const inspect =
    (name: "verify" | "status") =>
    async (
      o: HostFlags & InventoryFlags & { revision?: string; json?: boolean; parallel?: string },
    ) =>
      guarded(name, async () => {
        const inv = await resolveInventory(o);
        let manifest: Manifest | undefined;
        if (o.revision !== undefined)
          manifest = (await loadSnapshot(openStore(inv.store), o.revision)).manifest;
        const hosts = selectHosts(inv, o, manifest?.source, false);
        const statuses = await mapBounded(hosts, parallelOf(o.parallel), (h) =>
          inspectHost(inv, h, manifest, engineOpts),
        );
        process.stdout.write(
          o.json ? `${JSON.stringify(statuses, null, 2)}\n` : renderStatus(statuses, o.revision),
        );
        if (statuses.some((s) => s.error !== undefined)) return 1;
        if (
          name === "verify" &&
          statuses.some(
            (s) =>
              s.matches !== true || s.interruptedRestore !== undefined || s.service !== "running",
          )
        )
          return 1;
        return 0;
      });

  hostOptions(
    config
      .command("verify")
      .description(
        "check that each host's configuration matches the snapshot's manifest and its service runs; exit 1 if not",
      )
      .requiredOption("--revision <rev>", "the stored snapshot to compare with")
      .option("--parallel <n>", "hosts read at once", "4")
      .option("--json", "print the per-host reports as JSON"),
  ).action(inspect("verify"));

  hostOptions(
    config
      .command("status")
      .description(
        "report per host: configuration files, service state, mail files waiting in mailbox folders (what draining waits for)",
      )
      .option("--revision <rev>", "also compare with this stored snapshot")
      .option("--parallel <n>", "hosts read at once", "4")
      .option("--json", "print the per-host reports as JSON"),
  ).action(inspect("status"));
}
