/**
 * The policy pack as another project uses it: `policy/` copied out of the repository with the
 * component's rule files it shares (`SHARED_RULES`, same relative place), its own
 * dependencies installed from its package.json, type-checked on its own tsconfig, and started the way
 * the Pulumi engine starts a pack (it serves gRPC and prints its port). Needs the npm registry or a
 * warm npm cache. Run with `npm run test:package`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MINUTE, env, npmInstall, root, run } from "./npm-steps";

/** The component's pure rule files the pack imports (one implementation of each rule). */
export const SHARED_RULES = [
  "components/schema/cidr-math.ts",
  "components/schema/certificate-names.ts",
];

describe("policy pack used outside this repository", { timeout: 8 * MINUTE }, () => {
  let top = "";
  let dir = "";

  before(() => {
    top = mkdtempSync(join(tmpdir(), "msgw-policy-"));
    dir = join(top, "policy");
    cpSync(join(root, "policy"), dir, {
      recursive: true,
      filter: (src) => !src.split(/[\\/]/).includes("node_modules"),
    });
    for (const file of SHARED_RULES) cpSync(join(root, file), join(top, file));
    npmInstall(dir);
    // cidr-math.ts imports ipaddr.js from components/: the folder holding both provides it (docs/policy.md).
    writeFileSync(join(top, "package.json"), '{ "private": true }\n');
    npmInstall(top, ["ipaddr.js@^2.3.0"]);
  });

  after(() => {
    if (top !== "") rmSync(top, { recursive: true, force: true });
  });

  it("type-checks with its own tsconfig and dependencies", () => {
    run(
      process.execPath,
      [join(dir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", dir],
      dir,
      2 * MINUTE,
    );
  });

  it("starts and serves the pack, printing its gRPC port", async () => {
    const tsx = pathToFileURL(require.resolve("tsx", { paths: [root] })).href;
    const child = spawn(process.execPath, ["--import", tsx, "index.ts"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      // Bounded wait: 30 s for the port line, checked every 100 ms.
      for (let i = 0; i < 300 && !/^\d+\s*$/m.test(stdout) && child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(child.exitCode, null, `policy pack exited early: ${stderr}`);
      const port = Number(/^(\d+)\s*$/m.exec(stdout)?.[1]);
      assert.ok(
        port > 0 && port < 65536,
        `policy pack printed no port; stdout: ${stdout} stderr: ${stderr}`,
      );
    } finally {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
    }
  });
});
