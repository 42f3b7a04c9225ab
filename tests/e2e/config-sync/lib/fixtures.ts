// Gateway data directories for the e2e tests: configuration files in several formats, and mailbox
// folders holding "mail". Contents are deterministic so failures reproduce.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const MBX_A = `mbx-${"a".repeat(32)}`;
export const MBX_B = `mbx-${"b".repeat(32)}`;
export const MBX_C = `mbx-${"c".repeat(32)}`;

export type Files = Record<string, Buffer>;

/** Deterministic pseudo-random bytes. */
export function bytes(seed: string, n: number): Buffer {
  const out: Buffer[] = [];
  let block = createHash("sha256").update(seed).digest();
  let len = 0;
  while (len < n) {
    out.push(block);
    len += block.length;
    block = createHash("sha256").update(block).digest();
  }
  return Buffer.concat(out).subarray(0, n);
}

const mailbox = (id: string, key: string) => ({
  id,
  address: `${id}@msgw.example.com`,
  status: "Active",
  protectedKey: key,
});
const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);

/** The configuration every target starts with: one mailbox (A). */
export function v1(extraMailboxes: string[] = []): Files {
  return {
    "gateway.json": json({
      smtp: { port: 25 },
      mailboxes: [mailbox(MBX_A, "key-A-1"), ...extraMailboxes.map((m) => mailbox(m, `key-${m}`))],
    }),
    "certificate.pfx": bytes("pfx-1", 2500),
    "license.dat": bytes("license", 700),
  };
}

/** The source's newer configuration: mailbox A as before, mailbox B added, a new certificate, more files. */
export function v2(): Files {
  return {
    "big.bin": bytes("big", 256 * 1024),
    "certificate.pfx": bytes("pfx-2", 2600),
    "gateway.json": json({
      smtp: { port: 25, banner: "msgw" },
      mailboxes: [mailbox(MBX_A, "key-A-1"), mailbox(MBX_B, "key-B-1")],
    }),
    "license.dat": bytes("license", 700),
    "settings.xml": Buffer.from(
      `<settings><pop3 starttls="required"/><mailbox id="${MBX_B}"/></settings>\n`,
    ),
  };
}

/** v2 after mailbox A's password was reset on the source: A's protected key changed. */
export function v3(): Files {
  const f = v2();
  f["gateway.json"] = json({
    smtp: { port: 25, banner: "msgw" },
    mailboxes: [mailbox(MBX_A, "key-A-RESET"), mailbox(MBX_B, "key-B-1")],
  });
  return f;
}

/** A configuration the stand-in service refuses to start with. */
export function broken(): Files {
  const f = v2();
  f["gateway.json"] = json({
    smtp: { port: 25 },
    mailboxes: [mailbox(MBX_A, "key-A-1"), mailbox(MBX_B, "key-B-1")],
    note: "FAIL-START",
  });
  return f;
}

/** Replaces the top-level files of a data directory (mailbox folders are left alone). */
export function writeConfig(dataDir: string, files: Files): void {
  for (const e of fs.readdirSync(dataDir, { withFileTypes: true }))
    if (e.isFile()) fs.rmSync(path.join(dataDir, e.name));
  for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(dataDir, n), d);
}

/** Puts `count` mail files into a mailbox folder. */
export function writeMail(dataDir: string, id: string, count: number): void {
  const d = path.join(dataDir, id);
  fs.mkdirSync(d, { recursive: true });
  for (let i = 0; i < count; i++)
    fs.writeFileSync(path.join(d, `msg-${i}.eml`), bytes(`${id}-${i}`, 900));
}

/** Everything in a data directory: top-level files and, separately, every file under its folders. */
export function readTree(dataDir: string): { config: Files; mail: Files } {
  const config: Files = {};
  const mail: Files = {};
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (rel === "") config[r] = fs.readFileSync(p);
      else mail[r] = fs.readFileSync(p);
    }
  };
  walk(dataDir, "");
  return { config, mail };
}
