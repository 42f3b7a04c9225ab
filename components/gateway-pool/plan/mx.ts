// Pure: MX preferences per strategy and the MX table of the pool.
import type { HostState, MxStrategy } from "../args";
import type { SettingsPlan } from "./settings";

/** The inputs of MX planning for one host, in pool order. */
export interface MxHostInput {
  state: HostState;
  mxPriority?: number;
}

/**
 * MX preference per host, in pool order; `undefined` for a standby or draining host (it gets no MX record).
 * An explicit `mxPriority` always wins (0 included). `balanced` gives every other active host `priority`;
 * `tiered` gives the host at list position i `priority + i * step`. Positions count every host, draining
 * ones included, so draining a host or activating a standby one never renumbers the others' records.
 */
export function planMxPreferences(
  hosts: MxHostInput[],
  mx: { strategy: MxStrategy; priority: number; step: number },
): Array<number | undefined> {
  return hosts.map((host, i) => {
    if (host.state !== "active") return undefined;
    if (host.mxPriority !== undefined) return host.mxPriority;
    return mx.strategy === "tiered" ? mx.priority + i * mx.step : mx.priority;
  });
}

/** The mail domain's MX records: one per active host, by preference, ties in host order (stable sort). */
export function mxTable(plan: SettingsPlan): Array<{ preference: number; target: string }> {
  return plan.hosts
    .flatMap((h) =>
      h.mxPreference === undefined ? [] : [{ preference: h.mxPreference, target: h.hostname }],
    )
    .sort((x, y) => x.preference - y.preference);
}
