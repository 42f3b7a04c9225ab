/**
 * Where the engine toolchain lives and how to run it: the Pulumi CLI built by `npm run engine:setup` into
 * `.cache/engine/<version>/bin/` (gitignored, keyed by the @pulumi/pulumi version in package-lock.json),
 * next to the Node.js language host stand-in.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const ENGINE_MODULE_DIR = path.join(ROOT, "tools", "engine");
/** The Go package of the CLI's main. */
export const CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
/** Where the CLI reads its version from (the `-X` linker flag its own Makefile sets). */
export const VERSION_SYMBOL = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
/** The repository's Node.js 22 (npm devDependency `node`): programs and the language host run on it. */
export const NODE22_BIN_DIR = path.join(ROOT, "node_modules", ".bin");

/** Version of @pulumi/pulumi that package-lock.json installs (the CLI is built at the same version). */
export function lockedSdkVersion(root = ROOT): string {
  const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
    packages?: Record<string, { version?: string }>;
  };
  const version = lock.packages?.["node_modules/@pulumi/pulumi"]?.version;
  if (!version) throw new Error("package-lock.json does not install @pulumi/pulumi");
  return version;
}

/** Version of `github.com/pulumi/pulumi/pkg/v3` that tools/engine/go.mod requires (without the `v`). */
export function goModuleVersion(goMod: string): string {
  const m = /^\s*(?:require\s+)?github\.com\/pulumi\/pulumi\/pkg\/v3\s+v(\S+)/m.exec(goMod);
  if (!m) throw new Error("tools/engine/go.mod does not require github.com/pulumi/pulumi/pkg/v3");
  return m[1];
}

/**
 * The version to build, after checking that tools/engine/go.mod pins the CLI at the @pulumi/pulumi version of
 * package-lock.json; throws, naming both files and the fix, when they differ.
 */
export function engineVersion(root = ROOT): string {
  const sdk = lockedSdkVersion(root);
  const cli = goModuleVersion(
    fs.readFileSync(path.join(root, "tools", "engine", "go.mod"), "utf8"),
  );
  if (sdk !== cli) {
    throw new Error(
      `the Pulumi CLI pinned in tools/engine/go.mod (github.com/pulumi/pulumi/pkg/v3 v${cli}) differs from ` +
        `@pulumi/pulumi ${sdk} in package-lock.json; run (cd tools/engine && go get ` +
        `github.com/pulumi/pulumi/pkg/v3@v${sdk} && go mod tidy), keeping the replace directives, ` +
        `or install @pulumi/pulumi@${cli}`,
    );
  }
  return sdk;
}

/** Paths of one cached build. */
export interface EnginePaths {
  version: string;
  cacheDir: string;
  binDir: string;
  pulumi: string;
  languageHost: string;
}

export function enginePaths(version = engineVersion(), root = ROOT): EnginePaths {
  const cacheDir = path.join(root, ".cache", "engine", version);
  const binDir = path.join(cacheDir, "bin");
  return {
    version,
    cacheDir,
    binDir,
    pulumi: path.join(binDir, "pulumi"),
    languageHost: path.join(binDir, "pulumi-language-nodejs"),
  };
}

/** The paths of a finished `npm run engine:setup`; throws with the fix when it has not run. */
export function requireEngine(): EnginePaths {
  const p = enginePaths();
  for (const f of [p.pulumi, p.languageHost]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run npm run engine:setup first`);
  }
  return p;
}

/**
 * Environment for running the CLI as a user would, isolated: its own PULUMI_HOME (plugins) and backend,
 * passphrase secrets, no update checks or telemetry, and PATH starting with the engine's bin directory (the
 * language host) and the repository's Node.js 22 (what the language host runs programs with).
 */
export function engineEnv(
  p: EnginePaths,
  opts: { pulumiHome: string; backendUrl: string; passphrase?: string },
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: [p.binDir, NODE22_BIN_DIR, base.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: opts.pulumiHome,
    PULUMI_BACKEND_URL: opts.backendUrl,
    PULUMI_CONFIG_PASSPHRASE: opts.passphrase ?? "engine-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PULUMI_TELEMETRY_DISABLED: "true",
    NO_COLOR: "1",
  };
}
