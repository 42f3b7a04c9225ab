// Pure: the readiness gate's plan (which hosts, how long, which checks) and its command line.
import type { GatewayPoolArgs } from "../args";
import type { SettingsPlan } from "./settings";
import { checkPortFlags } from "./check-ports";
import { DEFAULTS } from "../defaults";
import { gatedHosts } from "./gated-hosts";
import { shQuote } from "./shell";

/** Environment variable the gate passes the trusted CA PEM in (not a secret: a certificate). */
export const GATE_CA_ENV = "MSGW_CHECK_CA_PEM";

/** What one gate command checks. */
export interface ReadinessGateCommandInput {
  /** Argument path of the host, e.g. `hosts[0]`, for the failure message. */
  argPath: string;
  /** True when the trusted PEM is the pool CA (the failure message names `--ca pool-ca.pem`). */
  poolCa?: boolean;
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
  /** DANE is on: the check must find the host's TLSA record validated and matching (`--dane require`). */
  dane?: boolean;
  /** Validating resolver for the DNSSEC lookups (`--resolver`); undefined: the system's. */
  resolver?: string;
}

/**
 * With DANE, a host is ready only when its TLSA record validates and matches what it presents. The
 * resolver is validated as `IP[:PORT]` (`readinessGate.resolver`), so it needs no shell quoting.
 */
function daneFlags(input: ReadinessGateCommandInput): string {
  if (!input.dane) return "";
  return ` --dane require${input.resolver === undefined ? "" : ` --resolver ${input.resolver}`}`;
}

/**
 * What a failed gate prints after the check's own report: the update stopped before the host's MX
 * record, why a host created in this update cannot pass, and the way through (standby, the manual
 * steps, the check, then active). Pure.
 */
export function readinessGateFailureMessage(input: ReadinessGateCommandInput): string {
  // The same probe the gate ran (ports, DANE), for the operator to repeat by hand.
  const check = `msgw check --wait ${input.waitSeconds} --gateway ${input.hostname}=${input.address}${checkPortFlags(input.ports)}${input.poolCa ? " --ca pool-ca.pem" : ""}${daneFlags(input)}`;
  return [
    `readiness gate: ${input.hostname} did not pass msgw check within ${input.waitSeconds} s, so this update stopped before creating its MX record; no MX record points at it.`,
    `A host whose machine this update creates or replaces cannot pass yet: the gateway, its configuration and its certificate are completed by hand afterwards (runbook).`,
    `Set ${input.argPath}.state to "standby" and run pulumi up; do the runbook steps for this host; when \`${check}\` passes, set ${input.argPath}.state to "active" and run pulumi up again.`,
  ].join("\n");
}

/**
 * The gate's command line (pure, so tests pin it): the check, and on failure the message of
 * {@link readinessGateFailureMessage} on stderr with the check's exit status.
 * @example readinessGateCommand({ cli: "npx --no-install msgw", hostname: "msgw1.example.com",
 *   address: "203.0.113.11", waitSeconds: 900, caEnv: "MSGW_CHECK_CA_PEM", ports: { smtp: 25, pop3: 110 },
 *   dane: false, argPath: "hosts[0]" })
 * // "npx --no-install msgw check --wait 900 --gateway msgw1.example.com=203.0.113.11 --ca-env MSGW_CHECK_CA_PEM || { s=$?; printf '%s\n' '…' >&2; exit $s; }"
 */
export function readinessGateCommand(input: ReadinessGateCommandInput): string {
  const ca = input.caEnv === undefined ? "" : ` --ca-env ${input.caEnv}`;
  const check = `${input.cli} check --wait ${input.waitSeconds} --gateway ${shQuote(`${input.hostname}=${input.address}`)}${checkPortFlags(input.ports)}${ca}${daneFlags(input)}`;
  return `${check} || { s=$?; printf '%s\\n' ${shQuote(readinessGateFailureMessage(input))} >&2; exit $s; }`;
}

/** The gate settings after defaults. */
export interface ReadinessGatePlan {
  waitSeconds: number;
  cli: string;
  /** Host names that get a gate (each has an MX record), in host order. */
  hosts: string[];
  /** `dane.enabled`: the gate also requires a validated, matching TLSA record. */
  dane: boolean;
  /** `readinessGate.resolver`. */
  resolver: string | undefined;
}

/** Default longest wait per host: 15 minutes covers a fresh Windows host's first boot. */
export const DEFAULT_GATE_WAIT_SECONDS = DEFAULTS.readinessGate.waitSeconds;

/**
 * The gate's settings with defaults applied, or undefined when no host is gated. Gated: every host
 * with an MX record when `readinessGate` is given; without it, every active AWS host anyway (the
 * pool creates its machine, so nothing else proves the machine takes mail before its MX record).
 */
export function planReadinessGate(
  args: Pick<GatewayPoolArgs, "readinessGate" | "dane">,
  plan: SettingsPlan,
): ReadinessGatePlan | undefined {
  const gate = args.readinessGate;
  const hosts = gatedHosts(plan, gate !== undefined);
  if (hosts.length === 0) return undefined;
  return {
    waitSeconds: gate?.waitSeconds ?? DEFAULT_GATE_WAIT_SECONDS,
    cli: gate?.cliCommand ?? plan.configSync?.cliCommand ?? DEFAULTS.configSync.cliCommand,
    hosts,
    dane: args.dane?.enabled === true,
    resolver: gate?.resolver,
  };
}
