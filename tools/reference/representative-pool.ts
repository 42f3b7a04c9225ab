// I/O: the representative pool the resource table is planned from: the prod stack (two AWS hosts in two
// regions, a migrating legacy gateway, replication, pool CA, backups) plus an existing Windows machine and
// the readiness gate, so every kind of child appears at least once. Runs the offline plan (no network).
import * as path from "node:path";
import type { PlannedResource } from "../offline-plan";
import { readStackConfig } from "../plan";
import { planProgram } from "../program-plan";
import type { PoolParts } from "./resources";

const ROOT = path.resolve(__dirname, "..", "..");

/** The extra host: an existing Windows machine in a second facility. */
export const EXISTING_HOST = {
  hostname: "msgw3.dc2.example.com",
  existing: {
    address: "203.0.113.30",
    sshHostKey:
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAGixMupZ1PKAjayLL7N7SyDESDfsLLlUuU2tWfIYyTe msgw3",
  },
};

/** Plans the representative pool; returns what it registered and the parts its names are made of. */
export async function planRepresentativePool(): Promise<{
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  parts: PoolParts;
}> {
  const { config, secretKeys } = readStackConfig("prod", path.join(ROOT, "stacks"));
  const pool = JSON.parse(config["msgw:pool"]) as { hosts: unknown[]; readinessGate?: unknown };
  pool.hosts.push(EXISTING_HOST);
  pool.readinessGate = {};
  const run = await planProgram({
    rootDirectory: ROOT,
    stack: "reference",
    config: { ...config, "msgw:pool": JSON.stringify(pool) },
    secretKeys,
    env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
  });
  return {
    resources: run.resources,
    outputs: run.outputs,
    parts: {
      pool: "msgw",
      hosts: { msgw1: "aws", msgw2: "aws", "msgw3-dc2": "existing" },
      legacy: "msgw",
      regions: ["eu-central-1", "eu-west-1"],
    },
  };
}
