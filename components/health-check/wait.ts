/**
 * I/O: wait mode (`msgw check --wait SECONDS --gateway HOST=ADDRESS`): checks one gateway again and
 * again until it is ready or the time is up. Ready means what a sender and MailStore Server need
 * before an MX record may point at the host: SMTP with STARTTLS and POP3 with STLS, each
 * presenting a certificate for the host's own name that verifies and is in date. DNS is not
 * checked (the MX record comes after this), except with `--dane require`: then the host's TLSA
 * records must validate and match the certificate it presents (they precede its MX record).
 */
import { runCheck, type CheckSettings } from "./run-check";
import type { CheckReport, CheckTargets } from "./types";

/** Pause between attempts. */
export const WAIT_INTERVAL_MS = 5_000;

/** The result of waiting: the last report and how many attempts it took. */
export interface WaitResult {
  report: CheckReport;
  attempts: number;
  ready: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks `targets` (one gateway) until it passes or `waitSeconds` have passed. Each attempt is
 * bounded by the settings' deadline and never runs past the end of the wait.
 * @param log receives one line per failed attempt (the first problem)
 */
export async function waitUntilReady(
  targets: CheckTargets,
  settings: CheckSettings,
  waitSeconds: number,
  log: (line: string) => void = () => undefined,
  intervalMs = WAIT_INTERVAL_MS,
): Promise<WaitResult> {
  const end = Date.now() + waitSeconds * 1000;
  const base: CheckSettings = { ...settings, scope: "readiness" };
  for (let attempt = 1; ; attempt += 1) {
    const left = end - Date.now();
    const deadlineMs = Math.max(1_000, Math.min(base.deadlineMs ?? base.timeoutMs * 6, left));
    const report = await runCheck(targets, { ...base, deadlineMs });
    if (report.ok) return { report, attempts: attempt, ready: true };
    const first = report.gateways.flatMap((g) => g.findings).find((f) => f.severity === "problem");
    const remaining = Math.round((end - Date.now()) / 1000);
    log(
      `msgw check: attempt ${attempt}: not ready (${first === undefined ? "unknown" : `${first.check}: ${first.message}`}); ${Math.max(remaining, 0)} s left`,
    );
    if (Date.now() + intervalMs >= end) return { report, attempts: attempt, ready: false };
    await sleep(intervalMs);
  }
}
