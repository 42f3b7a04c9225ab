/**
 * One measurement in a fresh process: `plan-child.ts <hosts> <program.ts>` plans the program for a
 * pool of <hosts> hosts under the offline planner and prints one JSON line (times in ms, memory in
 * bytes). Module loading and the openssl calls of the mocks happen before the timed region, so the
 * figure is the cost of planning itself.
 */
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { mockCertificatePem } from "../../tools/mocks";
import { planOffline } from "../../tools/offline-plan";
import { criticalPathLength } from "./critical-path";
import { benchHostnames, benchStackConfig } from "./pool-config";

/** What one child reports. */
export interface PlanSample {
  hosts: number;
  resources: number;
  criticalPath: number;
  loadMs: number;
  planMs: number;
  rssBeforePlan: number;
  peakRss: number;
}

/** Resources that take no deployment time of their own (logical grouping only). */
const LOGICAL = /^(msgw:|pulumi:pulumi:Stack$)/;

async function main(): Promise<void> {
  const hosts = Number(process.argv[2]);
  const program = resolve(process.argv[3] ?? "stacks/index.ts");
  const { config, secretKeys } = benchStackConfig(hosts);

  const loadStart = performance.now();
  // The program's imports (not the program: requiring it registers resources).
  await import("../../components");
  await import("@pulumi/cloudflare");
  await import("@pulumi/aws/provider");
  const loadMs = performance.now() - loadStart;
  for (const name of benchHostnames(hosts)) mockCertificatePem(name);

  const rssBeforePlan = process.memoryUsage().rss;
  const start = performance.now();
  const plan = await planOffline(async () => (await import(program)) as Record<string, unknown>, {
    project: "msgw",
    stack: "bench",
    config,
    secretKeys,
  });
  const planMs = performance.now() - start;

  const nodes = plan.resources.filter((r) => !LOGICAL.test(r.type));
  const sample: PlanSample = {
    hosts,
    resources: plan.resources.length,
    criticalPath: criticalPathLength(nodes),
    loadMs,
    planMs,
    rssBeforePlan,
    peakRss: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `plan-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
