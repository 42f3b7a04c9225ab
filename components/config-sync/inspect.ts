/** I/O: `status`: reads one host's configuration, mailbox folders, service state and any interrupted restore. */
import { conn, hostOf, quiet, type EngineOptions } from "./connect-host";
import { countMailboxes, learnService, readConfig, readMarker } from "./host-ops";
import type { Inventory } from "./inventory";
import { compareToManifest, describeFiles } from "./manifest";
import type { RemoteHost } from "./transport";
import type { HostStatus, Manifest } from "./types";

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
