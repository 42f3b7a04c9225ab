import { SECURITY_GROUP, SG_INGRESS_RULE } from "./resources";

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
    for (const cidr of rule.cidrs.filter((c) => WORLD_CIDRS.includes(c.trim()))) {
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
