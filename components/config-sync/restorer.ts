/**
 * I/O: restores one host, written from its failure paths outward: backup while the service runs,
 * pre-flight, marker, stop, temporary files, renames, checksums, start; any failure after the stop
 * puts the previous configuration back and says what state the host is in.
 */
import { errText, type EngineOptions } from "./connect-host";
import { nameProblems, tempName } from "./file-names";
import { explainFindings, guardFindings } from "./guard";
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
  compareToManifest,
  describeFiles,
  digestOf,
  parseManifest,
} from "./manifest";
import { isNoop, planRestore, type RestorePlan } from "./plan";
import { TEMP_SUFFIX } from "./select";
import { checkAgainstManifest, type BackupStore, type StoredSnapshot } from "./store";
import { showBytes, showName } from "./text";
import { HostKeyMismatchError, joinRemote, sftpPath, type RemoteHost } from "./transport";
import type { FileContent, RestoreOutcome, ServiceState } from "./types";

export class Restorer {
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
