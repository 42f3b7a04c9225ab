/**
 * `npm run bench`: offline-plan time and peak memory for pools of 2, 16 and 64 hosts (each run in a
 * fresh child process, 2 hosts = 1.0), the deployment graph's critical path for the same pools, and
 * type-check / start-up time of the stack program against a variant importing the `@pulumi/aws` root.
 * Prints tables and one JSON line. Options: --runs N (default 3), --sizes 2,16,64.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Command } from "commander";
import { machineInfo } from "./lib/machine";
import type { PlanSample } from "./lib/plan-child";
import { writeProgramVariants } from "./lib/program-variants";
import { median, round } from "./lib/stats";
import { renderTable } from "./lib/table";

const ROOT = join(__dirname, "..");
const STACK_PROGRAM = join(ROOT, "stacks", "index.ts");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const CHILD_TIMEOUT_MS = 5 * 60_000;
const MiB = 2 ** 20;

function planSample(hosts: number, program: string): PlanSample {
  const child = join(__dirname, "lib", "plan-child.ts");
  const out = execFileSync(process.execPath, ["--import", "tsx", child, String(hosts), program], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: CHILD_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out.trim().split("\n").pop() as string) as PlanSample;
}

/** Wall time (ms) of a command, run to completion in a child process; returns its stdout too. */
function timed(args: string[]): { ms: number; stdout: string } {
  const start = performance.now();
  const stdout = execFileSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: CHILD_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { ms: performance.now() - start, stdout };
}

/** `tsc --diagnostics` figures that do not depend on machine load: files read and memory used. */
export function parseTscDiagnostics(stdout: string): { files: number; memoryMiB: number } {
  const files = /^Files:\s+(\d+)/m.exec(stdout);
  const memory = /^Memory used:\s+(\d+)K/m.exec(stdout);
  if (!files || !memory)
    throw new Error(`tsc --diagnostics printed no Files/Memory lines:\n${stdout}`);
  return { files: Number(files[1]), memoryMiB: Number(memory[1]) / 1024 };
}

function main(): void {
  const opts = new Command("bench")
    .option("--runs <n>", "child processes per measurement", "3")
    .option("--sizes <list>", "pool sizes (the first is the unit)", "2,16,64")
    .parse(process.argv)
    .opts<{ runs: string; sizes: string }>();
  const runs = Number(opts.runs);
  const sizes = opts.sizes.split(",").map(Number);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20)
    throw new Error(`--runs ${opts.runs}: give 1 to 20`);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 250)) {
    throw new Error(`--sizes ${opts.sizes}: give pool sizes between 1 and 250`);
  }

  const machine = machineInfo();

  // 1. Plan time, memory and critical path per pool size.
  const plans = sizes.map((hosts) => {
    const samples = Array.from({ length: runs }, () => planSample(hosts, STACK_PROGRAM));
    const first = samples[0];
    for (const s of samples) {
      if (s.resources !== first.resources || s.criticalPath !== first.criticalPath) {
        throw new Error(
          `pool of ${hosts} hosts planned differently across runs: ${JSON.stringify(samples)}`,
        );
      }
    }
    return {
      hosts,
      resources: first.resources,
      criticalPath: first.criticalPath,
      planMs: median(samples.map((s) => s.planMs)),
      peakRssMiB: Math.max(...samples.map((s) => s.peakRss)) / MiB,
      planRssMiB: median(samples.map((s) => s.peakRss - s.rssBeforePlan)) / MiB,
    };
  });
  const unit = plans[0];
  const planRows = plans.map((p) => ({
    ...p,
    timeRatio: p.planMs / unit.planMs,
    sizeRatio: p.hosts / unit.hosts,
    msPerHost: p.planMs / p.hosts,
    // Cost of each host beyond the unit pool: flat when planning grows linearly.
    msPerAddedHost:
      p.hosts === unit.hosts ? undefined : (p.planMs - unit.planMs) / (p.hosts - unit.hosts),
  }));

  // 2. Type-check and start-up: the stack program against the @pulumi/aws root variant.
  const variants = writeProgramVariants(ROOT, STACK_PROGRAM);
  let startup: {
    variant: string;
    typecheckMs: number;
    files: number;
    tscMemoryMiB: number;
    startupMs: number;
  }[];
  try {
    startup = (
      [
        ["stack program (@pulumi/aws/provider)", variants.baseline],
        ["variant (@pulumi/aws root)", variants.rootAws],
      ] as const
    ).map(([variant, v]) => {
      const checks = Array.from({ length: runs }, () =>
        timed([TSC, "-p", v.tsconfig, "--diagnostics"]),
      );
      const diagnostics = parseTscDiagnostics(checks[0].stdout);
      return {
        variant,
        typecheckMs: median(checks.map((c) => c.ms)),
        files: diagnostics.files,
        tscMemoryMiB: diagnostics.memoryMiB,
        startupMs: median(
          Array.from(
            { length: runs },
            () =>
              timed(["--import", "tsx", join(__dirname, "lib", "plan-child.ts"), "2", v.program])
                .ms,
          ),
        ),
      };
    });
  } finally {
    rmSync(variants.dir, { recursive: true, force: true });
  }

  process.stdout.write(
    [
      `Machine: ${machine.cpu} x${machine.cpus}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ` +
        `load average ${machine.loadAverage.join(" ")} at the start; median of ${runs} runs`,
      "",
      renderTable(
        [
          "hosts",
          "resources",
          "plan ms",
          "x unit",
          "size x",
          "ms/host",
          "ms/added host",
          "peak RSS MiB",
          "plan RSS MiB",
          "critical path",
        ],
        planRows.map((p) => [
          p.hosts,
          p.resources,
          round(p.planMs, 0),
          round(p.timeRatio),
          round(p.sizeRatio),
          round(p.msPerHost, 1),
          p.msPerAddedHost === undefined ? "-" : round(p.msPerAddedHost, 1),
          round(p.peakRssMiB, 0),
          round(p.planRssMiB, 0),
          p.criticalPath,
        ]),
      ),
      "",
      renderTable(
        [
          "program",
          "tsc --noEmit ms",
          "files read",
          "tsc memory MiB",
          "start-up + plan (2 hosts) ms",
        ],
        startup.map((s) => [
          s.variant,
          round(s.typecheckMs, 0),
          s.files,
          round(s.tscMemoryMiB, 0),
          round(s.startupMs, 0),
        ]),
      ),
      "",
      JSON.stringify({
        bench: "msgw-plan",
        machine,
        runs,
        plans: planRows.map((p) => ({
          hosts: p.hosts,
          resources: p.resources,
          planMs: round(p.planMs, 1),
          timeRatio: round(p.timeRatio, 3),
          peakRssMiB: round(p.peakRssMiB, 1),
          planRssMiB: round(p.planRssMiB, 1),
          msPerAddedHost: p.msPerAddedHost === undefined ? null : round(p.msPerAddedHost, 1),
          criticalPath: p.criticalPath,
        })),
        startup: startup.map((s) => ({
          ...s,
          typecheckMs: round(s.typecheckMs, 0),
          tscMemoryMiB: round(s.tscMemoryMiB, 0),
          startupMs: round(s.startupMs, 0),
        })),
        typecheckRatio: round(startup[1].typecheckMs / startup[0].typecheckMs, 2),
        typecheckFilesRatio: round(startup[1].files / startup[0].files, 2),
      }),
      "",
    ].join("\n"),
  );
}

if (require.main === module) main();
