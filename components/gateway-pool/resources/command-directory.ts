// I/O: the replication commands' and gates' working directory, from the Pulumi runtime and the process.
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";

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
