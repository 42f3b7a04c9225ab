/** Builders for the plain resources the policy rules read. */
import type { StackResource } from "../../../policy/rules/resources";
import { DNS_RECORD, SELF_SIGNED_CERT } from "../../../policy/rules/resources";

export function record(
  name: string,
  type: string,
  content: string,
  extra: Record<string, unknown> = {},
): StackResource {
  return {
    type: DNS_RECORD,
    urn: `urn:pulumi:dev::msgw::cloudflare:index/dnsRecord:DnsRecord::${type}-${name}`,
    props: { zoneId: "z1", name, type, content, ttl: 300, ...extra },
  };
}

export function cert(
  name: string,
  commonName: string,
  dnsNames: string[],
  type = SELF_SIGNED_CERT,
): StackResource {
  return {
    type,
    urn: `urn:pulumi:dev::msgw::${type}::${name}`,
    props: { subject: { commonName }, dnsNames, validityPeriodHours: 8760 },
  };
}

/** A compliant two-host pool: A records for both hosts, MX records on the mail domain, per-host certs. */
export function pool(): StackResource[] {
  return [
    record("msgw1.example.com", "A", "198.51.100.1", { proxied: false }),
    record("msgw2.example.com", "A", "198.51.100.2", { proxied: false }),
    record("msgw.example.com", "MX", "msgw1.example.com", { priority: 0 }),
    record("msgw.example.com", "MX", "msgw2.example.com", { priority: 0 }),
    cert("msgw1-cert", "msgw1.example.com", ["msgw1.example.com"]),
    cert("msgw2-cert", "msgw2.example.com", ["msgw2.example.com"]),
  ];
}
