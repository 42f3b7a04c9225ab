/**
 * Pure: the safe order read off a plan's dependency graph. An MX record for a host whose machine the
 * plan creates (an EC2 instance tagged with the host's name) must depend, directly or through other
 * resources, on a check of that host: a `local.Command` running `msgw check … --gateway <host>=…`.
 * Otherwise the update may publish the MX record while the machine is still booting.
 */
import type { PlannedResource } from "./offline-plan";

const MX_TYPE = "cloudflare:index/dnsRecord:DnsRecord";
const INSTANCE_TYPE = "aws:ec2/instance:Instance";
const COMMAND_TYPE = "command:local:Command";

/** One MX record published without a check of the machine behind it. */
export interface UncheckedMxRecord {
  /** Resource name of the MX record, e.g. `msgw-mx-msgw3`. */
  record: string;
  /** The host it points at. */
  target: string;
  /** Resource name of the host's EC2 instance. */
  instance: string;
}

/** Does this resource run `msgw check` against `hostname`? */
function checksHost(r: PlannedResource, hostname: string): boolean {
  if (r.type !== COMMAND_TYPE) return false;
  const create = String(r.inputs.create ?? "");
  return / check /.test(create) && create.includes(`--gateway ${hostname}=`);
}

/**
 * Every MX record of the plan whose target host gets a new machine in the plan and whose dependencies
 * (transitively) hold no check of that host. Empty when the plan keeps the safe order.
 */
export function uncheckedMxRecords(resources: PlannedResource[]): UncheckedMxRecord[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const instanceOf = new Map<string, string>();
  for (const r of resources) {
    const name = (r.inputs.tags as Record<string, unknown> | undefined)?.Name;
    if (r.type === INSTANCE_TYPE && typeof name === "string") instanceOf.set(name, r.name);
  }
  const out: UncheckedMxRecord[] = [];
  for (const mx of resources) {
    if (mx.type !== MX_TYPE || mx.inputs.type !== "MX") continue;
    const target = String(mx.inputs.content ?? "");
    const instance = instanceOf.get(target);
    if (instance === undefined) continue;
    const seen = new Set<string>();
    const queue = [...mx.dependencies];
    let checked = false;
    while (queue.length > 0 && !checked) {
      const urn = queue.pop() as string;
      if (seen.has(urn)) continue;
      seen.add(urn);
      const dep = byUrn.get(urn);
      if (dep === undefined) continue;
      if (checksHost(dep, target)) checked = true;
      else queue.push(...dep.dependencies);
    }
    if (!checked) out.push({ record: mx.name, target, instance });
  }
  return out;
}
