/**
 * The plain shapes the policy rules read, and the resource type tokens they match. The rules take
 * plain objects (what Pulumi hands a policy pack as `props`), so they are tested without the engine.
 */

/** Type token of `cloudflare.DnsRecord` (@pulumi/cloudflare 6). */
export const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";
/** Type token of `tls.SelfSignedCert` (@pulumi/tls 5). */
export const SELF_SIGNED_CERT = "tls:index/selfSignedCert:SelfSignedCert";
/** Type token of `tls.CertRequest` (@pulumi/tls 5). */
export const CERT_REQUEST = "tls:index/certRequest:CertRequest";
/** Type token of `aws.vpc.SecurityGroupIngressRule` (@pulumi/aws 7). */
export const SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
/** Type token of `aws.ec2.SecurityGroup` (@pulumi/aws 7), whose inline `ingress` is checked. */
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

/** A resource as a stack policy sees it: type token, URN and properties. */
export interface StackResource {
  type: string;
  urn: string;
  props: Record<string, unknown>;
  /** URNs of the resources each input came from (`securityGroupId` -> the group), when known. */
  propertyDependencies?: Record<string, string[]>;
}

/** One policy violation: the message, and the offending resource's URN when there is one. */
export interface Violation {
  message: string;
  urn?: string;
}

/** A DNS record's fields the rules use; `undefined` where the value is absent or not yet known. */
export interface DnsRecordView {
  urn: string;
  type?: string;
  name?: string;
  content?: string;
  proxied?: boolean;
}

/** DNS names compare case-insensitively and without a trailing dot. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The Cloudflare DNS records of a stack, with names normalised. */
export function dnsRecords(resources: readonly StackResource[]): DnsRecordView[] {
  return resources
    .filter((r) => r.type === DNS_RECORD)
    .map((r) => {
      const name = str(r.props.name);
      const content = str(r.props.content);
      return {
        urn: r.urn,
        type: str(r.props.type)?.toUpperCase(),
        name: name === undefined ? undefined : normalizeName(name),
        content: content === undefined ? undefined : normalizeName(content),
        proxied: typeof r.props.proxied === "boolean" ? r.props.proxied : undefined,
      };
    });
}

/** Owner names of the stack's MX records (the mail domains), normalised. */
export function mxOwnerNames(resources: readonly StackResource[]): Set<string> {
  const owners = dnsRecords(resources)
    .filter((r) => r.type === "MX" && r.name !== undefined)
    .map((r) => r.name as string);
  return new Set(owners);
}
