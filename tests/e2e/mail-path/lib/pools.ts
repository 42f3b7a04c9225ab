/** Pool arguments shared by the mail-path scenarios (all addresses in 10.232.0.0/16). */
import type { GatewayHostArgs, GatewayPoolArgs, HostState } from "../../../../components";

/**
 * Gateway host `n` (1-based): msgw<n>.example.test at 10.232.1.1<n>. The lab's DNS is private (split
 * horizon), so its private addresses are published with the opt-in.
 */
export function gatewayHost(n: number, state: HostState = "active"): GatewayHostArgs {
  return {
    hostname: `msgw${n}.example.test`,
    existing: { address: `10.232.1.${10 + n}`, allowPrivateAddress: true },
    state,
  };
}

/** A pool on example.test whose mail domain is msgw.example.test. */
export function poolArgs(
  hosts: GatewayHostArgs[],
  strategy: "balanced" | "tiered",
  extra: Partial<GatewayPoolArgs> = {},
): GatewayPoolArgs {
  return {
    zone: { name: "example.test" },
    mailDomain: "msgw.example.test",
    hosts,
    mx: { strategy, step: 10 },
    certificates: { mode: "pool-ca" },
    access: { mailStoreServerCidrs: ["10.232.9.0/24"], adminCidrs: ["10.232.9.0/24"] },
    ...extra,
  };
}
