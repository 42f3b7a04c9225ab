/**
 * A minimal SMTP receiver standing in for one gateway host: it offers STARTTLS with the host's
 * certificate, refuses mail before TLS, and records the Message-ID of every accepted message as
 * a JSON line before answering 250. On SIGTERM it stops like a service: no new connections,
 * the transaction in progress finishes, the next command gets 421.
 *
 * With `--no-starttls` it plays a path attacker who stripped STARTTLS: no STARTTLS offered, and mail
 * accepted (and recorded, `tls: false`) in plain text.
 *
 * Run inside the host's namespace:
 *   tsx smtp-receiver.ts --listen 10.232.1.11 --hostname msgw1.example.test \
 *     --cert c.crt --key c.key --record received.jsonl
 */
import { appendFileSync, readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import { parseArgs } from "node:util";
import { CrlfLines } from "../../../lab/fixtures";

const { values } = parseArgs({
  options: {
    listen: { type: "string" },
    port: { type: "string", default: "25" },
    hostname: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    record: { type: "string" },
    "no-starttls": { type: "boolean", default: false },
  },
});
const noStarttls = values["no-starttls"] === true;
const { listen, hostname: hostnameArg, cert, key, record: recordArg } = values;
if (!listen || !hostnameArg || !cert || !key || !recordArg) {
  throw new Error("usage: smtp-receiver --listen IP --hostname NAME --cert F --key F --record F");
}
const hostname: string = hostnameArg;
const record: string = recordArg;
const secureContext = createSecureContext({ cert: readFileSync(cert), key: readFileSync(key) });
let stopping = false;

/** One received message as written to the record file. */
interface Received {
  messageId: string;
  host: string;
  tls: boolean;
  at: number;
}

function handle(raw: Socket): void {
  let stream: Socket = raw;
  let tls = false;
  let inData = false;
  let headers: string[] = [];
  let headersDone = false;
  let from: string | undefined;
  let recipients = 0;

  const reply = (line: string) => stream.write(`${line}\r\n`);
  const reset = () => {
    from = undefined;
    recipients = 0;
    headers = [];
    headersDone = false;
  };

  const onLine = (line: string): void => {
    if (inData) {
      if (line === ".") {
        inData = false;
        const idLine = headers.find((h) => /^message-id:/i.test(h));
        const messageId = idLine === undefined ? "" : idLine.replace(/^message-id:\s*/i, "").trim();
        const entry: Received = { messageId, host: hostname, tls, at: Date.now() };
        // Recorded before the 250 so a message is never acknowledged without being counted.
        appendFileSync(record, `${JSON.stringify(entry)}\n`);
        reply(`250 2.0.0 Ok: queued as ${messageId}`);
        reset();
        return;
      }
      if (!headersDone) {
        if (line === "") headersDone = true;
        else if (/^\s/.test(line) && headers.length > 0) headers[headers.length - 1] += line;
        else headers.push(line);
      }
      return;
    }
    if (stopping) {
      reply("421 4.3.2 Service shutting down");
      stream.end();
      return;
    }
    const verb = line.split(" ")[0]?.toUpperCase() ?? "";
    switch (verb) {
      case "EHLO":
        if (tls || noStarttls) reply(`250 ${hostname}`);
        else {
          reply(`250-${hostname}`);
          reply("250 STARTTLS");
        }
        return;
      case "HELO":
        reply(`250 ${hostname}`);
        return;
      case "STARTTLS": {
        if (noStarttls) {
          reply("502 5.5.1 Command not implemented");
          return;
        }
        if (tls) {
          reply("503 5.5.1 TLS already active");
          return;
        }
        reply("220 2.0.0 Ready to start TLS");
        raw.removeAllListeners("data");
        lines.clear();
        const secure = new TLSSocket(raw, { isServer: true, secureContext });
        secure.on("error", () => secure.destroy());
        secure.on("data", onData);
        stream = secure;
        tls = true;
        reset();
        return;
      }
      case "MAIL":
        if (!tls && !noStarttls) {
          reply("530 5.7.0 Must issue a STARTTLS command first");
          return;
        }
        from = line;
        reply("250 2.1.0 Ok");
        return;
      case "RCPT":
        if (from === undefined) {
          reply("503 5.5.1 Need MAIL first");
          return;
        }
        recipients += 1;
        reply("250 2.1.5 Ok");
        return;
      case "DATA":
        if (recipients === 0) {
          reply("503 5.5.1 Need RCPT first");
          return;
        }
        inData = true;
        reply("354 End data with <CR><LF>.<CR><LF>");
        return;
      case "RSET":
        reset();
        reply("250 2.0.0 Ok");
        return;
      case "NOOP":
        reply("250 2.0.0 Ok");
        return;
      case "QUIT":
        reply("221 2.0.0 Bye");
        stream.end();
        return;
      default:
        reply("502 5.5.2 Command not recognized");
    }
  };

  const lines = new CrlfLines(onLine);
  const onData = (chunk: Buffer): void => lines.push(chunk);

  raw.on("error", () => raw.destroy());
  raw.on("data", onData);
  reply(`220 ${hostname} ESMTP test receiver`);
}

const server = createServer(handle);
server.listen(Number(values.port), listen);
process.on("SIGTERM", () => {
  stopping = true;
  server.close(() => process.exit(0));
  // Connections that never send another command are dropped after a grace period.
  setTimeout(() => process.exit(0), 3_000).unref();
});
