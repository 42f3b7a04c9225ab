// Restore paths that a real sshd cannot easily provoke, driven through an in-memory host.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildManifest,
  DeadlineError,
  inspectHost,
  restoreHost,
  snapshot,
  validateInventory,
  type RemoteHost,
  type BackupStore,
  type Manifest,
  type FileContent,
} from "../../../components/config-sync";
import { ED25519_KEY_C as KEY } from "../../lab/fixtures";

const inv = validateInventory(
  {
    hosts: {
      h: {
        address: "10.231.0.2",
        username: "root",
        privateKeyPath: "/k",
        hostKey: KEY,
        platform: "linux",
        dataDir: "/d",
        serviceControl: { start: "START", stop: "STOP", status: "STATUS" },
        serviceTimeoutSeconds: 1,
        settleSeconds: 0,
      },
    },
  },
  "/",
);

/** An in-memory host: files by path, a service flag, and hooks to make operations fail. */
class FakeHost implements RemoteHost {
  readonly name = "h";
  lost: string | undefined = undefined;
  files = new Map<string, Buffer>();
  dirs = new Set<string>(["/d"]);
  running = true;
  log: string[] = [];
  failOn: (op: string, p: string) => string | undefined = () => undefined;
  onStop: () => void = () => undefined;
  /** Commands that hang (the transport's deadline kills them): they change nothing. */
  hang = new Set<string>();
  /** Called after each command that did not hang. */
  afterExec: (cmd: string) => void = () => undefined;
  private check(op: string, p: string) {
    const err = this.failOn(op, p);
    if (err) throw new Error(`${op} ${p}: ${err}`);
  }
  async list(dir: string) {
    this.check("list", dir);
    const out = new Map<string, { name: string; kind: "file" | "dir"; size: number }>();
    for (const [p, d] of this.files)
      if (p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes("/"))
        out.set(p, { name: p.slice(dir.length + 1), kind: "file", size: d.length });
    for (const p of this.dirs)
      if (p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes("/"))
        out.set(p, { name: p.slice(dir.length + 1), kind: "dir", size: 0 });
    return [...out.values()];
  }
  async lstat(p: string) {
    if (this.dirs.has(p)) return { name: p, kind: "dir" as const, size: 0 };
    return this.files.has(p)
      ? { name: p, kind: "file" as const, size: this.files.get(p)!.length }
      : undefined;
  }
  async freeBytes() {
    return 1 << 30;
  }
  async readFile(p: string, _max: number) {
    this.check("read", p);
    const d = this.files.get(p);
    if (!d) throw new Error(`read ${p}: No such file`);
    return d;
  }
  async writeFile(p: string, data: Buffer, opts: { exclusive?: boolean } = {}) {
    this.check("write", p);
    if (opts.exclusive && this.files.has(p)) throw new Error(`create ${p}: File exists`);
    this.files.set(p, Buffer.from(data));
  }
  async rename(from: string, to: string) {
    this.check("rename", to);
    this.files.set(to, this.files.get(from)!);
    this.files.delete(from);
  }
  async remove(p: string) {
    this.check("remove", p);
    this.files.delete(p);
  }
  async mkdirp(p: string) {
    this.dirs.add(p);
  }
  async exec(cmd: string, _timeoutMs: number) {
    this.log.push(cmd);
    this.check("exec", cmd);
    if (this.hang.has(cmd))
      throw new DeadlineError("the command did not finish within 6s; it was killed");
    const code = cmd === "STATUS" && !this.running ? 3 : 0;
    if (cmd === "STOP") {
      this.running = false;
      this.onStop();
    }
    if (cmd === "START") this.running = true;
    this.afterExec(cmd);
    return { code, stdout: "", stderr: "", droppedBytes: 0 };
  }
  close() {}
  config(): Record<string, string> {
    return Object.fromEntries(
      [...this.files]
        .filter(([p]) => /^\/d\/[^/]+$/.test(p))
        .map(([p, d]) => [p.slice(3), d.toString()]),
    );
  }
}

class MemStore implements BackupStore {
  backups: string[] = [];
  describe() {
    return "mem";
  }
  async getSnapshot() {
    return undefined;
  }
  async putSnapshot() {
    return "stored" as const;
  }
  async putBackup(host: string, id: string, _m: Manifest, _f: FileContent[]) {
    this.backups.push(`${host}/${id}`);
    return `mem/${id}`;
  }
}

const snapFiles = [
  { name: "a.json", data: Buffer.from('{"v":2}') },
  { name: "b.xml", data: Buffer.from("<v2/>") },
];
const snap = { manifest: buildManifest("r2", "src", snapFiles), files: snapFiles };

function host(): FakeHost {
  const h = new FakeHost();
  h.files.set("/d/a.json", Buffer.from('{"v":1}'));
  h.files.set("/d/b.xml", Buffer.from("<v1/>"));
  return h;
}

const run = (h: FakeHost, store = new MemStore()) =>
  restoreHost(inv, store, snap, inv.hosts.h, {
    connector: async () => h,
    now: () => new Date("2026-11-28T12:00:00Z"),
  });

describe("restore paths (in-memory host)", () => {
  test("a stop that fails leaves every file alone and the service running", async () => {
    const h = host();
    h.failOn = (op, p) => (op === "exec" && p === "STOP" ? "access denied" : undefined);
    const o = await run(h);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "unchanged");
    assert.equal(o.service, "running");
    assert.equal(
      o.message,
      "h: restore of r2 failed while stopping the service: exec STOP: access denied; no file had been replaced; previous configuration in place, service running",
    );
    assert.deepEqual(h.config(), { "a.json": '{"v":1}', "b.xml": "<v1/>" });
    assert.equal(h.files.has("/d.msgw-backups/restore-in-progress.json"), false);
  });

  test("a file the service rewrites while stopping is backed up again before anything is written", async () => {
    const h = host();
    const store = new MemStore();
    h.onStop = () => h.files.set("/d/a.json", Buffer.from('{"v":9}'));
    const o = await run(h, store);
    assert.equal(o.result, "updated");
    assert.deepEqual(store.backups, [
      "h/20261128T120000Z-before-r2",
      "h/20261128T120000Z-before-r2-stopped",
    ]);
    assert.equal(
      h.files.get("/d.msgw-backups/20261128T120000Z-before-r2-stopped/a.json")?.toString(),
      '{"v":9}',
    );
    assert.deepEqual(h.config(), { "a.json": '{"v":2}', "b.xml": "<v2/>" });
  });

  test("a file that appears while the service stops is checked by the guard again: blocked, service started", async () => {
    const h = host();
    h.onStop = () => h.files.set("/d/keys.dat", Buffer.from("k"));
    const o = await run(h);
    assert.equal(o.result, "blocked");
    assert.equal(o.service, "running");
    assert.deepEqual(
      o.findings.map((f) => f.kind),
      ["file-removed"],
    );
    assert.deepEqual(h.config(), { "a.json": '{"v":1}', "b.xml": "<v1/>", "keys.dat": "k" });
    assert.equal(h.running, true);
    assert.equal(h.files.has("/d.msgw-backups/restore-in-progress.json"), false);
  });

  test("a matching configuration with a stopped service: the service is started, nothing written", async () => {
    const h = host();
    h.files.set("/d/a.json", snapFiles[0].data);
    h.files.set("/d/b.xml", snapFiles[1].data);
    h.running = false;
    const o = await run(h);
    assert.equal(o.result, "updated");
    assert.equal(o.message, "h: configuration already matched r2; service started");
    assert.deepEqual(h.log, ["STATUS", "START", "STATUS"]);
  });

  test("when putting the backup back fails too, the outcome says the state is unknown and where the backup is", async () => {
    const h = host();
    let renames = 0;
    h.failOn = (op, p) => {
      if (op === "rename" && p === "/d/b.xml") return "Permission denied";
      if (op === "rename" && p === "/d/a.json" && ++renames > 1) return "Permission denied";
      return undefined;
    };
    const o = await run(h);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "unknown");
    assert.equal(o.service, "stopped");
    assert.equal(
      o.message,
      "h: restore of r2 failed while renaming files into place: rename /d/b.xml: Permission denied; putting the previous configuration back ALSO failed (rename /d/a.json: Permission denied). " +
        "State as last seen: 1 file(s) of r2 had been put in place (a.json); the service had been stopped; the restore marker /d.msgw-backups/restore-in-progress.json is on the host. " +
        "Backup on the host: /d.msgw-backups/20261128T120000Z-before-r2; in the store: mem/20261128T120000Z-before-r2. " +
        "Re-run restore when the host is reachable (msgw config restore --target h --revision r2): it completes the change or puts the backup back, and starts the service.",
    );
  });
});

describe("snapshot paths (in-memory host)", () => {
  test("an unreadable source file is refused with its name, and nothing is stored", async () => {
    const h = host();
    h.failOn = (op, p) => (op === "read" && p === "/d/b.xml" ? "Permission denied" : undefined);
    const store = new MemStore();
    let stored = false;
    store.putSnapshot = async () => {
      stored = true;
      return "stored" as const;
    };
    await assert.rejects(snapshot(inv, store, "h", "r9", { connector: async () => h }), {
      message: "source h: cannot read b.xml: Permission denied; nothing was stored",
    });
    assert.equal(stored, false);
  });
});

describe("pre-flight before the stop (in-memory host)", () => {
  const winInv = validateInventory(
    {
      hosts: {
        w: {
          address: "10.231.0.3",
          username: "Administrator",
          privateKeyPath: "/k",
          hostKey: KEY,
          serviceControl: { start: "START", stop: "STOP", status: "STATUS" },
          serviceTimeoutSeconds: 1,
          settleSeconds: 0,
        },
      },
    },
    "/",
  );
  const D = "/C:/ProgramData/MailStore/Gateway";

  test("names Windows cannot hold are refused before the service stops; nothing is written", async () => {
    const bad = ["CON.xml", "lpt1", "a:b.json", "trailing. ", "x".repeat(240)].map((name) => ({
      name,
      data: Buffer.from("<x/>"),
    }));
    const s = { manifest: buildManifest("r5", "src", bad), files: bad };
    const h = new FakeHost();
    h.dirs = new Set([D]);
    const o = await restoreHost(winInv, new MemStore(), s, winInv.hosts.w, {
      connector: async () => h,
      now: () => new Date("2026-11-28T12:00:00Z"),
    });
    assert.equal(o.result, "failed");
    assert.equal(o.service, "running");
    assert.equal(
      o.message,
      [
        "w: restore of r5 refused before stopping the service:",
        "  - CON.xml is a reserved device name on Windows; rename it on the source",
        '  - a:b.json holds a character Windows forbids in file names (< > : " / \\ | ? * or a control character); rename it on the source',
        "  - lpt1 is a reserved device name on Windows; rename it on the source",
        '  - "trailing. " ends with a space or a dot, which Windows drops; rename it on the source',
        `  - C:\\ProgramData\\MailStore\\Gateway\\${"x".repeat(240)} is 273 characters long; Windows paths are limited to 259 (MAX_PATH); use a shorter name`,
        "  Nothing was changed and the service was not touched (backup at C:\\ProgramData\\MailStore\\Gateway.msgw-backups\\20261128T120000Z-before-r5).",
      ].join("\n"),
    );
    assert.deepEqual(h.log, ["STATUS"], "never stopped");
    assert.deepEqual(Object.keys(h.config()), []);
  });

  test("the boot wait applies only to a machine the store has not seen answer", async () => {
    const gen = validateInventory(
      {
        hosts: {
          h: {
            address: "10.231.0.2",
            username: "root",
            privateKeyPath: "/k",
            hostKey: KEY,
            platform: "linux",
            dataDir: "/d",
            serviceControl: { start: "START", stop: "STOP", status: "STATUS" },
            serviceTimeoutSeconds: 1,
            settleSeconds: 0,
            bootWaitSeconds: 900,
            generation: "i-0123456789abcdef0",
          },
        },
      },
      "/",
    );
    const seen = new Set<string>();
    const store = new MemStore() as MemStore & {
      seen(h: string, g: string): Promise<boolean>;
      markSeen(h: string, g: string): Promise<void>;
    };
    store.seen = async (hn, g) => seen.has(`${hn}/${g}`);
    store.markSeen = async (hn, g) => void seen.add(`${hn}/${g}`);
    const waits: number[] = [];
    const connector = async (spec: { bootWaitSeconds: number }) => {
      waits.push(spec.bootWaitSeconds);
      return host();
    };
    await restoreHost(gen, store, snap, gen.hosts.h, { connector: connector as never });
    await restoreHost(gen, store, snap, gen.hosts.h, { connector: connector as never });
    assert.deepEqual(waits, [900, 0]);
    assert.deepEqual([...seen], ["h/i-0123456789abcdef0"]);
  });
});

describe("hung service control: after any failure the service runs, or the outcome says what is known", () => {
  const MARKER = "/d.msgw-backups/restore-in-progress.json";
  const BACKUP = "/d.msgw-backups/20261128T120000Z-before-r2";

  test("status hangs from the stop on: the stop is not confirmed, nothing is written, the service is started anyway", async () => {
    const h = host();
    h.onStop = () => h.hang.add("STATUS");
    const o = await run(h);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "unchanged");
    assert.equal(o.service, "unknown");
    assert.equal(
      o.message,
      "h: restore of r2 failed while stopping the service: the status command hung: the command did not finish within 6s; it was killed; " +
        "the previous configuration is back in place (no file had been replaced), but whether gateway runs after the accepted start command cannot be learned " +
        "(the status command hung: the command did not finish within 6s; it was killed): check gateway on the host and start it by hand if it is stopped; " +
        "then check it with msgw config status --target h (or re-run restore: msgw config restore --target h --revision r2)",
    );
    assert.equal(h.running, true);
    assert.deepEqual(h.log, ["STOP", "STATUS", "STATUS", "START", "STATUS"]);
    assert.deepEqual(h.config(), { "a.json": '{"v":1}', "b.xml": "<v1/>" });
    assert.equal(h.files.has(MARKER), false);
  });

  test("status hangs from the start on: the verified configuration stays, the outcome says the service is not confirmed", async () => {
    const h = host();
    h.afterExec = (cmd) => {
      if (cmd === "START") h.hang.add("STATUS");
    };
    const o = await run(h);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "replaced");
    assert.equal(o.service, "unknown");
    assert.deepEqual(o.written, ["a.json", "b.xml"]);
    assert.equal(
      o.message,
      "h: configuration r2 written and verified (2 written, 0 removed, 0 already equal); the start command was accepted, but whether gateway runs cannot be learned " +
        "(the status command hung: the command did not finish within 6s; it was killed): check gateway on the host and start it by hand if it is stopped; " +
        "backup at /d.msgw-backups/20261128T120000Z-before-r2",
    );
    assert.equal(h.running, true);
    assert.deepEqual(h.log, ["STOP", "STATUS", "START", "STATUS"]);
    assert.deepEqual(h.config(), { "a.json": '{"v":2}', "b.xml": "<v2/>" });
    assert.equal(h.files.has(MARKER), false);
  });

  test("start hangs every time: the previous files go back and the outcome says the service is stopped and what to do", async () => {
    const h = host();
    h.hang.add("START");
    const o = await run(h);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "restored-from-backup");
    assert.equal(o.service, "stopped");
    assert.equal(
      o.message,
      "h: restore of r2 failed while starting the service with the new configuration: the start command hung: the command did not finish within 6s; it was killed; " +
        "the previous configuration is back in place, but the start command hung: the command did not finish within 6s; it was killed; gateway is stopped: " +
        "start gateway on the host by hand; then check it with msgw config status --target h (or re-run restore: msgw config restore --target h --revision r2)",
    );
    assert.deepEqual(o.backup, { onHost: BACKUP, inStore: "mem/20261128T120000Z-before-r2" });
    assert.deepEqual(h.log, ["STOP", "STATUS", "START", "STATUS", "STATUS", "START", "STATUS"]);
    assert.deepEqual(h.config(), { "a.json": '{"v":1}', "b.xml": "<v1/>" });
    assert.equal(h.files.has(MARKER), false);
  });

  test("a matching configuration whose status hangs: the service is started anyway and the outcome says it is not confirmed", async () => {
    const h = host();
    h.files.set("/d/a.json", snapFiles[0].data);
    h.files.set("/d/b.xml", snapFiles[1].data);
    h.running = false;
    h.hang.add("STATUS");
    const o = await run(h);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "unchanged");
    assert.equal(o.service, "unknown");
    assert.equal(
      o.message,
      "h: configuration matches r2, but whether gateway runs after the accepted start command cannot be learned " +
        "(the status command hung: the command did not finish within 6s; it was killed): check gateway on the host and start it by hand if it is stopped",
    );
    assert.equal(h.running, true);
    assert.deepEqual(h.log, ["STATUS", "START", "STATUS"]);
  });

  test("status reports the files and mailboxes of a host whose status command hangs, and says why the service is unknown", async () => {
    const h = host();
    h.hang.add("STATUS");
    const s = await inspectHost(inv, "h", snap.manifest, { connector: async () => h });
    assert.equal(s.error, undefined);
    assert.equal(s.reachable, true);
    assert.equal(s.matches, false);
    assert.equal(s.service, "unknown");
    assert.equal(
      s.serviceUnknownBecause,
      "the status command hung: the command did not finish within 6s; it was killed",
    );
  });
});
