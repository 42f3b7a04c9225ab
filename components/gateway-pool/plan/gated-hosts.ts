/** Pure: which hosts get a readiness gate (one rule for the component and `msgw preflight`). */
import type { SettingsPlan } from "./settings";

/**
 * Host names whose MX record waits for a readiness gate, in host order: every host with an MX record
 * when `readinessGate` is given; without it, every active AWS host anyway (the pool creates its
 * machine, so nothing else proves the machine takes mail before its MX record).
 */
export function gatedHosts(plan: SettingsPlan, gateGiven: boolean): string[] {
  return plan.hosts
    .filter((h) => h.mxPreference !== undefined && (gateGiven || h.placement === "aws"))
    .map((h) => h.hostname);
}
