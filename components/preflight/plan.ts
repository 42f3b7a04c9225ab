/**
 * Pure: what `pulumi up` of a pool needs from the machine it runs on, read off the pool's arguments
 * (the stack configuration) and the stack's last outputs: the replication private key file, TCP to
 * port 22 (or the host's SSH port) of every replication endpoint whose address is known, and TCP to
 * the SMTP and POP3 ports of every host the readiness gate will check. A gated host with no address
 * yet is a machine this update creates: its gate cannot pass, so that is a problem too.
 */
import type { GatewayPoolArgs } from "../gateway-pool/args";
import { planGatewayPool } from "../gateway-pool/plan/pool-plan";
import { gatedHosts } from "../gateway-pool/plan/gated-hosts";

/** One TCP connection the update will need. */
export interface PreflightProbe {
  /** `replication` (SSH) or `readiness gate` (SMTP, POP3). */
  purpose: "replication" | "readiness gate";
  hostname: string;
  address: string;
  port: number;
  /** Where the address and port come from, e.g. `legacy.address`, `outputs gateways[0].address`. */
  source: string;
}

/** What {@link planPreflight} found. */
export interface PreflightPlan {
  /** The replication private key file as configured (`~` not expanded); undefined without configSync. */
  keyFile: string | undefined;
  probes: PreflightProbe[];
  /** Problems known without any probe (e.g. an active host this update creates). */
  problems: string[];
  /** Hosts whose address is not known yet and that need none in this update (standby, new). */
  notYetKnown: string[];
}

/** `gateways` of the stack outputs, as far as the preflight reads them. */
interface GatewayOutputLike {
  hostname?: unknown;
  address?: unknown;
}

function outputAddresses(outputs: unknown): Map<string, { address: string; index: number }> {
  const found = new Map<string, { address: string; index: number }>();
  const gws = (outputs as { gateways?: unknown } | undefined)?.gateways;
  if (!Array.isArray(gws)) return found;
  gws.forEach((g: GatewayOutputLike, index) => {
    if (typeof g?.hostname === "string" && typeof g.address === "string" && g.address !== "") {
      found.set(g.hostname, { address: g.address, index });
    }
  });
  return found;
}

/**
 * @param pool the `msgw:pool` configuration (plain values)
 * @param outputs the stack's outputs from its last update (`{}` or undefined for a new stack)
 * @throws GatewayPoolArgsError when the configuration is invalid (the message names every problem)
 */
export function planPreflight(pool: GatewayPoolArgs, outputs: unknown): PreflightPlan {
  const plan = planGatewayPool(pool);
  const known = outputAddresses(outputs);
  const probes: PreflightProbe[] = [];
  const problems: string[] = [];
  const notYetKnown = new Set<string>();
  const addressOf = (i: number): { address: string; source: string } | undefined => {
    const h = plan.hosts[i];
    if (typeof h.address === "string")
      return { address: h.address, source: `hosts[${i}].existing.address` };
    const out = known.get(h.hostname);
    return out && { address: out.address, source: `outputs gateways[${out.index}].address` };
  };

  if (plan.configSync) {
    const sync = plan.configSync;
    const endpoints = new Set([sync.source, ...sync.targets]);
    if (plan.legacy?.phase === "migrating" && endpoints.has(plan.legacy.hostname)) {
      if (typeof plan.legacy.address === "string") {
        probes.push({
          purpose: "replication",
          hostname: plan.legacy.hostname,
          address: plan.legacy.address,
          port: plan.legacy.sshPort,
          source: "legacy.address",
        });
      }
    }
    plan.hosts.forEach((h, i) => {
      if (!endpoints.has(h.hostname)) return;
      const at = addressOf(i);
      if (at === undefined) notYetKnown.add(h.hostname);
      else probes.push({ purpose: "replication", hostname: h.hostname, port: h.sshPort, ...at });
    });
  }

  const gated = new Set(gatedHosts(plan, pool.readinessGate !== undefined));
  const { smtp, pop3 } = plan.gateway.ports;
  plan.hosts.forEach((h, i) => {
    if (!gated.has(h.hostname)) return;
    const at = addressOf(i);
    if (at === undefined) {
      problems.push(
        `hosts[${i}] ${h.hostname} is active but its machine does not exist yet (no address in the stack outputs): this update would create it and its readiness gate cannot pass (the certificate is imported by hand afterwards). Add it with state "standby", complete it, check it with msgw check --wait, then set it active`,
      );
      return;
    }
    for (const port of [smtp, pop3]) {
      probes.push({ purpose: "readiness gate", hostname: h.hostname, port, ...at });
    }
  });

  return {
    keyFile: plan.configSync?.sshPrivateKeyPath,
    probes,
    problems,
    notYetKnown: [...notYetKnown].filter((h) => !problems.some((p) => p.includes(` ${h} `))),
  };
}
