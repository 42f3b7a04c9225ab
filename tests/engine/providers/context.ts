/**
 * What every stand-in operation sees: the fake cloud account (a directory shared by all plugin processes, so
 * two stacks meet the same account-wide names), the installer's settings, the clock, and a logger that
 * reaches the engine like a real provider's log messages.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Environment variable naming the fake cloud directory (shared by every plugin process of a test). */
export const CLOUD_DIR_ENV = "MSGW_STANDIN_CLOUD_DIR";
/** Environment variable naming the installer's settings file (JSON {@link StandInSettings}). */
export const SETTINGS_ENV = "MSGW_STANDIN_SETTINGS";
/** Environment variable overriding the clock (ISO 8601), for certificate renewal tests. */
export const NOW_ENV = "MSGW_STANDIN_NOW";

/** Settings the installer writes for the plugins. */
export interface StandInSettings {
  /** Directory the Cloudflare stand-in writes `<zone>.zone` files into (served by NSD). */
  dnsZoneDir?: string;
  /** Command prefix that reloads NSD: the plugin runs `[...nsdControl, "reload", zone]`. */
  nsdControl?: string[];
  /** Address of `ns1.<zone>` in generated zone files. */
  nsAddress?: string;
  /** Cloudflare zones that exist in the fake account (default `["example.com"]`). */
  zones?: string[];
  /** Elastic IPs per region (EC2 quota "EC2-VPC Elastic IPs", default 5). */
  eipQuotaPerRegion?: number;
}

/** Severity of a log message to the engine. */
export type Severity = "debug" | "info" | "warning" | "error";

/** Context of one provider operation. */
export interface StandInContext {
  urn: string;
  /**
   * The provider's configuration as the engine sent it in Configure (`region` for aws), plain values. The
   * Node.js provider SDK drops it; main.ts captures it (see `captureProviderConfig`).
   */
  config: Record<string, unknown>;
  cloud: Cloud;
  settings: StandInSettings;
  now(): Date;
  log(severity: Severity, message: string): void;
}

/** Reads the settings file named by {@link SETTINGS_ENV} (empty settings without it). */
export function loadSettings(): StandInSettings {
  const file = process.env[SETTINGS_ENV];
  return file ? (JSON.parse(readFileSync(file, "utf8")) as StandInSettings) : {};
}

/** Current time, or {@link NOW_ENV} when set. */
export function standInNow(): Date {
  const fixed = process.env[NOW_ENV];
  return fixed ? new Date(fixed) : new Date();
}

const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

/**
 * The fake cloud account: JSON documents under one directory. Each document is one object of a service
 * (`<service>/<key>.json`); `create` is exclusive (the account-wide uniqueness real APIs enforce), and
 * `withLock` serializes read-modify-write across plugin processes (bounded wait, stale locks broken).
 */
export class Cloud {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private path(service: string, key: string): string {
    return join(this.dir, service, `${encodeURIComponent(key)}.json`);
  }

  /** The document, or undefined. */
  get<T>(service: string, key: string): T | undefined {
    try {
      return JSON.parse(readFileSync(this.path(service, key), "utf8")) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  /** Creates the document; false when it already exists (nothing written). */
  create(service: string, key: string, value: unknown): boolean {
    mkdirSync(join(this.dir, service), { recursive: true });
    let fd: number;
    try {
      fd = openSync(this.path(service, key), "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    }
    closeSync(fd);
    this.put(service, key, value);
    return true;
  }

  /** Writes (replaces) the document atomically. */
  put(service: string, key: string, value: unknown): void {
    mkdirSync(join(this.dir, service), { recursive: true });
    const file = this.path(service, key);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value, null, 2));
    renameSync(tmp, file);
  }

  /** Removes the document; false when it did not exist. */
  remove(service: string, key: string): boolean {
    try {
      rmSync(this.path(service, key));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw e;
    }
  }

  /** Every document of a service, keyed by key. */
  list<T>(service: string): Map<string, T> {
    const out = new Map<string, T>();
    let names: string[];
    try {
      names = readdirSync(join(this.dir, service));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return out;
      throw e;
    }
    for (const n of names.sort()) {
      if (!n.endsWith(".json")) continue;
      const key = decodeURIComponent(n.slice(0, -".json".length));
      const doc = this.get<T>(service, key);
      if (doc !== undefined) out.set(key, doc);
    }
    return out;
  }

  /** Runs `fn` holding the named lock (a directory; waits at most 10 s, breaks locks older than 30 s). */
  async withLock<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const lock = join(this.dir, `${encodeURIComponent(name)}.lock`);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        try {
          if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
            rmSync(lock, { recursive: true });
        } catch {
          // Removed meanwhile: retry.
        }
        if (Date.now() > deadline) {
          throw new Error(`stand-in cloud: lock ${lock} held for more than ${LOCK_WAIT_MS} ms`);
        }
        await sleep(20);
      }
    }
    try {
      return await fn();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
