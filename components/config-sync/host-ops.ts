import type { FileSelection, HostSpec } from "./inventory";
import { isConfigFile, TEMP_SUFFIX } from "./select";
import { joinRemote, sftpPath, type RemoteHost } from "./transport";
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
  const names = entries
    .filter((e) => e.kind === "file" && isConfigFile(e.name, sel, host.platform === "windows"))
    .map((e) => e.name)
    .sort();
  const files: FileContent[] = [];
  for (const name of names) {
    const data = await r.readFile(joinRemote(dir, name)).catch((e: Error) => {
      throw new Error(`cannot read ${name}: ${e.message.replace(/^read [^:]*: /, "")}`);
    });
    files.push({ name, data });
  }
  return files;
}

/** Leftover temporary files of an interrupted restore. */
export async function staleTemps(r: RemoteHost, host: HostSpec): Promise<string[]> {
  const entries = await r.list(hostPaths(host).dataDir);
  return entries
    .filter((e) => e.kind === "file" && e.name.endsWith(TEMP_SUFFIX))
    .map((e) => e.name);
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
  if (!(await r.stat(p))) return undefined;
  try {
    return JSON.parse((await r.readFile(p)).toString("utf8")) as RestoreMarker;
  } catch {
    return { revision: "?", startedAt: "?", backup: "?" };
  }
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Whether the gateway service runs (the status command exits 0). */
export async function serviceRunning(r: RemoteHost, host: HostSpec): Promise<boolean> {
  return (await r.exec(host.serviceControl.status)).code === 0;
}

async function waitService(r: RemoteHost, host: HostSpec, running: boolean): Promise<boolean> {
  const deadline = Date.now() + host.serviceTimeoutSeconds * 1000;
  for (;;) {
    if ((await serviceRunning(r, host)) === running) return true;
    if (Date.now() >= deadline) return false;
    await sleep(250);
  }
}

const tail = (s: string) => s.trim().split(/\r?\n/).slice(-3).join(" | ").slice(0, 300);

/** Stops the service and waits (bounded) until it reports stopped. */
export async function stopService(r: RemoteHost, host: HostSpec): Promise<void> {
  const res = await r.exec(host.serviceControl.stop);
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
  const res = await r.exec(host.serviceControl.start);
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
