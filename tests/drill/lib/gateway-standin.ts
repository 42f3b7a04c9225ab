/**
 * A Linux stand-in for one MailStore Gateway host, run as a service by `gateway-service.sh`:
 *
 * - SMTP on 25: STARTTLS with the certificate and key deployed for this host; MAIL before TLS is
 *   refused (credentials and journal mail never travel in clear). A recipient is accepted only
 *   when its local part is a mailbox listed in the configuration files of the data directory and
 *   its domain is the mail domain: an unknown mailbox gets `550 5.1.1`, a suspended one `450`.
 *   Each accepted message is written to `<data>/<mailbox>/<unique>.eml` (temp file, then rename)
 *   before the 250 reply, and logged to `<state>/smtp.jsonl`.
 * - POP3 on 110 with STLS: USER/PASS only after STLS, checked against the mailbox's
 *   `passwordSha256`; STAT, LIST, UIDL, RETR, DELE, RSET, NOOP, QUIT; deletions are applied at QUIT
 *   (RFC 1939 UPDATE state).
 * - The configuration (every top-level `*.json` file of the data directory, `{"mailboxes": [...]}`)
 *   and the certificate are read once at start, as a service reads them; replication stops the
 *   service, copies the files and starts it again.
 * - SIGTERM stops it like a service stop: no new connections, transactions in progress finish.
 *
 *   node --import tsx gateway-standin.ts --listen 10.232.7.11 --hostname msgw1.example.test \
 *     --mail-domain msgw.example.test --data DIR --tls DIR --state DIR
 */
import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { createSecureContext, TLSSocket, type SecureContext } from "node:tls";
import { parseArgs } from "node:util";
import { CrlfLines } from "../../lab/fixtures";

/** One mailbox as the stand-in reads it from a configuration file. */
export interface MailboxRecord {
  id: string;
  address?: string;
  status: "Active" | "Suspended";
  /** Hex SHA-256 of the POP3 password (the real gateway keeps key material protected by it). */
  passwordSha256: string;
  protectedKey?: string;
}

/** Longest command line accepted (RFC 5321 4.5.3.1.4 allows 512 octets; data lines 1000). */
const MAX_LINE = 2_000;
/** Largest message accepted, bytes. */
const MAX_MESSAGE = 10 * 1024 * 1024;

/** Reads every mailbox of every top-level `*.json` configuration file of `dataDir`. */
export function readMailboxes(dataDir: string): Map<string, MailboxRecord> {
  const mailboxes = new Map<string, MailboxRecord>();
  for (const name of readdirSync(dataDir).sort()) {
    const file = join(dataDir, name);
    if (!name.endsWith(".json") || !statSync(file).isFile()) continue;
    const doc = JSON.parse(readFileSync(file, "utf8")) as { mailboxes?: MailboxRecord[] };
    for (const m of doc.mailboxes ?? []) mailboxes.set(m.id.toLowerCase(), m);
  }
  return mailboxes;
}

/** Hex SHA-256 of a password, as stored in `passwordSha256`. */
export function passwordHash(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("hex");
}

function main(): void {
  const { values } = parseArgs({
    options: {
      listen: { type: "string" },
      hostname: { type: "string" },
      "mail-domain": { type: "string" },
      data: { type: "string" },
      tls: { type: "string" },
      state: { type: "string" },
      "smtp-port": { type: "string", default: "25" },
      "pop3-port": { type: "string", default: "110" },
    },
  });
  const { listen, hostname, data, tls, state } = values;
  const mailDomain = values["mail-domain"]?.toLowerCase();
  if (!listen || !hostname || !mailDomain || !data || !tls || !state) {
    throw new Error(
      "usage: gateway-standin --listen IP --hostname NAME --mail-domain D --data DIR --tls DIR --state DIR",
    );
  }
  const mailboxes = readMailboxes(data);
  const secureContext = createSecureContext({
    cert: readFileSync(join(tls, "cert.pem")),
    key: readFileSync(join(tls, "key.pem")),
  });
  const log = (entry: Record<string, unknown>) =>
    appendFileSync(join(state, "smtp.jsonl"), `${JSON.stringify({ ...entry, at: Date.now() })}\n`);
  let stopping = false;
  let counter = 0;

  const ctx: Session = {
    hostname,
    mailDomain,
    dataDir: data,
    mailboxes,
    secureContext,
    log,
    isStopping: () => stopping,
    uniqueName: () => `${Date.now()}-${process.pid}-${(counter += 1)}`,
  };
  const smtp = createServer((socket) => smtpSession(socket, ctx));
  const pop3 = createServer((socket) => pop3Session(socket, ctx));
  const listening = (server: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, listen, () => resolve());
    });
  void Promise.all([
    listening(smtp, Number(values["smtp-port"])),
    listening(pop3, Number(values["pop3-port"])),
  ]).then(() => {
    writeFileSync(join(state, "ready"), `${process.pid}\n`);
    process.stdout.write(
      `gateway stand-in ${hostname} ready on ${listen}: ${mailboxes.size} mailbox(es)\n`,
    );
  });
  process.on("SIGTERM", () => {
    stopping = true;
    let open = 2;
    const done = () => {
      open -= 1;
      if (open === 0) process.exit(0);
    };
    smtp.close(done);
    pop3.close(done);
    // Idle connections are dropped after a grace period.
    setTimeout(() => process.exit(0), 3_000).unref();
  });
}

/** What a protocol session needs from the service. */
interface Session {
  hostname: string;
  mailDomain: string;
  dataDir: string;
  mailboxes: Map<string, MailboxRecord>;
  secureContext: SecureContext;
  log: (entry: Record<string, unknown>) => void;
  isStopping: () => boolean;
  uniqueName: () => string;
}

/**
 * Line framing over a socket that can be upgraded to TLS in place. `onLine` gets each CRLF line;
 * a line longer than {@link MAX_LINE} closes the connection.
 */
class LineChannel {
  stream: Socket;
  tls = false;
  private readonly lines: CrlfLines;
  constructor(
    private readonly raw: Socket,
    onLine: (line: string) => void,
  ) {
    this.lines = new CrlfLines(onLine);
    this.stream = raw;
    raw.setTimeout(60_000, () => raw.destroy());
    raw.on("error", () => raw.destroy());
    raw.on("data", (chunk: Buffer) => this.onData(chunk));
  }
  private onData(chunk: Buffer): void {
    this.lines.push(chunk);
    if (this.lines.pending > MAX_LINE) this.raw.destroy();
  }
  send(line: string): void {
    this.stream.write(`${line}\r\n`, "latin1");
  }
  end(): void {
    this.stream.end();
  }
  upgrade(secureContext: SecureContext): void {
    this.raw.removeAllListeners("data");
    this.lines.clear();
    const secure = new TLSSocket(this.raw, { isServer: true, secureContext });
    secure.on("error", () => secure.destroy());
    secure.on("data", (chunk: Buffer) => this.onData(chunk));
    this.stream = secure;
    this.tls = true;
  }
}

function smtpSession(raw: Socket, s: Session): void {
  let from: string | undefined;
  let recipients: string[] = [];
  let inData = false;
  let message: string[] = [];
  let size = 0;
  const reset = () => {
    from = undefined;
    recipients = [];
    message = [];
    size = 0;
  };
  const ch = new LineChannel(raw, (line) => {
    if (inData) {
      if (line !== ".") {
        size += line.length + 2;
        if (size <= MAX_MESSAGE) message.push(line.startsWith("..") ? line.slice(1) : line);
        return;
      }
      inData = false;
      if (size > MAX_MESSAGE) {
        ch.send("552 5.3.4 Message too big");
        reset();
        return;
      }
      const text = `${message.join("\r\n")}\r\n`;
      const idLine = message.find((h) => /^message-id:/i.test(h));
      const messageId = idLine?.replace(/^message-id:\s*/i, "").trim() ?? "";
      for (const mailbox of recipients) {
        const dir = join(s.dataDir, mailbox);
        mkdirSync(dir, { recursive: true });
        const name = s.uniqueName();
        // Stored (temp file, then rename) before the 250, so an acknowledged message is on disk.
        writeFileSync(join(dir, `${name}.tmp`), text, "latin1");
        renameSync(join(dir, `${name}.tmp`), join(dir, `${name}.eml`));
        s.log({ event: "accepted", messageId, mailbox });
      }
      ch.send(`250 2.0.0 Ok: stored ${messageId}`);
      reset();
      return;
    }
    if (s.isStopping()) {
      ch.send("421 4.3.2 Service shutting down");
      ch.end();
      return;
    }
    const verb = (line.split(" ")[0] ?? "").toUpperCase();
    switch (verb) {
      case "EHLO":
        if (ch.tls) ch.send(`250 ${s.hostname}`);
        else {
          ch.send(`250-${s.hostname}`);
          ch.send("250 STARTTLS");
        }
        return;
      case "HELO":
        ch.send(`250 ${s.hostname}`);
        return;
      case "STARTTLS":
        if (ch.tls) {
          ch.send("503 5.5.1 TLS already active");
          return;
        }
        ch.send("220 2.0.0 Ready to start TLS");
        ch.upgrade(s.secureContext);
        reset();
        return;
      case "MAIL":
        if (!ch.tls) {
          ch.send("530 5.7.0 Must issue a STARTTLS command first");
          return;
        }
        from = line;
        ch.send("250 2.1.0 Ok");
        return;
      case "RCPT": {
        if (from === undefined) {
          ch.send("503 5.5.1 Need MAIL first");
          return;
        }
        const address = /<([^>]*)>/.exec(line)?.[1]?.toLowerCase() ?? "";
        const [local, domain] = address.split("@");
        const mailbox = local === undefined ? undefined : s.mailboxes.get(local);
        if (domain !== s.mailDomain || mailbox === undefined) {
          s.log({ event: "refused", rcpt: address, code: 550 });
          ch.send(`550 5.1.1 <${address}>: no such mailbox on ${s.hostname}`);
          return;
        }
        if (mailbox.status !== "Active") {
          s.log({ event: "refused", rcpt: address, code: 450 });
          ch.send(`450 4.2.1 <${address}>: mailbox suspended`);
          return;
        }
        recipients.push(mailbox.id.toLowerCase());
        ch.send("250 2.1.5 Ok");
        return;
      }
      case "DATA":
        if (recipients.length === 0) {
          ch.send("503 5.5.1 Need RCPT first");
          return;
        }
        inData = true;
        ch.send("354 End data with <CR><LF>.<CR><LF>");
        return;
      case "RSET":
        reset();
        ch.send("250 2.0.0 Ok");
        return;
      case "NOOP":
        ch.send("250 2.0.0 Ok");
        return;
      case "QUIT":
        ch.send("221 2.0.0 Bye");
        ch.end();
        return;
      default:
        ch.send("502 5.5.2 Command not recognized");
    }
  });
  ch.send(`220 ${s.hostname} ESMTP MailStore Gateway stand-in`);
}

function pop3Session(raw: Socket, s: Session): void {
  let user: string | undefined;
  let mailbox: string | undefined;
  let files: { name: string; size: number }[] = [];
  const deleted = new Set<number>();
  const message = (arg: string | undefined): number | undefined => {
    const n = Number(arg);
    return Number.isInteger(n) && n >= 1 && n <= files.length && !deleted.has(n) ? n : undefined;
  };
  const ch = new LineChannel(raw, (line) => {
    const [verbRaw, ...rest] = line.split(" ");
    const verb = (verbRaw ?? "").toUpperCase();
    const arg = rest.join(" ");
    if (verb === "QUIT") {
      if (mailbox !== undefined) {
        for (const n of [...deleted].sort((a, b) => a - b)) {
          unlinkSync(join(s.dataDir, mailbox, (files[n - 1] as { name: string }).name));
        }
      }
      ch.send(`+OK ${s.hostname} POP3 server signing off (${deleted.size} deleted)`);
      ch.end();
      return;
    }
    if (verb === "CAPA") {
      ch.send("+OK Capability list follows");
      for (const c of ch.tls ? ["USER", "UIDL"] : ["STLS", "USER", "UIDL"]) ch.send(c);
      ch.send(".");
      return;
    }
    if (verb === "NOOP") {
      ch.send("+OK");
      return;
    }
    if (mailbox === undefined) {
      if (verb === "STLS") {
        if (ch.tls) ch.send("-ERR TLS already active");
        else {
          ch.send("+OK Begin TLS negotiation");
          ch.upgrade(s.secureContext);
        }
        return;
      }
      if (verb === "USER" || verb === "PASS") {
        if (!ch.tls) {
          ch.send("-ERR [AUTH] Plaintext authentication disallowed; use STLS first");
          return;
        }
        if (verb === "USER") {
          user = arg.toLowerCase();
          ch.send("+OK");
          return;
        }
        const record = user === undefined ? undefined : s.mailboxes.get(user);
        if (record === undefined || record.passwordSha256 !== passwordHash(arg)) {
          ch.send("-ERR [AUTH] Authentication failed");
          return;
        }
        mailbox = record.id.toLowerCase();
        const dir = join(s.dataDir, mailbox);
        files = existsSync(dir)
          ? readdirSync(dir)
              .filter((n) => n.endsWith(".eml"))
              .sort()
              .map((name) => ({ name, size: statSync(join(dir, name)).size }))
          : [];
        ch.send(`+OK ${files.length} message(s)`);
        return;
      }
      ch.send("-ERR Authenticate first");
      return;
    }
    switch (verb) {
      case "STAT": {
        const live = files.filter((_, i) => !deleted.has(i + 1));
        ch.send(`+OK ${live.length} ${live.reduce((n, f) => n + f.size, 0)}`);
        return;
      }
      case "LIST":
      case "UIDL": {
        const show = (n: number) =>
          `${n} ${verb === "LIST" ? (files[n - 1] as { size: number }).size : (files[n - 1] as { name: string }).name}`;
        if (arg !== "") {
          const n = message(arg);
          ch.send(n === undefined ? "-ERR no such message" : `+OK ${show(n)}`);
          return;
        }
        ch.send("+OK");
        files.forEach((_, i) => {
          if (!deleted.has(i + 1)) ch.send(show(i + 1));
        });
        ch.send(".");
        return;
      }
      case "RETR": {
        const n = message(arg);
        if (n === undefined) {
          ch.send("-ERR no such message");
          return;
        }
        const file = files[n - 1] as { name: string; size: number };
        const text = readFileSync(join(s.dataDir, mailbox, file.name), "latin1");
        ch.send(`+OK ${file.size} octets`);
        const lines = text.replace(/\r\n$/, "").split("\r\n");
        for (const l of lines) ch.send(l.startsWith(".") ? `.${l}` : l);
        ch.send(".");
        return;
      }
      case "DELE": {
        const n = message(arg);
        if (n === undefined) ch.send("-ERR no such message");
        else {
          deleted.add(n);
          ch.send(`+OK message ${n} deleted`);
        }
        return;
      }
      case "RSET":
        deleted.clear();
        ch.send("+OK");
        return;
      default:
        ch.send("-ERR unknown command");
    }
  });
  ch.send(`+OK ${s.hostname} POP3 MailStore Gateway stand-in ready`);
}

if (require.main === module) main();
