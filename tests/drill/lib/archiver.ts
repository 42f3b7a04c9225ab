/**
 * A MailStore Server stand-in: on a schedule, it runs one archiving profile per gateway host and
 * mailbox, exactly as the `gateways[].archivingProfile` output describes it (server = the host's
 * own name, resolved through the lab's DNS; POP3 on the given port; STARTTLS (`STLS`) before any
 * credential; the certificate verified against the trusted CA for that name, never ignored),
 * retrieves every message, stores it in the archive, and deletes what it retrieved (`DELE`, then
 * `QUIT`), as the real profile does.
 */
import { Resolver } from "node:dns/promises";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import type { Mailbox } from "./lab";

/** One archiving profile's connection settings (one host; every mailbox on it). */
export interface ArchiveSource {
  /** The host's own name (the profile's server). */
  server: string;
  port: number;
  /** PEM of the CA(s) the archiver trusts for this host. */
  caPem: string;
}

/** One archived message. */
export interface ArchivedMessage {
  messageId: string;
  server: string;
  mailbox: string;
  at: number;
}

/** What one profile run did. */
export interface ProfileRun {
  server: string;
  mailbox: string;
  /** Messages retrieved and deleted. */
  retrieved: number;
  /** Why the run failed (connection, TLS, authentication), when it did. */
  error?: string;
}

/** Per-operation deadline of a POP3 session. */
const STEP_TIMEOUT_MS = 15_000;

class Pop3Client {
  private buffer = "";
  private lines: string[] = [];
  private waiter: (() => void) | undefined;
  private closed: Error | undefined;
  private constructor(private socket: Socket) {
    this.attach(socket);
  }

  static async open(address: string, port: number): Promise<Pop3Client> {
    const socket = connect(port, address);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${address}:${port} timed out`));
      }, STEP_TIMEOUT_MS);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    return new Pop3Client(socket);
  }

  private attach(socket: Socket): void {
    socket.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString("latin1");
      for (;;) {
        const end = this.buffer.indexOf("\r\n");
        if (end < 0) break;
        this.lines.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
      }
      this.waiter?.();
    });
    socket.on("error", (e) => {
      this.closed = e;
      this.waiter?.();
    });
    socket.on("close", () => {
      this.closed ??= new Error("connection closed");
      this.waiter?.();
    });
  }

  async line(): Promise<string> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const next = this.lines.shift();
      if (next !== undefined) return next;
      if (this.closed) throw this.closed;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no POP3 reply within 15 s");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }

  async command(command: string | undefined): Promise<string> {
    if (command !== undefined) this.socket.write(`${command}\r\n`);
    const reply = await this.line();
    if (!reply.startsWith("+OK")) {
      const shown = command?.startsWith("PASS ") ? "PASS ***" : (command ?? "greeting");
      throw new Error(`"${shown}" got "${reply}"`);
    }
    return reply;
  }

  /** A multi-line response body, dot-unstuffed. */
  async body(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === ".") return out;
      out.push(l.startsWith("..") ? l.slice(1) : l);
    }
  }

  async startTls(servername: string, ca: string): Promise<void> {
    this.socket.removeAllListeners("data");
    this.buffer = "";
    this.lines = [];
    const secure = tlsConnect({ socket: this.socket, servername, ca, rejectUnauthorized: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("TLS handshake timed out")), STEP_TIMEOUT_MS);
      secure.once("secureConnect", () => {
        clearTimeout(timer);
        resolve();
      });
      secure.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    this.socket = secure;
    this.closed = undefined;
    this.attach(secure);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The archiver; call {@link Archiver.cycle} or run it on a schedule with {@link Archiver.start}. */
export class Archiver {
  readonly archived: ArchivedMessage[] = [];
  readonly runs: ProfileRun[] = [];
  private sources: ArchiveSource[] = [];
  private mailboxes: Mailbox[] = [];
  private readonly resolver = new Resolver({ timeout: 2_000, tries: 2 });
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ProfileRun[]> | undefined;
  private stopped = false;
  private stored = 0;

  constructor(
    readonly dir: string,
    dnsServer: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.resolver.setServers([dnsServer]);
  }

  /** The profiles to run from now on: every source host times every mailbox. */
  configure(sources: ArchiveSource[], mailboxes: Mailbox[]): void {
    this.sources = sources;
    this.mailboxes = mailboxes;
  }

  get servers(): string[] {
    return this.sources.map((s) => s.server);
  }

  /** Runs every profile once (profiles of one cycle run one after another, as scheduled jobs). */
  async cycle(): Promise<ProfileRun[]> {
    while (this.running) await this.running;
    this.running = this.runAll();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runAll(): Promise<ProfileRun[]> {
    const runs: ProfileRun[] = [];
    for (const source of this.sources) {
      for (const mailbox of this.mailboxes) {
        runs.push(await this.runProfile(source, mailbox));
      }
    }
    this.runs.push(...runs);
    return runs;
  }

  private async runProfile(source: ArchiveSource, mailbox: Mailbox): Promise<ProfileRun> {
    const result: ProfileRun = { server: source.server, mailbox: mailbox.id, retrieved: 0 };
    let client: Pop3Client | undefined;
    try {
      const [address] = await this.resolver.resolve4(source.server);
      if (address === undefined) throw new Error(`${source.server} has no A record`);
      client = await Pop3Client.open(address, source.port);
      await client.command(undefined);
      await client.command("STLS");
      await client.startTls(source.server, source.caPem);
      await client.command(`USER ${mailbox.id}`);
      await client.command(`PASS ${mailbox.password}`);
      const stat = await client.command("STAT");
      const count = Number(stat.split(" ")[1]);
      for (let n = 1; n <= count; n += 1) {
        await client.command(`RETR ${n}`);
        const lines = await client.body();
        this.store(lines, source.server, mailbox.id);
        await client.command(`DELE ${n}`);
        result.retrieved += 1;
      }
      await client.command("QUIT");
    } catch (error) {
      result.error = (error as Error).message;
    } finally {
      client?.destroy();
    }
    return result;
  }

  private store(lines: string[], server: string, mailbox: string): void {
    const idLine = lines.find((l) => /^message-id:/i.test(l));
    const messageId = idLine?.replace(/^message-id:\s*/i, "").trim() ?? "";
    this.stored += 1;
    writeFileSync(join(this.dir, `${this.stored}.eml`), `${lines.join("\r\n")}\r\n`);
    const entry: ArchivedMessage = { messageId, server, mailbox, at: Date.now() };
    this.archived.push(entry);
    appendFileSync(join(this.dir, "index.jsonl"), `${JSON.stringify(entry)}\n`);
  }

  /** Runs a cycle every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void {
    this.stopped = false;
    const tick = async () => {
      await this.cycle();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    this.timer = setTimeout(() => void tick(), intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await this.running;
  }
}
