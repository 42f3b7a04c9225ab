/**
 * I/O: reads a stack's outputs through the Pulumi CLI (`pulumi stack output --json`), for `msgw check`,
 * `msgw preflight` and `msgw config --stack`. Secrets stay hidden: none of them needs one.
 *
 * The CLI is run directly rather than through the Automation API: its `Stack.outputs()` always runs a
 * second `--show-secrets` read (which needs the stack's secrets provider and decrypts every secret
 * output), `Stack.select` changes the workspace's selected stack, and `PulumiCommand.get` wants an
 * install folder and a minimum version, so `MSGW_PULUMI` could no longer name any CLI.
 */
import { execFile } from "node:child_process";
import { quoteServerText } from "./printable";
import { CheckInputError } from "./targets";

/** Bound on the Pulumi CLI call (it may have to reach the state backend): 120 s. */
export const STACK_OUTPUT_TIMEOUT_MS = 120_000;
/** Cap on what the CLI may print (the outputs of a pool are a few hundred kB at most). */
export const STACK_OUTPUT_MAX_BYTES = 16 * 1024 * 1024;

/** The command line run for `--stack NAME` (secrets stay hidden). */
export function stackOutputArgs(stack: string): string[] {
  return ["stack", "output", "--json", "--stack", stack];
}

/** Why {@link runStackOutput} got no outputs; each caller words it for its own command. */
export class StackOutputError extends Error {
  constructor(
    /**
     * `no-cli`: the CLI was not found; `timeout`: it was stopped at {@link STACK_OUTPUT_TIMEOUT_MS} (or
     * past {@link STACK_OUTPUT_MAX_BYTES}); `failed`: it exited non-zero or could not start;
     * `no-json`: it printed something that is not JSON.
     */
    readonly reason: "no-cli" | "timeout" | "failed" | "no-json",
    /** The underlying error's message (the process error, or the JSON parser's). */
    message: string,
    /** The exit code, or the system error code when the CLI could not start. */
    readonly exitCode: number | string | undefined,
    /** What the CLI wrote to stderr. */
    readonly stderr: string,
  ) {
    super(message);
    this.name = "StackOutputError";
  }
}

/**
 * Runs `pulumi stack output --json --stack NAME` (bounded in time and output) and parses its JSON.
 * @param pulumi the CLI to run; default `pulumi` from PATH
 * @throws StackOutputError saying why no outputs were read
 */
export function runStackOutput(stack: string, pulumi = "pulumi"): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      pulumi,
      stackOutputArgs(stack),
      { timeout: STACK_OUTPUT_TIMEOUT_MS, maxBuffer: STACK_OUTPUT_MAX_BYTES, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error !== null) {
          const code = (error as NodeJS.ErrnoException).code;
          const reason = code === "ENOENT" ? "no-cli" : error.killed ? "timeout" : "failed";
          reject(new StackOutputError(reason, error.message, error.code ?? undefined, stderr));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch (parseError) {
          reject(new StackOutputError("no-json", (parseError as Error).message, 0, stderr));
        }
      },
    );
  });
}

/**
 * {@link runStackOutput} for `msgw check` and `msgw preflight`.
 * @param pulumi the CLI to run; default `pulumi` from PATH
 * @throws CheckInputError when the CLI is missing, fails, times out or prints no JSON
 */
export async function readStackOutputs(stack: string, pulumi = "pulumi"): Promise<unknown> {
  const shown = `pulumi ${stackOutputArgs(stack).join(" ")}`;
  try {
    return await runStackOutput(stack, pulumi);
  } catch (e) {
    const error = e as StackOutputError;
    if (error.reason === "no-cli")
      throw new CheckInputError(
        `--stack needs the Pulumi CLI, and "${pulumi}" is not on PATH; install it, or write the outputs with "pulumi stack output --json > outputs.json" and pass --outputs outputs.json`,
      );
    if (error.reason === "no-json")
      throw new CheckInputError(`${shown} printed no JSON (${error.message})`);
    const why =
      error.reason === "timeout"
        ? `did not finish within ${STACK_OUTPUT_TIMEOUT_MS / 1000} s`
        : `failed (exit ${String(error.exitCode)})`;
    const detail = quoteServerText(error.stderr.trim().split("\n")[0] ?? "", 200);
    throw new CheckInputError(`${shown} ${why}${detail === "" ? "" : `: ${detail}`}`);
  }
}
