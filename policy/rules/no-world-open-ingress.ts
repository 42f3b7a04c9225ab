import { coversWholeFamily, parseCidr, type Cidr } from "../../components/schema/cidr-math";
import { SECURITY_GROUP, SG_INGRESS_RULE, type StackResource, type Violation } from "./resources";

/** Ports that must never be reachable from the whole internet, with what listens on them. */
export const PROTECTED_PORTS: ReadonlyMap<number, string> = new Map([
  [8450, "MailStore Gateway Management Console"],
  [110, "POP3"],
  [995, "POP3 over TLS"],
  [22, "SSH"],
]);

/** Source ranges that mean "anyone". */
export const WORLD_CIDRS: readonly string[] = ["0.0.0.0/0", "::/0"];

/** One ingress permission, normalised from either resource shape. */
export interface IngressView {
  protocol?: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
}

function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The ingress permissions a resource grants: one for a rule resource, the inline list for a group. */
export function ingressOf(type: string, props: Record<string, unknown>): IngressView[] {
  if (type === SG_INGRESS_RULE) {
    return [
      {
        protocol: typeof props.ipProtocol === "string" ? props.ipProtocol : undefined,
        fromPort: num(props.fromPort),
        toPort: num(props.toPort),
        cidrs: [...strings(props.cidrIpv4), ...strings(props.cidrIpv6)],
      },
    ];
  }
  if (type === SECURITY_GROUP && Array.isArray(props.ingress)) {
    return props.ingress
      .filter((i): i is Record<string, unknown> => typeof i === "object" && i !== null)
      .map((i) => ({
        protocol: typeof i.protocol === "string" ? i.protocol : undefined,
        fromPort: num(i.fromPort),
        toPort: num(i.toPort),
        cidrs: [...strings(i.cidrBlocks), ...strings(i.ipv6CidrBlocks)],
      }));
  }
  return [];
}

/** True when the permission reaches TCP `port`: protocol all (-1), or TCP with the port in range. */
export function coversTcpPort(rule: IngressView, port: number): boolean {
  const protocol = (rule.protocol ?? "").toLowerCase();
  if (protocol === "-1" || protocol === "all") return true;
  if (protocol !== "tcp" && protocol !== "6") return false;
  if (rule.fromPort === undefined || rule.toPort === undefined) return false;
  return rule.fromPort <= port && port <= rule.toPort;
}

/**
 * No world-open ingress to the Management Console (8450), POP3 (110, 995) or SSH (22), in either
 * `aws.vpc.SecurityGroupIngressRule` or an `aws.ec2.SecurityGroup`'s inline `ingress`.
 *
 * @returns one message per (source range, port) that is open to the world
 */
export function checkNoWorldOpenAdminIngress(
  type: string,
  props: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  for (const rule of ingressOf(type, props)) {
    for (const cidr of rule.cidrs.filter((c) => worldOpenFamilies([c]).length > 0)) {
      for (const [port, what] of PROTECTED_PORTS) {
        if (!coversTcpPort(rule, port)) continue;
        const range =
          rule.protocol === "-1" || rule.protocol?.toLowerCase() === "all"
            ? "all protocols and ports"
            : `tcp ${rule.fromPort}-${rule.toPort}`;
        out.push(
          `ingress ${range} from ${cidr.trim()} reaches port ${port} (${what}); ` +
            "allow it only from admin or MailStore Server CIDRs",
        );
      }
    }
  }
  return out;
}

/** The world-open families of a set of CIDR texts, by the component's own union rule. */
function worldOpenFamilies(cidrs: readonly string[]): Array<4 | 6> {
  const parsed = cidrs.map((c) => parseCidr(c.trim())).filter((c): c is Cidr => c !== undefined);
  return ([4, 6] as const).filter((family) => coversWholeFamily(parsed, family));
}

/**
 * The union rule the component applies to its CIDR lists (`coversWholeFamily`): the
 * `SecurityGroupIngressRule`s of one security group that reach a protected port must not together
 * cover every IPv4 or IPv6 address, as two /1 blocks do. A single world-open rule is reported by
 * {@link checkNoWorldOpenAdminIngress}; this reports the sets no one rule opens by itself. Rules are
 * grouped by `securityGroupId`, or, while the group is still being created, by the group resource
 * they depend on.
 *
 * @returns one violation per (security group, port, address family) opened to the world
 */
export function checkNoWorldOpenAdminIngressUnion(
  resources: readonly StackResource[],
): Violation[] {
  const groups = new Map<string, Array<{ urn: string; rule: IngressView }>>();
  for (const r of resources) {
    if (r.type !== SG_INGRESS_RULE) continue;
    const id = r.props.securityGroupId;
    const key =
      typeof id === "string" && id !== ""
        ? id
        : (r.propertyDependencies?.securityGroupId?.[0] ?? r.urn);
    const list = groups.get(key) ?? [];
    list.push(...ingressOf(r.type, r.props).map((rule) => ({ urn: r.urn, rule })));
    groups.set(key, list);
  }
  const out: Violation[] = [];
  for (const [group, rules] of groups) {
    for (const [port, what] of PROTECTED_PORTS) {
      // In URN order, blocks sorted: the report does not depend on the order resources registered in.
      const reaching = rules
        .filter(({ rule }) => coversTcpPort(rule, port))
        .sort((a, b) => a.urn.localeCompare(b.urn));
      // A rule that is world-open by itself is already reported per resource.
      if (reaching.some(({ rule }) => worldOpenFamilies(rule.cidrs).length > 0)) continue;
      const cidrs = reaching.flatMap(({ rule }) => rule.cidrs.map((c) => c.trim()));
      for (const family of worldOpenFamilies(cidrs)) {
        const blocks = cidrs.filter((c) => parseCidr(c)?.family === family).sort();
        out.push({
          urn: reaching[0]?.urn,
          message:
            `ingress rules of security group ${group} together open port ${port} (${what}) to every IPv${family} address ` +
            `(${blocks.join(", ")}); allow it only from admin or MailStore Server CIDRs`,
        });
      }
    }
  }
  return out;
}
