#!/usr/bin/env node
// I/O: the `msgw` command as package.json's `bin` names it. Committed (with its execute bit) so the command
// exists before any build and keeps working after every rebuild: in a clone it runs the TypeScript source
// through tsx (never a stale dist/), in the installed package the compiled dist/bin/msgw.js.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const source = join(__dirname, "msgw.ts");
const built = join(__dirname, "..", "dist", "bin", "msgw.js");

function tsxAvailable() {
  try {
    require.resolve("tsx/cjs");
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && tsxAvailable()) {
  require("tsx/cjs");
  require(source);
} else if (existsSync(built)) {
  require(built);
} else {
  process.stderr.write(
    `msgw: neither ${built} nor tsx to run ${source}: run npm ci (or npm run build)\n`,
  );
  process.exitCode = 2;
}
