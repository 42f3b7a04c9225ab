/**
 * `npm run bench:engine` (a benchmark, not a test; needs `npm run engine:setup` and the stand-in providers):
 *
 * 1. real `pulumi preview` wall time for pools of 2, 16 and 64 hosts (the dev stack with its host list
 *    replaced by msgw1..msgwN), CLI built from its Go module, stand-in provider plugins, file backend;
 * 2. program start-up through `@pulumi/pulumi/cmd/run` (the language host's path) with type-checking
 *    (PULUMI_NODEJS_TRANSPILE_ONLY=false: ts-node checks stacks/index.ts and everything it imports) and
 *    transpile-only (stacks/tsconfig.json `noCheck`, what the CLI does here), against the offline plan's mock
 *    monitor, 2 hosts;
 * 3. the component's overhead against two baselines that register the same resources (types, names,
 *    inputs; parents left out) against the same mock monitor: `flat`, raw `new CustomResource` per resource
 *    (loads only `@pulumi/pulumi`: not like-for-like), and `typedFlat`, the same typed classes the component
 *    uses (`new aws.ec2.Instance(...)`, loading the same provider SDKs) with the same dependency graph
 *    (`dependsOn` what each resource waited for in the component): the like-for-like baseline whose
 *    ratio `component / typedFlat` is the cost of the component itself (goal: at most 1.1).
 *
 * 4. (`--parts nodeargs`) `runtime.options.nodeargs: --stack-trace-limit=N` in Pulumi.yaml: real `pulumi
 *    preview` of the largest size with each limit, alternated run by run, and the message a program error
 *    shows under each (the SDK records a stack trace for every promise it tracks, source-mapped).
 *
 * Options: --runs N (median of N, default 3), --sizes 2,16,64. Prints tables and one JSON line.
 */
import { Command } from "commander";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";
import { ROOT } from "../tools/engine/paths";
import { readStackConfig } from "../tools/plan";
import { planProgram } from "../tools/program-plan";
import { World } from "../tests/engine/lib/world";
import { machineInfo } from "./lib/machine";
import { benchHostnames } from "./lib/pool-config";
import { median, round } from "./lib/stats";
import { renderTable } from "./lib/table";

/** Stack file for a pool of n hosts: the dev stack's with its host list replaced. */
function benchStackFile(n: number): string {
  const doc = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.dev.yaml"), "utf8");
  const { config } = readStackConfig("dev");
  const pool = JSON.parse(config["msgw:pool"]) as { hosts: unknown[] };
  pool.hosts = benchHostnames(n).map((hostname) => ({ hostname }));
  const region = /aws:region:\s*(\S+)/.exec(doc)?.[1] ?? "eu-central-1";
  return stringify({ config: { "aws:region": region, "msgw:pool": pool } });
}

/** The flat program: every custom resource of a plan, registered directly (no components). */
const FLAT_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
type R = { type: string; name: string; inputs: Record<string, unknown> };
const plan = JSON.parse(fs.readFileSync(process.env.MSGW_FLAT_PLAN as string, "utf8")) as { resources: R[] };
for (const r of plan.resources) {
  if (r.type.startsWith("msgw:")) continue;
  if (r.type.startsWith("pulumi:providers:")) {
    new pulumi.ProviderResource(r.type.slice("pulumi:providers:".length), r.name, r.inputs);
  } else {
    new pulumi.CustomResource(r.type, r.name, r.inputs);
  }
}
`;

/**
 * The typed flat program: every custom resource of a plan through its SDK class, found from its type token
 * (\`aws:ec2/instance:Instance\` → \`require("@pulumi/aws").ec2.Instance\`), with the inputs it was given.
 */
const TYPED_FLAT_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
type R = { urn: string; type: string; name: string; inputs: Record<string, unknown>; dependencies: string[] };
type Ctor = new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;
const plan = JSON.parse(fs.readFileSync(process.env.MSGW_FLAT_PLAN as string, "utf8")) as { resources: R[] };
const byUrn = new Map<string, pulumi.Resource>();
const packages: Record<string, Record<string, unknown>> = {};
function classOf(type: string): Ctor {
  const [pkg, mod, cls] = type.split(":");
  packages[pkg] ??= require("@pulumi/" + pkg) as Record<string, unknown>;
  const top = mod.split("/")[0];
  const scope = (top === "index" ? packages[pkg] : packages[pkg][top]) as Record<string, unknown>;
  const ctor = scope?.[cls];
  if (typeof ctor !== "function") throw new Error("no SDK class for " + type);
  return ctor as Ctor;
}
for (const r of plan.resources) {
  if (r.type.startsWith("msgw:")) continue;
  const provider = r.type.startsWith("pulumi:providers:") ? r.type.slice("pulumi:providers:".length) : undefined;
  // The same dependency graph: each resource waits for what it waited for in the component (registration
  // order puts dependencies first), as its inputs that are other resources' outputs make it wait there.
  const dependsOn = r.dependencies.flatMap((u) => byUrn.get(u) ?? []);
  byUrn.set(r.urn, new (provider ? classOf(provider + ":index:Provider") : classOf(r.type))(r.name, r.inputs, { dependsOn }));
}
`;

async function timedPlan(
  root: string,
  stack: string,
  cfg: { config: Record<string, string>; secretKeys: string[] },
  env: NodeJS.ProcessEnv = {},
): Promise<{ ms: number; resources: number }> {
  const start = performance.now();
  const plan = await planProgram({ rootDirectory: root, stack, ...cfg, env });
  return { ms: performance.now() - start, resources: plan.resources.length };
}

async function main(): Promise<void> {
  const opts = new Command("bench:engine")
    .option("--runs <n>", "runs per measurement", "3")
    .option("--sizes <list>", "pool sizes", "2,16,64")
    .option(
      "--parts <list>",
      "what to measure: preview,startup,flat,nodeargs",
      "preview,startup,flat",
    )
    .parse(process.argv)
    .opts<{ runs: string; sizes: string; parts: string }>();
  const parts = new Set(opts.parts.split(","));
  const runs = Number(opts.runs);
  const sizes = opts.sizes.split(",").map(Number);
  if (!Number.isInteger(runs) || runs < 1 || runs > 10)
    throw new Error(`--runs ${opts.runs}: 1 to 10`);
  sizes.forEach((n) => benchHostnames(n));
  const machine = machineInfo();

  // 1. Real pulumi preview per pool size.
  const previews: Array<{ hosts: number; resources: number; ms: number }> = [];
  const world = parts.has("preview") ? await World.create() : undefined;
  if (world)
    try {
      world.ok(["stack", "init", "bench"]);
      world.config("bench", ["set", "--secret", "cloudflare:apiToken", "bench-token"]);
      for (const n of sizes) {
        fs.writeFileSync(
          path.join(world.project, "stacks", "Pulumi.bench.yaml"),
          benchStackFile(n),
        );
        world.config("bench", ["set", "--secret", "cloudflare:apiToken", "bench-token"]);
        const times: number[] = [];
        let resources = 0;
        for (let i = 0; i < runs; i++) {
          const r = world.ok(["preview", "--stack", "bench", "--json"]);
          times.push(r.ms);
          const summary = (JSON.parse(r.stdout) as { changeSummary: Record<string, number> })
            .changeSummary;
          resources = Object.values(summary).reduce((a, b) => a + b, 0);
        }
        previews.push({ hosts: n, resources, ms: median(times) });
        process.stderr.write(`preview ${n} hosts: ${times.map(Math.round).join(", ")} ms\n`);
      }
    } finally {
      world.cleanup();
    }
  const say = (text: string) => process.stdout.write(`${text}\n\n`);
  say(
    `machine: ${machine.cpu}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load ${machine.loadAverage.join(" ")}`,
  );
  if (previews.length) {
    say(
      renderTable(
        ["hosts", "engine steps", "pulumi preview ms", "x unit"],
        previews.map((p) => [
          p.hosts,
          p.resources,
          Math.round(p.ms),
          round(p.ms / previews[0].ms, 2),
        ]),
      ),
    );
  }

  // 2. Start-up with type-checking and transpile-only (2 hosts), 3. flat program.
  const cfg2 = (() => {
    const { config, secretKeys } = readStackConfig("dev");
    return { config, secretKeys };
  })();
  // ts-node caches what it compiled (TS_NODE_CACHE_DIRECTORY, by default under the system temp dir): a cold
  // cache is what CI sees, a warm one what a second `pulumi preview` on the same machine sees.
  const checked: number[] = [];
  const transpiled: number[] = [];
  const warm: number[] = [];
  let resources2 = 0;
  for (let i = 0; parts.has("startup") && i < runs; i++) {
    for (const [mode, into] of [
      ["false", checked],
      ["true", transpiled],
    ] as const) {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-ts-node-cache-"));
      try {
        const env = { PULUMI_NODEJS_TRANSPILE_ONLY: mode, TS_NODE_CACHE_DIRECTORY: cache };
        const cold = await timedPlan(ROOT, "dev", cfg2, env);
        into.push(cold.ms);
        resources2 = cold.resources;
        if (mode === "true") warm.push((await timedPlan(ROOT, "dev", cfg2, env)).ms);
      } finally {
        fs.rmSync(cache, { recursive: true, force: true });
      }
    }
  }

  if (checked.length) {
    say(
      renderTable(
        ["start-up + plan, 2 hosts (cmd/run)", "ms", "resources"],
        [
          [
            "type-check (PULUMI_NODEJS_TRANSPILE_ONLY=false), cold ts-node cache",
            Math.round(median(checked)),
            resources2,
          ],
          [
            "transpile-only (stacks/tsconfig.json noCheck), cold ts-node cache",
            Math.round(median(transpiled)),
            resources2,
          ],
          ["either, warm ts-node cache", Math.round(median(warm)), resources2],
        ],
      ),
    );
    process.stderr.write(
      `start-up: checked ${checked.map(Math.round).join(", ")} ms, transpile-only ${transpiled.map(Math.round).join(", ")} ms, warm ${warm.map(Math.round).join(", ")} ms\n`,
    );
  }

  const flatDir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-flat-"));
  const typedDir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-typed-flat-"));
  const flat: Array<{
    hosts: number;
    component: number;
    flat: number;
    typedFlat: number;
    /** The like-for-like ratio (goal: at most 1.1). */
    componentPerTypedFlat: number;
    resources: number;
  }> = [];
  try {
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(flatDir, "node_modules"));
    fs.writeFileSync(
      path.join(flatDir, "Pulumi.yaml"),
      "name: msgw\nruntime:\n  name: nodejs\nmain: index.ts\n",
    );
    fs.writeFileSync(path.join(flatDir, "package.json"), '{ "name": "flat" }\n');
    fs.writeFileSync(
      path.join(flatDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noCheck: true,
          module: "commonjs",
          moduleResolution: "node",
        },
      }),
    );
    fs.writeFileSync(path.join(flatDir, "index.ts"), FLAT_PROGRAM);
    for (const file of ["node_modules", "Pulumi.yaml", "package.json", "tsconfig.json"]) {
      fs.symlinkSync(path.join(flatDir, file), path.join(typedDir, file));
    }
    fs.writeFileSync(path.join(typedDir, "index.ts"), TYPED_FLAT_PROGRAM);
    for (const n of parts.has("flat") ? sizes : []) {
      const { config } = readStackConfig("dev");
      const pool = JSON.parse(config["msgw:pool"]) as { hosts: unknown[] };
      pool.hosts = benchHostnames(n).map((hostname) => ({ hostname }));
      const cfg = { config: { ...config, "msgw:pool": JSON.stringify(pool) }, secretKeys: [] };
      const comp: number[] = [];
      const fl: number[] = [];
      const typed: number[] = [];
      let count = 0;
      // One untimed component run writes the plan both baselines register and warms every cache; then
      // each run alternates which program goes first, so neither gains from running after the other.
      const planFile = path.join(flatDir, "plan.json");
      fs.writeFileSync(
        planFile,
        JSON.stringify(await planProgram({ rootDirectory: ROOT, stack: "dev", ...cfg })),
      );
      const measure = {
        component: async () => {
          const start = performance.now();
          await planProgram({ rootDirectory: ROOT, stack: "dev", ...cfg });
          comp.push(performance.now() - start);
        },
        flat: async () => {
          const f = await timedPlan(
            flatDir,
            "dev",
            { config: {}, secretKeys: [] },
            { MSGW_FLAT_PLAN: planFile },
          );
          fl.push(f.ms);
          count = f.resources;
        },
        typed: async () => {
          const t = await timedPlan(
            typedDir,
            "dev",
            { config: {}, secretKeys: [] },
            { MSGW_FLAT_PLAN: planFile },
          );
          typed.push(t.ms);
          if (count !== 0 && t.resources !== count)
            throw new Error(
              `typed flat program registered ${t.resources} resources, flat ${count}`,
            );
        },
      };
      for (let i = 0; i < runs; i++) {
        const order =
          i % 2 === 0
            ? [measure.component, measure.flat, measure.typed]
            : [measure.typed, measure.flat, measure.component];
        for (const run of order) await run();
      }
      flat.push({
        hosts: n,
        component: median(comp),
        flat: median(fl),
        typedFlat: median(typed),
        componentPerTypedFlat: round(median(comp) / median(typed), 3),
        resources: count,
      });
      process.stderr.write(
        `flat ${n} hosts: component ${comp.map(Math.round).join(", ")} ms, flat ${fl.map(Math.round).join(", ")} ms, typed flat ${typed.map(Math.round).join(", ")} ms\n`,
      );
    }
  } finally {
    fs.rmSync(flatDir, { recursive: true, force: true });
    fs.rmSync(typedDir, { recursive: true, force: true });
  }

  if (flat.length) {
    say(
      renderTable(
        [
          "hosts",
          "custom resources",
          "component program ms",
          "flat program ms",
          "typed flat program ms",
          "component / flat",
          "component / typed flat",
        ],
        flat.map((f) => [
          f.hosts,
          f.resources,
          Math.round(f.component),
          Math.round(f.flat),
          Math.round(f.typedFlat),
          round(f.component / f.flat, 2),
          round(f.component / f.typedFlat, 2),
        ]),
      ),
    );
  }
  const nodeargs = parts.has("nodeargs") ? await measureNodeargs(sizes.at(-1) ?? 16, runs) : [];
  if (nodeargs.length) {
    say(
      renderTable(
        ["nodeargs", "pulumi preview ms", "x none", "error output lines", "error names the cause"],
        nodeargs.map((m) => [
          m.nodeargs || "(none)",
          Math.round(m.ms),
          round(m.ms / nodeargs[0].ms, 2),
          m.errorLines,
          m.errorNamesCause ? "yes" : "no",
        ]),
      ),
    );
  }
  process.stdout.write(
    `${JSON.stringify({ machine, runs, previews, nodeargs, startup: checked.length ? { typeCheckMs: median(checked), transpileOnlyMs: median(transpiled), warmMs: median(warm) } : undefined, flat })}\n`,
  );
}

/** The message a program error produces, for comparing what users see under each stack-trace limit. */
const BROKEN_INDEX = `import * as pulumi from "@pulumi/pulumi";
function poolArgs(): { hosts: string[] } {
  return JSON.parse("{") as { hosts: string[] };
}
export const hosts = pulumi.output(poolArgs().hosts);
`;

async function measureNodeargs(
  n: number,
  runs: number,
): Promise<Array<{ nodeargs: string; ms: number; errorLines: number; errorNamesCause: boolean }>> {
  const variants = ["", "--stack-trace-limit=10", "--stack-trace-limit=0"];
  const world = await World.create();
  try {
    const yamlPath = path.join(world.project, "Pulumi.yaml");
    const original = fs.readFileSync(yamlPath, "utf8");
    // The variants replace the project's own setting; "" is none at all.
    const bare = original.replace(/^ {4}nodeargs: .*\n/m, "");
    const withArgs = (args: string) =>
      args === ""
        ? bare
        : bare.replace(
            "    packagemanager: npm\n",
            `    packagemanager: npm\n    nodeargs: "${args}"\n`,
          );
    world.ok(["stack", "init", "bench"]);
    fs.writeFileSync(path.join(world.project, "stacks", "Pulumi.bench.yaml"), benchStackFile(n));
    world.config("bench", ["set", "--secret", "cloudflare:apiToken", "bench-token"]);
    const times = new Map<string, number[]>(variants.map((v) => [v, []]));
    for (let i = 0; i < runs; i++) {
      for (const v of variants) {
        fs.writeFileSync(yamlPath, withArgs(v));
        const r = world.ok(["preview", "--stack", "bench", "--json"]);
        times.get(v)?.push(r.ms);
      }
    }
    const index = path.join(world.project, "stacks", "index.ts");
    const program = fs.readFileSync(index, "utf8");
    const out = [];
    for (const v of variants) {
      fs.writeFileSync(yamlPath, withArgs(v));
      fs.writeFileSync(index, BROKEN_INDEX);
      const r = world.pulumi(["preview", "--stack", "bench"]);
      fs.writeFileSync(index, program);
      const text = `${r.stdout}\n${r.stderr}`;
      process.stderr.write(`--- nodeargs ${v || "(none)"}: program error as shown\n${text}\n`);
      out.push({
        nodeargs: v,
        ms: median(times.get(v) ?? []),
        errorLines: text.split("\n").filter((l) => l.trim()).length,
        errorNamesCause: /SyntaxError/.test(text) && /index\.ts/.test(text),
      });
    }
    fs.writeFileSync(yamlPath, original);
    return out;
  } finally {
    world.cleanup();
  }
}

void main().catch((err: Error) => {
  process.stderr.write(`bench:engine: ${err.message}\n`);
  process.exit(1);
});
