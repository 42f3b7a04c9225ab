// Pure: the records the pool owns as a BIND zone-file fragment.
import type { GatewayPoolPlan } from "./pool-plan";
import { mxTable } from "./mx";
import { relativeName } from "./names";

/** One DNS record the pool owns, with plain values. */
export interface OwnedRecord {
  /** Fully qualified owner name, normalised (no trailing dot). */
  name: string;
  type: "A" | "MX";
  ttl: number;
  /** IPv4 address for A, target host name for MX. */
  content: string;
  /** MX preference. */
  priority?: number;
}

/**
 * The records the pool owns, given each host's address: an A record per host (standby and draining ones
 * included), an A
 * record for a migrating legacy gateway, and an MX record per active host on the mail domain, ordered by
 * preference then host order.
 * @param addresses host name -> IPv4 address, for every pool host and a migrating legacy gateway
 */
export function ownedRecords(
  plan: GatewayPoolPlan,
  addresses: Record<string, string>,
): OwnedRecord[] {
  const addressOf = (hostname: string): string => {
    const address = addresses[hostname];
    if (address === undefined) {
      throw new Error(
        `no address given for "${hostname}"; pass every host's address to render its A record`,
      );
    }
    return address;
  };
  const records: OwnedRecord[] = plan.hosts.map((h) => ({
    name: h.hostname,
    type: "A",
    ttl: plan.addressTtl,
    content: addressOf(h.hostname),
  }));
  if (plan.legacy?.phase === "migrating") {
    records.push({
      name: plan.legacy.hostname,
      type: "A",
      ttl: plan.addressTtl,
      content: addressOf(plan.legacy.hostname),
    });
  }
  for (const { preference, target } of mxTable(plan)) {
    records.push({
      name: plan.mailDomain,
      type: "MX",
      ttl: plan.mxTtl,
      content: target,
      priority: preference,
    });
  }
  return records;
}

/**
 * BIND zone-file fragment of every record the pool owns. It carries `$ORIGIN` but no SOA or NS records:
 * include it in the zone (`$INCLUDE`) or paste it below the zone's own SOA. A TTL of 1 ("automatic" at
 * Cloudflare) is written as 300, Cloudflare's automatic value.
 */
export function renderZoneFile(plan: GatewayPoolPlan, addresses: Record<string, string>): string {
  const lines = [
    `; Records owned by the MailStore Gateway pool for ${plan.mailDomain} (generated; do not edit by hand)`,
    `$ORIGIN ${plan.zoneName}.`,
  ];
  const rows = ownedRecords(plan, addresses).map((r) => {
    const owner = relativeName(r.name, plan.zoneName);
    const ttl = String(r.ttl === 1 ? 300 : r.ttl);
    const data = r.type === "A" ? r.content : `${r.priority} ${r.content}.`;
    return [owner, ttl, "IN", r.type, data];
  });
  const width = rows.reduce((w, r) => Math.max(w, r[0].length), 1);
  for (const [owner, ttl, cls, type, data] of rows) {
    lines.push(`${owner.padEnd(width)} ${ttl.padStart(5)} ${cls} ${type.padEnd(2)} ${data}`);
  }
  return `${lines.join("\n")}\n`;
}
