/**
 * `npm pack` in a fresh clone (the committed files only: no dist/, no build run by hand) ships the built
 * library, because `prepack` builds it. The clone borrows this repository's node_modules (the same lock
 * file) instead of installing again. Run with `npm run test:package`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MINUTE, root, run } from "./npm-steps";

describe("npm pack in a fresh clone", { timeout: 5 * MINUTE }, () => {
  let dir = "";
  let files: string[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "msgw-fresh-clone-"));
    const clone = join(dir, "clone");
    run("git", ["rev-parse", "HEAD"], root, MINUTE); // fails early outside a git checkout
    execFileSync("sh", ["-c", `mkdir -p "${clone}" && git archive HEAD | tar -x -C "${clone}"`], {
      cwd: root,
      timeout: MINUTE,
    });
    assert.equal(existsSync(join(clone, "dist")), false, "a clone has no dist/");
    symlinkSync(join(root, "node_modules"), join(clone, "node_modules"), "dir");
    const packed = JSON.parse(
      run("npm", ["pack", "--json", "--pack-destination", dir], clone, 3 * MINUTE),
    ) as Array<{ files: Array<{ path: string }> }>;
    assert.equal(packed.length, 1);
    files = packed[0].files.map((f) => f.path);
  });

  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("ships the compiled library, its declarations and the CLI", () => {
    for (const f of [
      "dist/components/index.js",
      "dist/components/index.d.ts",
      "dist/components/gateway-pool/gateway-pool.js",
      "dist/bin/msgw.js",
      "package.json",
      "README.md",
      "CHANGELOG.md",
    ]) {
      assert.ok(files.includes(f), f);
    }
  });

  it("ships no sources, tests or stale build output", () => {
    assert.deepEqual(
      files.filter(
        (f) =>
          (f.endsWith(".ts") && !f.endsWith(".d.ts")) ||
          f.startsWith("tests/") ||
          f.startsWith("dist/tests/"),
      ),
      [],
    );
  });
});
