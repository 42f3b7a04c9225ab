/** Pure: renders restore outcomes and host statuses for people. */
import { printable, showName } from "./text";
import type { HostStatus, RestoreOutcome } from "./types";

/** The per-host summary of a restore, one block per host, for people. */
export function renderRestoreSummary(outcomes: RestoreOutcome[]): string {
  const lines = outcomes.map((o) => {
    const head = `${o.host.padEnd(24)} ${o.result.toUpperCase().padEnd(9)} config=${o.config} service=${o.service} (${(o.elapsedMs / 1000).toFixed(1)}s)`;
    return `${head}\n  ${printable(o.message, true).replace(/\n/g, "\n  ")}`;
  });
  const bad = outcomes.filter((o) => o.result === "failed" || o.result === "blocked").length;
  lines.push(
    `${outcomes.length - bad} of ${outcomes.length} host(s) at the revision${bad ? `; ${bad} FAILED or BLOCKED` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

/** The per-host report of verify/status, for people. */
export function renderStatus(statuses: HostStatus[], revision: string | undefined): string {
  const lines = statuses.map((s) => {
    if (s.error) return `${s.host.padEnd(24)} ERROR     ${printable(s.error)}`;
    const match =
      s.matches === undefined
        ? ""
        : s.matches
          ? `matches ${revision}`
          : `DIFFERS from ${revision}: ${s.differences.map((d) => `${showName(d.name)} ${d.problem}`).join(", ")}`;
    const parts = [
      `${s.host.padEnd(24)} service=${s.service}${s.serviceUnknownBecause ? ` (${printable(s.serviceUnknownBecause)})` : ""}`,
      `${s.files.length} config file(s)`,
      `${s.mailFiles} file(s) in ${s.mailboxes.length} mailbox folder(s)`,
      match,
      s.interruptedRestore
        ? printable(
            `INTERRUPTED restore of ${s.interruptedRestore.revision} (started ${s.interruptedRestore.startedAt}; backup ${s.interruptedRestore.backup}): re-run restore`,
          )
        : "",
    ];
    const detail = s.mailboxes.map((m) => `    ${showName(m.folder)}: ${m.files}`).join("\n");
    return parts.filter((p) => p !== "").join("; ") + (detail ? `\n${detail}` : "");
  });
  return `${lines.join("\n")}\n`;
}
