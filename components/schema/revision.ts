// Pure: replication revision labels (path-safe).
import * as z from "zod";
import { show } from "./format";

/**
 * Revisions are path-safe labels: they name folders of the local store and object keys in S3, and they
 * are passed on a command line, so they start with a letter or digit (never `-rf`, `.` or `..`).
 */
export const REVISION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True for a usable revision label. */
export function isRevision(value: string): boolean {
  return REVISION_RE.test(value);
}

const message = (input: unknown) =>
  `${show(input)} is not a usable revision; use a whole number (0 or more) or up to 128 letters, digits, ".", "_" and "-" starting with a letter or digit, e.g. "2026-11-28.1"`;

/**
 * A configuration revision: a label as above, or a non-negative safe integer (written in decimal, so
 * `1e21`, whose text is `1e+21`, is refused).
 * @internal A zod schema: left out of the published declarations.
 */
export function revision() {
  return z
    .union([z.string(), z.number()], { error: (iss) => message(iss.input) })
    .refine(
      (v) =>
        typeof v === "string"
          ? isRevision(v)
          : Number.isSafeInteger(v) && v >= 0 && isRevision(String(v)),
      { error: (iss) => message(iss.input) },
    );
}
