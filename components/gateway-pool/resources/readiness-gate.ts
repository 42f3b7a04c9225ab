/**
 * The readiness gate: per host with an MX record, a `local.Command` that runs
 * `msgw check --wait` from the machine running `pulumi up` and fails the update unless the host
 * answers SMTP with STARTTLS and POP3 with STLS, each presenting a certificate for its own name
 * that verifies and is in date. The host's MX record depends on its gate, so a host that never
 * becomes ready gets no MX record (and, with configSync, the gate runs after the host's
 * configuration restore).
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { GatewayPoolArgs } from "../args";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import type { GatewayHostResources } from "./aws-host";
import type { PoolCertificates } from "./certificates";
import { commandDirectory, shQuote } from "./replication";
import { checkPortFlags } from "../plan/check-ports";
import { DEFAULTS } from "../defaults";

/** Environment variable the gate passes the trusted CA PEM in (not a secret: a certificate). */
export const GATE_CA_ENV = "MSGW_CHECK_CA_PEM";

/** What one gate command checks. */
export interface ReadinessGateCommandInput {
  /** Command that runs the msgw CLI, e.g. `npx --no-install msgw`. */
  cli: string;
  hostname: string;
  address: string;
  /** Bound on the whole wait, in seconds. */
  waitSeconds: number;
  /** Environment variable holding the PEM to trust; undefined: the public roots (Let's Encrypt). */
  caEnv: string | undefined;
  /** The ports the gateway serves (`gateway.ports`, the same values as the `gateways[].ports` output). */
  ports: { smtp: number; pop3: number };
}

/**
 * The gate's command line (pure, so tests pin it).
 * @example readinessGateCommand({ cli: "npx --no-install msgw", hostname: "msgw1.example.com",
 *   address: "203.0.113.11", waitSeconds: 900, caEnv: "MSGW_CHECK_CA_PEM", ports: { smtp: 25, pop3: 110 } })
 * // "npx --no-install msgw check --wait 900 --gateway msgw1.example.com=203.0.113.11 --ca-env MSGW_CHECK_CA_PEM"
 */
export function readinessGateCommand(input: ReadinessGateCommandInput): string {
  const ca = input.caEnv === undefined ? "" : ` --ca-env ${input.caEnv}`;
  return `${input.cli} check --wait ${input.waitSeconds} --gateway ${shQuote(`${input.hostname}=${input.address}`)}${checkPortFlags(input.ports)}${ca}`;
}

/** The gate settings after defaults. */
export interface ReadinessGatePlan {
  waitSeconds: number;
  cli: string;
}

/** Default longest wait per host: 15 minutes covers a fresh Windows host's first boot. */
export const DEFAULT_GATE_WAIT_SECONDS = DEFAULTS.readinessGate.waitSeconds;

/** The gate's settings with defaults applied, or undefined when the pool has no gate. */
export function planReadinessGate(
  args: GatewayPoolArgs,
  plan: GatewayPoolPlan,
): ReadinessGatePlan | undefined {
  const gate = args.readinessGate;
  if (gate === undefined) return undefined;
  return {
    waitSeconds: gate.waitSeconds ?? DEFAULT_GATE_WAIT_SECONDS,
    cli: gate.cliCommand ?? plan.configSync?.cliCommand ?? DEFAULTS.configSync.cliCommand,
  };
}

/**
 * One gate per host that gets an MX record, keyed by host name. Each waits for its host, its
 * certificate and (with configSync) its configuration restore; each re-runs when the host
 * machine or its certificate changes.
 * @param restores restore command per host name (configSync targets only)
 */
export function createReadinessGates(
  name: string,
  plan: GatewayPoolPlan,
  gate: ReadinessGatePlan,
  hosts: Map<string, GatewayHostResources>,
  certificates: PoolCertificates,
  restores: Map<string, pulumi.Resource>,
  parent: pulumi.Resource,
): Map<string, command.local.Command> {
  const gates = new Map<string, command.local.Command>();
  const mode = plan.certificates.mode;
  for (const host of plan.hosts) {
    if (host.mxPreference === undefined) continue;
    const res = hosts.get(host.hostname) as GatewayHostResources;
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
            }),
          ),
          // The project root, like the replication commands: `cli` is resolved from there.
          dir: commandDirectory(),
          environment: trust === undefined ? undefined : { [GATE_CA_ENV]: trust },
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
