// Pure: the `msgw check` options that make it probe the ports the pool configured.
import { CHECK_DEFAULTS } from "../../health-check/options";

/**
 * ` --smtp-port N --pop3-port M` for a gateway serving other ports than `msgw check` probes by default
 * (25 and 110); empty when it serves those. The readiness gate and the runbook build their commands
 * with it from `gateway.ports`, the values the `gateways[].ports` output carries.
 */
export function checkPortFlags(ports: { smtp: number; pop3: number }): string {
  return ports.smtp === CHECK_DEFAULTS.smtpPort && ports.pop3 === CHECK_DEFAULTS.pop3Port
    ? ""
    : ` --smtp-port ${ports.smtp} --pop3-port ${ports.pop3}`;
}
