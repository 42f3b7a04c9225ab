/** I/O: reads a stack's outputs through the Pulumi CLI (`pulumi stack output --json`). */
import { execFile } from "node:child_process";
import { quoteServerText } from "./printable";
import { CheckInputError } from "./targets";

/** Bound on the Pulumi CLI call (it may have to reach the state backend). */
export const STACK_OUTPUT_TIMEOUT_MS = 120_000;
/** Cap on what the CLI may print (the outputs of a pool are a few hundred kB at most). */
export const STACK_OUTPUT_MAX_BYTES = 16 * 1024 * 1024;

/** The command line run for `--stack NAME` (secrets stay hidden: the check needs none). */
export function stackOutputArgs(stack: string): string[] {
  return ["stack", "output", "--json", "--stack", stack];
}

/**
 * Runs `pulumi stack output --json --stack NAME` and parses its JSON.
 * @param pulumi the CLI to run; default `pulumi` from PATH
 * @throws CheckInputError when the CLI is missing, fails, times out or prints no JSON
 */
export function readStackOutputs(stack: string, pulumi = "pulumi"): Promise<unknown> {
  const shown = `pulumi ${stackOutputArgs(stack).join(" ")}`;
  return new Promise((resolve, reject) => {
    execFile(
      pulumi,
      stackOutputArgs(stack),
      { timeout: STACK_OUTPUT_TIMEOUT_MS, maxBuffer: STACK_OUTPUT_MAX_BYTES, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error !== null) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") {
            reject(
              new CheckInputError(
                `--stack needs the Pulumi CLI, and "${pulumi}" is not on PATH; install it, or write the outputs with "pulumi stack output --json > outputs.json" and pass --outputs outputs.json`,
              ),
            );
            return;
          }
          const why = error.killed
            ? `did not finish within ${STACK_OUTPUT_TIMEOUT_MS / 1000} s`
            : `failed (exit ${String(error.code)})`;
          const detail = quoteServerText(stderr.trim().split("\n")[0] ?? "", 200);
          reject(new CheckInputError(`${shown} ${why}${detail === "" ? "" : `: ${detail}`}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch (parseError) {
          reject(
            new CheckInputError(`${shown} printed no JSON (${(parseError as Error).message})`),
          );
        }
      },
    );
  });
}
