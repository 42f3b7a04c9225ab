// Shared steps of the package tests: commands run on the repository's Node 22 with bounded time.
import { execFileSync } from "node:child_process";
import { delimiter, join } from "node:path";

export const root = join(__dirname, "..", "..");
export const MINUTE = 60_000;
/** npm and every script it starts run on the repository's Node 22 (first on PATH). */
export const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
};

/** Runs a command to completion within `timeout` ms; a failure carries its output and folder. */
export function run(cmd: string, args: string[], cwd: string, timeout: number): string {
  try {
    return execFileSync(cmd, args, { cwd, env, timeout, encoding: "utf8", stdio: "pipe" });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(" ")} failed in ${cwd}: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`,
    );
  }
}

/**
 * `npm install` in a scratch project (of `packages` only, when given), from the cache where possible;
 * install scripts are not needed.
 */
export function npmInstall(dir: string, packages: readonly string[] = []): void {
  run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...packages,
    ],
    dir,
    5 * MINUTE,
  );
}
