/** I/O: the backup store's contract, and the local-folder store. */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { checkFileName, checkRevision, parseManifest, sha256 } from "./manifest";
import type { FileContent, Manifest } from "./types";

/** A stored snapshot: its manifest and the files' content (checked against the manifest on load). */
export interface StoredSnapshot {
  manifest: Manifest;
  files: FileContent[];
}

/** Where snapshots and pre-restore backups live. */
export interface BackupStore {
  /** Human-readable location, for messages. */
  describe(): string;
  /** The snapshot stored under `revision`, or undefined. Throws when stored content fails its manifest. */
  getSnapshot(revision: string): Promise<StoredSnapshot | undefined>;
  /** Stores a snapshot. Snapshots are immutable: storing different content under a used revision throws. */
  putSnapshot(snapshot: StoredSnapshot): Promise<"stored" | "already-stored">;
  /** Stores a backup of a host's configuration; returns where it went. */
  putBackup(host: string, id: string, manifest: Manifest, files: FileContent[]): Promise<string>;
  /** Whether this machine generation of `host` has answered SSH before (then it is not booting). */
  seen?(host: string, generation: string): Promise<boolean>;
  /** Records that this machine generation of `host` answered SSH. */
  markSeen?(host: string, generation: string): Promise<void>;
}

/** Loads a stored snapshot or explains how to make one. */
export async function loadSnapshot(store: BackupStore, revision: string): Promise<StoredSnapshot> {
  checkRevision(revision);
  const s = await store.getSnapshot(revision);
  if (!s)
    throw new Error(
      `no snapshot stored under revision ${revision} in ${store.describe()}; take one first: msgw config snapshot --source HOST --revision ${revision}`,
    );
  return s;
}

/** Checks loaded content against its manifest (a store must never hand out a corrupted snapshot). */
export function checkAgainstManifest(
  manifest: Manifest,
  files: FileContent[],
  where: string,
): void {
  for (const f of manifest.files) {
    const c = files.find((x) => x.name === f.name);
    if (!c || c.data.length !== f.size || sha256(c.data) !== f.sha256) {
      throw new Error(
        `${where}: stored file ${f.name} does not match its manifest (missing or corrupted); do not restore from it`,
      );
    }
  }
}

/** The error for a revision that already holds different content. */
export function revisionTaken(
  revision: string,
  where: string,
  old: Manifest,
  now: Manifest,
): Error {
  return new Error(
    `revision ${revision} already holds a different snapshot in ${where} (source ${old.source}, digest ${old.digest.slice(0, 12)}; now ${now.source}, ${now.digest.slice(0, 12)}); snapshots are immutable: use a new revision`,
  );
}

/** A folder on the machine running the engine (the default store). Everything in it is 0600/0700. */
export class LocalStore implements BackupStore {
  constructor(private readonly root: string) {}

  describe(): string {
    return this.root;
  }

  private snapDir(revision: string): string {
    checkRevision(revision);
    return path.join(this.root, "snapshots", revision);
  }

  async getSnapshot(revision: string): Promise<StoredSnapshot | undefined> {
    const dir = this.snapDir(revision);
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, "manifest.json"), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    const manifest = parseManifest(text, path.join(dir, "manifest.json"));
    const files: FileContent[] = [];
    for (const f of manifest.files) {
      checkFileName(f.name);
      files.push({
        name: f.name,
        data: await fs.readFile(path.join(dir, "files", f.name)).catch(() => Buffer.alloc(0)),
      });
    }
    checkAgainstManifest(manifest, files, dir);
    return { manifest, files };
  }

  async putSnapshot(snapshot: StoredSnapshot): Promise<"stored" | "already-stored"> {
    const dir = this.snapDir(snapshot.manifest.revision);
    const old = await this.getSnapshot(snapshot.manifest.revision);
    if (old) {
      if (old.manifest.digest === snapshot.manifest.digest) return "already-stored";
      throw revisionTaken(snapshot.manifest.revision, this.root, old.manifest, snapshot.manifest);
    }
    await this.writeSet(dir, snapshot.manifest, snapshot.files);
    return "stored";
  }

  async putBackup(
    host: string,
    id: string,
    manifest: Manifest,
    files: FileContent[],
  ): Promise<string> {
    checkFileName(host);
    checkFileName(id);
    let dir = path.join(this.root, "backups", host, id);
    for (let n = 2; await exists(dir); n++)
      dir = path.join(this.root, "backups", host, `${id}-${n}`);
    await this.writeSet(dir, manifest, files);
    return dir;
  }

  async seen(host: string, generation: string): Promise<boolean> {
    checkFileName(host);
    checkFileName(generation);
    return exists(path.join(this.root, "seen", host, generation));
  }

  async markSeen(host: string, generation: string): Promise<void> {
    checkFileName(host);
    checkFileName(generation);
    await fs.mkdir(path.join(this.root, "seen", host), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(this.root, "seen", host, generation), "", { mode: 0o600 });
  }

  /** Writes files then the manifest last, through a temporary folder renamed into place. */
  private async writeSet(dir: string, manifest: Manifest, files: FileContent[]): Promise<void> {
    const tmp = `${dir}.tmp-${process.pid}`;
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.mkdir(path.join(tmp, "files"), { recursive: true, mode: 0o700 });
    await fs.chmod(this.root, 0o700).catch(() => undefined);
    for (const f of files) {
      checkFileName(f.name);
      await fs.writeFile(path.join(tmp, "files", f.name), f.data, { mode: 0o600 });
    }
    await fs.writeFile(path.join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });
    await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    await fs.rename(tmp, dir);
  }
}

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );
