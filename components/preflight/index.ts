// I/O: `msgw preflight`, what a `pulumi up` needs from this machine, checked before it runs.
/**
 * `msgw preflight`: before `pulumi up` of a pool, checks from the machine that will run it what the
 * update needs there: the replication private key file (`configSync.sshPrivateKeyPath`), TCP to the
 * SSH port of the replication source and targets whose addresses are known (the legacy gateway,
 * existing hosts, AWS hosts from the stack outputs), and TCP to the SMTP and POP3 ports of every host
 * the readiness gate will check; an active host this update would create is refused (its gate cannot
 * pass). Nothing is created or changed. Exits 0 (ready), 1 (something missing) or 2 (bad input).
 *
 * @example
 * ```sh
 * msgw preflight --stack prod
 * msgw preflight --stack prod --config stacks/Pulumi.prod.yaml --outputs outputs.json --timeout 3000
 * ```
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import type { GatewayPoolArgs } from "../gateway-pool/args";
import { readStackOutputs } from "../health-check/stack-outputs";
import { planPreflight } from "./plan";
import { PREFLIGHT_TIMEOUT_MS, runPreflight } from "./run";

export { planPreflight } from "./plan";
export type { PreflightPlan, PreflightProbe } from "./plan";
export { runPreflight, resolveKeyPath, PREFLIGHT_TIMEOUT_MS, PREFLIGHT_PARALLEL } from "./run";
export type { PreflightReport } from "./run";
export { probeTcp } from "./tcp";

/** Bad input to `msgw preflight` (exit 2). */
export class PreflightInputError extends Error {}

/** The stack configuration key of the pool (stacks/index.ts reads `msgw:pool`). */
export const POOL_CONFIG_KEY = "msgw:pool";

/** The pool from a `Pulumi.<stack>.yaml` file. */
export function poolFromStackFile(text: string, file: string): GatewayPoolArgs {
  const doc = parseYaml(text) as { config?: Record<string, unknown> } | null;
  const pool = doc?.config?.[POOL_CONFIG_KEY];
  if (pool === undefined || typeof pool !== "object" || pool === null) {
    throw new PreflightInputError(`${file} has no ${POOL_CONFIG_KEY} object under config`);
  }
  return pool as GatewayPoolArgs;
}

/** The pool from `pulumi config --json` output (`objectValue`, else the JSON text in `value`). */
export function poolFromConfigJson(json: unknown, stack: string): GatewayPoolArgs {
  const entry = (json as Record<string, { value?: unknown; objectValue?: unknown }> | null)?.[
    POOL_CONFIG_KEY
  ];
  if (entry?.objectValue !== undefined) return entry.objectValue as GatewayPoolArgs;
  if (typeof entry?.value === "string") {
    try {
      return JSON.parse(entry.value) as GatewayPoolArgs;
    } catch {
      // reported below
    }
  }
  throw new PreflightInputError(
    `stack ${stack} has no ${POOL_CONFIG_KEY} object in its configuration`,
  );
}

function readStackConfigJson(stack: string, pulumi: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      pulumi,
      ["config", "--json", "--stack", stack],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(
            new PreflightInputError(
              `pulumi config --json --stack ${stack} failed: ${stderr.trim().split("\n")[0] ?? error.message}; or pass --config stacks/Pulumi.${stack}.yaml`,
            ),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch (e) {
          reject(
            new PreflightInputError(
              `pulumi config --json printed no JSON (${(e as Error).message})`,
            ),
          );
        }
      },
    );
  });
}

interface RawPreflightOptions {
  stack: string;
  config?: string;
  outputs?: string;
  timeout?: string;
}

/** Registers `msgw preflight` on the CLI. */
export function registerPreflightCommand(program: Command): void {
  program
    .command("preflight")
    .description(
      "before pulumi up: check the replication key file and TCP reachability of the replication hosts (SSH) and of the gated hosts (SMTP, POP3) from this machine",
    )
    .requiredOption("--stack <name>", "the stack pulumi up will update")
    .option(
      "--config <file>",
      "read the pool from this Pulumi.<stack>.yaml instead of pulumi config",
    )
    .option(
      "--outputs <file>",
      "read the stack outputs from this JSON file instead of pulumi stack output",
    )
    .option("--timeout <ms>", `bound per TCP connection attempt (default ${PREFLIGHT_TIMEOUT_MS})`)
    .action(async (raw: RawPreflightOptions) => {
      process.exitCode = await preflightMain(raw, process.env, (l) =>
        process.stdout.write(`${l}\n`),
      );
    });
}

/** The command's body: returns the exit code and writes its report through `print`. */
export async function preflightMain(
  raw: RawPreflightOptions,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  const pulumi = env.MSGW_PULUMI ?? "pulumi";
  try {
    const timeoutMs = raw.timeout === undefined ? PREFLIGHT_TIMEOUT_MS : Number(raw.timeout);
    if (!/^\d+$/.test(raw.timeout ?? "0") || timeoutMs < 100 || timeoutMs > 60_000) {
      throw new PreflightInputError(
        `--timeout "${raw.timeout}" must be a whole number of milliseconds from 100 to 60000`,
      );
    }
    const pool =
      raw.config !== undefined
        ? poolFromStackFile(readFileSync(raw.config, "utf8"), raw.config)
        : poolFromConfigJson(await readStackConfigJson(raw.stack, pulumi), raw.stack);
    let outputs: unknown;
    if (raw.outputs !== undefined) {
      try {
        outputs = JSON.parse(readFileSync(raw.outputs, "utf8"));
      } catch (error) {
        throw new PreflightInputError(
          `--outputs "${raw.outputs}" is not a JSON file (${(error as Error).message}); write it with "pulumi stack output --json"`,
        );
      }
    } else outputs = await readStackOutputs(raw.stack, pulumi);
    const plan = planPreflight(pool, outputs);
    const report = await runPreflight(plan, { cwd: process.cwd(), timeoutMs });
    for (const line of report.lines) print(line);
    if (report.problems.length === 0) {
      print(`preflight: pulumi up --stack ${raw.stack} can reach everything it needs from here`);
      return 0;
    }
    print(
      `preflight: ${report.problems.length} missing; pulumi up --stack ${raw.stack} would fail on this machine (nothing was created or changed)`,
    );
    return 1;
  } catch (error) {
    print(`msgw preflight: ${(error as Error).message}`);
    return 2;
  }
}
