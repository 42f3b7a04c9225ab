/** I/O: the SSH/SFTP connection to a host: pinned host key, deadlines on every request, capped output. */
import * as fs from "node:fs";
import { createHash } from "node:crypto";
import { Client, type SFTPWrapper, type ConnectConfig, type ClientChannel } from "ssh2";
import { parseHostKey, type HostSpec } from "./inventory";
import { printable, showBytes } from "./text";

/** One directory entry on a host, as `lstat` sees it (a link is a link, never what it points to). */
export interface RemoteEntry {
  name: string;
  /** `link` is a symbolic link (on Windows OpenSSH: a reparse point); `other` a device, pipe or socket. */
  kind: "file" | "dir" | "link" | "other";
  size: number;
}

/** The outcome of a remote command; output is capped (see {@link OUTPUT_CAP_BYTES}). */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Bytes the command printed beyond the cap (dropped, never buffered). */
  droppedBytes: number;
}

/**
 * The operations the engine needs on a host. Paths are SFTP paths (`/C:/ProgramData/...` on Windows).
 * Every operation has a deadline: a stalled request rejects with a {@link DeadlineError} and marks the
 * connection lost (later operations fail at once; the engine reconnects).
 */
export interface RemoteHost {
  readonly name: string;
  /** Why the connection is unusable (lost, stalled), or undefined while it works. */
  readonly lost: string | undefined;
  list(dir: string): Promise<RemoteEntry[]>;
  /** The entry itself (links are not followed); undefined when the path does not exist. */
  lstat(p: string): Promise<RemoteEntry | undefined>;
  /** Reads a whole file; refuses one larger than `maxBytes` without reading it. */
  readFile(p: string, maxBytes: number): Promise<Buffer>;
  /**
   * Creates `p` (`exclusive`: fails when anything, a link included, already has that name), writes
   * `data` in 32 KiB requests, flushes it to disk where the server can, and closes it.
   */
  writeFile(p: string, data: Buffer, opts?: { exclusive?: boolean }): Promise<void>;
  /** Renames over an existing file (atomically where the server offers posix-rename). */
  rename(from: string, to: string): Promise<void>;
  remove(p: string): Promise<void>;
  mkdirp(p: string): Promise<void>;
  /** Free bytes for an unprivileged writer on the file system holding `p`; undefined when the server cannot say. */
  freeBytes(p: string): Promise<number | undefined>;
  /** Runs a command with a deadline; on expiry the command is killed and a {@link DeadlineError} thrown. */
  exec(command: string, timeoutMs: number): Promise<ExecResult>;
  close(): void;
}

/** Raised when a host presents a key other than the pinned one. Never retried. */
export class HostKeyMismatchError extends Error {}

/** Raised when a remote operation or command did not finish before its deadline. */
export class DeadlineError extends Error {}

/** Raised for "no space left on the device" (SFTP itself only says "Failure"). */
export class DiskFullError extends Error {}

/** How a connection reports that it is waiting. */
export type ProgressSink = (message: string) => void;

/** Bytes kept of each of a command's stdout and stderr; the rest is counted and dropped. */
export const OUTPUT_CAP_BYTES = 64 * 1024;

/** SFTP request size for reads and writes. */
const CHUNK = 32 * 1024;

/** SHA-256 fingerprint in OpenSSH's form. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** `C:\ProgramData\X` -> `/C:/ProgramData/X` (Windows OpenSSH's SFTP form); linux paths pass through. */
export function sftpPath(platform: "windows" | "linux", p: string): string {
  if (platform === "linux") return p;
  return `/${p.replace(/\\/g, "/")}`;
}

/** Joins SFTP path parts with `/`. */
export const joinRemote = (...parts: string[]): string => parts.join("/").replace(/\/{2,}/g, "/");

function readPrivateKey(
  host: HostSpec,
  env: NodeJS.ProcessEnv,
): { privateKey: Buffer | string; passphrase?: string } {
  let privateKey: Buffer | string;
  if (host.privateKeyPath !== undefined) {
    try {
      privateKey = fs.readFileSync(host.privateKeyPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "error";
      throw new Error(
        `${host.name}: cannot read the SSH private key ${host.privateKeyPath} (privateKeyPath): ${code}; ` +
          `replication runs on a machine that holds the key (an operator machine or a runner inside the admin network with the key as a secret)`,
      );
    }
  } else {
    const v = env[host.privateKeyEnv!];
    if (v === undefined || v === "") {
      throw new Error(
        `${host.name}: environment variable ${host.privateKeyEnv} (privateKeyEnv) is empty or unset; put the private key text in it`,
      );
    }
    privateKey = v;
  }
  const passphrase = host.passphraseEnv !== undefined ? env[host.passphraseEnv] : undefined;
  return { privateKey, ...(passphrase !== undefined ? { passphrase } : {}) };
}

/** Errors a host still booting produces (and a host that is down or out of reach). */
const TRANSIENT =
  /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EAI_AGAIN|Timed out while waiting for handshake|connection lost before handshake|Not connected/i;

/** The reason behind a connection error, in words. */
export function connectReason(message: string, port: number, timeoutS: number): string {
  if (/ECONNREFUSED/.test(message)) return `connection refused (nothing listens on port ${port})`;
  if (/EHOSTUNREACH/.test(message))
    return "host unreachable (EHOSTUNREACH: no route or no answer to ARP)";
  if (/ENETUNREACH/.test(message))
    return "network unreachable (ENETUNREACH: this machine has no route to it)";
  if (/EAI_AGAIN|ENOTFOUND/.test(message)) return "the address does not resolve (DNS)";
  if (/ETIMEDOUT|Timed out while waiting for handshake/.test(message))
    return `no answer within ${timeoutS}s (a firewall drops the packets, or the host is down)`;
  if (/ECONNRESET|connection lost before handshake/i.test(message))
    return "the connection was closed before the SSH handshake finished";
  return printable(message);
}

/**
 * Connects to a host over SSH with its pinned host key. One attempt lasts at most
 * `connectTimeoutSeconds`; a host whose inventory entry has `bootWaitSeconds` (a host just created,
 * still booting) is tried again while it refuses or ignores connections, for at most that long, with
 * a progress line every 30 s. Key, host-key and login problems are never retried.
 */
export async function connect(
  host: HostSpec,
  progress: ProgressSink,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RemoteHost> {
  const pinned = parseHostKey(host.hostKey);
  if (!pinned) throw new Error(`${host.name}: hostKey is not a public key`);
  const key = readPrivateKey(host, env);
  const t0 = Date.now();
  const deadline = t0 + host.bootWaitSeconds * 1000;
  const reasons = new Map<string, number>();
  let attempt = 0;
  let lastLine = 0;
  for (;;) {
    attempt++;
    try {
      return await connectOnce(host, pinned, key, host.connectTimeoutSeconds * 1000);
    } catch (e) {
      const err = e as Error;
      if (err instanceof HostKeyMismatchError || !TRANSIENT.test(err.message)) throw err;
      const reason = connectReason(err.message, host.port, host.connectTimeoutSeconds);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      // No route from this machine: no amount of waiting for the host to boot helps.
      const left = /ENETUNREACH/.test(err.message) ? 0 : deadline - Date.now();
      if (left <= 0) {
        const why =
          reasons.size === 1
            ? attempt === 1
              ? reason
              : `${attempt} attempts in ${Math.round((Date.now() - t0) / 1000)}s, each: ${reason}`
            : `${attempt} attempts in ${Math.round((Date.now() - t0) / 1000)}s; ${[...reasons]
                .map(([r, n]) => `${n}x ${r}`)
                .join("; ")}`;
        throw new Error(`${host.name}: no SSH connection to ${host.address}:${host.port}: ${why}`);
      }
      if (attempt === 1 || Date.now() - lastLine >= 30_000) {
        lastLine = Date.now();
        progress(
          `${host.name}: waiting for SSH on ${host.address}:${host.port} (a host just created is still booting): ${reason}; ${Math.ceil(left / 1000)}s left`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(2000, left)));
    }
  }
}

function connectOnce(
  host: HostSpec,
  pinned: { type: string; blob: Buffer },
  key: { privateKey: Buffer | string; passphrase?: string },
  readyTimeout: number,
): Promise<RemoteHost> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: Buffer | undefined;
    let settled = false;
    const hostKeyAlgos: Record<string, string[]> = {
      "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    };
    const config: ConnectConfig = {
      host: host.address,
      port: host.port,
      username: host.username,
      privateKey: key.privateKey,
      ...(key.passphrase !== undefined ? { passphrase: key.passphrase } : {}),
      readyTimeout,
      keepaliveInterval: 5000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: (hostKeyAlgos[pinned.type] ?? [pinned.type]) as never },
      hostVerifier: (blob: Buffer) => {
        presented = blob;
        return blob.equals(pinned.blob);
      },
    };
    // A hard stop for the whole attempt (TCP, handshake, login, SFTP subsystem): readyTimeout alone
    // does not cover the SFTP channel.
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(new Error("Timed out while waiting for handshake"));
    }, readyTimeout + 2000);
    const done = () => {
      settled = true;
      clearTimeout(timer);
    };
    // Errors after the attempt settled belong to the SshHost; never let one escape as an uncaught event.
    client.on("error", () => undefined);
    client.once("ready", () => {
      client.setNoDelay(true); // small SFTP requests otherwise wait on Nagle + delayed ACK (~40 ms each)
      client.sftp((err, sftp) => {
        if (settled) return;
        done();
        if (err) {
          client.end();
          reject(new Error(`${host.name}: SFTP subsystem refused: ${printable(err.message)}`));
          return;
        }
        resolve(new SshHost(host, client, sftp));
      });
    });
    client.once("error", (err: Error & { level?: string }) => {
      if (settled) return;
      done();
      client.end();
      if (presented && !presented.equals(pinned.blob)) {
        reject(
          new HostKeyMismatchError(
            `${host.name}: host key mismatch at ${host.address}:${host.port}: it presented ${fingerprint(presented)}, the inventory pins ${fingerprint(pinned.blob)}. ` +
              `Nothing was done on this host. If the host was rebuilt, pin its new key (hostKey); otherwise treat this as an attack.`,
          ),
        );
      } else if (/no matching host key format|host key format/i.test(err.message)) {
        reject(
          new HostKeyMismatchError(
            `${host.name}: ${host.address}:${host.port} offers no ${pinned.type} host key, the type the inventory pins (hostKey); ` +
              `nothing was done on this host. Pin the key the host really has (its type and value, e.g. from its console or the stack outputs).`,
          ),
        );
      } else if (err.level === "client-authentication") {
        reject(
          new Error(`${host.name}: SSH login as ${host.username} was refused (key not authorized)`),
        );
      } else {
        reject(new Error(err.message));
      }
    });
    client.once("close", () => {
      if (settled) return;
      done();
      reject(new Error("connection lost before handshake"));
    });
    client.connect(config);
  });
}

interface Attrs {
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

const kindOf = (a: Attrs): RemoteEntry["kind"] =>
  a.isSymbolicLink() ? "link" : a.isFile() ? "file" : a.isDirectory() ? "dir" : "other";

/** An SFTP error status code (ssh2 puts it on `code`). */
const sftpCode = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown }).code;
  return typeof c === "number" ? c : undefined;
};

class SshHost implements RemoteHost {
  readonly name: string;
  private why: string | undefined;
  private readonly opMs: number;
  constructor(
    private readonly host: HostSpec,
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
  ) {
    this.name = host.name;
    this.opMs = host.operationTimeoutSeconds * 1000;
    client.on("close", () => {
      this.why ??= "connection to host lost";
    });
    client.on("error", (e: Error) => {
      this.why ??= `connection to host lost (${printable(e.message)})`;
    });
    sftp.on("error", (e: Error) => {
      this.why ??= `SFTP session failed (${printable(e.message)})`;
    });
  }

  get lost(): string | undefined {
    return this.why;
  }

  private ext(name: string): boolean {
    const ext = (this.sftp as unknown as { _extensions: Record<string, string> })._extensions ?? {};
    return ext[name] !== undefined;
  }

  /** One SFTP request with a deadline; a stalled server makes the whole connection unusable. */
  private op<T>(
    what: string,
    fn: (cb: (err: Error | undefined | null, v: T) => void) => void,
  ): Promise<T> {
    if (this.why) return Promise.reject(new Error(`${what}: ${this.why}`));
    return new Promise<T>((resolve, reject) => {
      let finished = false;
      const timer = setTimeout(() => {
        if (finished) return;
        finished = true;
        this.why ??= `the host's SFTP server did not answer within ${this.host.operationTimeoutSeconds}s (stalled); connection closed`;
        this.client.destroy();
        reject(new DeadlineError(`${what}: ${this.why}`));
      }, this.opMs);
      try {
        fn((err, v) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          if (err) {
            const e = new Error(`${what}: ${this.why ?? printable(err.message)}`);
            (e as Error & { code?: number }).code = sftpCode(err);
            reject(e);
          } else resolve(v);
        });
      } catch (e) {
        finished = true;
        clearTimeout(timer);
        reject(new Error(`${what}: ${this.why ?? printable((e as Error).message)}`));
      }
    });
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    const entries = await this.op<{ filename: string; attrs: Attrs }[]>(`list ${dir}`, (cb) =>
      this.sftp.readdir(dir, cb as never),
    );
    return entries
      .filter((e) => e.filename !== "." && e.filename !== "..")
      .map((e) => ({ name: e.filename, kind: kindOf(e.attrs), size: e.attrs.size }));
  }

  async lstat(p: string): Promise<RemoteEntry | undefined> {
    try {
      const s = await this.op<Attrs>(`stat ${p}`, (cb) => this.sftp.lstat(p, cb as never));
      return { name: p.split("/").pop()!, kind: kindOf(s), size: s.size };
    } catch (e) {
      if (sftpCode(e) === 2 || /No such file/i.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  async readFile(p: string, maxBytes: number): Promise<Buffer> {
    const handle = await this.op<Buffer>(`open ${p}`, (cb) => this.sftp.open(p, "r", cb as never));
    try {
      const st = await this.op<Attrs>(`stat ${p}`, (cb) => this.sftp.fstat(handle, cb as never));
      if (st.size > maxBytes)
        throw new Error(
          `read ${p}: ${showBytes(st.size)} is above the limit of ${showBytes(maxBytes)} per configuration file`,
        );
      const parts: Buffer[] = [];
      let off = 0;
      for (;;) {
        const buf = Buffer.alloc(CHUNK);
        const n = await this.op<number>(`read ${p}`, (cb) =>
          this.sftp.read(handle, buf, 0, CHUNK, off, ((err: Error | undefined, nb: number) =>
            // ssh2 reports end of file as an EOF status error
            err && sftpCode(err) === 1 ? cb(undefined, 0) : cb(err, nb)) as never),
        );
        if (n === 0) break;
        parts.push(buf.subarray(0, n));
        off += n;
        if (off > maxBytes)
          throw new Error(`read ${p}: grew above ${showBytes(maxBytes)} while being read`);
      }
      return Buffer.concat(parts);
    } finally {
      await this.op<void>(`close ${p}`, (cb) => this.sftp.close(handle, cb as never)).catch(
        () => undefined,
      );
    }
  }

  async writeFile(p: string, data: Buffer, opts: { exclusive?: boolean } = {}): Promise<void> {
    const handle = await this.op<Buffer>(`create ${p}`, (cb) =>
      this.sftp.open(p, opts.exclusive ? "wx" : "w", 0o600, cb as never),
    );
    let off = 0;
    try {
      while (off < data.length) {
        const n = Math.min(CHUNK, data.length - off);
        await this.op<void>(`write ${p}`, (cb) =>
          this.sftp.write(handle, data, off, n, off, cb as never),
        );
        off += n;
      }
      if (this.ext("fsync@openssh.com")) {
        await this.op<void>(`flush ${p}`, (cb) => this.sftp.ext_openssh_fsync(handle, cb as never));
      }
    } catch (e) {
      throw await this.explainWriteFailure(p, e as Error, data.length - off);
    } finally {
      await this.op<void>(`close ${p}`, (cb) => this.sftp.close(handle, cb as never)).catch(
        () => undefined,
      );
    }
  }

  /** SFTP answers a full disk with a bare "Failure": ask the file system how much room is left. */
  private async explainWriteFailure(p: string, err: Error, left: number): Promise<Error> {
    if (sftpCode(err) !== 4 || this.why) return err;
    const dir = p.slice(0, p.lastIndexOf("/")) || "/";
    const free = await this.freeBytes(dir).catch(() => undefined);
    if (free !== undefined && free < Math.max(left, CHUNK) + 64 * 1024) {
      return new DiskFullError(
        `write ${p}: disk full: the file system holding ${dir} has ${showBytes(free)} free and ${showBytes(left)} of this file were still to be written`,
      );
    }
    return err;
  }

  async rename(from: string, to: string): Promise<void> {
    if (this.ext("posix-rename@openssh.com")) {
      await this.op<void>(`rename ${from} to ${to}`, (cb) =>
        this.sftp.ext_openssh_rename(from, to, cb as never),
      );
      return;
    }
    // Plain SFTP rename refuses to replace: remove the old file first (the service is stopped and a
    // backup exists, so the short window without the file is safe).
    if (await this.lstat(to)) await this.remove(to);
    await this.op<void>(`rename ${from} to ${to}`, (cb) => this.sftp.rename(from, to, cb as never));
  }

  remove(p: string): Promise<void> {
    return this.op<void>(`remove ${p}`, (cb) => this.sftp.unlink(p, cb as never));
  }

  async mkdirp(p: string): Promise<void> {
    const parts = p.split("/").filter((x) => x !== "");
    let cur = "";
    for (const part of parts) {
      cur += `/${part}`;
      if (/^\/[A-Za-z]:$/.test(cur)) continue;
      const s = await this.lstat(cur);
      if (s?.kind === "dir") continue;
      if (s) throw new Error(`create folder ${cur}: a ${s.kind} of that name is in the way`);
      await this.op<void>(`create folder ${cur}`, (cb) =>
        this.sftp.mkdir(cur, { mode: 0o700 }, cb as never),
      );
    }
  }

  async freeBytes(p: string): Promise<number | undefined> {
    if (!this.ext("statvfs@openssh.com")) return undefined;
    const v = await this.op<{ f_bavail: number | bigint; f_frsize: number | bigint }>(
      `statvfs ${p}`,
      (cb) => this.sftp.ext_openssh_statvfs(p, cb as never),
    );
    return Number(v.f_bavail) * Number(v.f_frsize);
  }

  exec(command: string, timeoutMs: number): Promise<ExecResult> {
    if (this.why) return Promise.reject(new Error(`run a command: ${this.why}`));
    return new Promise((resolve, reject) => {
      let finished = false;
      let stream: ClientChannel | undefined;
      const finish = (fn: () => void) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        finish(() => {
          try {
            stream?.signal("KILL");
            stream?.close();
          } catch {
            /* the channel is already gone */
          }
          reject(
            new DeadlineError(
              `the command did not finish within ${Math.round(timeoutMs / 1000)}s; it was killed`,
            ),
          );
        });
      }, timeoutMs);
      const out = new Capped();
      const errOut = new Capped();
      let code: number | undefined;
      this.client.exec(command, (err, s) => {
        if (err)
          return finish(() =>
            reject(new Error(`run a command: ${this.why ?? printable(err.message)}`)),
          );
        stream = s;
        s.on("data", (d: Buffer) => out.add(d));
        s.stderr.on("data", (d: Buffer) => errOut.add(d));
        s.on("error", () => undefined);
        s.stderr.on("error", () => undefined);
        s.on("exit", (c: number | null) => {
          code = c ?? -1;
        });
        s.on("close", () =>
          finish(() => {
            if (code === undefined)
              return reject(
                new Error(`run a command: ${this.why ?? "session closed without an exit status"}`),
              );
            resolve({
              code,
              stdout: out.text(),
              stderr: errOut.text(),
              droppedBytes: out.dropped + errOut.dropped,
            });
          }),
        );
      });
    });
  }

  close(): void {
    this.client.end();
    setTimeout(() => this.client.destroy(), 2000).unref();
  }
}

/** Keeps the first and last {@link OUTPUT_CAP_BYTES}/2 bytes of a stream and counts the rest. */
class Capped {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer = Buffer.alloc(0);
  dropped = 0;
  add(d: Buffer): void {
    const half = OUTPUT_CAP_BYTES / 2;
    if (this.headLen < half) {
      const take = d.subarray(0, half - this.headLen);
      this.head.push(Buffer.from(take));
      this.headLen += take.length;
      d = d.subarray(take.length);
    }
    if (d.length === 0) return;
    const joined = Buffer.concat([this.tail, d]);
    this.dropped += Math.max(0, joined.length - half);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - half)));
  }
  text(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = this.tail.toString("utf8");
    return this.dropped > 0
      ? `${head}\n[... ${this.dropped} bytes of output dropped ...]\n${tail}`
      : head + tail;
  }
}
