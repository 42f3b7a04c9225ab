// Pure: host name rules and normalisation (RFC 1035 and 1123).
import * as z from "zod";
import { show } from "./format";

/** Lower-cases a DNS name and drops one trailing dot: `MSGW1.Example.com.` -> `msgw1.example.com`. */
export function normalizeDnsName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

// RFC 1035 2.3.4 / RFC 1123 2.1: labels of 1-63 letters, digits and hyphens, not starting or ending with
// a hyphen; a name of at most 253 characters (255 octets on the wire).
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** True for a syntactically valid host name of two or more labels (letters, digits, hyphens). */
export function isValidHostName(name: string): boolean {
  const n = normalizeDnsName(name);
  if (n.length === 0 || n.length > 253) return false;
  const labels = n.split(".");
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/** True when `name` is `zone` itself or lies below it (both normalised). */
export function isInZone(name: string, zone: string): boolean {
  const n = normalizeDnsName(name);
  const z = normalizeDnsName(zone);
  return n === z || n.endsWith(`.${z}`);
}

/**
 * A fully qualified host name (two or more labels; one trailing dot and any case accepted, compared
 * normalised). `fix` says what to give instead, after `VALUE is not a valid DNS name; `.
 * @internal A zod schema: left out of the published declarations.
 */
export function hostName(fix: string, what = "a valid DNS name") {
  const message = (input: unknown) => `${show(input)} is not ${what}; ${fix}`;
  return z
    .string({ error: (iss) => message(iss.input) })
    .max(254, { error: (iss) => message(iss.input) })
    .refine(isValidHostName, { error: (iss) => message(iss.input) });
}
