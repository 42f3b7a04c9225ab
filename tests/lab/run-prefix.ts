/** Namespace prefixes and work folders unique to one run of a lab, so runs never share or remove each other's. */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A prefix of its own for one run of a lab: `mp-bal2` becomes `mp-bal` and five characters unique to
 * this run (`mp-balk3x9q`), so two runs on one machine never share (or clean up) each other's
 * namespaces. Leftovers of a crashed run keep their own prefix and collide with nothing.
 */
export function runPrefix(prefix: string): string {
  const m = /^(mp|dr)-([a-z0-9]{1,8})$/.exec(prefix);
  if (!m) throw new Error(`network prefix "${prefix}" must match (mp|dr)-[a-z0-9]{1,8}`);
  const token = randomBytes(3).toString("hex").slice(0, 5);
  return `${m[1]}-${(m[2] as string).slice(0, 3)}${token}`;
}

/** A work folder of its own for one run of a lab (under the system's temporary folder). */
export function runDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `msgw-e2e-${prefix}-`));
}
