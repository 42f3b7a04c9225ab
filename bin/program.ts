// The operator CLI's parser, built without running it: `msgw config …`, `msgw check` and `msgw preflight` (bin/msgw.ts runs
// it; the reference generator reads its commands and options).
import { Command } from "commander";
import { registerConfigCommands } from "../components/config-sync";
import { registerCheckCommand } from "../components/health-check";
import { registerPreflightCommand } from "../components/preflight";
import { packageVersion } from "../components/package-files";

/** The `msgw` command with every subcommand and option registered. */
export function msgwProgram(): Command {
  const program = new Command("msgw")
    .description(
      "MailStore Gateway pool operations: configuration replication, health checks and the deploy preflight",
    )
    .version(packageVersion(), "-V, --version", "print the package version");
  registerConfigCommands(program);
  registerCheckCommand(program);
  registerPreflightCommand(program);
  return program;
}
