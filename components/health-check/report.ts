/** Pure: assembles the check's verdicts into a report and renders it for people or machines. */
import { printable } from "./printable";
import type { CheckReport, DaneReport, Finding, GatewayReport } from "./types";

const clean = (f: Finding): Finding => ({
  check: printable(f.check),
  ok: f.severity !== "problem",
  severity: f.severity,
  message: printable(f.message),
});

function cleanDane(dane: DaneReport): DaneReport {
  return {
    ...dane,
    resolver: printable(dane.resolver),
    hosts: dane.hosts.map((h) => ({
      ...h,
      hostname: printable(h.hostname),
      tlsaName: printable(h.tlsaName),
    })),
    covered: dane.covered.map((n) => printable(n)),
    uncovered: dane.uncovered.map((n) => printable(n)),
  };
}

/**
 * Collects pool and per-gateway findings into one report with its problem and warning counts.
 * Every string is passed through {@link printable} here, so neither the text nor the JSON output
 * can carry a terminal control sequence from a server or from DNS data.
 */
export function buildReport(
  mailDomain: string,
  resolver: string,
  checkedAt: Date,
  pool: Finding[],
  gateways: GatewayReport[],
  dane?: DaneReport,
): CheckReport {
  const cleanPool = pool.map(clean);
  const cleanGateways = gateways.map((g) => ({
    hostname: printable(g.hostname),
    state: g.state,
    findings: g.findings.map(clean),
  }));
  const all = [...cleanPool, ...cleanGateways.flatMap((g) => g.findings)];
  const problems = all.filter((f) => f.severity === "problem").length;
  return {
    schemaVersion: 1,
    mailDomain: printable(mailDomain),
    resolver: printable(resolver),
    checkedAt: checkedAt.toISOString(),
    pool: cleanPool,
    gateways: cleanGateways,
    ...(dane === undefined ? {} : { dane: cleanDane(dane) }),
    problems,
    warnings: all.filter((f) => f.severity === "warning").length,
    ok: problems === 0,
  };
}

/** Process exit code: 0 when nothing is a problem (warnings allowed), 1 on any problem. */
export function exitCodeOf(report: CheckReport): number {
  return report.ok ? 0 : 1;
}

const LABEL = { ok: "ok     ", warning: "WARNING", problem: "PROBLEM" } as const;

function line(f: Finding, width: number): string {
  return `  ${LABEL[f.severity]}  ${f.check.padEnd(width)}  ${f.message}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The human-readable report: one block per gateway, then a summary naming every problem. */
export function renderText(report: CheckReport): string {
  const all = [...report.pool, ...report.gateways.flatMap((g) => g.findings)];
  const width = all.reduce((w, f) => Math.max(w, f.check.length), 0);
  const out = [
    `msgw check: ${report.mailDomain}, ${plural(report.gateways.length, "gateway")}, resolver ${report.resolver}, at ${report.checkedAt}`,
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
  const listed = (severity: "problem" | "warning") => {
    for (const f of report.pool.filter((p) => p.severity === severity))
      out.push(`  - ${report.mailDomain}: ${f.check}: ${f.message}`);
    for (const g of report.gateways) {
      for (const f of g.findings.filter((x) => x.severity === severity))
        out.push(`  - ${g.hostname}: ${f.check}: ${f.message}`);
    }
  };
  if (report.ok) {
    const n = report.gateways.length;
    const passed =
      n === 1 ? "OK: the gateway passed every check" : `OK: all ${n} gateways passed every check`;
    out.push(
      report.warnings === 0
        ? `${passed}.`
        : `${passed}, with ${plural(report.warnings, "warning")}:`,
    );
  } else {
    const failing = report.gateways.filter((g) => g.findings.some((f) => !f.ok)).length;
    out.push(
      `FAILED: ${plural(report.problems, "problem")} on ${failing} of ${report.gateways.length} gateways` +
        `${report.pool.some((f) => !f.ok) ? " and the mail domain" : ""}:`,
    );
    listed("problem");
    if (report.warnings > 0) out.push(`and ${plural(report.warnings, "warning")}:`);
  }
  listed("warning");
  return `${out.join("\n")}\n`;
}
