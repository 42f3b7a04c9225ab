/** Drives {@link ./journal-sender.ts} in the sender's namespace and reads back what it handed over. */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Started } from "../../e2e/mail-path/lib/netns";
import type { DrillLab } from "./lab";

/** One message the sender's Postfix accepted. */
export interface SentMessage {
  messageId: string;
  to: string;
  stage: string;
  at: number;
}

/** The journal: steady mail through Postfix to the mail domain while the stages run. */
export class Journal {
  private process: Started | undefined;
  private runs = 0;
  private readonly control: string;

  constructor(private readonly lab: DrillLab) {
    this.control = join(lab.dir, "journal-control.json");
  }

  /** Sets the stage label and the recipients (the journal rule's target mailboxes). */
  set(stage: string, recipients: string[]): void {
    // Written aside and renamed, so the sender never reads a half-written file.
    writeFileSync(`${this.control}.tmp`, JSON.stringify({ stage, recipients }));
    renameSync(`${this.control}.tmp`, this.control);
  }

  /** Starts sending one message every `intervalMs`. */
  start(intervalMs: number): void {
    if (this.process) throw new Error("the journal is already running");
    this.process = this.lab.net.start(this.lab.senderHost, "journal", process.execPath, [
      "--import",
      "tsx",
      join(__dirname, "journal-sender.ts"),
      "--control",
      this.control,
      "--tag",
      `r${(this.runs += 1)}`,
      "--interval-ms",
      String(intervalMs),
    ]);
  }

  /** Stops after the transaction in progress; throws when the sender failed. */
  async stop(): Promise<void> {
    const p = this.process;
    if (!p) return;
    this.process = undefined;
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
    const timer = setTimeout(() => p.child.kill("SIGKILL"), 40_000);
    const code = await p.exited;
    clearTimeout(timer);
    if (code !== 0) {
      const tail = readFileSync(p.logFile, "utf8").split("\n").slice(-5).join(" ");
      throw new Error(`the journal sender exited with ${code}: ${tail}`);
    }
  }

  /** Every message handed over so far. */
  sent(): SentMessage[] {
    const file = join(this.lab.dir, "journal.log");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as SentMessage);
  }
}
