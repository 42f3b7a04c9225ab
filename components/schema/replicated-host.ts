// Pure: what a host needs for configuration replication, per platform.
import type * as z from "zod";
import { LINUX_DATA_DIR_EXAMPLE, folderProblem, trimFolder } from "./data-directory";
import { report, show } from "./format";

/** What a linux host lacks without a data directory (MailStore Gateway has no Linux default to assume). */
export const LINUX_DATA_DIR_MISSING = `is missing; linux hosts need the gateway's data directory, e.g. "${LINUX_DATA_DIR_EXAMPLE}"`;
/** What a linux host lacks without service control (there is no Linux service manager to assume). */
export const LINUX_SERVICE_CONTROL_MISSING =
  'is missing; linux hosts need {"start": CMD, "stop": CMD, "status": CMD} (status exits 0 exactly when the service runs)';

/** One host's replication facts, as given (any field may be missing or of the wrong type). */
export interface ReplicatedHostFacts {
  platform: "windows" | "linux";
  dataDir: unknown;
  serviceControl: unknown;
}

/**
 * The data-directory and service-control rules of a host `msgw config` replicates, shared by the inventory
 * (`dataDir`, `serviceControl`) and the pool's `existing` / `legacy` hosts (`dataDirectory`,
 * `serviceControl`): a given data directory must be an absolute local folder of the host's platform
 * ({@link folderProblem}); a linux host that is replicated (`replicated`) must give both, a Windows host
 * falls back to `windowsDefault` and PowerShell service control. Values of the wrong type are left to the
 * field's own rule. Reports each problem at `paths`.
 * @returns the usable data directory without a trailing separator, or undefined when there is none
 */
export function replicatedHostRules(
  ctx: z.core.$RefinementCtx<unknown>,
  host: ReplicatedHostFacts,
  paths: { dataDir: ReadonlyArray<PropertyKey>; serviceControl: ReadonlyArray<PropertyKey> },
  options: { replicated: boolean; windowsDefault: string },
): string | undefined {
  let dataDir: string | undefined =
    host.platform === "windows" ? trimFolder(options.windowsDefault) : undefined;
  if (typeof host.dataDir === "string") {
    const problem = folderProblem(host.platform, host.dataDir);
    if (problem !== undefined) {
      report(ctx, paths.dataDir, `${show(host.dataDir)} ${problem}`);
      dataDir = undefined;
    } else dataDir = trimFolder(host.dataDir);
  } else if (host.dataDir !== undefined) {
    dataDir = undefined;
  } else if (host.platform === "linux" && options.replicated) {
    report(ctx, paths.dataDir, LINUX_DATA_DIR_MISSING);
  }
  if (host.serviceControl === undefined && host.platform === "linux" && options.replicated) {
    report(ctx, paths.serviceControl, LINUX_SERVICE_CONTROL_MISSING);
  }
  return dataDir;
}
