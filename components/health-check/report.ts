/** Pure: assembles the check's verdicts into a report and renders it for people or machines. */
import type { CheckReport, Finding, GatewayReport } from "./types";

/** Collects pool and per-gateway findings into one report with its problem count. */
export function buildReport(
  mailDomain: string,
  resolver: string,
  checkedAt: Date,
  pool: Finding[],
  gateways: GatewayReport[],
): CheckReport {
  const problems = [...pool, ...gateways.flatMap((g) => g.findings)].filter((f) => !f.ok).length;
  return {
    mailDomain,
    resolver,
    checkedAt: checkedAt.toISOString(),
    pool,
    gateways,
    problems,
    ok: problems === 0,
  };
}

/** Process exit code: 0 when everything is fine, 1 when any problem was found. */
export function exitCodeOf(report: CheckReport): number {
  return report.ok ? 0 : 1;
}

function line(f: Finding, width: number): string {
  return `  ${f.ok ? "ok     " : "PROBLEM"}  ${f.check.padEnd(width)}  ${f.message}`;
}

/** The human-readable report: one block per gateway, then a summary naming every problem. */
export function renderText(report: CheckReport): string {
  const all = [...report.pool, ...report.gateways.flatMap((g) => g.findings)];
  const width = all.reduce((w, f) => Math.max(w, f.check.length), 0);
  const out = [
    `msgw check: ${report.mailDomain}, ${report.gateways.length} gateway${report.gateways.length === 1 ? "" : "s"}, resolver ${report.resolver}, at ${report.checkedAt}`,
    "",
    `${report.mailDomain} (mail domain)`,
    ...report.pool.map((f) => line(f, width)),
  ];
  for (const gateway of report.gateways) {
    out.push(
      "",
      `${gateway.hostname} (${gateway.state})`,
      ...gateway.findings.map((f) => line(f, width)),
    );
  }
  out.push("");
  if (report.ok) {
    const n = report.gateways.length;
    out.push(
      n === 1 ? "OK: the gateway passed every check." : `OK: all ${n} gateways passed every check.`,
    );
  } else {
    const failing = report.gateways.filter((g) => g.findings.some((f) => !f.ok)).length;
    out.push(
      `FAILED: ${report.problems} problem${report.problems === 1 ? "" : "s"} on ${failing} of ${report.gateways.length} gateways` +
        `${report.pool.some((f) => !f.ok) ? " and the mail domain" : ""}:`,
    );
    for (const f of report.pool.filter((p) => !p.ok))
      out.push(`  - ${report.mailDomain}: ${f.check}: ${f.message}`);
    for (const g of report.gateways) {
      for (const f of g.findings.filter((x) => !x.ok))
        out.push(`  - ${g.hostname}: ${f.check}: ${f.message}`);
    }
  }
  return `${out.join("\n")}\n`;
}
