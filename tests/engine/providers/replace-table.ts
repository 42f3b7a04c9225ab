/**
 * The replace table of every stand-in type as Markdown: which input changes replace the resource, and the
 * source of each rule. README.md carries it; replace-table.test.ts keeps the two identical.
 */
import { awsPackage } from "./aws";
import { cloudflarePackage } from "./cloudflare";
import { commandPackage } from "./command";
import type { StandInPackage } from "./framework";
import { tlsPackage } from "./tls";

/** Every stand-in package. */
export const ALL_PACKAGES: StandInPackage[] = [
  awsPackage,
  cloudflarePackage,
  tlsPackage,
  commandPackage,
];

/** One row per (type, property), grouped by type; functions listed after. */
export function renderReplaceTable(): string {
  const lines = ["| Type | Replaces on | Source |", "| --- | --- | --- |"];
  for (const pkg of ALL_PACKAGES) {
    for (const type of pkg.resources) {
      const entries = Object.entries(type.replaceOn).sort(([a], [b]) => a.localeCompare(b));
      if (entries.length === 0) lines.push(`| \`${type.token}\` | (nothing) | |`);
      for (const [prop, source] of entries)
        lines.push(`| \`${type.token}\` | \`${prop}\` | ${source} |`);
    }
  }
  lines.push(
    "",
    "Functions: " +
      ALL_PACKAGES.flatMap((p) => p.functions.map((f) => `\`${f.token}\``)).join(", ") +
      ".",
  );
  return lines.join("\n");
}
