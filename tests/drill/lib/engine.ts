/**
 * The real engine for the drill: the Pulumi CLI and language host built by `npm run engine:setup`
 * (tools/engine/), the stand-in provider plugins (tests/engine/providers/) installed into the lab's
 * own PULUMI_HOME with the Cloudflare stand-in writing the zone into the lab's NSD and reloading it
 * with `nsd-control`, a local file backend and passphrase-encrypted secrets under the lab folder.
 *
 * Those modules belong to the engine and stand-in work; they are loaded by path so that the drill
 * still runs (with its direct driver) where they are not present.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../e2e/mail-path/lib/netns";
import type { PulumiEngine } from "./drivers";
import type { DrillLab } from "./lab";
import type { LabFacts } from "./stages";

/** What the drill uses of tools/engine/paths.ts. */
interface EnginePathsModule {
  requireEngine(): { pulumi: string; binDir: string };
  engineEnv(
    p: unknown,
    opts: { pulumiHome: string; backendUrl: string; passphrase?: string },
  ): NodeJS.ProcessEnv;
}

/** What the drill uses of the stand-in providers. */
interface StandInSettings {
  dnsZoneDir?: string;
  nsdControl?: string[];
  nsAddress?: string;
  zones?: string[];
}
interface InstallModule {
  installStandInPlugins(pulumiHome: string, options: StandInSettings): Promise<void>;
}
interface FakeRecord {
  id: string;
  zoneId: string;
  name: string;
  type: string;
}
interface CloudflareModule {
  zoneIdOf(name: string): string;
  zoneRecords(cloud: unknown, settings: StandInSettings, zone: string): FakeRecord[];
  zones(cloud: unknown, settings: StandInSettings): { id: string; name: string }[];
  publish(ctx: { cloud: unknown; settings: StandInSettings }, zone: unknown): Promise<void>;
  seedDnsRecord(
    cloud: unknown,
    settings: StandInSettings,
    record: { zone: string; name: string; type: string; content: string; ttl: number },
  ): Promise<{ id: string; zoneId: string }>;
}
interface CloudLike {
  remove(service: string, key: string): boolean;
  withLock<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
}
interface ContextModule {
  Cloud: new (dir: string) => CloudLike;
}

const PATHS = join(REPO_ROOT, "tools", "engine", "paths.ts");
const PROVIDERS = join(REPO_ROOT, "tests", "engine", "providers");

/** Why the real engine cannot run here, or undefined when it can. */
export function engineMissing(): string | undefined {
  for (const f of [
    PATHS,
    join(PROVIDERS, "install.ts"),
    join(PROVIDERS, "cloudflare.ts"),
    join(PROVIDERS, "context.ts"),
  ]) {
    if (!existsSync(f)) return `${f} is not in this checkout`;
  }
  return undefined;
}

/** Sets up the engine for the lab: plugins installed, backend logged in. */
export async function labEngine(lab: DrillLab): Promise<PulumiEngine> {
  const missing = engineMissing();
  if (missing !== undefined) throw new Error(`the real engine is not available: ${missing}`);
  const paths = (await import(PATHS)) as EnginePathsModule;
  const install = (await import(join(PROVIDERS, "install.ts"))) as InstallModule;
  const cloudflare = (await import(join(PROVIDERS, "cloudflare.ts"))) as CloudflareModule;
  const context = (await import(join(PROVIDERS, "context.ts"))) as ContextModule;
  const engine = paths.requireEngine();
  const home = join(lab.dir, "pulumi-home");
  const backend = join(lab.dir, "pulumi-state");
  mkdirSync(backend, { recursive: true });
  const settings: StandInSettings = {
    dnsZoneDir: lab.dns.zonesDir,
    nsdControl: lab.dns.control,
    nsAddress: lab.dnsAddress,
    zones: [lab.options.zoneName],
  };
  await install.installStandInPlugins(home, settings);
  const env = paths.engineEnv(engine, {
    pulumiHome: home,
    backendUrl: `file://${backend}`,
    passphrase: "drill-passphrase",
  });
  return {
    pulumi: engine.pulumi,
    env: {
      ...(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >),
      CLOUDFLARE_API_TOKEN: "drill-cloudflare-token",
    },
    async seedLegacyRecord(f: LabFacts): Promise<string> {
      const cloud = new context.Cloud(join(home, "standin-cloud"));
      const record = await cloudflare.seedDnsRecord(cloud, settings, {
        zone: f.zoneName,
        name: f.legacy.hostname,
        type: "A",
        content: f.legacy.address,
        ttl: 60,
      });
      return `${record.zoneId}/${record.id}`;
    },
    async deleteRecord(f: LabFacts, name: string, type: string): Promise<void> {
      const cloud = new context.Cloud(join(home, "standin-cloud"));
      const zone = cloudflare.zones(cloud, settings).find((z) => z.name === f.zoneName);
      if (zone === undefined) throw new Error(`zone ${f.zoneName} is not in the stand-in account`);
      const matches = cloudflare
        .zoneRecords(cloud, settings, f.zoneName)
        .filter((r) => r.name === name && r.type === type);
      if (matches.length !== 1) {
        throw new Error(
          `expected one ${type} record ${name} in the stand-in zone, found ${matches.length}`,
        );
      }
      await cloud.withLock(`cf-zone-${zone.id}`, async () => {
        cloud.remove(`cf-records-${zone.id}`, (matches[0] as FakeRecord).id);
        await cloudflare.publish({ cloud, settings }, zone);
      });
    },
  };
}
