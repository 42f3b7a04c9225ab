/**
 * Stand-in for the `command` provider (@pulumi/command 1.x): `command:local:Command` runs for real, with the
 * semantics of pulumi-command v1.2.1 provider/pkg/provider/local (commandController.go, commandOutputs.go,
 * common/inputs.go):
 * - create runs `create`; update runs `update`, or `create` again when there is no `update` (so editing the
 *   command text with no `update` re-runs `create`); delete runs `delete`; no command → nothing runs;
 * - `triggers` is the only input that replaces (`provider:"replaceOnChanges"`);
 * - interpreter default `/bin/sh -c`; `dir` default: the provider's working directory (the program's);
 *   `environment` is added to the provider's environment; `stdin`; with `addPreviousOutputInEnv` (default
 *   true) the previous stdout/stderr are passed as PULUMI_COMMAND_STDOUT / PULUMI_COMMAND_STDERR;
 * - stdout/stderr outputs without one trailing newline; `logging` (default stdoutAndStderr) picks what is
 *   logged to the engine;
 * - a failing command fails the step with `<exit status>: running "<command>":\n<stdout and stderr>`; a
 *   failed create still records the resource (the engine's partial-create state) so the next update retries.
 * The `remote` types are not used by this project and not implemented.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { StandInContext } from "./context";
import type { Failure, InitFailed, Props, ResourceType, StandInPackage } from "./framework";
import { UNKNOWN, hex, sdkVersion, urnName } from "./framework";

const LOGGING = ["stdout", "stderr", "stdoutAndStderr", "none"];

interface RunResult {
  stdout: string;
  stderr: string;
}

class CommandFailed extends Error {
  constructor(
    message: string,
    readonly partial: RunResult,
  ) {
    super(message);
  }
}

/** Runs one command like pulumi-command's `run` (commandOutputs.go). */
export async function runCommand(
  command: string,
  p: Props,
  previous: RunResult | undefined,
  ctx: StandInContext,
): Promise<RunResult> {
  const interpreter = (p.interpreter as string[] | undefined)?.length
    ? (p.interpreter as string[])
    : ["/bin/sh", "-c"];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...((p.environment as Record<string, string>) ?? {}),
  };
  if (p.addPreviousOutputInEnv !== false && previous) {
    if (previous.stdout) env.PULUMI_COMMAND_STDOUT = previous.stdout;
    if (previous.stderr) env.PULUMI_COMMAND_STDERR = previous.stderr;
  }
  const logging = (p.logging as string | undefined) ?? "stdoutAndStderr";
  const logStdout = logging === "stdout" || logging === "stdoutAndStderr";
  const logStderr = logging === "stderr" || logging === "stdoutAndStderr";
  const cwd = (p.dir as string | undefined) ?? process.cwd();
  if (!existsSync(cwd)) {
    // Go's os/exec fails the same way before starting the interpreter.
    throw new CommandFailed(
      `chdir ${cwd}: no such file or directory: running ${JSON.stringify(command)}:\n`,
      {
        stdout: "",
        stderr: "",
      },
    );
  }
  return await new Promise<RunResult>((resolve, reject) => {
    const child = spawn(interpreter[0], [...interpreter.slice(1), command], {
      cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let both = "";
    const logLines = (chunk: string) => {
      for (const line of chunk.split("\n")) if (line !== "") ctx.log("info", line);
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      both += d;
      if (logStdout) logLines(d);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      both += d;
      if (logStderr) logLines(d);
    });
    child.on("error", (e) => {
      reject(
        new CommandFailed(`${e.message}: running ${JSON.stringify(command)}:\n${both}`, {
          stdout,
          stderr,
        }),
      );
    });
    child.on("close", (code, signal) => {
      const result = { stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") };
      if (code === 0) resolve(result);
      else {
        const status = signal ? `signal: ${signal}` : `exit status ${code}`;
        reject(
          new CommandFailed(`${status}: running ${JSON.stringify(command)}:\n${both}`, result),
        );
      }
    });
    const stdin = p.stdin as string | undefined;
    if (stdin) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

const localCommand: ResourceType = {
  token: "command:local:Command",
  replaceOn: {
    triggers: 'pulumi-command v1.2.1 common/inputs.go: Triggers `provider:"replaceOnChanges"`',
  },
  computed: ["stdout", "stderr", "assets", "archive"],
  check(p) {
    const failures: Failure[] = [];
    const logging = p.logging;
    if (logging !== undefined && logging !== UNKNOWN && !LOGGING.includes(logging as string)) {
      failures.push({
        property: "logging",
        reason: `value must be one of ${LOGGING.map((l) => `"${l}"`).join(", ")}; got "${String(logging)}"`,
      });
    }
    for (const k of ["assetPaths", "archivePaths"]) {
      if (p[k] !== undefined) {
        failures.push({
          property: k,
          reason: `the stand-in command provider does not implement ${k}`,
        });
      }
    }
    return failures;
  },
  async create(p, ctx) {
    // resource.NewUniqueHex(name, 8, 0): the resource name followed by 8 random hex characters.
    const id = `${urnName(ctx.urn)}${hex(8)}`;
    if (p.create === undefined) return { id, outs: { stdout: "", stderr: "" } };
    try {
      return { id, outs: await runCommand(p.create as string, p, undefined, ctx) };
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e;
      const failed = new Error(e.message) as InitFailed;
      failed.id = id;
      failed.properties = { ...p, ...e.partial };
      failed.reasons = [e.message];
      throw failed;
    }
  },
  async update(_id, olds, news, ctx) {
    const previous = {
      stdout: (olds.stdout as string) ?? "",
      stderr: (olds.stderr as string) ?? "",
    };
    const cmd = (news.update ?? news.create) as string | undefined;
    if (cmd === undefined) return { ...previous };
    try {
      return { ...(await runCommand(cmd, news, previous, ctx)) };
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e;
      throw new Error(e.message);
    }
  },
  async delete(_id, state, ctx) {
    if (state.delete === undefined) return;
    const previous = {
      stdout: (state.stdout as string) ?? "",
      stderr: (state.stderr as string) ?? "",
    };
    await runCommand(state.delete as string, state, previous, ctx);
  },
};

/** The command stand-in package. */
export const commandPackage: StandInPackage = {
  name: "command",
  version: sdkVersion("command"),
  resources: [localCommand],
  functions: [],
};
