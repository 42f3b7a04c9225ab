/**
 * The stack program loads as the Pulumi CLI loads it: Pulumi.yaml's `main` decides the working directory and
 * entry point, `@pulumi/pulumi/cmd/run` resolves a directory `main` through the nearest package.json and
 * compiles with the tsconfig.json of the working directory only. The offline plan (tools/program-plan.ts)
 * starts programs the same way, so each way of getting this wrong fails it; these tests build small projects
 * that get it wrong and one that gets it right.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commandDirectory } from "../../components/gateway-pool/resources/command-directory";
import { planProgram, programLocation, errorText } from "../../tools/program-plan";

const ROOT = path.resolve(__dirname, "../..");

test("this repository: Pulumi.yaml runs stacks/index.ts in stacks/, with a strict tsconfig there", () => {
  const loc = programLocation(ROOT);
  assert.deepEqual(
    [loc.project, loc.programDirectory, loc.entryPoint, loc.stackConfigDir],
    ["msgw", path.join(ROOT, "stacks"), "index.ts", path.join(ROOT, "stacks")],
  );
  const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "stacks", "tsconfig.json"), "utf8"));
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
  assert.equal(tsconfig.extends, "../tsconfig.json");
  assert.equal(base.compilerOptions.strict, true);
  // Type-checking is left to `npm test` (tsc -p tsconfig.json); see docs/engine.md.
  assert.equal(tsconfig.compilerOptions.noCheck, true);
});

test("commandDirectory: the project root relative to the program's working directory", () => {
  assert.equal(commandDirectory("/work/p", "/work/p/stacks"), "..");
  assert.equal(commandDirectory("/work/p", "/work/p"), ".");
  assert.equal(commandDirectory("", "/work/p/stacks"), ".");
  assert.equal(commandDirectory("/work/p", "/work/p/a/b"), "../..");
});

test("errorText: the message of a logged error without colours, class prefix or stack", () => {
  assert.equal(
    errorText(
      '\u001b[31mResourceError: GatewayPool "x": invalid arguments:\nhosts[0] bad\u001b[39m\n    at new GatewayPool (/p/a.ts:1:1)\n  { hideStack: false }',
    ),
    'GatewayPool "x": invalid arguments:\nhosts[0] bad',
  );
});

/** A scratch project that shares this repository's node_modules. */
function scratchProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-program-load-"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

// Compiles only with strictNullChecks: without it, `r.ok ? … : r.error` does not narrow.
const STRICT_ONLY_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
type Lookup = { ok: true; value: string } | { ok: false; error: string };
const lookup = (r: Lookup): string => (r.ok ? r.value : r.error);
const c = new pulumi.ComponentResource("test:index:Thing", lookup({ ok: true, value: "thing" }));
export const name = c.urn;
`;
const PROJECT_YAML = (main: string) =>
  `name: scratch\nruntime:\n  name: nodejs\nmain: ${main}\nstackConfigDir: stacks\n`;
const STRICT_TSCONFIG = JSON.stringify({
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "commonjs",
    moduleResolution: "node",
    types: ["node"],
  },
});

test("a program file with a strict tsconfig beside it loads and registers its resource", async () => {
  const dir = scratchProject({
    "Pulumi.yaml": PROJECT_YAML("stacks/index.ts"),
    "package.json": JSON.stringify({ name: "scratch", exports: { ".": "./lib.js" } }),
    "lib.js": "exports.library = true;\n",
    "stacks/index.ts": STRICT_ONLY_PROGRAM,
    "stacks/tsconfig.json": STRICT_TSCONFIG,
  });
  try {
    const plan = await planProgram({ rootDirectory: dir, stack: "t", config: {}, secretKeys: [] });
    assert.deepEqual(
      plan.resources.map((r) => r.urn),
      ["urn:pulumi:t::scratch::test:index:Thing::thing"],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("no tsconfig.json in the program's directory: loose defaults, the strict-only program fails the plan", async () => {
  const dir = scratchProject({
    "Pulumi.yaml": PROJECT_YAML("stacks/index.ts"),
    "package.json": JSON.stringify({ name: "scratch" }),
    "tsconfig.json": STRICT_TSCONFIG, // one directory up: ts-node does not look there
    "stacks/index.ts": STRICT_ONLY_PROGRAM,
  });
  try {
    await assert.rejects(
      planProgram({ rootDirectory: dir, stack: "t", config: {}, secretKeys: [] }),
      (err: Error) => {
        assert.match(
          err.message,
          /^the program \(entry point "index\.ts" in stacks\/ from Pulumi\.yaml\) failed: Running program '.*\/stacks\/index\.ts' failed with an unhandled exception:\nTSError: ⨯ Unable to compile TypeScript:\nindex\.ts\(3,59\): error TS2339: Property 'error' does not exist on type 'Lookup'\./,
        );
        return true;
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("npm run plan: a directory main resolved through package.json exports to a library fails", () => {
  const dir = scratchProject({
    "Pulumi.yaml": PROJECT_YAML("stacks/"),
    "package.json": JSON.stringify({ name: "scratch", exports: { ".": "./lib.js" } }),
    "lib.js": "exports.library = true;\n",
    "stacks/index.ts": STRICT_ONLY_PROGRAM,
    "stacks/tsconfig.json": STRICT_TSCONFIG,
    "stacks/Pulumi.t.yaml": "config: {}\n",
  });
  try {
    const run = spawnSync(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      [path.join(ROOT, "tools", "plan.ts"), "--stack", "t"],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, MSGW_PLAN_ROOT: dir },
      },
    );
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr,
      'plan: stack "t": the program (entry point "." in stacks/ from Pulumi.yaml) registered no resources: ' +
        "check which file Pulumi.yaml's main resolves to (a directory main runs the nearest package.json's exports or main)\n",
    );
    assert.equal(run.status, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
