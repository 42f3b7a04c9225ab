// Pure: each AWS host's inbound rules and the ports its Windows firewall opens.
import type { SettingsPlan } from "./settings";
import { cidrKey, parseCidr } from "./names";
import { EC2_DESCRIPTION } from "./limits";

/** One inbound rule of a host's security group. */
export interface IngressRule {
  /** Stable resource-name suffix, e.g. `smtp-0-0-0-0-0`. */
  key: string;
  service: "smtp" | "pop3" | "pop3s" | "mgmt" | "ssh" | "http";
  port: number;
  cidr: string;
  family: 4 | 6;
  description: string;
}

/**
 * The pool's inbound rules and nothing more: SMTP from `smtpSourceCidrs`, POP3 (and POP3S
 * when enabled) from MailStore Server, the Management Console and SSH (only with replication) from
 * administrators, HTTP from anywhere only for the gateway's own Let's Encrypt.
 */
export function planIngressRules(plan: SettingsPlan, opts: { ssh: boolean }): IngressRule[] {
  const p = plan.gateway.ports;
  const a = plan.access;
  const groups: Array<[IngressRule["service"], number | undefined, string[], string]> = [
    ["smtp", p.smtp, a.smtpSourceCidrs, "SMTP from journal senders"],
    ["pop3", p.pop3, a.mailStoreServerCidrs, "POP3 (STARTTLS) from MailStore Server"],
    ["pop3s", p.pop3s, a.mailStoreServerCidrs, "POP3 over TLS from MailStore Server"],
    ["mgmt", p.managementConsole, a.adminCidrs, "Management Console from administrators"],
    [
      "ssh",
      opts.ssh ? 22 : undefined,
      a.adminCidrs,
      "SSH for configuration replication from administrators",
    ],
    [
      "http",
      plan.certificates.mode === "gateway-lets-encrypt" ? 80 : undefined,
      ["0.0.0.0/0"],
      "HTTP for the Lets Encrypt challenge of the gateway",
    ],
  ];
  const rules: IngressRule[] = [];
  for (const [service, port, cidrs, description] of groups) {
    if (port === undefined) continue;
    // EC2 refuses any other character in a rule description (see EC2_DESCRIPTION).
    if (!EC2_DESCRIPTION.test(description)) {
      throw new Error(`internal: rule description ${JSON.stringify(description)} is not EC2-safe`);
    }
    for (const cidr of cidrs) {
      rules.push({
        key: `${service}-${cidrKey(cidr)}`,
        service,
        port,
        cidr,
        family: parseCidr(cidr)?.family ?? 4,
        description,
      });
    }
  }
  return rules;
}

/** Ports a host's own firewall must open (the security group restricts sources). */
export function openPorts(rules: IngressRule[]): number[] {
  return [...new Set(rules.map((r) => r.port))].sort((x, y) => x - y);
}
