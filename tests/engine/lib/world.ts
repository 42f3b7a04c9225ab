/**
 * A user's checkout, run by the real Pulumi CLI: a copy of the project (Pulumi.yaml, package.json,
 * tsconfig.json, stacks/, components/, bin/; node_modules linked) in a temporary directory, a local file
 * backend (`pulumi login file://…`), passphrase-encrypted secrets, its own PULUMI_HOME with the stand-in
 * provider plugins (tests/engine/providers/install.ts), the CLI and language host from `npm run engine:setup`.
 *
 * Every CLI call has a deadline; a failure shows the command, exit code and output.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineEnv, requireEngine, ROOT, type EnginePaths } from "../../../tools/engine/paths";

/** What tests/engine/providers/install.ts exports (loaded by path: that tree belongs to the stand-ins). */
interface StandInInstaller {
  installStandInPlugins(pulumiHome: string, options: { dnsZoneDir?: string }): Promise<void>;
}

const PROVIDERS_DIR = path.join(ROOT, "tests", "engine", "providers");
/** Per CLI call (MSGW_ENGINE_CALL_DEADLINE_MS overrides it, e.g. for benchmarks of large pools). */
const CALL_DEADLINE_MS = Number(process.env.MSGW_ENGINE_CALL_DEADLINE_MS) || 6 * 60_000;

/** Result of one CLI call. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The engine's own change summary (`--json`): operation -> count. */
export type ChangeSummary = Record<string, number>;

export const PASSPHRASE = "engine-test-passphrase";
/** The Cloudflare token the tests set as a secret: must never appear in plain text in state. */
export const CLOUDFLARE_TOKEN = "engine-test-cloudflare-token-8f3a1c";

export class World {
  readonly dir: string;
  readonly project: string;
  readonly home: string;
  readonly backend: string;
  readonly recordFile: string;
  readonly engine: EnginePaths;

  private constructor(dir: string) {
    this.dir = dir;
    this.project = path.join(dir, "project");
    this.home = path.join(dir, "pulumi-home");
    this.backend = path.join(dir, "state");
    this.recordFile = path.join(dir, "commands.jsonl");
    this.engine = requireEngine();
  }

  /** A fresh checkout with the stand-in plugins installed and logged in to its file backend. */
  static async create(): Promise<World> {
    const world = new World(fs.mkdtempSync(path.join(os.tmpdir(), "msgw-engine-")));
    world.copyProject();
    fs.mkdirSync(world.backend, { recursive: true });
    const installer = path.join(PROVIDERS_DIR, "install.ts");
    const { installStandInPlugins } = (await import(installer)) as StandInInstaller;
    await installStandInPlugins(world.home, {});
    world.ok(["login", `file://${world.backend}`]);
    return world;
  }

  /** The checkout a user would have (sources copied, dependencies linked). */
  private copyProject(): void {
    fs.mkdirSync(this.project, { recursive: true });
    for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) {
      fs.copyFileSync(path.join(ROOT, f), path.join(this.project, f));
    }
    for (const d of ["stacks", "components", "bin", "policy"]) {
      fs.cpSync(path.join(ROOT, d), path.join(this.project, d), { recursive: true });
    }
    const fixtures = path.join("tests", "engine", "fixtures");
    fs.cpSync(path.join(ROOT, fixtures), path.join(this.project, fixtures), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(this.project, "node_modules"));
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...engineEnv(this.engine, {
        pulumiHome: this.home,
        backendUrl: `file://${this.backend}`,
        passphrase: PASSPHRASE,
      }),
      MSGW_ENGINE_RECORD: this.recordFile,
      HOME: path.join(this.dir, "user-home"),
    };
  }

  /** Runs `pulumi <args>` in the checkout, as a user would. */
  pulumi(args: string[], opts: { cwd?: string } = {}): Run {
    const start = Date.now();
    const r = spawnSync(this.engine.pulumi, [...args, "--non-interactive"], {
      cwd: opts.cwd ?? this.project,
      env: this.env(),
      encoding: "utf8",
      timeout: CALL_DEADLINE_MS,
      maxBuffer: 256 * 1024 * 1024,
    });
    return {
      code: r.status,
      stdout: r.stdout ?? "",
      stderr: r.stderr ?? "",
      ms: Date.now() - start,
    };
  }

  /** Like {@link pulumi}, throwing with the whole output unless it exits 0. */
  ok(args: string[]): Run {
    const r = this.pulumi(args);
    if (r.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${r.code} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
      );
    }
    return r;
  }

  /** `pulumi <op> --json`'s change summary, for preview/up/destroy. */
  summary(op: "preview" | "up" | "destroy", stack: string, extra: string[] = []): ChangeSummary {
    const args = [op, "--stack", stack, "--json", ...extra];
    if (op !== "preview") args.push("--yes", "--skip-preview");
    const r = this.ok(args);
    return changeSummary(op, r.stdout);
  }

  config(stack: string, args: string[]): void {
    this.ok(["config", ...args, "--stack", stack]);
  }

  /** The stack's state file as the file backend stores it. */
  stateFile(stack: string): string {
    return path.join(this.backend, ".pulumi", "stacks", "msgw", `${stack}.json`);
  }

  /** Resources of the stack's current state (`pulumi stack export`). */
  resources(stack: string): Array<{ urn: string; type: string; id?: string; outputs?: unknown }> {
    const r = this.ok(["stack", "export", "--stack", stack]);
    const doc = JSON.parse(r.stdout) as { deployment: { resources?: [] } };
    return doc.deployment.resources ?? [];
  }

  /** The `local.Command` runs the recorder saw: working directory and arguments. */
  commandRuns(): Array<{ cwd: string; args: string[] }> {
    if (!fs.existsSync(this.recordFile)) return [];
    return fs
      .readFileSync(this.recordFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { cwd: string; args: string[] });
  }

  /** The stand-ins' fake cloud (default location of tests/engine/providers/install.ts). */
  cloudDir(): string {
    return path.join(this.home, "standin-cloud");
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One step of the engine: operation and resource. */
export interface Step {
  op: string;
  urn: string;
}

type EngineEvent = {
  summaryEvent?: { resourceChanges?: ChangeSummary };
  resOutputsEvent?: { metadata: Step };
};

/** `--json` output: one document (preview) or a stream of engine events, one per line (up, destroy). */
function parseJsonOutput(op: string, stdout: string): { doc?: unknown; events: EngineEvent[] } {
  try {
    return { doc: JSON.parse(stdout), events: [] };
  } catch {
    try {
      const events = stdout
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as EngineEvent);
      return { events };
    } catch {
      throw new Error(`pulumi ${op} --json printed no JSON:\n${stdout.slice(0, 2000)}`);
    }
  }
}

/**
 * The engine's change summary from `--json` output: `changeSummary` of a preview document, or the
 * `resourceChanges` of the summary event of an update or destroy. Operations with a zero count are left out.
 */
export function changeSummary(op: string, stdout: string): ChangeSummary {
  const { doc, events } = parseJsonOutput(op, stdout);
  const summary =
    (doc as { changeSummary?: ChangeSummary } | undefined)?.changeSummary ??
    events.find((e) => e.summaryEvent)?.summaryEvent?.resourceChanges;
  if (!summary)
    throw new Error(`pulumi ${op} --json has no change summary:\n${stdout.slice(0, 2000)}`);
  return Object.fromEntries(Object.entries(summary).filter(([, n]) => n !== 0));
}

/** The steps of `--json` output: a preview's `steps`, or the finished steps of an update's event stream. */
export function stepsOf(op: string, stdout: string): Step[] {
  const { doc, events } = parseJsonOutput(op, stdout);
  const steps = doc
    ? ((doc as { steps?: Step[] }).steps ?? [])
    : events.flatMap((e) => (e.resOutputsEvent ? [e.resOutputsEvent.metadata] : []));
  return steps.map((s) => ({ op: s.op, urn: s.urn }));
}
