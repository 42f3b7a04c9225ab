/** Pure: the configuration-replication engine's shared data shapes. Plain values only. */

/** One configuration file as recorded in a manifest. Never carries the file's content. */
export interface ManifestFile {
  /** Top-level file name inside the data directory (no folders). */
  name: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
}

/**
 * What a snapshot holds: names, sizes and checksums of the configuration files, never their content.
 * Deterministic: the same files give the same manifest (and `digest`), so it is safe as a re-run trigger.
 */
export interface Manifest {
  /** Format tag, bumped on incompatible changes. */
  format: "msgw-config-manifest/1";
  /** The operator's revision the snapshot is stored under. */
  revision: string;
  /** Inventory name of the host the snapshot was read from. */
  source: string;
  /** The files, sorted by name. */
  files: ManifestFile[];
  /** SHA-256 over the sorted `name size sha256` lines: one value that changes when any file does. */
  digest: string;
}

/** A file with its content, as read from a host or a store. */
export interface FileContent {
  name: string;
  data: Buffer;
}

/** What a restore did to one host, or why it did not. */
export type HostResult =
  /** The host already matched the snapshot and its service runs: nothing was touched. */
  | "unchanged"
  /** The snapshot was written and verified, and the service runs. */
  | "updated"
  /** The password-trap guard refused the change; nothing was touched. */
  | "blocked"
  /** Something failed; `config` and `service` say what state the host is in. */
  | "failed";

/** The state a host's configuration is left in. */
export type ConfigState =
  | "unchanged"
  | "replaced"
  | "restored-from-backup"
  /** The connection was lost mid-restore, or the rollback failed: re-run restore. */
  | "unknown";

/** The state a host's gateway service is left in, as last observed. */
export type ServiceState = "running" | "stopped" | "unknown";

/** One finding of the password-trap guard. */
export interface GuardFinding {
  kind: "file-removed" | "file-shrinks" | "mailbox-removed" | "mailbox-record-changed";
  /** The configuration file concerned, when there is one. */
  file?: string;
  /** The mailbox concerned, when there is one. */
  mailbox?: string;
  /** Files in that mailbox's folder on the target, when known. */
  mailFiles?: number;
  /** One sentence for the operator. */
  message: string;
}

/** The per-host outcome of `restore`. */
export interface RestoreOutcome {
  host: string;
  revision: string;
  result: HostResult;
  config: ConfigState;
  service: ServiceState;
  /** Files written (new or changed), by name. */
  written: string[];
  /** Configuration files removed because the snapshot does not have them. */
  removed: string[];
  /** Where the pre-restore backup was kept, when one was taken. */
  backup?: { onHost: string; inStore: string };
  /** Guard findings (for `blocked`, and the overridden ones for `updated`). */
  findings: GuardFinding[];
  /** What happened and what state the host is in, for the operator. */
  message: string;
  /** Wall time in milliseconds. */
  elapsedMs: number;
}

/** The per-host report of `verify` and `status`. */
export interface HostStatus {
  host: string;
  reachable: boolean;
  /** Whether the configuration equals the snapshot's manifest (absent when no revision was given). */
  matches?: boolean;
  /** Files that differ from the manifest: missing, changed or extra. */
  differences: { name: string; problem: "missing" | "changed" | "extra" }[];
  /** The configuration files on the host (names, sizes, checksums). */
  files: ManifestFile[];
  /** Mailbox folders and how many files each holds (what draining waits for). */
  mailboxes: { folder: string; files: number }[];
  /** Total files in all mailbox folders. */
  mailFiles: number;
  service: ServiceState;
  /** Why `service` is `unknown` (the status command hung or failed to run), when it is. */
  serviceUnknownBecause?: string;
  /** A restore that was interrupted and not yet completed or rolled back. */
  interruptedRestore?: { revision: string; startedAt: string; backup: string };
  /** Error text when the host could not be read. */
  error?: string;
}
