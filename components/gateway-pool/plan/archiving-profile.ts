// Pure: the MailStore Server archiving-profile settings of each host.
import type { GatewayPoolPlan, HostPlan } from "./pool-plan";

/** What a MailStore Server archiving profile for one gateway host needs (one profile per host and mailbox). */
export interface ArchivingProfileSettings {
  /** Server to connect to: the host's own name, so its certificate verifies. */
  server: string;
  protocol: "POP3";
  port: number;
  /** STARTTLS on the POP3 port; credentials never travel unencrypted. */
  security: "STARTTLS";
  /** Where the user name comes from (the gateway shows mailbox credentials once, at creation). */
  userName: string;
  /** Which certificate MailStore Server must trust for this host. */
  trust: string;
  /** Never ignore certificate errors; fix trust instead. */
  ignoreCertificateErrors: false;
}

/** Archiving-profile settings for one host (pure). Field names are assumptions; see README. */
export function archivingProfile(plan: GatewayPoolPlan, host: HostPlan): ArchivingProfileSettings {
  const trust =
    plan.certificates.mode === "pool-ca"
      ? `the pool CA "${plan.certificates.ca?.commonName}" (import it once on the MailStore Server machine)`
      : plan.certificates.mode === "self-signed"
        ? `this host's self-signed certificate (compare its SHA-256 fingerprint)`
        : "a public CA (the gateway's Let's Encrypt certificate)";
  return {
    server: host.hostname,
    protocol: "POP3",
    port: plan.gateway.ports.pop3,
    security: "STARTTLS",
    userName: `mbx-<32 hex> of the journal mailbox (same on every host after replication)`,
    trust,
    ignoreCertificateErrors: false,
  };
}
