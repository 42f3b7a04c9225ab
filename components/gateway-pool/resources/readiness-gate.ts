// I/O (Pulumi resources): one readiness gate command per gated host.
/**
 * The readiness gate: per gated host with an MX record, a `local.Command` that runs
 * `msgw check --wait` from the machine running `pulumi up` and fails the update unless the host
 * answers SMTP with STARTTLS and POP3 with STLS, each presenting a certificate for its own name
 * that verifies and is in date. The host's MX record depends on its gate, so a host that never
 * becomes ready gets no MX record (and, with configSync, the gate runs after the host's
 * configuration restore). Every active host whose machine the pool creates (AWS) is gated, whatever
 * `readinessGate` says: its MX record never precedes a check of the machine behind it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import { GATE_CA_ENV, readinessGateCommand } from "../plan/readiness-gate";
import type { WiredHost } from "./wired-host";
import type { PoolCertificates } from "./certificates";
import { commandDirectory } from "./command-directory";

/**
 * One gate per gated host ({@link ReadinessGatePlan.hosts}), keyed by host name. Each waits for its host, its
 * certificate and (with configSync) its configuration restore; each re-runs when the host
 * machine or its certificate changes.
 * @param restores restore command per host name (configSync targets only)
 */
export function createReadinessGates(
  name: string,
  plan: GatewayPoolPlan,
  hosts: WiredHost[],
  certificates: PoolCertificates,
  restores: Map<string, pulumi.Resource>,
  parent: pulumi.Resource,
): Map<string, command.local.Command> {
  const gates = new Map<string, command.local.Command>();
  const gate = plan.readinessGate;
  if (gate === undefined) return gates;
  const mode = plan.certificates.mode;
  for (const [index, { plan: host, machine: res }] of hosts.entries()) {
    if (host.mxPreference === undefined || !gate.hosts.includes(host.hostname)) continue;
    const cert = certificates.hosts.get(host.hostname);
    // The PEM to trust: the pool CA, or the host's own self-signed certificate; the gateway's
    // own Let's Encrypt certificate verifies against the public roots.
    const trust =
      mode === "pool-ca"
        ? certificates.caCertificatePem
        : mode === "self-signed"
          ? cert?.certificatePem
          : undefined;
    const restore = restores.get(host.hostname);
    gates.set(
      host.hostname,
      new command.local.Command(
        `${name}-${host.key}-ready`,
        {
          create: res.address.apply((address) =>
            readinessGateCommand({
              cli: gate.cli,
              hostname: host.hostname,
              address,
              waitSeconds: gate.waitSeconds,
              caEnv: trust === undefined ? undefined : GATE_CA_ENV,
              ports: plan.gateway.ports,
              dane: gate.dane,
              resolver: gate.resolver,
              argPath: `hosts[${index}]`,
              poolCa: mode === "pool-ca",
            }),
          ),
          // The project root, like the replication commands: `cli` is resolved from there.
          dir: commandDirectory(),
          environment: trust === undefined ? undefined : { [GATE_CA_ENV]: trust },
          // A new machine (instance id) or certificate runs the check again before the MX record stays.
          triggers: [res.identity, cert?.certificatePem ?? host.hostname],
        },
        {
          parent,
          // The certificate is a dependency through `environment` and `triggers`.
          dependsOn: [...res.ready, ...(restore === undefined ? [] : [restore])],
        },
      ),
    );
  }
  return gates;
}
