// Test-only stand-in for the lead's bin/msgw.ts: the same three lines.
import { Command } from "commander";
import { registerConfigCommands } from "../../../components/config-sync";

const program = new Command("msgw");
registerConfigCommands(program);
void program.parseAsync();
