/** I/O: the replication inventory read from a stack's outputs (`--stack`, `--outputs`). */
import * as fs from "node:fs";
import {
  runStackOutput,
  STACK_OUTPUT_TIMEOUT_MS,
  type StackOutputError,
} from "../health-check/stack-outputs";
import { InventoryError, validateInventory, type Inventory } from "./inventory";

/** The stack output that holds the replication inventory (exported by the stack program). */
export const INVENTORY_OUTPUT = "configSyncInventory";

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

/**
 * Runs `pulumi stack output --json --stack NAME` (bounded: {@link STACK_OUTPUT_TIMEOUT_MS}) and reads
 * the inventory from it.
 * @param pulumi the CLI to run; default `MSGW_PULUMI`, else `pulumi` from PATH
 * @throws InventoryError when the CLI is missing, fails, times out or prints no usable inventory
 */
export async function inventoryFromStack(
  stack: string,
  sshKey?: string,
  pulumi = process.env.MSGW_PULUMI ?? "pulumi",
): Promise<Inventory> {
  let outputs: unknown;
  try {
    outputs = await runStackOutput(stack, pulumi);
  } catch (x) {
    const e = x as StackOutputError;
    throw new InventoryError([
      e.reason === "no-cli"
        ? `the pulumi CLI is not on PATH; install it, or write the outputs where it runs (pulumi stack output --json --stack ${stack} > outputs.json) and pass --outputs outputs.json`
        : e.reason === "timeout"
          ? `pulumi stack output did not finish within ${STACK_OUTPUT_TIMEOUT_MS / 1000}s`
          : e.reason === "failed"
            ? `pulumi stack output --stack ${stack} failed: ${e.stderr.trim().split("\n").slice(-2).join(" ") || e.message}`
            : `pulumi stack output --json printed no JSON: ${e.message}`,
    ]);
  }
  try {
    return inventoryFromOutputs(outputs, `stack ${stack}`, sshKey);
  } catch (x) {
    throw x instanceof InventoryError
      ? x
      : new InventoryError([`pulumi stack output --json printed no JSON: ${(x as Error).message}`]);
  }
}
