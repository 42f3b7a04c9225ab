import { guardFindings } from "./guard";
import { explainFindings } from "./guard";
import {
  countMailboxes,
  hostPaths,
  readConfig,
  readMarker,
  serviceRunning,
  staleTemps,
  startService,
  stopService,
  type RestoreMarker,
} from "./host-ops";
import type { HostSpec, Inventory } from "./inventory";
import {
  buildManifest,
  checkRevision,
  compareToManifest,
  describeFiles,
  digestOf,
} from "./manifest";
import { isNoop, planRestore, type RestorePlan } from "./plan";
import { TEMP_SUFFIX } from "./select";
import type { BackupStore, StoredSnapshot } from "./store";
import { connect, joinRemote, type RemoteHost } from "./transport";
import type { FileContent, HostStatus, Manifest, RestoreOutcome, ServiceState } from "./types";

/** Hooks and knobs shared by the engine's operations. */
export interface EngineOptions {
  /** Progress lines (stderr in the CLI). Never receives file content or secrets. */
  progress?: (line: string) => void;
  /** Opens the SSH connection; tests may replace it. @default - {@link connect} with the pinned host key */
  connector?: (host: HostSpec, progress: (line: string) => void) => Promise<RemoteHost>;
  /** Called at each restore step (`backed-up`, `stopped`, `written`, `renamed:<file>`, `verified`, `started`). */
  onStep?: (host: string, step: string) => void | Promise<void>;
  /** Clock for backup ids. @default - () => new Date() */
  now?: () => Date;
}

function hostOf(inv: Inventory, name: string, flag: string): HostSpec {
  const h = inv.hosts[name];
  if (!h)
    throw new Error(
      `${flag} ${JSON.stringify(name)} is not in the inventory; known hosts: ${Object.keys(inv.hosts).join(", ")}`,
    );
  return h;
}

const quiet = () => undefined;
const conn = (o: EngineOptions) =>
  o.connector ?? ((h: HostSpec, p: (l: string) => void) => connect(h, p));

/**
 * Reads the configuration of `source` and stores it under `revision`. Refuses an empty or unreadable
 * source. Returns the manifest (names, sizes, checksums; never content).
 */
export async function snapshot(
  inv: Inventory,
  store: BackupStore,
  source: string,
  revision: string,
  opts: EngineOptions = {},
): Promise<{ manifest: Manifest; stored: "stored" | "already-stored" }> {
  checkRevision(revision);
  const host = hostOf(inv, source, "--source");
  const progress = opts.progress ?? quiet;
  progress(`${source}: connecting to ${host.address}:${host.port}`);
  const r = await conn(opts)(host, progress);
  try {
    let files: FileContent[];
    try {
      files = await readConfig(r, host, inv.files);
    } catch (e) {
      throw new Error(`source ${source}: ${(e as Error).message}; nothing was stored`);
    }
    if (files.length === 0) {
      throw new Error(
        `source ${source}: no configuration files in ${host.dataDir} (include ${JSON.stringify(inv.files.include)}, exclude ${JSON.stringify(inv.files.exclude)}); ` +
          `refusing to store an empty snapshot: check the --source host, its dataDir and the inventory's files selection`,
      );
    }
    const manifest = buildManifest(revision, source, files);
    progress(
      `${source}: read ${files.length} configuration file(s); storing revision ${revision} in ${store.describe()}`,
    );
    const stored = await store.putSnapshot({ manifest, files });
    if (stored === "already-stored")
      progress(`${source}: revision ${revision} was already stored with the same content`);
    return { manifest, stored };
  } finally {
    r.close();
  }
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

/** Runs `fn` over `items` with at most `limit` at once; results keep the items' order. */
export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Restores a stored snapshot (by revision, or already loaded) to several hosts, at most `parallel`
 * at once. One host's failure neither stops nor touches the others; every host gets an outcome.
 */
export async function restore(
  inv: Inventory,
  store: BackupStore,
  revision: string | StoredSnapshot,
  targets: string[],
  opts: EngineOptions & { allowKeyChange?: boolean; parallel?: number } = {},
): Promise<RestoreOutcome[]> {
  const snap = typeof revision === "string" ? await loadSnapshot(store, revision) : revision;
  const hosts = targets.map((t) => hostOf(inv, t, "target"));
  return mapBounded(hosts, opts.parallel ?? 4, (h) => restoreHost(inv, store, snap, h, opts));
}

/** Restores one host; never throws: failures come back as an outcome that says the host's state. */
export async function restoreHost(
  inv: Inventory,
  store: BackupStore,
  snap: StoredSnapshot,
  host: HostSpec,
  opts: EngineOptions & { allowKeyChange?: boolean } = {},
): Promise<RestoreOutcome> {
  const t0 = Date.now();
  const progress = (line: string) => (opts.progress ?? quiet)(`${host.name}: ${line}`);
  const base: RestoreOutcome = {
    host: host.name,
    revision: snap.manifest.revision,
    result: "failed",
    config: "unchanged",
    service: "unknown",
    written: [],
    removed: [],
    findings: [],
    message: "",
    elapsedMs: 0,
  };
  let r: RemoteHost;
  try {
    progress(`connecting to ${host.address}:${host.port}`);
    r = await conn(opts)(host, (l) => (opts.progress ?? quiet)(l));
  } catch (e) {
    const msg = (e as Error).message.replace(new RegExp(`^${host.name}: `), "");
    return {
      ...base,
      message: `${host.name}: cannot connect (${msg}); nothing was changed on this host`,
      elapsedMs: Date.now() - t0,
    };
  }
  try {
    const out = await new Restorer(inv, store, snap, host, r, opts, progress).run(base);
    return { ...out, elapsedMs: Date.now() - t0 };
  } finally {
    r.close();
  }
}

class Restorer {
  private readonly ci: boolean;
  private readonly paths;
  private phase = "reading the host's configuration";
  constructor(
    private readonly inv: Inventory,
    private readonly store: BackupStore,
    private readonly snap: StoredSnapshot,
    private readonly host: HostSpec,
    private readonly r: RemoteHost,
    private readonly opts: EngineOptions & { allowKeyChange?: boolean },
    private readonly progress: (l: string) => void,
  ) {
    this.ci = host.platform === "windows";
    this.paths = hostPaths(host);
  }

  private step(s: string) {
    return this.opts.onStep?.(this.host.name, s);
  }

  private async serviceState(): Promise<ServiceState> {
    try {
      return (await serviceRunning(this.r, this.host)) ? "running" : "stopped";
    } catch {
      return "unknown";
    }
  }

  async run(base: RestoreOutcome): Promise<RestoreOutcome> {
    const name = this.host.name;
    const rev = this.snap.manifest.revision;
    let current: FileContent[];
    let marker: RestoreMarker | undefined;
    try {
      marker = await readMarker(this.r, this.host);
      if (marker)
        this.progress(
          `a restore of ${marker.revision} started ${marker.startedAt} was interrupted here; completing it with ${rev}`,
        );
      current = await readConfig(this.r, this.host, this.inv.files);
    } catch (e) {
      return {
        ...base,
        service: await this.serviceState(),
        message: `${name}: ${(e as Error).message}; nothing was changed on this host`,
      };
    }
    let plan = planRestore(this.snap.manifest, describeFiles(current), this.ci);
    if (isNoop(plan)) return this.ensureRunning(base, marker);

    let findings;
    try {
      findings = guardFindings({
        current,
        snapshot: this.snap.files,
        mailboxFolders: await countMailboxes(this.r, this.host),
        mailboxIdPattern: this.inv.mailboxIdPattern,
        caseInsensitive: this.ci,
      });
    } catch (e) {
      return {
        ...base,
        service: await this.serviceState(),
        message: `${name}: cannot count mailbox folders (${(e as Error).message}); nothing was changed on this host`,
      };
    }
    if (findings.length > 0 && !this.opts.allowKeyChange) {
      return {
        ...base,
        result: "blocked",
        findings,
        service: await this.serviceState(),
        message:
          explainFindings(name, findings) +
          (marker
            ? `\n  A restore of ${marker.revision} was interrupted on this host (${marker.startedAt}); if it ran with --allow-key-change, complete it the same way.`
            : ""),
      };
    }
    if (findings.length > 0)
      this.progress(`--allow-key-change: proceeding despite ${findings.length} guard finding(s)`);

    // 1. Backup while the service runs (the vendor says a copy of the folder is a valid backup).
    const id = `${(this.opts.now ?? (() => new Date()))()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}-before-${rev}`;
    let backup: { onHost: string; inStore: string };
    try {
      backup = await this.backup(id, current);
    } catch (e) {
      return {
        ...base,
        service: await this.serviceState(),
        message: `${name}: backup failed (${(e as Error).message}); nothing was changed and the service was not touched`,
      };
    }
    await this.step("backed-up");

    // 2. Marker, then stop the service.
    try {
      this.phase = "stopping the service";
      const m: RestoreMarker = {
        revision: rev,
        startedAt: new Date().toISOString(),
        backup: backup.onHost,
      };
      await this.r.writeFile(this.paths.marker, Buffer.from(`${JSON.stringify(m)}\n`));
      this.progress(`stopping ${this.host.serviceName}`);
      await stopService(this.r, this.host);
    } catch (e) {
      return this.undoStop(base, backup, e as Error);
    }
    await this.step("stopped");

    // 3. Files may have changed while the service ran down: re-read, re-check, re-backup.
    const touched: string[] = [];
    const temps: string[] = [];
    try {
      this.phase = "re-reading the configuration after the stop";
      const now = await readConfig(this.r, this.host, this.inv.files);
      if (digestOf(describeFiles(now)) !== digestOf(describeFiles(current))) {
        this.progress(`configuration changed while the service stopped; backing it up again`);
        current = now;
        plan = planRestore(this.snap.manifest, describeFiles(current), this.ci);
        const again = guardFindings({
          current,
          snapshot: this.snap.files,
          mailboxFolders: await countMailboxes(this.r, this.host),
          mailboxIdPattern: this.inv.mailboxIdPattern,
          caseInsensitive: this.ci,
        });
        if (again.length > 0 && !this.opts.allowKeyChange) {
          await startService(this.r, this.host);
          await this.r.remove(this.paths.marker);
          return {
            ...base,
            result: "blocked",
            findings: again,
            service: "running",
            backup,
            message: explainFindings(name, again),
          };
        }
        backup = await this.backup(`${id}-stopped`, current);
      }

      // 4. Write every changed file to a temporary name (checked after the renames, step 6).
      this.phase = "writing temporary files";
      for (const stale of await staleTemps(this.r, this.host))
        await this.r.remove(joinRemote(this.paths.dataDir, stale));
      for (const f of plan.write) {
        const tmp = joinRemote(this.paths.dataDir, f + TEMP_SUFFIX);
        temps.push(tmp);
        await this.r.writeFile(tmp, this.snap.files.find((x) => x.name === f)!.data);
      }
      await this.step("written");

      // 5. Rename into place, remove files the snapshot does not have.
      this.phase = "renaming files into place";
      for (const f of plan.write) {
        await this.r.rename(
          joinRemote(this.paths.dataDir, f + TEMP_SUFFIX),
          joinRemote(this.paths.dataDir, f),
        );
        touched.push(f);
        await this.step(`renamed:${f}`);
      }
      for (const f of plan.remove) {
        await this.r.remove(joinRemote(this.paths.dataDir, f));
        touched.push(f);
      }

      // 6. Verify every checksum against the manifest.
      this.phase = "verifying checksums";
      const diff = compareToManifest(
        this.snap.manifest,
        describeFiles(await readConfig(this.r, this.host, this.inv.files)),
        this.ci,
      );
      if (diff.length > 0)
        throw new Error(
          `after writing, ${diff.map((d) => `${d.name} is ${d.problem}`).join(", ")}`,
        );
      await this.step("verified");

      // 7. Start and confirm.
      this.phase = "starting the service with the new configuration";
      this.progress(`starting ${this.host.serviceName}`);
      await startService(this.r, this.host);
      await this.step("started");
      await this.r.remove(this.paths.marker);
    } catch (e) {
      return this.rollback(base, backup, current, plan, touched, temps, e as Error);
    }
    return {
      ...base,
      result: "updated",
      config: "replaced",
      service: "running",
      written: plan.write,
      removed: plan.remove,
      backup,
      findings,
      message: `${name}: configuration ${rev} written and verified (${plan.write.length} written, ${plan.remove.length} removed, ${plan.unchanged.length} already equal); service running; backup at ${backup.onHost}`,
    };
  }

  private async backup(
    stamp: string,
    files: FileContent[],
  ): Promise<{ onHost: string; inStore: string }> {
    // Two restores within one second get distinct folders: never mix two backups.
    let id = stamp;
    for (let n = 2; await this.r.stat(joinRemote(this.paths.backupDir, id)); n++)
      id = `${stamp}-${n}`;
    const dir = joinRemote(this.paths.backupDir, id);
    await this.r.mkdirp(dir);
    for (const f of files) await this.r.writeFile(joinRemote(dir, f.name), f.data);
    const manifest = buildManifest(id, this.host.name, files);
    await this.r.writeFile(
      joinRemote(dir, "manifest.json"),
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
    );
    const inStore = await this.store.putBackup(this.host.name, id, manifest, files);
    this.progress(`backed up ${files.length} file(s) to ${dir} and ${inStore}`);
    return { onHost: dir, inStore };
  }

  /** Nothing to write: make sure the service runs and clear an interrupted restore's marker. */
  private async ensureRunning(
    base: RestoreOutcome,
    marker: RestoreMarker | undefined,
  ): Promise<RestoreOutcome> {
    const name = this.host.name;
    try {
      const running = await serviceRunning(this.r, this.host);
      if (!running) {
        this.progress(`configuration already matches; the service is stopped: starting it`);
        await startService(this.r, this.host);
      }
      for (const stale of await staleTemps(this.r, this.host))
        await this.r.remove(joinRemote(this.paths.dataDir, stale));
      if (marker) await this.r.remove(this.paths.marker);
      if (running && !marker) {
        return {
          ...base,
          result: "unchanged",
          config: "unchanged",
          service: "running",
          message: `${name}: already at ${this.snap.manifest.revision}; nothing changed`,
        };
      }
      return {
        ...base,
        result: "updated",
        config: marker ? "replaced" : "unchanged",
        service: "running",
        message: `${name}: configuration already matched ${this.snap.manifest.revision}; ${marker ? "completed an interrupted restore: " : ""}service started`,
      };
    } catch (e) {
      return {
        ...base,
        config: "unchanged",
        service: await this.serviceState(),
        message: `${name}: configuration matches ${this.snap.manifest.revision} but starting the service failed: ${(e as Error).message}`,
      };
    }
  }

  /** The stop failed: make sure the service runs again; no file was touched. */
  private async undoStop(
    base: RestoreOutcome,
    backup: { onHost: string; inStore: string },
    err: Error,
  ): Promise<RestoreOutcome> {
    const name = this.host.name;
    try {
      if (!(await serviceRunning(this.r, this.host))) await startService(this.r, this.host);
      await this.r.remove(this.paths.marker).catch(() => undefined);
      return {
        ...base,
        backup,
        service: "running",
        message: `${name}: restore failed while ${this.phase}: ${err.message}; no file was changed; service running`,
      };
    } catch (e2) {
      return {
        ...base,
        backup,
        service: await this.serviceState(),
        message: `${name}: restore failed while ${this.phase}: ${err.message}; no file was changed, but the service could not be confirmed running (${(e2 as Error).message}): start ${this.host.serviceName} by hand`,
      };
    }
  }

  /** Puts the backup back for every file already replaced or removed, drops temporaries, starts the service. */
  private async rollback(
    base: RestoreOutcome,
    backup: { onHost: string; inStore: string },
    current: FileContent[],
    plan: RestorePlan,
    touched: string[],
    temps: string[],
    err: Error,
  ): Promise<RestoreOutcome> {
    const name = this.host.name;
    const what = `${name}: restore of ${this.snap.manifest.revision} failed while ${this.phase}: ${err.message}`;
    this.progress(`${err.message}; rolling back`);
    let config: RestoreOutcome["config"] =
      touched.length > 0 ? "restored-from-backup" : "unchanged";
    try {
      for (const t of temps) if (await this.r.stat(t)) await this.r.remove(t);
      for (const f of touched) {
        const old = current.find((c) => c.name === f);
        const final = joinRemote(this.paths.dataDir, f);
        if (old) {
          const tmp = final + TEMP_SUFFIX;
          await this.r.writeFile(tmp, old.data);
          await this.r.rename(tmp, final);
        } else if (await this.r.stat(final)) {
          await this.r.remove(final);
        }
      }
      const diff = compareToManifest(
        buildManifest("backup", name, current),
        describeFiles(await readConfig(this.r, this.host, this.inv.files)),
        this.ci,
      );
      if (diff.length > 0)
        throw new Error(
          `after putting the backup back, ${diff.map((d) => `${d.name} is ${d.problem}`).join(", ")}`,
        );
    } catch (e2) {
      config = "unknown";
      return {
        ...base,
        config,
        backup,
        written: plan.write.filter((f) => touched.includes(f)),
        service: await this.serviceState(),
        message:
          `${what}; putting the backup back ALSO failed (${(e2 as Error).message}). The host may hold a mix of old and new configuration files and the service is probably stopped. ` +
          `Backup on the host: ${backup.onHost}; in the store: ${backup.inStore}. Re-run restore when the host is reachable (it completes the change), or copy the backup back by hand and start the service.`,
      };
    }
    try {
      if (!(await serviceRunning(this.r, this.host))) await startService(this.r, this.host);
      await this.r.remove(this.paths.marker).catch(() => undefined);
    } catch (e3) {
      return {
        ...base,
        config,
        backup,
        service: await this.serviceState(),
        message: `${what}; the previous configuration is back in place${touched.length ? "" : " (no file had been replaced)"}, but the service did not start again (${(e3 as Error).message}): start ${this.host.serviceName} by hand`,
      };
    }
    return {
      ...base,
      config,
      backup,
      service: "running",
      message: `${what}; ${touched.length > 0 ? `rolled back ${touched.length} file(s) from the backup` : "no file had been replaced"}; previous configuration in place, service running`,
    };
  }
}

/**
 * Reads one host's state: its configuration files, whether they match `manifest` (when given), its
 * mailbox folders' file counts, its service state and any interrupted restore. Never throws.
 */
export async function inspectHost(
  inv: Inventory,
  hostName: string,
  manifest: Manifest | undefined,
  opts: EngineOptions = {},
): Promise<HostStatus> {
  const host = hostOf(inv, hostName, "host");
  const empty: HostStatus = {
    host: hostName,
    reachable: false,
    differences: [],
    files: [],
    mailboxes: [],
    mailFiles: 0,
    service: "unknown",
  };
  let r: RemoteHost;
  try {
    r = await conn(opts)(host, opts.progress ?? quiet);
  } catch (e) {
    return { ...empty, error: (e as Error).message };
  }
  try {
    const files = describeFiles(await readConfig(r, host, inv.files));
    const mailboxes = await countMailboxes(r, host);
    const marker = await readMarker(r, host);
    const service: ServiceState = (await serviceRunning(r, host)) ? "running" : "stopped";
    const differences = manifest
      ? compareToManifest(manifest, files, host.platform === "windows")
      : [];
    return {
      host: hostName,
      reachable: true,
      ...(manifest ? { matches: differences.length === 0 } : {}),
      differences,
      files,
      mailboxes,
      mailFiles: mailboxes.reduce((a, m) => a + m.files, 0),
      service,
      ...(marker ? { interruptedRestore: marker } : {}),
    };
  } catch (e) {
    return { ...empty, reachable: true, error: `${hostName}: ${(e as Error).message}` };
  } finally {
    r.close();
  }
}
