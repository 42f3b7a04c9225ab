/**
 * The SMTP dialogue of the labs' hand-written clients and servers: they speak SMTP line by line
 * because the tests assert on single replies and drive our probes and MTAs, which a mail library hides.
 */
import type { Socket } from "node:net";

/**
 * CRLF line framing for a server: `push` each chunk (read as latin1), `onLine` gets every complete
 * line. `clear()` drops a partial line (a STARTTLS upgrade starts framing afresh).
 */
export class CrlfLines {
  private buffer = "";
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer): void {
    this.buffer += chunk.toString("latin1");
    for (;;) {
      const end = this.buffer.indexOf("\r\n");
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.onLine(line);
    }
  }
  clear(): void {
    this.buffer = "";
  }
  /** Characters of the incomplete line held back. */
  get pending(): number {
    return this.buffer.length;
  }
}

/** Reads SMTP replies (possibly multi-line, joined by "\n") from a socket, one at a time; 30 s each. */
export function smtpReplyReader(socket: Socket): () => Promise<string> {
  const waiting: Array<(reply: string) => void> = [];
  const ready: string[] = [];
  let current: string[] = [];
  const lines = new CrlfLines((line) => {
    current.push(line);
    if (line.charAt(3) !== "-") {
      const reply = current.join("\n");
      current = [];
      const next = waiting.shift();
      if (next) next(reply);
      else ready.push(reply);
    }
  });
  socket.on("data", (chunk: Buffer) => lines.push(chunk));
  return () => {
    const reply = ready.shift();
    if (reply !== undefined) return Promise.resolve(reply);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no SMTP reply within 30 s")), 30_000);
      waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  };
}

/** Sends `command` (none: the greeting) and throws `"command" got "reply"` unless the reply starts with `code`. */
export type SmtpExpect = (command: string | undefined, code: string) => Promise<void>;

/** An {@link SmtpExpect} over `socket`; a reply loses the race against `failed` (the socket's error), if given. */
export function smtpExpect(socket: Socket, failed?: Promise<never>): SmtpExpect {
  const next = smtpReplyReader(socket);
  return async (command, code) => {
    if (command !== undefined) socket.write(`${command}\r\n`);
    const reply = await (failed === undefined ? next() : Promise.race([next(), failed]));
    if (!reply.startsWith(code)) throw new Error(`"${command ?? "greeting"}" got "${reply}"`);
  };
}

/** One transaction: MAIL, RCPT, DATA, then `lines` (headers, blank line, body) and the final dot, each expecting 250/354. */
export async function sendMessage(
  expect: SmtpExpect,
  from: string,
  to: string,
  lines: string[],
): Promise<void> {
  await expect(`MAIL FROM:<${from}>`, "250");
  await expect(`RCPT TO:<${to}>`, "250");
  await expect("DATA", "354");
  await expect([...lines, "."].join("\r\n"), "250");
}
