/**
 * I/O: runs the preflight of {@link planPreflight}: checks that the replication private key file is
 * readable and probes every planned TCP connection (in parallel, each bounded), then reports.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PreflightPlan, PreflightProbe } from "./plan";
import { probeTcp } from "./tcp";

/** Default bound per TCP connection attempt. */
export const PREFLIGHT_TIMEOUT_MS = 5_000;
/** Connection attempts run at the same time, at most. */
export const PREFLIGHT_PARALLEL = 16;

/** The preflight's findings. */
export interface PreflightReport {
  /** One line per thing checked, `ok …` or `MISSING …`. */
  lines: string[];
  /** What is missing; empty: `pulumi up` can reach what it needs. */
  problems: string[];
}

/** `~/x` from the home directory, a relative path from `cwd` (where `pulumi up` runs the commands). */
export function resolveKeyPath(file: string, cwd: string, home = os.homedir()): string {
  if (file === "~" || file.startsWith("~/")) return path.join(home, file.slice(1));
  return path.resolve(cwd, file);
}

const what = (p: PreflightProbe) =>
  `${p.purpose} ${p.hostname} ${p.address}:${p.port} (from ${p.source})`;

export async function runPreflight(
  plan: PreflightPlan,
  opts: { cwd: string; timeoutMs?: number; home?: string },
): Promise<PreflightReport> {
  const lines: string[] = [];
  const problems = [...plan.problems];
  for (const p of plan.problems) lines.push(`MISSING ${p}`);
  if (plan.keyFile !== undefined) {
    const resolved = resolveKeyPath(plan.keyFile, opts.cwd, opts.home);
    try {
      fs.accessSync(resolved, fs.constants.R_OK);
      if (!fs.statSync(resolved).isFile()) throw new Error("not a file");
      lines.push(`ok      replication key ${resolved} (configSync.sshPrivateKeyPath)`);
    } catch {
      const p = `the replication private key file ${resolved} (configSync.sshPrivateKeyPath "${plan.keyFile}") is not readable on this machine; run pulumi up where that key is (an admin workstation or the self-hosted deploy runner)`;
      problems.push(p);
      lines.push(`MISSING ${p}`);
    }
  }
  const timeoutMs = opts.timeoutMs ?? PREFLIGHT_TIMEOUT_MS;
  const results = new Array<string | undefined>(plan.probes.length);
  let next = 0;
  const worker = async () => {
    while (next < plan.probes.length) {
      const i = next++;
      const probe = plan.probes[i] as PreflightProbe;
      const r = await probeTcp(probe.address, probe.port, timeoutMs);
      results[i] = r.ok ? undefined : r.reason;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(PREFLIGHT_PARALLEL, plan.probes.length) }, worker),
  );
  plan.probes.forEach((probe, i) => {
    const reason = results[i];
    if (reason === undefined) {
      lines.push(`ok      ${what(probe)}`);
      return;
    }
    const p = `TCP to ${what(probe)}: ${reason}; this machine must reach it (${probe.purpose === "replication" ? "access.adminCidrs opens SSH" : "access.smtpSourceCidrs opens SMTP, access.mailStoreServerCidrs opens POP3"} to this machine's address)`;
    problems.push(p);
    lines.push(`MISSING ${p}`);
  });
  for (const h of plan.notYetKnown) {
    lines.push(`later   ${h}: no address yet (created by this update)`);
  }
  return { lines, problems };
}
