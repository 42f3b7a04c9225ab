/**
 * Submits journal-style messages to the sender MTA over plain SMTP on loopback, one message per
 * transaction in one session, and prints one JSON line per accepted message
 * (`{"messageId": ..., "at": ...}`) so the test knows exactly what was handed over.
 *
 * Run inside the sender's namespace:
 *   tsx inject.ts --count 300 --to mbx-0123@msgw.example.test --tag bal2 [--interval-ms 10]
 */
import { connect } from "node:net";
import { parseArgs } from "node:util";
import { sendMessage, smtpExpect } from "../../../lab/fixtures";

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
const { to: toArg, tag } = values;
if (!Number.isInteger(count) || count < 1 || !toArg || !tag) {
  throw new Error("usage: inject --count N --to ADDRESS --tag TAG [--start N] [--interval-ms MS]");
}
const to: string = toArg;

async function main(): Promise<void> {
  const socket = connect(Number(values.port), "127.0.0.1");
  socket.on("error", (error) => {
    throw error;
  });
  const expect = smtpExpect(socket);
  await expect(undefined, "220");
  await expect("EHLO injector.example.test", "250");
  for (let i = start; i < start + count; i += 1) {
    const messageId = `<${tag}-${i}@sender.example.test>`;
    await sendMessage(expect, "journal@sender.example.test", to, [
      "From: Journal <journal@sender.example.test>",
      `To: <${to}>`,
      `Subject: journal report ${tag} ${i}`,
      `Message-ID: ${messageId}`,
      "",
      `Journal report number ${i} of run ${tag}.`,
    ]);
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
