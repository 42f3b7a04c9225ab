#!/usr/bin/env node
// The operator CLI: `msgw config snapshot|restore|verify|status`, `msgw check` and `msgw preflight`.
import { Command } from "commander";
import { registerConfigCommands } from "../components/config-sync";
import { registerCheckCommand } from "../components/health-check";
import { registerPreflightCommand } from "../components/preflight";

const program = new Command("msgw").description(
  "MailStore Gateway pool operations: configuration replication and health checks",
);
registerConfigCommands(program);
registerCheckCommand(program);
registerPreflightCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`msgw: ${(err as Error)?.message ?? String(err)}\n`);
  process.exitCode = 2;
});
