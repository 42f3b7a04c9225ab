/**
 * I/O: configuration replication for MailStore Gateway pools: snapshot the configuration files of one host,
 * keep them in a backup store, and restore them to other hosts over SSH/SFTP with the gateway service
 * stopped, a backup taken first, checksums verified and a rollback on any failure.
 *
 * @example
 * ```ts
 * import { Command } from "commander";
 * import { registerConfigCommands } from "@msgw/gateway-pool";
 * const program = new Command("msgw");
 * registerConfigCommands(program);
 * await program.parseAsync();
 * ```
 */
export {
  registerConfigCommands,
  openStore,
  selectHosts,
  resolveInventory,
  type HostFlags,
  type InventoryFlags,
} from "./cli";
export {
  inventoryFromOutputs,
  inventoryFromOutputsFile,
  inventoryFromStack,
  INVENTORY_OUTPUT,
} from "./stack-inventory";
export { printable } from "./text";
export type { EngineOptions } from "./connect-host";
export { snapshot, type SnapshotResult, type WaitingState } from "./snapshot";
export { restore, restoreHost, mapBounded } from "./restore";
export { inspectHost } from "./inspect";
export { nameProblems, tempName } from "./file-names";
export {
  loadInventory,
  validateInventory,
  parseHostKey,
  InventoryError,
  WINDOWS_DATA_DIR,
  WINDOWS_SERVICE_NAME,
  DEFAULT_MAILBOX_ID_PATTERN,
  type Inventory,
  type HostSpec,
  type StoreSpec,
  type FileSelection,
} from "./inventory";
export { windowsServiceControl, type ServiceControl } from "./service-control";
export { buildManifest, compareToManifest, digestOf, parseManifest } from "./manifest";
export { planRestore, type RestorePlan } from "./plan";
export { guardFindings, type GuardInput } from "./guard";
export { LocalStore, loadSnapshot, type BackupStore, type StoredSnapshot } from "./store";
export { S3Store, sdkS3Objects, type S3Objects } from "./s3-store";
export {
  connect,
  HostKeyMismatchError,
  DeadlineError,
  DiskFullError,
  OUTPUT_CAP_BYTES,
  type ExecResult,
  type RemoteHost,
  type RemoteEntry,
  type ProgressSink,
} from "./transport";
export type {
  Manifest,
  ManifestFile,
  FileContent,
  RestoreOutcome,
  HostResult,
  ConfigState,
  ServiceState,
  GuardFinding,
  HostStatus,
} from "./types";
export {
  bootStepNote,
  readBootStepViaSsm,
  EC2_INSTANCE_ARN,
  type BootStepProbe,
  type BootStepReader,
  type SsmSdk,
} from "./boot-step";
