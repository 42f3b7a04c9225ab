// The promise of `msgw config restore`, checked on a lab host: its service runs, its configuration is
// wholly the old one or wholly the new one, no temporary file and no restore marker is left behind,
// and mailbox folders are never touched.
import * as fs from "node:fs";
import * as path from "node:path";
import type { RestoreOutcome } from "../../../../components/config-sync";
import { readTree, type Files } from "./fixtures";
import type { Lab } from "./lab";

const same = (a: Files, b: Files) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(([n, d]) => b[n] !== undefined && b[n].equals(d));

/** Which of `old` / `next` the host's top-level files equal: "old", "new" or "mixed". */
export function configIs(lab: Lab, host: string, old: Files, next: Files): "old" | "new" | "mixed" {
  const { config } = readTree(lab.host(host).dataDir);
  if (same(config, next)) return "new";
  if (same(config, old)) return "old";
  return "mixed";
}

/**
 * Violations of the invariant on `host` after a restore that returned `outcome` (empty when it holds).
 * `mail` is the mailbox tree that must be unchanged.
 */
export function violations(
  lab: Lab,
  host: string,
  old: Files,
  next: Files,
  mail: Files,
  outcome?: RestoreOutcome,
  /** The service cannot be started (its start command hangs): a stopped service is no violation. */
  startImpossible = false,
): string[] {
  const out: string[] = [];
  const h = lab.host(host);
  const state = configIs(lab, host, old, next);
  if (state === "mixed") out.push(`${host}: configuration is a mix of old and new files`);
  if (!startImpossible && !lab.serviceRunning(host))
    out.push(`${host}: gateway service left stopped`);
  const temps = fs.readdirSync(h.dataDir).filter((n) => n.endsWith(".msgw-tmp"));
  if (temps.length) out.push(`${host}: temporary files left: ${temps.join(", ")}`);
  if (fs.existsSync(path.join(h.backupDir, "restore-in-progress.json")))
    out.push(`${host}: restore marker left although the host was reachable`);
  const tree = readTree(h.dataDir).mail;
  for (const [n, d] of Object.entries(mail))
    if (!tree[n]?.equals(d)) out.push(`${host}: mail file ${n} changed or removed`);
  if (outcome) {
    if (outcome.message === "") out.push(`${host}: outcome without a message`);
    if (outcome.result === "updated" && state !== "new")
      out.push(`${host}: reported updated but the configuration is ${state}`);
    // A failure may leave the new configuration in place (verified, its start not confirmed) if it says so.
    if (
      outcome.result !== "updated" &&
      outcome.result !== "unchanged" &&
      outcome.config !== "replaced" &&
      state === "new"
    )
      out.push(`${host}: reported ${outcome.result} but the new configuration is in place`);
    if (outcome.config === "replaced" && state !== "new")
      out.push(`${host}: reported config=replaced but the configuration is ${state}`);
    if (outcome.service === "running" && !lab.serviceRunning(host))
      out.push(`${host}: reported service=running but it is stopped`);
    if (outcome.service === "stopped" && lab.serviceRunning(host))
      out.push(`${host}: reported service=stopped but it runs`);
  }
  return out;
}
