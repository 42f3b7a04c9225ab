/**
 * Journal mail at a steady rate: submits one message every `--interval-ms` to the Postfix sender on
 * 127.0.0.1:25 of its namespace and prints one JSON line per message Postfix accepted
 * (`{"messageId", "to", "stage", "at"}`), so the drill knows exactly what was handed over.
 *
 * The recipients and the stage label come from `--control FILE` (`{"stage": "3", "recipients":
 * ["mbx-…@msgw.example.test"]}`), re-read before every message, so the drill can switch the journal
 * rule to a new mailbox while mail flows. Recipients are used in turn. SIGTERM ends the run after
 * the transaction in progress; a message is printed only after Postfix's 250.
 *
 *   node --import tsx journal-sender.ts --control control.json --tag r1 --interval-ms 200
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { parseArgs } from "node:util";
import { sendMessage, smtpExpect } from "../../lab/fixtures";

const { values } = parseArgs({
  options: {
    control: { type: "string" },
    tag: { type: "string", default: "j" },
    "interval-ms": { type: "string", default: "200" },
    "max-messages": { type: "string", default: "100000" },
    port: { type: "string", default: "25" },
  },
});
const intervalMs = Number(values["interval-ms"]);
const maxMessages = Number(values["max-messages"]);
if (!values.control || !(intervalMs >= 0) || !(maxMessages >= 1)) {
  throw new Error("usage: journal-sender --control FILE [--interval-ms MS] [--max-messages N]");
}
const controlFile = values.control;
const tag = values.tag ?? "j";
let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});

/** Messages per SMTP session before the sender reconnects. */
const PER_SESSION = 100;

async function session(first: number, count: number): Promise<number> {
  const socket = connect(Number(values.port), "127.0.0.1");
  const failed = new Promise<never>((_, reject) => socket.once("error", reject));
  const expect = smtpExpect(socket, failed);
  await expect(undefined, "220");
  await expect("EHLO journal.sender.example.test", "250");
  let sent = 0;
  for (let i = first; sent < count && !stopping; i += 1) {
    const control = JSON.parse(readFileSync(controlFile, "utf8")) as {
      stage: string;
      recipients: string[];
    };
    const to = control.recipients[i % control.recipients.length] as string;
    const messageId = `<journal-${tag}-${i}@sender.example.test>`;
    await sendMessage(expect, "journal@sender.example.test", to, [
      "From: Journal <journal@sender.example.test>",
      `To: <${to}>`,
      `Subject: journal report ${i} (drill stage ${control.stage})`,
      `Message-ID: ${messageId}`,
      `X-Drill-Stage: ${control.stage}`,
      "",
      `Journal report number ${i}, sent during drill stage ${control.stage}.`,
    ]);
    process.stdout.write(
      `${JSON.stringify({ messageId, to, stage: control.stage, at: Date.now() })}\n`,
    );
    sent += 1;
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  }
  await expect("QUIT", "221");
  socket.end();
  return sent;
}

async function main(): Promise<void> {
  let total = 0;
  while (!stopping && total < maxMessages) {
    total += await session(total, Math.min(PER_SESSION, maxMessages - total));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`journal-sender failed: ${String(error)}\n`);
  process.exit(1);
});
