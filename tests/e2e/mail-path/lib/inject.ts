/**
 * Submits journal-style messages to the sender MTA over plain SMTP on loopback, one message per
 * transaction in one session, and prints one JSON line per accepted message
 * (`{"messageId": ..., "at": ...}`) so the test knows exactly what was handed over.
 *
 * Run inside the sender's namespace:
 *   tsx inject.ts --count 300 --to mbx-0123@msgw.example.test --tag bal2 [--interval-ms 10]
 */
import { connect, type Socket } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    count: { type: "string" },
    to: { type: "string" },
    tag: { type: "string" },
    start: { type: "string", default: "0" },
    "interval-ms": { type: "string", default: "0" },
    port: { type: "string", default: "25" },
  },
});
const count = Number(values.count);
const start = Number(values.start);
const intervalMs = Number(values["interval-ms"]);
const { to, tag } = values;
if (!Number.isInteger(count) || count < 1 || !to || !tag) {
  throw new Error("usage: inject --count N --to ADDRESS --tag TAG [--start N] [--interval-ms MS]");
}

/** Reads SMTP replies (possibly multi-line) from a socket, one at a time. */
function replyReader(socket: Socket): () => Promise<string> {
  let buffer = "";
  const waiting: Array<(reply: string) => void> = [];
  const ready: string[] = [];
  let current: string[] = [];
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    for (;;) {
      const end = buffer.indexOf("\r\n");
      if (end < 0) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      current.push(line);
      if (line.charAt(3) !== "-") {
        const reply = current.join("\n");
        current = [];
        const next = waiting.shift();
        if (next) next(reply);
        else ready.push(reply);
      }
    }
  });
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

async function main(): Promise<void> {
  const socket = connect(Number(values.port), "127.0.0.1");
  socket.on("error", (error) => {
    throw error;
  });
  const next = replyReader(socket);
  const expect = async (command: string | undefined, code: string) => {
    if (command !== undefined) socket.write(`${command}\r\n`);
    const reply = await next();
    if (!reply.startsWith(code)) throw new Error(`"${command ?? "greeting"}" got "${reply}"`);
  };
  await expect(undefined, "220");
  await expect("EHLO injector.example.test", "250");
  for (let i = start; i < start + count; i += 1) {
    const messageId = `<${tag}-${i}@sender.example.test>`;
    await expect("MAIL FROM:<journal@sender.example.test>", "250");
    await expect(`RCPT TO:<${to}>`, "250");
    await expect("DATA", "354");
    const body = [
      "From: Journal <journal@sender.example.test>",
      `To: <${to}>`,
      `Subject: journal report ${tag} ${i}`,
      `Message-ID: ${messageId}`,
      "",
      `Journal report number ${i} of run ${tag}.`,
      ".",
    ].join("\r\n");
    await expect(body, "250");
    process.stdout.write(`${JSON.stringify({ messageId, at: Date.now() })}\n`);
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  }
  await expect("QUIT", "221");
  socket.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`inject failed: ${String(error)}\n`);
  process.exit(1);
});
