import { dnsRecords, type StackResource, type Violation } from "./resources";

/**
 * Every MX target has an A record in the same stack, so a pool never advertises a gateway whose
 * address is managed elsewhere (or nowhere).
 *
 * @returns one violation per MX record whose target has no A record among the stack's DNS records
 */
export function checkMxTargetsHaveARecords(resources: readonly StackResource[]): Violation[] {
  const records = dnsRecords(resources);
  const aNames = new Set(
    records.filter((r) => r.type === "A" && r.name !== undefined).map((r) => r.name as string),
  );
  return records
    .filter((r) => r.type === "MX" && r.content !== undefined && !aNames.has(r.content))
    .map((r) => ({
      urn: r.urn,
      message:
        `MX record of ${r.name ?? "(unknown name)"} points at ${r.content}, which has no A record ` +
        `in this stack; add an A record for ${r.content} (the gateway host's own name)`,
    }));
}
