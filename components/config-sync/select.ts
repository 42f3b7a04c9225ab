/** Pure: which top-level files of the data directory are configuration.
 * `*`/`?` matching stays hand-written: picomatch reads ( ) | ^ ! and more as syntax even with its
 * extensions off, and its `*` also matches line breaks, so it would select other files. */
import type { FileSelection } from "./inventory";

/** Suffix of the temporary files a restore writes before renaming them into place. */
export const TEMP_SUFFIX = ".msgw-tmp";

/** Matches a file name against a pattern with `*` (any run) and `?` (one character). */
export function matchesPattern(name: string, pattern: string, caseInsensitive: boolean): boolean {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, caseInsensitive ? "i" : "").test(name);
}

/**
 * Whether a top-level file of the data directory is configuration: included, not excluded, and never
 * one of the engine's own temporary files. Windows names compare case-insensitively.
 */
export function isConfigFile(
  name: string,
  sel: Pick<FileSelection, "include" | "exclude">,
  caseInsensitive: boolean,
): boolean {
  if (name.endsWith(TEMP_SUFFIX)) return false;
  return (
    sel.include.some((p) => matchesPattern(name, p, caseInsensitive)) &&
    !sel.exclude.some((p) => matchesPattern(name, p, caseInsensitive))
  );
}
