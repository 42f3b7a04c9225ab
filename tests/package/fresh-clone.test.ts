/**
 * `npm pack` in a fresh clone (the committed files only: no dist/, no build run by hand) ships the built
 * library, because `prepack` builds it. The clone borrows this repository's node_modules (the same lock
 * file) instead of installing again. Run with `npm run test:package`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
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
      "bin/msgw.js",
      "docs/mail-path.md",
      "LICENSE",
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

/**
 * The README's path for a new user: `git clone`, `npm ci`, then the CLI through npx before and after a
 * build. npx links the project's own `bin` into its cache once, so the command must exist (with its
 * execute bit) before any build and survive a rebuild.
 */
describe("npx msgw in a fresh git clone after npm ci", { timeout: 8 * MINUTE }, () => {
  let dir = "";
  let clone = "";
  const version = (
    JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }
  ).version;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "msgw-npx-clone-"));
    clone = join(dir, "clone");
    const head = run("git", ["rev-parse", "HEAD"], root, MINUTE).trim();
    run("git", ["clone", "--quiet", "--no-checkout", root, clone], dir, MINUTE);
    run("git", ["checkout", "--quiet", head], clone, MINUTE);
    assert.equal(existsSync(join(clone, "dist")), false, "a clone has no dist/");
    // npm ci empties node_modules, through a symlink too: never let it reach a shared one.
    assert.equal(existsSync(join(clone, "node_modules")), false, "a clone has no node_modules");
    // The README's install command; --prefer-offline only reuses the npm cache where it can.
    run(
      "npm",
      ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
      clone,
      5 * MINUTE,
    );
  });

  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("runs --help, --version, then --help again after npm run build", () => {
    const help = run("npx", ["msgw", "--help"], clone, MINUTE);
    assert.match(help, /^Usage: msgw \[options\] \[command\]$/m);
    assert.match(help, /^ {2}-V, --version +print the package version$/m);
    assert.equal(run("npx", ["msgw", "--version"], clone, MINUTE), `${version}\n`);
    run("npm", ["run", "build"], clone, 4 * MINUTE);
    assert.ok(existsSync(join(clone, "dist", "bin", "msgw.js")));
    assert.match(run("npx", ["msgw", "--help"], clone, MINUTE), /^Usage: msgw /m);
    assert.equal(run("npx", ["msgw", "--version"], clone, MINUTE), `${version}\n`);
  });

  it("keeps the committed bin executable", () => {
    assert.equal(statSync(join(clone, "bin", "msgw.js")).mode & 0o111, 0o111);
  });

  it("names only files that exist in msgw check --help", () => {
    const help = run("npx", ["msgw", "check", "--help"], clone, MINUTE).replace(/\s*\n\s*/g, "");
    const doc = join(clone, "docs", "mail-path.md");
    assert.ok(help.includes(`(shape:${doc})`), help);
    assert.ok(existsSync(doc));
  });
});
