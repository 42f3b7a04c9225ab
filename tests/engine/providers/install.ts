/**
 * Installs the stand-in provider plugins into a Pulumi home so the engine loads them exactly like the real
 * ones: for each package, `<pulumiHome>/plugins/resource-<name>-v<version>/pulumi-resource-<name>`, an
 * executable wrapper that runs Node.js 22 (the project's `node` devDependency) on a bundle of
 * tests/engine/providers/main.ts. The version is the one the installed SDK package asks for
 * (`pulumi.version` in node_modules/@pulumi/<name>/package.json).
 *
 * The CLI treats a plugin as installed when its directory exists and there is no `<dir>.partial` file next to
 * it (pulumi/pulumi sdk/go/common/workspace/plugins.go, HasPlugin / GetPluginsFromDir), and runs the
 * executable named `pulumi-<kind>-<name>` inside it (getPluginPath). Leftover `.partial`/`.lock` files are
 * removed. Nothing is downloaded.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CLOUD_DIR_ENV, SETTINGS_ENV, type StandInSettings } from "./context";
import { sdkVersion } from "./framework";

/** Plugin names of the stand-ins. */
export const STAND_IN_PLUGINS = ["aws", "cloudflare", "tls", "command"] as const;

const REPO = resolve(__dirname, "..", "..", "..");
const NODE = join(REPO, "node_modules", "node", "bin", "node");

/** Options of {@link installStandInPlugins}. */
export interface StandInOptions {
  /** Directory the Cloudflare stand-in writes `<zone>.zone` files into (the NSD zones directory). */
  dnsZoneDir?: string;
  /** Command prefix that reloads NSD (`[...nsdControl, "reload", zone]`), e.g. `["nsd-control", "-c", conf]`. */
  nsdControl?: string[];
  /** Address of `ns1.<zone>` in the zone files (default 127.0.0.1). */
  nsAddress?: string;
  /** Cloudflare zones in the fake account (default `["example.com"]`). */
  zones?: string[];
  /** Elastic IPs per region (default 5, the EC2 default quota). */
  eipQuotaPerRegion?: number;
  /**
   * The fake cloud directory plugins use when MSGW_STANDIN_CLOUD_DIR is not set in their environment
   * (default `<pulumiHome>/standin-cloud`).
   */
  cloudDir?: string;
}

/** Where the plugin of `name` is installed. */
export function pluginDir(pulumiHome: string, name: string): string {
  return join(pulumiHome, "plugins", `resource-${name}-v${sdkVersion(name)}`);
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Bundles main.ts into one CommonJS file (dependencies stay in the repository's node_modules). */
async function bundle(outfile: string): Promise<void> {
  // esbuild comes with tsx (a devDependency).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  await esbuild.build({
    entryPoints: [join(__dirname, "main.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    packages: "external",
    outfile,
    logLevel: "error",
  });
}

/**
 * Installs the four stand-in plugins into `pulumiHome` (what PULUMI_HOME points at). Idempotent: re-running
 * rewrites the wrappers, the bundle and the settings. Throws when Node.js 22 from node_modules is missing.
 */
export async function installStandInPlugins(
  pulumiHome: string,
  options: StandInOptions = {},
): Promise<void> {
  if (!existsSync(NODE)) {
    throw new Error(`stand-in plugins need Node.js 22 at ${NODE}; run npm ci in ${REPO}`);
  }
  const home = resolve(pulumiHome);
  const standinDir = join(home, "standin");
  mkdirSync(standinDir, { recursive: true });
  const settingsFile = join(standinDir, "settings.json");
  const settings: StandInSettings = {
    dnsZoneDir: options.dnsZoneDir,
    nsdControl: options.nsdControl,
    nsAddress: options.nsAddress,
    zones: options.zones,
    eipQuotaPerRegion: options.eipQuotaPerRegion,
  };
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  const mainJs = join(standinDir, "main.js");
  await bundle(mainJs);
  const cloudDir = resolve(options.cloudDir ?? join(home, "standin-cloud"));
  for (const name of STAND_IN_PLUGINS) {
    const dir = pluginDir(home, name);
    rmSync(`${dir}.partial`, { force: true });
    rmSync(`${dir}.lock`, { force: true });
    mkdirSync(dir, { recursive: true });
    const exe = join(dir, `pulumi-resource-${name}`);
    writeFileSync(
      exe,
      [
        "#!/bin/sh",
        `# Stand-in ${name} provider for tests (tests/engine/providers); not the real plugin.`,
        `export ${SETTINGS_ENV}=${shQuote(settingsFile)}`,
        `: "\${${CLOUD_DIR_ENV}:=${cloudDir.replace(/[$`"\\]/g, "\\$&")}}"`,
        `export ${CLOUD_DIR_ENV}`,
        `export NODE_PATH=${shQuote(join(REPO, "node_modules"))}`,
        `exec ${shQuote(NODE)} ${shQuote(mainJs)} ${name} "$@"`,
        "",
      ].join("\n"),
    );
    chmodSync(exe, 0o755);
  }
}
