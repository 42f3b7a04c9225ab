import { bootStepNote, type BootStepReader } from "./boot-step";
import { guardFindings } from "./guard";
import { explainFindings } from "./guard";
import {
  waitServiceInstalled,
  countMailboxes,
  hostPaths,
  hung,
  learnService,
  readConfig,
  readMarker,
  staleTemps,
  startService,
  stopService,
  type LearnedState,
  type RestoreMarker,
} from "./host-ops";
import type { HostSpec, Inventory } from "./inventory";
import {
  buildManifest,
  checkFileName,
  checkRevision,
  compareToManifest,
  describeFiles,
  digestOf,
  parseManifest,
  sha256,
} from "./manifest";
import { isNoop, planRestore, type RestorePlan } from "./plan";
import { TEMP_SUFFIX } from "./select";
import { checkAgainstManifest, type BackupStore, type StoredSnapshot } from "./store";
import { printable, showBytes, showName } from "./text";
import { connect, HostKeyMismatchError, joinRemote, sftpPath, type RemoteHost } from "./transport";
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
  /** Reads a new host's first-boot step when its boot wait ends. @default - {@link readBootStepViaSsm} */
  bootStepReader?: BootStepReader;
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
 * Connects; the boot wait applies only to a machine generation the store has not seen answer yet
 * (a host just created). Records the generation after the first answer. Store trouble never blocks.
 */
async function connectVia(
  o: EngineOptions,
  store: BackupStore,
  host: HostSpec,
  progress: (l: string) => void,
): Promise<RemoteHost> {
  let h = host;
  if (host.bootWaitSeconds > 0 && host.generation !== undefined && store.seen) {
    const seen = await store.seen(host.name, host.generation).catch(() => false);
    if (seen) h = { ...host, bootWaitSeconds: 0 };
  }
  let r: RemoteHost;
  try {
    r = await conn(o)(h, progress);
  } catch (e) {
    // A host just created that never answered: say where its first boot is (through SSM).
    if (
      h.bootWaitSeconds > 0 &&
      host.bootStep !== undefined &&
      !(e instanceof HostKeyMismatchError)
    ) {
      progress(`${host.name}: no SSH answer; reading its first-boot step through SSM`);
      const note = await bootStepNote(host.bootStep, o.bootStepReader);
      throw new Error(`${(e as Error).message}${note}`);
    }
    throw e;
  }
  if (host.generation !== undefined && store.markSeen)
    await store.markSeen(host.name, host.generation).catch(() => undefined);
  return r;
}

/** What `snapshot` reports while the source has no configuration yet (first deployment). */
export interface WaitingState {
  format: "msgw-config-waiting/1";
  revision: string;
  source: string;
  state: "waiting-for-source-configuration";
  /** What the operator does next, in one sentence. */
  next: string;
}

/** The result of {@link snapshot}. */
export type SnapshotResult =
  | { manifest: Manifest; stored: "stored" | "already-stored" | "restored-to-source" }
  | { waiting: WaitingState };

/**
 * Reads the configuration of `source` and stores it under `revision`. Never stores an empty
 * snapshot. With `firstUp` (what the component's replication runs), a source without configuration
 * (a host just created, or a replaced one) is not an error: when `revision` is already stored it is
 * restored onto the source (a replaced source gets its configuration back), otherwise the result is a
 * {@link WaitingState} that says what the operator does next. Returns the manifest (names, sizes,
 * checksums; never content).
 */
export async function snapshot(
  inv: Inventory,
  store: BackupStore,
  source: string,
  revision: string,
  opts: EngineOptions & { firstUp?: boolean } = {},
): Promise<SnapshotResult> {
  checkRevision(revision);
  const host = hostOf(inv, source, "--source");
  const progress = opts.progress ?? quiet;
  progress(`${source}: connecting to ${host.address}:${host.port}`);
  const r = await connectVia(opts, store, host, (l) => progress(printable(l)));
  let files: FileContent[];
  try {
    try {
      files = await readConfig(r, host, inv.files);
    } catch (e) {
      const msg = errText(e);
      if (!(opts.firstUp && /cannot list the data directory .*No such file/i.test(msg)))
        throw new Error(`source ${source}: ${msg}; nothing was stored`);
      files = [];
    }
  } finally {
    r.close();
  }
  if (files.length === 0) {
    if (opts.firstUp) {
      const stored = await store.getSnapshot(revision);
      if (stored) {
        progress(
          `${source}: no configuration on the source; revision ${revision} is stored (the source was replaced?): restoring it onto ${source}`,
        );
        const [o] = await restore(inv, store, stored, [source], opts);
        if (o.result !== "updated" && o.result !== "unchanged")
          throw new Error(
            `source ${source} has no configuration and restoring the stored revision ${revision} onto it failed: ${o.message}`,
          );
        return { manifest: stored.manifest, stored: "restored-to-source" };
      }
      const next = `configure the gateway on ${source} (create the journal mailboxes in its Management Console), then bump configSync.revision and run pulumi up again`;
      progress(`${source}: no configuration yet; replication waits: ${next}`);
      return {
        waiting: {
          format: "msgw-config-waiting/1",
          revision,
          source,
          state: "waiting-for-source-configuration",
          next,
        },
      };
    }
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
  // restoreHost never throws; the catch is the guarantee that one host cannot take the others down.
  return mapBounded(hosts, opts.parallel ?? 4, (h) =>
    restoreHost(inv, store, snap, h, opts).catch((e: unknown): RestoreOutcome => ({
      host: h.name,
      revision: snap.manifest.revision,
      result: "failed",
      config: "unknown",
      service: "unknown",
      written: [],
      removed: [],
      findings: [],
      message: `${h.name}: unexpected error (${errText(e)}); state unknown: run msgw config status --target ${h.name}`,
      elapsedMs: 0,
    })),
  );
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
  const open = () => connectVia(opts, store, host, (l) => (opts.progress ?? quiet)(printable(l)));
  let r: RemoteHost;
  try {
    progress(`connecting to ${host.address}:${host.port}`);
    r = await open();
  } catch (e) {
    const msg = printable((e as Error).message).replace(new RegExp(`^${host.name}: `), "");
    return {
      ...base,
      message: `${host.name}: cannot connect (${msg}); nothing was changed on this host`,
      elapsedMs: Date.now() - t0,
    };
  }
  const restorer = new Restorer(inv, store, snap, host, r, open, opts, progress);
  try {
    const out = await restorer.run(base);
    return { ...out, elapsedMs: Date.now() - t0 };
  } catch (e) {
    // Last line of defence: Restorer.run handles its own failures; whatever still escapes is reported.
    return {
      ...base,
      config: "unknown",
      message: `${host.name}: restore of ${snap.manifest.revision} ended with an unexpected error (${printable((e as Error).message)}); the host's state is unknown: run msgw config status --target ${host.name}, then re-run restore`,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    restorer.close();
  }
}

/** Short, fixed-length temporary name for a file: never longer than any limit the final name meets. */
export function tempName(file: string): string {
  return `msgw-${sha256(file).slice(0, 16)}${TEMP_SUFFIX}`;
}

const errText = (e: unknown) => printable((e as Error)?.message ?? String(e));

class Restorer {
  private readonly ci: boolean;
  private readonly paths;
  private phase = "reading the host's configuration";
  /** Set once the stop command was sent: from then on every failure ends in {@link putBack}. */
  private stopIssued = false;
  /**
   * True from a confirmed stop until the next start command (or reconnection: the host may have
   * rebooted): the service is known to be stopped without asking a status command that may hang.
   */
  private knownStopped = false;
  /** Files already renamed into place or removed, in order. */
  private readonly touched: string[] = [];
  /** The configuration a failure goes back to. */
  private previous: FileContent[] = [];
  /** The backup of {@link previous}, once taken. */
  private backupAt: { onHost: string; inStore: string } | undefined;
  constructor(
    private readonly inv: Inventory,
    private readonly store: BackupStore,
    private readonly snap: StoredSnapshot,
    private readonly host: HostSpec,
    private r: RemoteHost,
    private readonly open: () => Promise<RemoteHost>,
    private readonly opts: EngineOptions & { allowKeyChange?: boolean },
    private readonly progress: (l: string) => void,
  ) {
    this.ci = host.platform === "windows";
    this.paths = hostPaths(host);
  }

  close(): void {
    this.r.close();
  }

  private async step(s: string): Promise<void> {
    await this.opts.onStep?.(this.host.name, s);
  }

  private async serviceState(): Promise<ServiceState> {
    return (await learnService(this.r, this.host)).state;
  }

  /**
   * Makes the service run: starts it unless the status command says it runs. When the status
   * cannot be learned (the command hung), starts it anyway: a start of a running service is
   * harmless. Never throws; `problem` says what is known when the service is not seen running.
   */
  private async bringUp(
    r: RemoteHost,
    seen: LearnedState,
  ): Promise<{ service: ServiceState; problem?: string }> {
    const svc = this.host.serviceName;
    if (seen.state === "running") return { service: "running" };
    if (seen.state === "unknown")
      this.progress(`the service's state cannot be learned (${seen.why}); starting it anyway`);
    this.knownStopped = false;
    try {
      await startService(r, this.host);
      return { service: "running" };
    } catch (e) {
      if (hung(e, "status"))
        return {
          service: "unknown",
          problem: `whether ${svc} runs after the accepted start command cannot be learned (${errText(e)}): check ${svc} on the host and start it by hand if it is stopped`,
        };
      // The start failed or hung: ask once what it left.
      const after = await learnService(r, this.host);
      if (after.state === "running") return { service: "running" };
      const state =
        "why" in after
          ? `whether ${svc} runs cannot be learned (${after.why})`
          : `${svc} is stopped`;
      return {
        service: after.state,
        problem: `${hung(e, "start") ? errText(e) : `the service did not start again (${errText(e)})`}; ${state}: start ${svc} on the host by hand`,
      };
    }
  }

  /** A working connection: the current one, or a new one when it was lost (3 tries, bounded). */
  private async live(): Promise<RemoteHost> {
    if (!this.r.lost) return this.r;
    let last: unknown;
    for (let i = 0; i < 3; i++) {
      try {
        this.r.close();
        this.progress(`reconnecting (${this.r.lost})`);
        this.knownStopped = false;
        this.r = await this.open();
        return this.r;
      } catch (e) {
        last = e;
        if (e instanceof HostKeyMismatchError) break;
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
    throw new Error(`the host cannot be reached again (${errText(last)})`);
  }

  async run(base: RestoreOutcome): Promise<RestoreOutcome> {
    const name = this.host.name;
    let marker: RestoreMarker | undefined;
    try {
      // 0. Look, touching nothing.
      marker = await readMarker(this.r, this.host);
      if (marker)
        this.progress(
          `a restore of ${marker.revision} started ${marker.startedAt} was interrupted here; completing it with ${this.snap.manifest.revision}`,
        );
      this.phase = "waiting for the gateway service to be installed";
      if (!(await waitServiceInstalled(this.r, this.host, this.progress))) {
        return {
          ...base,
          service: "stopped",
          message: `${name}: the gateway service ${this.host.serviceName} is not installed (waited ${this.host.serviceWaitSeconds}s); nothing was changed on this host. Install MailStore Gateway (or wait for its installer) and re-run restore`,
        };
      }
      this.phase = "reading the host's configuration";
      const current = await readConfig(this.r, this.host, this.inv.files);
      this.previous = current;
      if (marker) {
        const kept = await this.readBackup(marker.backup);
        if (kept) {
          this.previous = kept;
          this.backupAt = { onHost: marker.backup, inStore: "(taken by the interrupted restore)" };
        } else
          this.progress(
            `the interrupted restore's backup ${marker.backup} cannot be read; the configuration as found is the one to go back to`,
          );
      }
      return await this.forward(base, marker, current);
    } catch (e) {
      const err = e as Error;
      if (this.stopIssued || marker)
        return this.putBack(base, this.backupAt, this.previous, err, marker !== undefined);
      return {
        ...base,
        service: await this.serviceState(),
        message: `${name}: ${this.phase === "reading the host's configuration" ? "" : `failed while ${this.phase}: `}${errText(err)}; nothing was changed on this host`,
      };
    }
  }

  /** The restore proper. Throws only after something changed (the caller puts the previous files back). */
  private async forward(
    base: RestoreOutcome,
    marker: RestoreMarker | undefined,
    current: FileContent[],
  ): Promise<RestoreOutcome> {
    const name = this.host.name;
    const previous = this.previous;
    let backup = this.backupAt;
    const rev = this.snap.manifest.revision;
    let plan = planRestore(this.snap.manifest, describeFiles(current), this.ci);
    if (isNoop(plan)) return this.ensureRunning(base, marker);

    this.phase = "counting mailbox folders";
    const guard = async (against: FileContent[]) =>
      guardFindings({
        current: against,
        snapshot: this.snap.files,
        mailboxFolders: await countMailboxes(this.r, this.host),
        mailboxIdPattern: this.inv.mailboxIdPattern,
        caseInsensitive: this.ci,
      });
    // An interrupted restore is judged from where it started (its backup), not from the mix it left.
    const findings = await guard(previous);
    if (findings.length > 0 && !this.opts.allowKeyChange) {
      const blocked: RestoreOutcome = {
        ...base,
        result: "blocked",
        findings,
        message:
          explainFindings(name, findings) +
          (marker
            ? `\n  A restore of ${marker.revision} was interrupted on this host (${marker.startedAt}); its previous configuration is put back. If it ran with --allow-key-change, complete it the same way.`
            : ""),
      };
      if (marker) {
        const back = await this.putBack(blocked, backup, previous, undefined, true);
        return { ...back, result: back.config === "unknown" ? "failed" : "blocked" };
      }
      return { ...blocked, service: await this.serviceState() };
    }
    if (findings.length > 0)
      this.progress(`--allow-key-change: proceeding despite ${findings.length} guard finding(s)`);

    // 1. Backup while the service runs (a copy of the folder is a valid backup).
    const id = `${(this.opts.now ?? (() => new Date()))()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}-before-${rev}`;
    if (!backup) {
      this.phase = "taking the backup";
      try {
        backup = await this.backup(id, current);
        this.backupAt = backup;
      } catch (e) {
        return {
          ...base,
          service: await this.serviceState(),
          message: `${name}: backup failed (${errText(e)}); nothing was changed and the service was not touched`,
        };
      }
    }
    await this.step("backed-up");

    // 2. Pre-flight: prove the copy can succeed before the service stops.
    this.phase = "checking that the copy can succeed";
    const refusals = await this.preflight(plan);
    if (refusals.length > 0) {
      const msg = `${name}: restore of ${rev} refused before stopping the service:\n${refusals.map((p) => `  - ${p}`).join("\n")}`;
      if (marker) return this.putBack(base, backup, previous, new Error(msg), true);
      return {
        ...base,
        backup,
        service: await this.serviceState(),
        message: `${msg}\n  Nothing was changed and the service was not touched (backup at ${backup.onHost}).`,
      };
    }
    await this.step("preflight");

    // 3. Marker, then stop the service.
    this.phase = "stopping the service";
    const m: RestoreMarker = {
      revision: rev,
      startedAt: new Date().toISOString(),
      backup: backup.onHost,
    };
    if (!marker) {
      await this.r.mkdirp(this.paths.backupDir);
      await this.r.writeFile(this.paths.marker, Buffer.from(`${JSON.stringify(m)}\n`));
    }
    this.progress(`stopping ${this.host.serviceName}`);
    this.stopIssued = true;
    await stopService(this.r, this.host);
    this.knownStopped = true;
    await this.step("stopped");

    // 4. Files may have changed while the service ran down: re-read, re-check, re-backup.
    this.phase = "re-reading the configuration after the stop";
    const now = await readConfig(this.r, this.host, this.inv.files);
    if (digestOf(describeFiles(now)) !== digestOf(describeFiles(current))) {
      this.progress(`configuration changed while the service stopped; backing it up again`);
      current = now;
      if (!marker) this.previous = now;
      plan = planRestore(this.snap.manifest, describeFiles(current), this.ci);
      const again = await guard(this.previous);
      if (again.length > 0 && !this.opts.allowKeyChange) {
        const back = await this.putBack(
          { ...base, result: "blocked", findings: again, message: explainFindings(name, again) },
          backup,
          this.previous,
          undefined,
          false,
        );
        return { ...back, result: back.config === "unknown" ? "failed" : "blocked" };
      }
      if (!marker) {
        backup = await this.backup(`${id}-stopped`, current);
        this.backupAt = backup;
      }
    }

    // 5. Write every changed file to a temporary name (exclusive create: never through a link).
    this.phase = "writing temporary files";
    await this.removeStaleTemps();
    for (const f of plan.write) {
      await this.r.writeFile(
        joinRemote(this.paths.dataDir, tempName(f)),
        this.snap.files.find((x) => x.name === f)!.data,
        { exclusive: true },
      );
    }
    await this.step("written");

    // 6. Rename into place, remove files the snapshot does not have.
    this.phase = "renaming files into place";
    for (const f of plan.write) {
      await this.r.rename(
        joinRemote(this.paths.dataDir, tempName(f)),
        joinRemote(this.paths.dataDir, f),
      );
      this.touched.push(f);
      await this.step(`renamed:${f}`);
    }
    for (const f of plan.remove) {
      await this.r.remove(joinRemote(this.paths.dataDir, f));
      this.touched.push(f);
    }

    // 7. Verify every checksum against the manifest.
    this.phase = "verifying checksums";
    const diff = compareToManifest(
      this.snap.manifest,
      describeFiles(await readConfig(this.r, this.host, this.inv.files)),
      this.ci,
    );
    if (diff.length > 0)
      throw new Error(
        `after writing, ${diff.map((d) => `${showName(d.name)} is ${d.problem}`).join(", ")}`,
      );
    await this.step("verified");

    // 8. Start and confirm.
    this.phase = "starting the service with the new configuration";
    this.progress(`starting ${this.host.serviceName}`);
    this.knownStopped = false;
    let unconfirmed: string | undefined;
    try {
      await startService(this.r, this.host);
    } catch (e) {
      // The start was accepted but the status command hangs: going back would need a stop that
      // cannot be confirmed either; the new configuration is verified, so it stays.
      if (!hung(e, "status")) throw e;
      unconfirmed = errText(e);
    }
    // Committed: the new configuration is verified and the start was accepted. Nothing below undoes that.
    let note = "";
    try {
      if (!unconfirmed) await this.step("started");
      await this.r.remove(this.paths.marker);
    } catch (e) {
      try {
        await (await this.live()).remove(this.paths.marker);
      } catch {
        note = `; the restore marker could not be removed (${errText(e)}): status reports an interrupted restore until a re-run clears it`;
      }
    }
    const svc = this.host.serviceName;
    if (unconfirmed)
      return {
        ...base,
        result: "failed",
        config: "replaced",
        service: "unknown",
        written: plan.write,
        removed: plan.remove,
        backup,
        findings,
        message: `${name}: configuration ${rev} written and verified (${plan.write.length} written, ${plan.remove.length} removed, ${plan.unchanged.length} already equal); the start command was accepted, but whether ${svc} runs cannot be learned (${unconfirmed}): check ${svc} on the host and start it by hand if it is stopped; backup at ${backup.onHost}${note}`,
      };
    return {
      ...base,
      result: "updated",
      config: "replaced",
      service: "running",
      written: plan.write,
      removed: plan.remove,
      backup,
      findings,
      message: `${name}: configuration ${rev} written and verified (${plan.write.length} written, ${plan.remove.length} removed, ${plan.unchanged.length} already equal); service running; backup at ${backup.onHost}${marker ? "; completed an interrupted restore" : ""}${note}`,
    };
  }

  /**
   * What must hold before the service stops: every name fits the target platform (final and
   * temporary names, full paths), no link or folder sits where a file will be written, the files fit
   * in the free space, and a probe file can be created, written and removed in the data directory.
   */
  private async preflight(plan: RestorePlan): Promise<string[]> {
    const problems: string[] = [];
    const dataDir = this.host.dataDir;
    const limit = this.inv.files.maxFileMiB * 1024 * 1024;
    let need = 0;
    for (const f of plan.write) {
      const data = this.snap.files.find((x) => x.name === f)!.data;
      need += data.length;
      problems.push(...nameProblems(this.host.platform, dataDir, f));
      if (data.length > limit)
        problems.push(
          `${showName(f)} is ${showBytes(data.length)}, above files.maxFileMiB (${this.inv.files.maxFileMiB} MiB)`,
        );
      for (const p of [f, tempName(f)]) {
        const e = await this.r.lstat(joinRemote(this.paths.dataDir, p));
        if (e && e.kind !== "file")
          problems.push(
            `${showName(p)} in ${dataDir} is a ${e.kind === "link" ? "symbolic link (or reparse point)" : e.kind === "dir" ? "folder" : "special file"}; a restore never writes through or over one: remove it (${showName(f)} is to be written there)`,
          );
      }
    }
    for (const f of plan.remove) {
      const e = await this.r.lstat(joinRemote(this.paths.dataDir, f));
      if (e && e.kind !== "file")
        problems.push(`${showName(f)} in ${dataDir} is a ${e.kind}, not a file; remove it by hand`);
    }
    if (problems.length > 0) return problems;
    const free = await this.r.freeBytes(this.paths.dataDir).catch(() => undefined);
    const margin = 1024 * 1024;
    if (free !== undefined && free < need + margin)
      problems.push(
        `disk full: the file system holding ${dataDir} has ${showBytes(free)} free; the new files need ${showBytes(need)} plus ${showBytes(margin)} to spare; free some space (old backups in ${this.host.backupDir}?) and re-run`,
      );
    if (free === undefined)
      this.progress(`the host's SFTP server cannot report free space; relying on the probe file`);
    const probe = joinRemote(this.paths.dataDir, `msgw-probe-${process.pid}${TEMP_SUFFIX}`);
    try {
      await this.r.writeFile(probe, Buffer.alloc(4096, 0x2e), { exclusive: true });
      await this.r.remove(probe);
    } catch (e) {
      problems.push(`a probe file cannot be written in ${dataDir}: ${errText(e)}`);
      await this.r.remove(probe).catch(() => undefined);
    }
    return problems;
  }

  private async removeStaleTemps(): Promise<void> {
    for (const stale of await staleTemps(this.r, this.host))
      await this.r.remove(joinRemote(this.paths.dataDir, stale));
  }

  /** The files of an on-host backup, checked against its manifest; undefined when unreadable. */
  private async readBackup(dir: string): Promise<FileContent[] | undefined> {
    try {
      const at = sftpPath(this.host.platform, dir);
      const limit = this.inv.files.maxFileMiB * 1024 * 1024;
      const manifest = parseManifest(
        (await this.r.readFile(joinRemote(at, "manifest.json"), 1024 * 1024)).toString("utf8"),
        dir,
      );
      const files: FileContent[] = [];
      for (const f of manifest.files) {
        checkFileName(f.name);
        files.push({ name: f.name, data: await this.r.readFile(joinRemote(at, f.name), limit) });
      }
      checkAgainstManifest(manifest, files, dir);
      return files;
    } catch {
      return undefined;
    }
  }

  private async backup(
    stamp: string,
    files: FileContent[],
  ): Promise<{ onHost: string; inStore: string }> {
    // Two restores within one second get distinct folders: never mix two backups.
    let id = stamp;
    for (let n = 2; await this.r.lstat(joinRemote(this.paths.backupDir, id)); n++)
      id = `${stamp}-${n}`;
    const dir = joinRemote(this.paths.backupDir, id);
    await this.r.mkdirp(dir);
    for (const f of files)
      await this.r.writeFile(joinRemote(dir, f.name), f.data, { exclusive: true });
    const manifest = buildManifest(id, this.host.name, files);
    await this.r.writeFile(
      joinRemote(dir, "manifest.json"),
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
      { exclusive: true },
    );
    const inStore = await this.store.putBackup(this.host.name, id, manifest, files);
    const onHost =
      this.host.platform === "windows"
        ? `${this.host.backupDir}\\${id}`
        : joinRemote(this.host.backupDir, id);
    this.progress(`backed up ${files.length} file(s) to ${onHost} and ${inStore}`);
    return { onHost, inStore };
  }

  /** Nothing to write: make sure the service runs and clear an interrupted restore's marker. */
  private async ensureRunning(
    base: RestoreOutcome,
    marker: RestoreMarker | undefined,
  ): Promise<RestoreOutcome> {
    const name = this.host.name;
    const rev = this.snap.manifest.revision;
    const seen = await learnService(this.r, this.host);
    if (seen.state === "stopped")
      this.progress(`configuration already matches; the service is stopped: starting it`);
    const up = await this.bringUp(this.r, seen);
    const config = marker ? "replaced" : "unchanged";
    try {
      await this.removeStaleTemps();
      // The configuration is whole (it matches the snapshot): the interrupted restore is over.
      if (marker) await this.r.remove(this.paths.marker);
    } catch (e) {
      return {
        ...base,
        config,
        service: up.service,
        message: `${name}: configuration matches ${rev}${up.problem ? `, but ${up.problem}` : ", service running"}; clearing the leftovers failed (${errText(e)})${marker ? `: the restore marker ${this.host.backupDir} stays: re-run restore` : ""}`,
      };
    }
    if (up.problem)
      return {
        ...base,
        config,
        service: up.service,
        message: `${name}: configuration matches ${rev}${marker ? " (an interrupted restore is completed)" : ""}, but ${up.problem}`,
      };
    if (seen.state === "running" && !marker)
      return {
        ...base,
        result: "unchanged",
        config: "unchanged",
        service: "running",
        message: `${name}: already at ${rev}; nothing changed`,
      };
    return {
      ...base,
      result: "updated",
      config,
      service: "running",
      message: `${name}: configuration already matched ${rev}; ${marker ? "completed an interrupted restore: " : ""}service ${seen.state === "running" ? "running" : "started"}`,
    };
  }

  /**
   * Makes the configuration equal `previous` again (whatever the failure left: temporaries, some
   * files renamed, a lost connection), verifies it, starts the service and clears the marker. When
   * the host cannot be reached, says exactly what state it was left in and how a re-run completes it.
   * `err` undefined: not a failure (a guard refusal after the stop).
   */
  private async putBack(
    base: RestoreOutcome,
    backup: { onHost: string; inStore: string } | undefined,
    previous: FileContent[],
    err: Error | undefined,
    interrupted: boolean,
  ): Promise<RestoreOutcome> {
    const name = this.host.name;
    const rev = this.snap.manifest.revision;
    const what =
      err === undefined
        ? base.message
        : `${name}: restore of ${rev} failed while ${this.phase}: ${errText(err)}`;
    if (err) this.progress(`${errText(err)}; putting the previous configuration back`);
    const want = buildManifest("previous", name, previous);
    let restored = 0;
    let lastErr: unknown;
    let done = false;
    for (let attempt = 0; attempt < 2 && !done; attempt++) {
      try {
        const r = await this.live();
        for (const stale of await staleTemps(r, this.host))
          await r.remove(joinRemote(this.paths.dataDir, stale));
        const plan = planRestore(
          want,
          describeFiles(await readConfig(r, this.host, this.inv.files)),
          this.ci,
        );
        // Never change files under a running gateway (a start that timed out may have come up);
        // when its state cannot be learned, stop it anyway (a stop of a stopped service is harmless).
        if (!isNoop(plan) && !this.knownStopped) {
          if ((await learnService(r, this.host)).state !== "stopped")
            await stopService(r, this.host);
          this.knownStopped = true;
        }
        // Removals first: they free the room the rewrites may need on a full disk.
        for (const f of plan.remove) await r.remove(joinRemote(this.paths.dataDir, f));
        for (const f of plan.write) {
          await r.writeFile(
            joinRemote(this.paths.dataDir, tempName(f)),
            previous.find((x) => x.name === f)!.data,
            { exclusive: true },
          );
          await r.rename(
            joinRemote(this.paths.dataDir, tempName(f)),
            joinRemote(this.paths.dataDir, f),
          );
        }
        restored += plan.write.length + plan.remove.length;
        const diff = compareToManifest(
          want,
          describeFiles(await readConfig(r, this.host, this.inv.files)),
          this.ci,
        );
        if (diff.length > 0)
          throw new Error(
            `after putting the previous files back, ${diff.map((d) => `${showName(d.name)} is ${d.problem}`).join(", ")}`,
          );
        done = true;
      } catch (e) {
        lastErr = e;
      }
    }
    const where = backup
      ? ` Backup on the host: ${backup.onHost}; in the store: ${backup.inStore}.`
      : "";
    const rerun = `msgw config restore --target ${name} --revision ${rev}`;
    if (!done) {
      const renamed = this.touched.length
        ? `${this.touched.length} file(s) of ${rev} had been put in place (${this.touched.map(showName).join(", ")})`
        : `no file of ${rev} had been put in place yet`;
      return {
        ...base,
        result: "failed",
        config: "unknown",
        backup,
        written: this.touched.filter((f) => this.snap.files.some((x) => x.name === f)),
        service: await this.serviceState(),
        message:
          `${what}; putting the previous configuration back ALSO failed (${errText(lastErr)}). ` +
          `State as last seen: ${renamed}; the service ${this.stopIssued ? "had been stopped" : "was not stopped by this run"}; the restore marker ${this.host.backupDir}${this.ci ? "\\" : "/"}restore-in-progress.json is on the host.${where} ` +
          `Re-run restore when the host is reachable (${rerun}): it completes the change or puts the backup back, and starts the service.`,
      };
    }
    const config: RestoreOutcome["config"] = restored > 0 ? "restored-from-backup" : "unchanged";
    // The previous configuration is whole again: the interrupted restore is over, whatever the service does.
    let r: RemoteHost | undefined;
    let up: { service: ServiceState; problem?: string };
    try {
      r = await this.live();
      up = await this.bringUp(r, await learnService(r, this.host));
    } catch (e3) {
      up = { service: "unknown", problem: `the service did not start again (${errText(e3)})` };
    }
    await r?.remove(this.paths.marker).catch(() => undefined);
    if (up.problem)
      return {
        ...base,
        result: "failed",
        config,
        backup,
        service: up.service,
        message: `${what}; the previous configuration is back in place${restored ? "" : " (no file had been replaced)"}, but ${up.problem}; then check it with msgw config status --target ${name} (or re-run restore: ${rerun})`,
      };
    if (err === undefined) return { ...base, config, backup, service: "running" };
    return {
      ...base,
      result: "failed",
      config,
      backup,
      service: "running",
      message: `${what}; ${restored > 0 ? `rolled back ${restored} file(s) from the backup` : "no file had been replaced"}; previous configuration in place, service running${interrupted ? " (an interrupted restore was undone)" : ""}`,
    };
  }
}

/** Windows reserved device names (Microsoft, "Naming Files, Paths, and Namespaces"), with or without an extension. */
const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;
/** Characters Windows file names cannot hold (same source): < > : " / \ | ? * and codes 0-31. */

const WINDOWS_FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f]/;
/** Windows MAX_PATH is 260 including the terminating NUL (same source); OpenSSH's SFTP server is bound by it. */
const WINDOWS_MAX_PATH = 259;
/** Linux NAME_MAX: 255 bytes per name (limits.h); PATH_MAX 4096 bytes including the NUL. */
const LINUX_NAME_MAX = 255;
const LINUX_PATH_MAX = 4095;

/**
 * Why `name` cannot be written into `dir` on `platform` (empty when it can). Checks the final name
 * and the temporary name the restore uses, and the longest full path.
 */
export function nameProblems(platform: "windows" | "linux", dir: string, name: string): string[] {
  const out: string[] = [];
  const shown = showName(name);
  if (platform === "windows") {
    if (WINDOWS_RESERVED.test(name))
      out.push(`${shown} is a reserved device name on Windows; rename it on the source`);
    if (WINDOWS_FORBIDDEN.test(name))
      out.push(
        `${shown} holds a character Windows forbids in file names (< > : " / \\ | ? * or a control character); rename it on the source`,
      );
    if (/[ .]$/.test(name))
      out.push(`${shown} ends with a space or a dot, which Windows drops; rename it on the source`);
    if (name.length > 255)
      out.push(`${shown} is ${name.length} characters long; Windows allows 255 per name`);
    const longest = Math.max(name.length, tempName(name).length);
    if (dir.length + 1 + longest > WINDOWS_MAX_PATH)
      out.push(
        `${dir}\\${shown} is ${dir.length + 1 + longest} characters long; Windows paths are limited to ${WINDOWS_MAX_PATH} (MAX_PATH); use a shorter name`,
      );
  } else {
    const bytes = Buffer.byteLength(name);
    if (bytes > LINUX_NAME_MAX)
      out.push(
        `${shown} is ${bytes} bytes long; Linux allows ${LINUX_NAME_MAX} bytes per name (NAME_MAX)`,
      );
    if (/\0/.test(name)) out.push(`${shown} holds a NUL character`);
    if (Buffer.byteLength(dir) + 1 + bytes > LINUX_PATH_MAX)
      out.push(`${dir}/${shown} is longer than PATH_MAX (${LINUX_PATH_MAX + 1} bytes)`);
  }
  return out;
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
    // A hung status command makes the service's state unknown, not the whole report unreadable.
    const learned = await learnService(r, host);
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
      service: learned.state,
      ...(learned.state === "unknown" ? { serviceUnknownBecause: learned.why } : {}),
      ...(marker ? { interruptedRestore: marker } : {}),
    };
  } catch (e) {
    return { ...empty, reachable: true, error: `${hostName}: ${(e as Error).message}` };
  } finally {
    r.close();
  }
}
