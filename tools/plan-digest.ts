// `npx tsx tools/plan-digest.ts > before.json`, change the code, run it again and `diff`: the plans of the
// shipped stacks and of variants of them that switch on every optional part (active hosts, DANE, a gate
// resolver, an existing host, backups off, the legacy gateway retired), each run through the stack program
// exactly as `npm run plan` runs it. Resources, inputs, dependencies, options and outputs, sorted by URN;
// key and certificate material and times (which differ on every run) are replaced by placeholders.
// A behaviour-neutral change leaves the output byte for byte the same.
import * as path from "node:path";
import type { OfflinePlan } from "./offline-plan";
import { readStackConfig } from "./plan";
import { planProgram } from "./program-plan";

const ROOT = path.resolve(__dirname, "..");
const POOL = "msgw:pool";

type Pool = Record<string, unknown> & { hosts: Array<Record<string, unknown>> };

/** Each variant: a shipped stack and a change to its `msgw:pool` value. */
const VARIANTS: Array<{ name: string; stack: string; change?: (pool: Pool) => void }> = [
  { name: "dev", stack: "dev" },
  { name: "prod", stack: "prod" },
  {
    name: "dev-active-dane",
    stack: "dev",
    change: (pool) => {
      for (const h of pool.hosts) h.state = "active";
      pool.dane = { enabled: true };
      pool.readinessGate = { resolver: "192.0.2.53:53" };
    },
  },
  {
    name: "prod-active",
    stack: "prod",
    change: (pool) => {
      pool.hosts[0].state = "active";
      pool.hosts[1].state = "active";
    },
  },
  {
    name: "prod-retired-existing",
    stack: "prod",
    change: (pool) => {
      pool.hosts[0].state = "active";
      pool.hosts.push({
        hostname: "msgw3.example.com",
        state: "active",
        existing: {
          address: "203.0.113.7",
          sshHostKey:
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAGixMupZ1PKAjayLL7N7SyDESDfsLLlUuU2tWfIYyTe",
        },
      });
      (pool.legacy as Record<string, unknown>).phase = "retired";
      (pool.configSync as Record<string, unknown>).source = "msgw1.example.com";
      pool.backup = { enabled: false };
    },
  },
];

/** Values that differ on every run: PEM blocks, fingerprints, times, random ids. */
function scrub(value: unknown): unknown {
  if (typeof value === "string") {
    return value
      .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----\n?/g, "<pem>")
      .replace(/\b(?:[0-9A-F]{2}:){31}[0-9A-F]{2}\b/g, "<sha256>")
      .replace(/\b[0-9a-f]{64}\b/g, "<hex64>")
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, "<time>");
  }
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, scrub(v)]),
    );
  }
  return value;
}

function digest(plan: OfflinePlan): unknown {
  return scrub({
    resources: [...plan.resources]
      .sort((a, b) => a.urn.localeCompare(b.urn))
      .map((r) => ({ ...r, dependencies: [...r.dependencies].sort() })),
    outputs: plan.outputs,
    secretOutputs: [...plan.secretOutputs].sort(),
  });
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {};
  for (const v of VARIANTS) {
    const cfg = readStackConfig(v.stack, path.join(ROOT, "stacks"));
    if (v.change) {
      const pool = JSON.parse(cfg.config[POOL]) as Pool;
      v.change(pool);
      cfg.config[POOL] = JSON.stringify(pool);
    }
    process.stderr.write(`planning ${v.name}…\n`);
    const plan = await planProgram({ rootDirectory: ROOT, stack: v.stack, ...cfg });
    out[v.name] = digest(plan);
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
