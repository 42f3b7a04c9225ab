/**
 * The engine toolchain without building anything: the version pin check of `npm run engine:setup` and the
 * pure parts of the language host stand-in (arguments, environment, options), pinned to what Pulumi's own
 * Node.js language host passes to `@pulumi/pulumi/cmd/run`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineVersion, goModuleVersion, lockedSdkVersion, ROOT } from "../../tools/engine/paths";
import {
  configEnv,
  parseOptions,
  requiredPackages,
  runArguments,
  pluginCommand,
  envFromList,
  runEnvironment,
  splitArgs,
  type RunInputs,
} from "../../tools/engine/language-host";

describe("engine version pin", () => {
  it("this repository: tools/engine/go.mod pins the CLI at @pulumi/pulumi of package-lock.json", () => {
    assert.equal(engineVersion(), lockedSdkVersion());
    const installed = JSON.parse(
      fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
    ) as { version: string };
    assert.equal(installed.version, lockedSdkVersion());
  });

  it("reads the pkg/v3 requirement in either go.mod form", () => {
    assert.equal(goModuleVersion("require github.com/pulumi/pulumi/pkg/v3 v3.276.0\n"), "3.276.0");
    assert.equal(
      goModuleVersion("require (\n\tgithub.com/pulumi/pulumi/pkg/v3 v3.1.2 // indirect\n)\n"),
      "3.1.2",
    );
    assert.throws(
      () => goModuleVersion("module x\n"),
      /^Error: tools\/engine\/go.mod does not require github.com\/pulumi\/pulumi\/pkg\/v3$/,
    );
  });

  it("a mismatch fails, naming both versions and the fix", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-engine-pin-"));
    try {
      fs.mkdirSync(path.join(dir, "tools", "engine"), { recursive: true });
      fs.writeFileSync(
        path.join(dir, "package-lock.json"),
        JSON.stringify({ packages: { "node_modules/@pulumi/pulumi": { version: "3.277.0" } } }),
      );
      fs.writeFileSync(
        path.join(dir, "tools", "engine", "go.mod"),
        "module m\n\nrequire github.com/pulumi/pulumi/pkg/v3 v3.276.0\n",
      );
      assert.throws(() => engineVersion(dir), {
        message:
          "the Pulumi CLI pinned in tools/engine/go.mod (github.com/pulumi/pulumi/pkg/v3 v3.276.0) differs from " +
          "@pulumi/pulumi 3.277.0 in package-lock.json; run (cd tools/engine && go get " +
          "github.com/pulumi/pulumi/pkg/v3@v3.277.0 && go mod tidy), keeping the replace directives, " +
          "or install @pulumi/pulumi@3.276.0",
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const RUN: RunInputs = {
  monitorAddress: "127.0.0.1:4001",
  engineAddress: "127.0.0.1:4000",
  organization: "",
  project: "msgw",
  stack: "dev",
  rootDirectory: "/p",
  programDirectory: "/p/stacks",
  entryPoint: "index.ts",
  dryRun: true,
  parallel: 48,
  args: [],
  config: { "msgw:pool": '{"a":1}', "aws:region": "eu-central-1" },
  configSecretKeys: ["cloudflare:apiToken"],
  options: { packagemanager: "npm" },
};

describe("language host stand-in", () => {
  it("starts a policy pack as the real host does: run-policy-pack, its directory last, run in it", () => {
    const resolve = (mod: string, from: string) => `${from}/node_modules/${mod}/index.js`;
    assert.deepEqual(
      pluginCommand(
        {
          kind: "analyzer",
          programDirectory: "/p/policy",
          pwd: "/p",
          args: ["127.0.0.1:4000"],
          options: { nodeargs: "--max-old-space-size=512" },
        },
        resolve,
      ),
      {
        args: [
          "/p/policy/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js",
          "--max-old-space-size=512",
          "127.0.0.1:4000",
          "/p/policy",
        ],
        cwd: "/p/policy",
      },
    );
    assert.deepEqual(
      pluginCommand(
        { kind: "tool", programDirectory: "/t", pwd: "/work", args: ["a"], options: {} },
        resolve,
      ),
      { args: ["/t/node_modules/@pulumi/pulumi/cmd/run-plugin/index.js", "/t", "a"], cwd: "/work" },
    );
    assert.throws(
      () =>
        pluginCommand(
          { kind: "analyzer", programDirectory: "/x", pwd: "/", args: [], options: {} },
          () => {
            throw new Error("not found");
          },
        ),
      {
        message:
          "it looks like the plugin's dependencies are not installed (@pulumi/pulumi/cmd/run-policy-pack not found from /x); run npm install there",
      },
    );
    assert.deepEqual(envFromList(["A=1", "B=x=y", "A=2", "junk"]), { A: "2", B: "x=y" });
  });

  it("passes cmd/run the arguments of Pulumi's host, in its order", () => {
    assert.deepEqual(runArguments("/n/@pulumi/pulumi/cmd/run/index.js", RUN), [
      "/n/@pulumi/pulumi/cmd/run/index.js",
      "--monitor",
      "127.0.0.1:4001",
      "--engine",
      "127.0.0.1:4000",
      "--project",
      "msgw",
      "--root-directory",
      "/p",
      "--stack",
      "dev",
      "--pwd",
      "/p/stacks",
      "--dry-run",
      "--parallel",
      "48",
      "index.ts",
    ]);
    assert.deepEqual(
      runArguments("run", { ...RUN, dryRun: false, organization: "acme", args: ["x"] }).slice(5, 7),
      ["--organization", "acme"],
    );
    assert.equal(runArguments("run", { ...RUN, dryRun: false }).includes("--dry-run"), false);
  });

  it("passes configuration with <namespace>:config:<name> keys and the secret key list", () => {
    const env = runEnvironment(RUN, { PATH: "/bin" });
    assert.deepEqual(env, {
      PATH: "/bin",
      PULUMI_CONFIG: '{"msgw:config:pool":"{\\"a\\":1}","aws:config:region":"eu-central-1"}',
      PULUMI_CONFIG_SECRET_KEYS: '["cloudflare:apiToken"]',
      PULUMI_NODEJS_TYPESCRIPT: "true",
    });
    assert.throws(() => configEnv({ pool: "x" }), {
      message: 'config key "pool" has no namespace (want <namespace>:<name>)',
    });
  });

  it("reads runtime options like Pulumi's host: typescript defaults on, wrong types refused", () => {
    assert.deepEqual(parseOptions({}), { typescript: true });
    assert.deepEqual(
      runEnvironment(
        { ...RUN, options: { typescript: false, tsconfig: "tsconfig.pulumi.json" } },
        {},
      ),
      {
        PULUMI_CONFIG: '{"msgw:config:pool":"{\\"a\\":1}","aws:config:region":"eu-central-1"}',
        PULUMI_CONFIG_SECRET_KEYS: '["cloudflare:apiToken"]',
        PULUMI_NODEJS_TSCONFIG_PATH: "tsconfig.pulumi.json",
      },
    );
    assert.throws(() => parseOptions({ typescript: "yes" }), {
      message: "typescript option must be a boolean",
    });
    assert.throws(() => parseOptions({ nodeargs: 1 }), {
      message: "nodeargs option must be a string",
    });
    assert.deepEqual(splitArgs(`--max-old-space-size=4096 "--title=a b" 'x y'`), [
      "--max-old-space-size=4096",
      "--title=a b",
      "x y",
    ]);
  });

  it("finds the provider packages under node_modules of the program directory, as Pulumi's host does", () => {
    const names = requiredPackages(ROOT)
      .filter((p) => ["aws", "cloudflare", "tls", "command"].includes(p.name))
      .map((p) => `${p.name} ${p.version}`)
      .sort();
    const version = (n: string) =>
      (
        JSON.parse(
          fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", n, "package.json"), "utf8"),
        ) as { version: string }
      ).version;
    assert.deepEqual(
      [...new Set(names)],
      ["aws", "cloudflare", "command", "tls"].map((n) => `${n} v${version(n)}`),
    );
    // The program directory (stacks/) has no node_modules of its own: nothing to pre-install from there.
    assert.deepEqual(requiredPackages(path.join(ROOT, "stacks")), []);
  });
});
