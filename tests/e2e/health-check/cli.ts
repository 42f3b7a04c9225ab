/**
 * The `msgw check` command on its own, for running inside a test namespace: the same
 * registerCheckCommand the msgw CLI uses, on a bare commander program.
 */
import { Command } from "commander";
import { registerCheckCommand } from "../../../components/health-check";

const program = new Command("msgw");
registerCheckCommand(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 3;
});
