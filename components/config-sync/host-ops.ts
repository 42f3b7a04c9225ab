/** I/O: operations on one host over SSH/SFTP: reading its configuration and mailbox folders, and controlling its service. */
import type { FileSelection, HostSpec } from "./inventory";
import { isConfigFile, TEMP_SUFFIX } from "./select";
import { DeadlineError, joinRemote, sftpPath, type ExecResult, type RemoteHost } from "./transport";
import { printable, showBytes, showName } from "./text";
import type { FileContent } from "./types";

/** The SFTP paths the engine uses on one host. */
export interface HostPaths {
  dataDir: string;
  backupDir: string;
  marker: string;
}

/** SFTP paths of a host's data directory, backup folder and interrupted-restore marker. */
export function hostPaths(host: HostSpec): HostPaths {
  const backupDir = sftpPath(host.platform, host.backupDir);
  return {
    dataDir: sftpPath(host.platform, host.dataDir),
    backupDir,
    marker: joinRemote(backupDir, "restore-in-progress.json"),
  };
}

/** What an interrupted restore left behind on a host (written before the service stops). */
export interface RestoreMarker {
  revision: string;
  startedAt: string;
  backup: string;
}

/** Reads the configuration files (top-level files that the selection counts) from a host's data directory. */
export async function readConfig(
  r: RemoteHost,
  host: HostSpec,
  sel: FileSelection,
): Promise<FileContent[]> {
  const dir = hostPaths(host).dataDir;
  const entries = await r.list(dir).catch((e: Error) => {
    throw new Error(
      `cannot list the data directory ${host.dataDir}: ${e.message.replace(/^list [^:]*: /, "")}`,
    );
  });
  const chosen = entries.filter(
    (e) => e.kind !== "dir" && isConfigFile(e.name, sel, host.platform === "windows"),
  );
  const limit = sel.maxFileMiB * 1024 * 1024;
  const problems: string[] = [];
  for (const e of chosen) {
    if (e.kind === "link" || e.kind === "other")
      problems.push(
        `${showName(e.name)} is a ${e.kind === "link" ? "symbolic link (or reparse point)" : "special file"}, not a regular file: replication never follows links; replace it with the file itself or exclude it (files.exclude)`,
      );
    else if (e.size > limit)
      problems.push(
        `${showName(e.name)} is ${showBytes(e.size)}, above files.maxFileMiB (${sel.maxFileMiB} MiB): configuration files are small, so this is probably not one; add it to files.exclude, or raise files.maxFileMiB`,
      );
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  const names = chosen.map((e) => e.name).sort();
  const files: FileContent[] = [];
  for (const name of names) {
    const data = await r.readFile(joinRemote(dir, name), limit).catch((e: Error) => {
      throw new Error(`cannot read ${showName(name)}: ${e.message.replace(/^read [^:]*: /, "")}`);
    });
    files.push({ name, data });
  }
  return files;
}

/** Leftover temporary files of an interrupted restore. */
export async function staleTemps(r: RemoteHost, host: HostSpec): Promise<string[]> {
  const entries = await r.list(hostPaths(host).dataDir);
  return entries.filter((e) => e.kind !== "dir" && e.name.endsWith(TEMP_SUFFIX)).map((e) => e.name);
}

/** Mailbox folders (sub-folders of the data directory) and how many files each holds, recursively. */
export async function countMailboxes(
  r: RemoteHost,
  host: HostSpec,
): Promise<{ folder: string; files: number }[]> {
  const dir = hostPaths(host).dataDir;
  const count = async (p: string, depth: number): Promise<number> => {
    if (depth > 16) return 0;
    let n = 0;
    for (const e of await r.list(p)) {
      if (e.kind === "file") n++;
      else if (e.kind === "dir") n += await count(joinRemote(p, e.name), depth + 1);
    }
    return n;
  };
  const out: { folder: string; files: number }[] = [];
  for (const e of (await r.list(dir))
    .filter((x) => x.kind === "dir")
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push({ folder: e.name, files: await count(joinRemote(dir, e.name), 1) });
  }
  return out;
}

/** The interrupted-restore marker, if a restore was cut off on this host. */
export async function readMarker(
  r: RemoteHost,
  host: HostSpec,
): Promise<RestoreMarker | undefined> {
  const p = hostPaths(host).marker;
  if (!(await r.lstat(p))) return undefined;
  try {
    return JSON.parse((await r.readFile(p, 64 * 1024)).toString("utf8")) as RestoreMarker;
  } catch {
    return { revision: "?", startedAt: "?", backup: "?" };
  }
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Deadline of one status (or exists) command. */
const statusMs = (host: HostSpec) => Math.min(30, host.serviceTimeoutSeconds) * 1000 + 5000;

/** A service-control command that did not finish before its deadline (and was killed). */
export class HungCommandError extends DeadlineError {
  constructor(
    readonly verb: "status" | "exists" | "start" | "stop",
    detail: string,
  ) {
    super(`the ${verb} command hung: ${detail}`);
  }
}

/** Whether `e` says that `verb`'s command hung. */
export const hung = (e: unknown, verb: HungCommandError["verb"]): e is HungCommandError =>
  e instanceof HungCommandError && e.verb === verb;

/** Runs a service-control command with its deadline; a deadline says which command hung. */
async function control(
  r: RemoteHost,
  what: HungCommandError["verb"],
  command: string,
  timeoutMs: number,
): Promise<ExecResult> {
  try {
    return await r.exec(command, timeoutMs);
  } catch (e) {
    if (e instanceof DeadlineError) throw new HungCommandError(what, e.message);
    throw e;
  }
}

/** Whether the gateway service runs (the status command exits 0). */
export async function serviceRunning(r: RemoteHost, host: HostSpec): Promise<boolean> {
  return (await control(r, "status", host.serviceControl.status, statusMs(host))).code === 0;
}

/** The service's state as the status command tells it; `why` says what kept it from being learned. */
export type LearnedState = { state: "running" | "stopped" } | { state: "unknown"; why: string };

/** Asks the status command once; never throws (a hung or failed command gives `unknown` and why). */
export async function learnService(r: RemoteHost, host: HostSpec): Promise<LearnedState> {
  if (r.lost) return { state: "unknown", why: `the connection was lost (${r.lost})` };
  try {
    return { state: (await serviceRunning(r, host)) ? "running" : "stopped" };
  } catch (e) {
    return { state: "unknown", why: printable((e as Error).message) };
  }
}

/**
 * Waits (bounded by `serviceWaitSeconds`) until the service is installed, when the host has an
 * `exists` command. Returns false when it is still not there.
 */
export async function waitServiceInstalled(
  r: RemoteHost,
  host: HostSpec,
  progress: (l: string) => void,
): Promise<boolean> {
  const cmd = host.serviceControl.exists;
  if (cmd === undefined) return true;
  const deadline = Date.now() + host.serviceWaitSeconds * 1000;
  let said = 0;
  for (;;) {
    if ((await control(r, "exists", cmd, statusMs(host))).code === 0) return true;
    if (Date.now() >= deadline) return false;
    if (Date.now() - said >= 30_000) {
      said = Date.now();
      progress(
        `waiting for the service ${host.serviceName} to be installed (${Math.ceil((deadline - Date.now()) / 1000)}s left)`,
      );
    }
    await sleep(Math.min(5000, Math.max(0, deadline - Date.now())));
  }
}

async function waitService(r: RemoteHost, host: HostSpec, running: boolean): Promise<boolean> {
  const deadline = Date.now() + host.serviceTimeoutSeconds * 1000;
  for (;;) {
    if ((await serviceRunning(r, host)) === running) return true;
    if (Date.now() >= deadline) return false;
    await sleep(250);
  }
}

/** The last lines of a command's output, escaped and short. */
export const tail = (s: string) =>
  printable(s.trim().split(/\r?\n/).slice(-3).join(" | ").slice(-300));

/** Stops the service and waits (bounded) until it reports stopped. */
export async function stopService(r: RemoteHost, host: HostSpec): Promise<void> {
  const res = await control(
    r,
    "stop",
    host.serviceControl.stop,
    host.serviceTimeoutSeconds * 1000 + 5000,
  );
  if (res.code !== 0)
    throw new Error(
      `the stop command exited ${res.code}${res.stderr.trim() ? `: ${tail(res.stderr)}` : ""}`,
    );
  if (!(await waitService(r, host, false))) {
    throw new Error(
      `the service ${host.serviceName} still runs ${host.serviceTimeoutSeconds}s after the stop command`,
    );
  }
}

/** Starts the service, waits until it runs, and checks again after `settleSeconds`. */
export async function startService(r: RemoteHost, host: HostSpec): Promise<void> {
  const res = await control(
    r,
    "start",
    host.serviceControl.start,
    host.serviceTimeoutSeconds * 1000 + 5000,
  );
  if (res.code !== 0)
    throw new Error(
      `the start command exited ${res.code}${res.stderr.trim() ? `: ${tail(res.stderr)}` : ""}`,
    );
  if (!(await waitService(r, host, true))) {
    throw new Error(
      `the service ${host.serviceName} did not report running within ${host.serviceTimeoutSeconds}s of the start command`,
    );
  }
  if (host.settleSeconds > 0) {
    await sleep(host.settleSeconds * 1000);
    if (!(await serviceRunning(r, host)))
      throw new Error(
        `the service ${host.serviceName} started but stopped again within ${host.settleSeconds}s`,
      );
  }
}
