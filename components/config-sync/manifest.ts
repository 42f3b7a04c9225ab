/** Pure: manifests of snapshots and backups: file names, sizes and SHA-256 checksums, never content. */
import { createHash } from "node:crypto";
import type { FileContent, Manifest, ManifestFile } from "./types";
import { REVISION_RE } from "../schema/revision";

/** Lower-case hex SHA-256. */
export const sha256 = (data: Buffer | string): string =>
  createHash("sha256").update(data).digest("hex");

/**
 * Revisions are path-safe labels: they name folders and object keys in the store. The same rule checks
 * the pool's `configSync.revision`, so a revision the pool accepts is one the store takes.
 */
export { REVISION_RE };

/** Throws unless `revision` is a usable revision label. */
export function checkRevision(revision: string): void {
  if (!REVISION_RE.test(revision)) {
    throw new Error(
      `revision ${JSON.stringify(revision)} is not usable; use letters, digits, ".", "_" and "-" (at most 128, starting with a letter or digit), e.g. "2026-11-28.1"`,
    );
  }
}

/** Throws unless `name` is a plain top-level file name (no folders, no traversal). */
export function checkFileName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    throw new Error(`configuration file name ${JSON.stringify(name)} is not a plain file name`);
  }
}

/** Describes files by name, size and checksum, sorted by name. */
export function describeFiles(files: FileContent[]): ManifestFile[] {
  return files
    .map((f) => ({ name: f.name, size: f.data.length, sha256: sha256(f.data) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Builds the deterministic manifest of a snapshot. */
export function buildManifest(revision: string, source: string, files: FileContent[]): Manifest {
  const described = describeFiles(files);
  for (const f of described) checkFileName(f.name);
  return {
    format: "msgw-config-manifest/1",
    revision,
    source,
    files: described,
    digest: digestOf(described),
  };
}

/** One checksum over a sorted file list. */
export function digestOf(files: ManifestFile[]): string {
  return sha256(files.map((f) => `${f.name} ${f.size} ${f.sha256}\n`).join(""));
}

/** Parses and checks a stored manifest. */
export function parseManifest(text: string, where: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new Error(`${where}: manifest is not JSON (${(e as Error).message})`);
  }
  if (
    m.format !== "msgw-config-manifest/1" ||
    !Array.isArray(m.files) ||
    m.digest !== digestOf(m.files)
  ) {
    throw new Error(
      `${where}: not a valid msgw-config-manifest/1 (format, file list or digest is wrong)`,
    );
  }
  return m;
}

/** Differences between what a host has and a manifest. Names compare case-insensitively on Windows. */
export function compareToManifest(
  manifest: Manifest,
  actual: ManifestFile[],
  caseInsensitive: boolean,
): { name: string; problem: "missing" | "changed" | "extra" }[] {
  const key = (n: string) => (caseInsensitive ? n.toLowerCase() : n);
  const have = new Map(actual.map((f) => [key(f.name), f]));
  const want = new Map(manifest.files.map((f) => [key(f.name), f]));
  const out: { name: string; problem: "missing" | "changed" | "extra" }[] = [];
  for (const [k, f] of want) {
    const a = have.get(k);
    if (!a) out.push({ name: f.name, problem: "missing" });
    else if (a.sha256 !== f.sha256 || a.size !== f.size || a.name !== f.name)
      out.push({ name: f.name, problem: "changed" });
  }
  for (const [k, a] of have) if (!want.has(k)) out.push({ name: a.name, problem: "extra" });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
