#!/usr/bin/env node
// The operator CLI: `msgw config snapshot|restore|verify|status` and `msgw check`.
import { Command } from "commander";
import { registerConfigCommands } from "../components/config-sync";
import { registerCheckCommand } from "../components/health-check";
import { packageVersion } from "../components/package-files";

const program = new Command("msgw")
  .description("MailStore Gateway pool operations: configuration replication and health checks")
  .version(packageVersion(), "-V, --version", "print the package version");
registerConfigCommands(program);
registerCheckCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`msgw: ${(err as Error)?.message ?? String(err)}\n`);
  process.exitCode = 2;
});
