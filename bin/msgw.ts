#!/usr/bin/env node
// The operator CLI: `msgw config snapshot|restore|verify|status`, `msgw check` and `msgw preflight`.
import { msgwProgram } from "./program";

msgwProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`msgw: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 2;
  });
