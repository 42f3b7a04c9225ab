/** Pure: the password-trap guard: finds mailboxes whose records a snapshot would change or drop on a target. */
import type { FileContent, GuardFinding } from "./types";

/** What the password-trap guard looks at on one target. */
export interface GuardInput {
  /** The target's configuration files now. */
  current: FileContent[];
  /** The snapshot about to be restored. */
  snapshot: FileContent[];
  /** The target's mailbox folders and how many files each holds. */
  mailboxFolders: { folder: string; files: number }[];
  /** Regular expression (source) matching a mailbox id inside configuration files. */
  mailboxIdPattern: string;
  caseInsensitive: boolean;
}

/**
 * The password-trap guard (pure). A mailbox's key material is protected by its password; copying a
 * configuration in which an existing mailbox was reset, re-created or removed makes mail waiting on the
 * target undecryptable. The gateway's file format is not documented, so this finds what it can:
 *
 * - a configuration file the target has that the snapshot lacks, or that would shrink;
 * - a mailbox id (by `mailboxIdPattern`, or the name of a mailbox folder) that the target's
 *   configuration mentions and the snapshot does not, with the mail still in its folder;
 * - a mailbox whose record differs: in a JSON file the smallest object naming the mailbox, in any
 *   other file the lines naming it.
 *
 * It cannot tell a password reset from another edit of the same record, so any edit of an existing
 * mailbox's record is reported; a record kept far from the mailbox id in some other format is missed.
 */
export function guardFindings(input: GuardInput): GuardFinding[] {
  const findings: GuardFinding[] = [];
  const key = (n: string) => (input.caseInsensitive ? n.toLowerCase() : n);
  const snap = new Map(input.snapshot.map((f) => [key(f.name), f]));
  for (const cur of input.current) {
    const next = snap.get(key(cur.name));
    if (!next) {
      findings.push({
        kind: "file-removed",
        file: cur.name,
        message: `configuration file ${cur.name} exists on the target but not in the snapshot; restoring would remove it`,
      });
    } else if (next.data.length < cur.data.length) {
      findings.push({
        kind: "file-shrinks",
        file: cur.name,
        message: `configuration file ${cur.name} would shrink from ${cur.data.length} to ${next.data.length} bytes (a removed mailbox or key?)`,
      });
    }
  }

  const curText = input.current.map((f) => ({ name: f.name, text: f.data.toString("utf8") }));
  const snapText = input.snapshot.map((f) => ({ name: f.name, text: f.data.toString("utf8") }));
  const mailFiles = new Map(input.mailboxFolders.map((m) => [m.folder, m.files]));
  const ids = new Set<string>();
  const re = new RegExp(input.mailboxIdPattern, "g");
  for (const f of curText) for (const m of f.text.matchAll(re)) ids.add(m[0]);
  for (const m of input.mailboxFolders)
    if (curText.some((f) => f.text.includes(m.folder))) ids.add(m.folder);

  for (const id of [...ids].sort()) {
    const inSnapshot = snapText.some((f) => f.text.includes(id));
    const held = mailFiles.get(id);
    if (!inSnapshot) {
      findings.push({
        kind: "mailbox-removed",
        mailbox: id,
        ...(held !== undefined ? { mailFiles: held } : {}),
        message:
          `mailbox ${id} is configured on the target but not in the snapshot` +
          (held
            ? `; its folder still holds ${held} file(s) of mail that would become unreachable`
            : ""),
      });
      continue;
    }
    const before = mailboxRecord(id, curText);
    const after = mailboxRecord(id, snapText);
    if (before !== after) {
      findings.push({
        kind: "mailbox-record-changed",
        mailbox: id,
        ...(held !== undefined ? { mailFiles: held } : {}),
        message:
          `mailbox ${id} exists on the target and its record differs in the snapshot (a password reset changes its key material)` +
          (held ? `; ${held} file(s) of mail wait in its folder` : ""),
      });
    }
  }
  return findings;
}

/** The record of a mailbox across files: per file, the smallest JSON object naming it, or the lines naming it. */
export function mailboxRecord(id: string, files: { name: string; text: string }[]): string {
  const parts: string[] = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!f.text.includes(id)) continue;
    const json = jsonRecords(id, f.text);
    const body =
      json ??
      f.text
        .split(/\r?\n/)
        .filter((l) => l.includes(id))
        .map((l) => l.trim())
        .join("\n");
    parts.push(`${f.name}\n${body}`);
  }
  return parts.join("\n--\n");
}

function jsonRecords(id: string, text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const obj = node as Record<string, unknown>;
    const holds = Object.values(obj).some((v) => typeof v === "string" && v.includes(id));
    if (holds) {
      found.push(canonical(obj));
      return;
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k.includes(id)) found.push(`${k}=${canonical(v)}`);
      else visit(v);
    }
  };
  visit(doc);
  return found.length > 0 ? found.join("\n") : undefined;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** One paragraph that explains a refusal to the operator. */
export function explainFindings(host: string, findings: GuardFinding[]): string {
  return (
    `${host}: restore refused by the mailbox-password guard; nothing was changed and the service was not touched.\n` +
    findings.map((f) => `  - ${f.message}`).join("\n") +
    `\n  Copying a configuration in which an existing mailbox's password was reset makes mail waiting on this host undecryptable.` +
    ` The supported path is a NEW mailbox, new archiving profiles, then switching the journal rule.` +
    ` If you have checked that this change is safe (e.g. every affected mailbox was archived empty), re-run with --allow-key-change.`
  );
}
