/** I/O: `snapshot`: reads the source host's configuration and stores it under a revision. */
import { connectVia, errText, hostOf, quiet, type EngineOptions } from "./connect-host";
import { readConfig } from "./host-ops";
import type { Inventory } from "./inventory";
import { buildManifest, checkRevision } from "./manifest";
import { restore } from "./restore";
import type { BackupStore } from "./store";
import { printable } from "./text";
import type { FileContent, Manifest } from "./types";

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
