import { dnsRecords, type StackResource, type Violation } from "./resources";

/**
 * Mail A/AAAA records are never proxied: a record that an MX record points at must resolve to the
 * gateway itself, because Cloudflare's proxy carries HTTP only and SMTP would never arrive.
 *
 * @returns one violation per proxied A/AAAA record that is the target of an MX record in the stack
 */
export function checkMailAddressRecordsNotProxied(
  resources: readonly StackResource[],
): Violation[] {
  const records = dnsRecords(resources);
  const mxByTarget = new Map<string, string>();
  for (const mx of records) {
    if (mx.type === "MX" && mx.content !== undefined && mx.name !== undefined) {
      mxByTarget.set(mx.content, mx.name);
    }
  }
  return records
    .filter(
      (r) => (r.type === "A" || r.type === "AAAA") && r.proxied === true && r.name !== undefined,
    )
    .filter((r) => mxByTarget.has(r.name as string))
    .map((r) => ({
      urn: r.urn,
      message:
        `${r.type} record ${r.name} is proxied but is the target of the MX record of ` +
        `${mxByTarget.get(r.name as string)}; mail hosts must be reached directly: set proxied: false`,
    }));
}
