import * as fs from "node:fs";
import { createHash } from "node:crypto";
import { Client, type SFTPWrapper, type ConnectConfig } from "ssh2";
import { parseHostKey, type HostSpec } from "./inventory";

/** One directory entry on a host. */
export interface RemoteEntry {
  name: string;
  kind: "file" | "dir" | "other";
  size: number;
}

/** The operations the engine needs on a host. Paths are SFTP paths (`/C:/ProgramData/...` on Windows). */
export interface RemoteHost {
  readonly name: string;
  list(dir: string): Promise<RemoteEntry[]>;
  /** Undefined when the path does not exist. */
  stat(p: string): Promise<RemoteEntry | undefined>;
  readFile(p: string): Promise<Buffer>;
  /** Writes the whole file, flushes it to disk where the server can, and closes it. */
  writeFile(p: string, data: Buffer): Promise<void>;
  /** Renames over an existing file (atomically where the server offers posix-rename). */
  rename(from: string, to: string): Promise<void>;
  remove(p: string): Promise<void>;
  mkdirp(p: string): Promise<void>;
  exec(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): void;
}

/** Raised when a host presents a key other than the pinned one. Never retried. */
export class HostKeyMismatchError extends Error {}

/** How a connection reports that it is waiting. */
export type ProgressSink = (message: string) => void;

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
      throw new Error(
        `${host.name}: cannot read privateKeyPath ${host.privateKeyPath}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
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

const RETRYABLE =
  /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EAI_AGAIN|Timed out while waiting for handshake|connection lost before handshake|Connection lost before handshake|Not connected/i;

/**
 * Connects to a host over SSH with its pinned host key, waiting (bounded by the host's
 * `connectTimeoutSeconds`) while it refuses or drops connections, as a freshly booted host does.
 */
export async function connect(
  host: HostSpec,
  progress: ProgressSink,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RemoteHost> {
  const pinned = parseHostKey(host.hostKey);
  if (!pinned) throw new Error(`${host.name}: hostKey is not a public key`);
  const key = readPrivateKey(host, env);
  const deadline = Date.now() + host.connectTimeoutSeconds * 1000;
  let attempt = 0;
  let delay = 500;
  for (;;) {
    attempt++;
    try {
      return await connectOnce(
        host,
        pinned,
        key,
        Math.min(20000, Math.max(1000, deadline - Date.now())),
      );
    } catch (e) {
      const err = e as Error;
      if (err instanceof HostKeyMismatchError || !RETRYABLE.test(err.message)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `${host.name}: no SSH connection to ${host.address}:${host.port} within ${host.connectTimeoutSeconds}s (${attempt} attempts; last: ${err.message})`,
        );
      }
      progress(
        `${host.name}: waiting for SSH on ${host.address}:${host.port} (${err.message}); attempt ${attempt}, ${Math.ceil(left / 1000)}s left`,
      );
      await new Promise((r) => setTimeout(r, Math.min(delay, left)));
      delay = Math.min(delay * 2, 5000);
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
    client.once("ready", () => {
      settled = true;
      client.setNoDelay(true); // small SFTP requests otherwise wait on Nagle + delayed ACK (~40 ms each)
      client.sftp((err, sftp) => {
        if (err) {
          client.end();
          reject(new Error(`${host.name}: SFTP subsystem refused: ${err.message}`));
          return;
        }
        resolve(new SshHost(host.name, client, sftp));
      });
    });
    client.once("error", (err: Error & { level?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      if (presented && !presented.equals(pinned.blob)) {
        reject(
          new HostKeyMismatchError(
            `${host.name}: host key mismatch at ${host.address}:${host.port}: it presented ${fingerprint(presented)}, the inventory pins ${fingerprint(pinned.blob)}. ` +
              `Nothing was done on this host. If the host was rebuilt, pin its new key (hostKey); otherwise treat this as an attack.`,
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
      settled = true;
      reject(new Error("connection lost before handshake"));
    });
    client.connect(config);
  });
}

function promisify<T>(fn: (cb: (err: Error | undefined | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

class SshHost implements RemoteHost {
  private lost: string | undefined;
  constructor(
    readonly name: string,
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
  ) {
    const onLost = () => {
      this.lost ??= "connection to host lost";
    };
    client.on("close", onLost);
    client.on("error", (e: Error) => {
      this.lost ??= `connection to host lost (${e.message})`;
    });
  }

  private async op<T>(
    what: string,
    fn: (cb: (err: Error | undefined | null, v: T) => void) => void,
  ): Promise<T> {
    if (this.lost) throw new Error(`${what}: ${this.lost}`);
    try {
      return await promisify(fn);
    } catch (e) {
      throw new Error(`${what}: ${this.lost ?? (e as Error).message}`);
    }
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    const entries = await this.op<
      { filename: string; attrs: { size: number; isFile(): boolean; isDirectory(): boolean } }[]
    >(`list ${dir}`, (cb) => this.sftp.readdir(dir, cb as never));
    return entries
      .filter((e) => e.filename !== "." && e.filename !== "..")
      .map((e) => ({
        name: e.filename,
        kind: e.attrs.isFile()
          ? ("file" as const)
          : e.attrs.isDirectory()
            ? ("dir" as const)
            : ("other" as const),
        size: e.attrs.size,
      }));
  }

  async stat(p: string): Promise<RemoteEntry | undefined> {
    try {
      const s = await this.op<{ size: number; isFile(): boolean; isDirectory(): boolean }>(
        `stat ${p}`,
        (cb) => this.sftp.stat(p, cb as never),
      );
      return {
        name: p.split("/").pop()!,
        kind: s.isFile() ? "file" : s.isDirectory() ? "dir" : "other",
        size: s.size,
      };
    } catch (e) {
      if (/No such file/i.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  readFile(p: string): Promise<Buffer> {
    return this.op<Buffer>(`read ${p}`, (cb) => this.sftp.readFile(p, cb as never));
  }

  async writeFile(p: string, data: Buffer): Promise<void> {
    const handle = await this.op<Buffer>(`create ${p}`, (cb) =>
      this.sftp.open(p, "w", 0o600, cb as never),
    );
    try {
      let off = 0;
      while (off < data.length) {
        const n = Math.min(32768, data.length - off);
        await this.op<void>(`write ${p}`, (cb) =>
          this.sftp.write(handle, data, off, n, off, cb as never),
        );
        off += n;
      }
      const ext =
        (this.sftp as unknown as { _extensions: Record<string, string> })._extensions ?? {};
      if (ext["fsync@openssh.com"]) {
        await this.op<void>(`flush ${p}`, (cb) => this.sftp.ext_openssh_fsync(handle, cb as never));
      }
    } finally {
      await this.op<void>(`close ${p}`, (cb) => this.sftp.close(handle, cb as never)).catch(
        () => undefined,
      );
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const ext = (this.sftp as unknown as { _extensions: Record<string, string> })._extensions ?? {};
    if (ext["posix-rename@openssh.com"]) {
      await this.op<void>(`rename ${from} to ${to}`, (cb) =>
        this.sftp.ext_openssh_rename(from, to, cb as never),
      );
      return;
    }
    // Plain SFTP rename refuses to replace: remove the old file first (the service is stopped and a
    // backup exists, so the short window without the file is safe).
    if (await this.stat(to)) await this.remove(to);
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
      const s = await this.stat(cur);
      if (s?.kind === "dir") continue;
      await this.op<void>(`create folder ${cur}`, (cb) =>
        this.sftp.mkdir(cur, { mode: 0o700 }, cb as never),
      );
    }
  }

  exec(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    if (this.lost) return Promise.reject(new Error(`run a command: ${this.lost}`));
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err) return reject(new Error(`run a command: ${this.lost ?? err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | undefined;
        stream.on("data", (d: Buffer) => out.push(d));
        stream.stderr.on("data", (d: Buffer) => errOut.push(d));
        stream.on("exit", (c: number | null) => {
          code = c ?? -1;
        });
        stream.on("close", () => {
          if (code === undefined)
            return reject(
              new Error(`run a command: ${this.lost ?? "session closed without an exit status"}`),
            );
          resolve({
            code,
            stdout: Buffer.concat(out).toString("utf8"),
            stderr: Buffer.concat(errOut).toString("utf8"),
          });
        });
      });
    });
  }

  close(): void {
    this.client.end();
  }
}
