/** Pure: what a restore writes, removes and keeps to make a host's configuration equal a snapshot. */
import { compareToManifest } from "./manifest";
import type { Manifest, ManifestFile } from "./types";

/** What a restore must do to make a host's configuration equal a snapshot. */
export interface RestorePlan {
  /** Files to write (missing or different), in name order. */
  write: string[];
  /** Configuration files the snapshot does not have, to remove. */
  remove: string[];
  /** Files that already match. */
  unchanged: string[];
}

/** Plans a restore (pure). An empty `write` and `remove` means the host already matches. */
export function planRestore(
  manifest: Manifest,
  current: ManifestFile[],
  caseInsensitive: boolean,
): RestorePlan {
  const diff = compareToManifest(manifest, current, caseInsensitive);
  const differing = new Set(diff.filter((d) => d.problem !== "extra").map((d) => d.name));
  return {
    write: manifest.files.map((f) => f.name).filter((n) => differing.has(n)),
    remove: diff.filter((d) => d.problem === "extra").map((d) => d.name),
    unchanged: manifest.files.map((f) => f.name).filter((n) => !differing.has(n)),
  };
}

/** True when the plan changes nothing. */
export const isNoop = (p: RestorePlan): boolean => p.write.length === 0 && p.remove.length === 0;
