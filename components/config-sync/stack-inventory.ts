/** I/O: the replication inventory read from a stack's outputs (`--stack`, `--outputs`). */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { InventoryError, validateInventory, type Inventory } from "./inventory";

/** The stack output that holds the replication inventory (exported by the stack program). */
export const INVENTORY_OUTPUT = "configSyncInventory";

/** How long `pulumi stack output` may take. */
const PULUMI_TIMEOUT_MS = 60_000;

/**
 * The inventory held in a stack's outputs (`pulumi stack output --json`): the `configSyncInventory`
 * output the GatewayPool component exports (store, addresses, pinned host keys, key path).
 * `sshKey` replaces every host's `privateKeyPath` (the operator's own key file). Relative paths
 * resolve against the working directory.
 * @throws InventoryError naming what is missing and how to get it
 */
export function inventoryFromOutputs(outputs: unknown, where: string, sshKey?: string): Inventory {
  const inv = (outputs as Record<string, unknown> | null)?.[INVENTORY_OUTPUT];
  if (typeof inv !== "object" || inv === null) {
    throw new InventoryError([
      `${where} has no ${INVENTORY_OUTPUT} output: set configSync on the GatewayPool and export pool.configSyncInventory from the stack program (the stacks/ program does), then run pulumi up`,
    ]);
  }
  const copy = JSON.parse(JSON.stringify(inv)) as {
    hosts?: Record<string, Record<string, unknown>>;
  };
  if (sshKey !== undefined)
    for (const h of Object.values(copy.hosts ?? {})) {
      delete h.privateKeyEnv;
      h.privateKeyPath = sshKey;
    }
  return validateInventory(copy, process.cwd());
}

/** Reads `--outputs FILE` (what `pulumi stack output --json > FILE` wrote). */
export function inventoryFromOutputsFile(file: string, sshKey?: string): Inventory {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InventoryError([`cannot read --outputs ${file}: ${(e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InventoryError([
      `--outputs ${file} is not JSON (${(e as Error).message}); write it with pulumi stack output --json > ${file}`,
    ]);
  }
  return inventoryFromOutputs(json, `--outputs ${file}`, sshKey);
}

/** Runs `pulumi stack output --json --stack NAME` (bounded) and reads the inventory from it. */
export function inventoryFromStack(
  stack: string,
  sshKey?: string,
  pulumi = process.env.MSGW_PULUMI ?? "pulumi",
): Promise<Inventory> {
  return new Promise((resolve, reject) => {
    execFile(
      pulumi,
      ["stack", "output", "--json", "--stack", stack],
      { timeout: PULUMI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          const why =
            e.code === "ENOENT"
              ? `the pulumi CLI is not on PATH; install it, or write the outputs where it runs (pulumi stack output --json --stack ${stack} > outputs.json) and pass --outputs outputs.json`
              : e.killed
                ? `pulumi stack output did not finish within ${PULUMI_TIMEOUT_MS / 1000}s`
                : `pulumi stack output --stack ${stack} failed: ${stderr.trim().split("\n").slice(-2).join(" ") || e.message}`;
          reject(new InventoryError([why]));
          return;
        }
        try {
          resolve(inventoryFromOutputs(JSON.parse(stdout), `stack ${stack}`, sshKey));
        } catch (x) {
          reject(
            x instanceof InventoryError
              ? x
              : new InventoryError([
                  `pulumi stack output --json printed no JSON: ${(x as Error).message}`,
                ]),
          );
        }
      },
    );
  });
}
