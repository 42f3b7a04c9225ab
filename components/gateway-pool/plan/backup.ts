// Pure: the snapshot schedule as planned, described, and the tag that selects the volumes.
/** The snapshot schedule of the data volumes, as planned. */
export interface BackupPlan {
  intervalHours: number;
  /** UTC `HH:MM`. */
  startTime: string;
  retainCount: number;
}

/** One line for outputs and the runbook: what is protected and how often. */
export function describeBackupSchedule(b: BackupPlan): string {
  const every = b.intervalHours === 24 ? "daily" : `every ${b.intervalHours} hours`;
  return `EBS snapshots ${every} from ${b.startTime} UTC, newest ${b.retainCount} kept per volume`;
}

/** Value of the `msgw:backup` tag: stack and pool, so stacks sharing an account never share a policy. */
export const backupTagValue = (stack: string, pool: string): string => `${stack}/${pool}`;
