/** I/O: `restore`: puts a stored snapshot onto hosts, at most N at once, each host's outcome on its own. */
import pLimit from "p-limit";
import { connectVia, errText, hostOf, quiet, type EngineOptions } from "./connect-host";
import type { HostSpec, Inventory } from "./inventory";
import { Restorer } from "./restorer";
import { loadSnapshot, type BackupStore, type StoredSnapshot } from "./store";
import { printable } from "./text";
import type { RemoteHost } from "./transport";
import type { RestoreOutcome } from "./types";

/**
 * Runs `fn` over `items` with at most `limit` at once (a whole number; below 1 counts as 1); results
 * keep the items' order. Rejects with the first rejection (items already queued still run).
 */
export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const bound = pLimit(Math.max(1, Math.floor(Math.min(limit, items.length))));
  return Promise.all(items.map((item) => bound(() => fn(item))));
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
