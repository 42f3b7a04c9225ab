// Configuration replication against real sshd hosts in network namespaces. Needs root, iproute2,
// openssh-server, chattr (e2fsprogs) and tmpfs mounts. After every test, every host's data directory
// is compared byte-for-byte with what the test expects and every gateway service must be running.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import {
  loadInventory,
  LocalStore,
  restore,
  snapshot,
  type RestoreOutcome,
} from "../../../components/config-sync";
import {
  broken,
  MBX_A,
  MBX_C,
  readTree,
  v1,
  v2,
  v3,
  writeConfig,
  writeMail,
  type Files,
} from "./lib/fixtures";
import { Lab } from "./lib/lab";

const TARGETS = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"];
const ENTRY = path.join(__dirname, "msgw-entry.ts");
let lab: Lab;
const expected = new Map<string, { config: Files; mail: Files }>();

/** Lays out a host's data directory and starts its service; records it as what must be there. */
function seed(name: string, config: Files, mail: Record<string, number> = { [MBX_A]: 3 }): void {
  const h = lab.host(name);
  if (lab.serviceRunning(name)) lab.service(name, "stop");
  for (const e of fs.readdirSync(h.dataDir, { withFileTypes: true }))
    fs.rmSync(path.join(h.dataDir, e.name), { recursive: true });
  writeConfig(h.dataDir, config);
  for (const [id, n] of Object.entries(mail)) writeMail(h.dataDir, id, n);
  fs.rmSync(h.backupDir, { recursive: true, force: true });
  lab.service(name, "start");
  fs.rmSync(path.join(h.stateDir, "events"), { force: true });
  expected.set(name, readTree(h.dataDir));
}

const expectConfig = (name: string, config: Files) => (expected.get(name)!.config = config);

function inv(
  names: string[],
  tweak?: (h: Record<string, unknown>, n: string) => void,
  file?: string,
) {
  return loadInventory(lab.inventory(names, tweak, file));
}

const storeOf = (i: ReturnType<typeof inv>) => new LocalStore((i.store as { path: string }).path);

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const byHost = (outs: RestoreOutcome[]) => Object.fromEntries(outs.map((o) => [o.host, o]));
const backups = (name: string) =>
  fs.existsSync(lab.host(name).backupDir) ? fs.readdirSync(lab.host(name).backupDir).sort() : [];
const configOf = (name: string) => readTree(lab.host(name).dataDir).config;

describe(
  "config replication over SSH (real sshd in network namespaces)",
  { timeout: 240_000 },
  () => {
    before(async () => {
      lab = new Lab();
      const all = ["src", "src2", "empty", "late", ...TARGETS];
      all.forEach((n, i) => lab.addHost(n, i));
      await Promise.all(all.filter((n) => n !== "late").map((n) => lab.startSshd(n)));
      seed("src", v2(), { [MBX_A]: 2 });
      seed("src2", v3(), {});
      seed("empty", {}, { [MBX_A]: 1 });
      for (const t of TARGETS) seed(t, v1());
      lab.inventory([...all.filter((n) => n !== "late")]);
    });

    after(() => lab?.destroy());

    afterEach(() => {
      for (const [name, want] of expected) {
        const got = readTree(lab.host(name).dataDir);
        assert.deepEqual(
          Object.keys(got.config).sort(),
          Object.keys(want.config).sort(),
          `${name}: configuration file names`,
        );
        for (const f of Object.keys(want.config))
          assert.ok(got.config[f].equals(want.config[f]), `${name}: ${f} differs byte-for-byte`);
        assert.deepEqual(got.mail, want.mail, `${name}: mailbox folders must never change`);
        assert.equal(lab.serviceRunning(name), true, `${name}: gateway service left stopped`);
      }
    });

    test("snapshot prints only the manifest; restore to two targets writes them byte-for-byte with a backup first", async () => {
      const file = lab.inventory(["src", ...TARGETS]);
      const snap = await cli([
        "config",
        "snapshot",
        "--source",
        "src",
        "--revision",
        "r2",
        "--inventory",
        file,
      ]);
      assert.equal(snap.code, 0, snap.stderr);
      const manifest = JSON.parse(snap.stdout);
      const { createHash } = await import("node:crypto");
      assert.deepEqual(
        manifest.files,
        Object.entries(v2())
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, d]) => ({
            name,
            size: d.length,
            sha256: createHash("sha256").update(d).digest("hex"),
          })),
      );
      assert.equal(manifest.revision, "r2");
      assert.equal(manifest.source, "src");
      assert.ok(
        !snap.stdout.includes("key-A-1") && !snap.stdout.includes("starttls"),
        "stdout must never carry file content",
      );
      assert.match(snap.stderr, /read 5 configuration file\(s\)/);

      const res = await cli(["config", "restore", "--targets", "t1,t2", "--revision", "r2"], {
        MSGW_INVENTORY: fs.readFileSync(file, "utf8"),
      });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, /^t1 +UPDATED +config=replaced service=running/m);
      assert.match(res.stdout, /^t2 +UPDATED +config=replaced service=running/m);
      assert.match(res.stdout, /2 of 2 host\(s\) at the revision\n$/);
      for (const t of ["t1", "t2"]) {
        expectConfig(t, v2());
        assert.deepEqual(lab.events(t), ["stop", "start"]);
        const [b] = backups(t);
        assert.match(b, /^\d{8}T\d{6}Z-before-r2$/);
        const onHost = path.join(lab.host(t).backupDir, b);
        for (const [n, d] of Object.entries(v1()))
          assert.ok(
            fs.readFileSync(path.join(onHost, n)).equals(d),
            `${t}: on-host backup of ${n}`,
          );
        const inStore = path.join(lab.dir, "store", "backups", t, b, "files");
        assert.deepEqual(fs.readdirSync(inStore).sort(), Object.keys(v1()).sort());
      }
      assert.deepEqual(lab.events("t3"), [], "t3 was not a target");
    });

    test("a re-run with nothing changed changes nothing: no backup, no service restart, same files", async () => {
      const i = inv(["src", ...TARGETS]);
      const mtimes = Object.keys(v2()).map(
        (n) => fs.statSync(path.join(lab.host("t1").dataDir, n)).mtimeMs,
      );
      const before = backups("t1");
      const outs = byHost(await restore(i, storeOf(i), "r2", ["t1", "t2"]));
      assert.equal(outs.t1.result, "unchanged");
      assert.equal(outs.t2.result, "unchanged");
      assert.equal(outs.t1.message, "t1: already at r2; nothing changed");
      assert.deepEqual(lab.events("t1"), ["stop", "start"], "service not restarted");
      assert.deepEqual(backups("t1"), before, "no new backup");
      assert.deepEqual(
        Object.keys(v2()).map((n) => fs.statSync(path.join(lab.host("t1").dataDir, n)).mtimeMs),
        mtimes,
      );
    });

    test("fan-out to eight targets with --all-targets --parallel 4 --json", async () => {
      for (const t of TARGETS) seed(t, v1());
      const file = lab.inventory(["src", ...TARGETS]);
      const t0 = Date.now();
      const res = await cli([
        "config",
        "restore",
        "--all-targets",
        "--parallel",
        "4",
        "--revision",
        "r2",
        "--json",
        "--inventory",
        file,
      ]);
      assert.equal(res.code, 0, res.stderr);
      const outs: RestoreOutcome[] = JSON.parse(res.stdout);
      assert.deepEqual(
        outs.map((o) => [o.host, o.result, o.config, o.service]),
        TARGETS.map((t) => [t, "updated", "replaced", "running"]),
      );
      for (const t of TARGETS) {
        expectConfig(t, v2());
        assert.deepEqual(lab.events(t), ["stop", "start"]);
      }
      assert.ok(Date.now() - t0 < 60_000);
    });

    test("a target killed mid-restore: the others finish, the host reports an interrupted restore, a re-run completes it", async () => {
      for (const t of ["t1", "t2", "t3"]) seed(t, v1());
      const i = inv(["src", ...TARGETS]);
      let killed = false;
      const outs = byHost(
        await restore(i, storeOf(i), "r2", ["t1", "t2", "t3"], {
          onStep: (host, step) => {
            if (host === "t2" && step === "renamed:big.bin" && !killed) {
              killed = true;
              lab.crash("t2");
            }
          },
        }),
      );
      assert.equal(killed, true);
      assert.equal(outs.t1.result, "updated");
      assert.equal(outs.t3.result, "updated");
      assert.equal(outs.t2.result, "failed");
      assert.equal(outs.t2.config, "unknown");
      assert.match(
        outs.t2.message,
        /^t2: restore of r2 failed while renaming files into place: .*connection to host lost.*Re-run restore when the host is reachable/s,
      );
      expectConfig("t1", v2());
      expectConfig("t3", v2());

      // The crash left a mix of new (big.bin) and old files: exactly what the rename order says.
      const mixed = configOf("t2");
      assert.ok(mixed["big.bin"].equals(v2()["big.bin"]));
      assert.ok(mixed["gateway.json"].equals(v1()["gateway.json"]));
      await lab.boot("t2");

      const status = await cli([
        "config",
        "status",
        "--target",
        "t2",
        "--revision",
        "r2",
        "--json",
        "--inventory",
        lab.inventory(["src", ...TARGETS]),
      ]);
      assert.equal(status.code, 0, status.stderr);
      const [s] = JSON.parse(status.stdout);
      assert.equal(s.matches, false);
      assert.equal(s.interruptedRestore.revision, "r2");
      assert.equal(s.mailFiles, 3);
      const verify = await cli([
        "config",
        "verify",
        "--target",
        "t2",
        "--revision",
        "r2",
        "--inventory",
        lab.inventory(["src", ...TARGETS]),
      ]);
      assert.equal(verify.code, 1);
      assert.match(
        verify.stdout,
        /DIFFERS from r2: certificate.pfx changed, gateway.json changed, settings.xml missing; INTERRUPTED restore of r2/,
      );

      const again = byHost(await restore(i, storeOf(i), "r2", ["t2"]));
      assert.equal(again.t2.result, "updated", again.t2.message);
      expectConfig("t2", v2());
      assert.equal(
        fs.existsSync(path.join(lab.host("t2").backupDir, "restore-in-progress.json")),
        false,
      );
      const verified = await cli([
        "config",
        "verify",
        "--targets",
        "t1,t2,t3",
        "--revision",
        "r2",
        "--inventory",
        lab.inventory(["src", ...TARGETS]),
      ]);
      assert.equal(verified.code, 0, verified.stdout);
    });

    test("a disk too full for the new files: refused before the stop there, the other target is updated", async () => {
      // `ip netns exec` gives sshd its own copy of the mount table: mount first, then (re)boot the host.
      const h = lab.host("t4");
      lab.crash("t4");
      fs.rmSync(h.dataDir, { recursive: true, force: true });
      fs.mkdirSync(h.dataDir);
      lab.smallDisk("t4", 64);
      try {
        await lab.boot("t4");
        seed("t4", v1());
        seed("t5", v1());
        const i = inv(["src", ...TARGETS]);
        const outs = byHost(await restore(i, storeOf(i), "r2", ["t4", "t5"]));
        assert.equal(outs.t5.result, "updated");
        expectConfig("t5", v2());
        assert.equal(outs.t4.result, "failed");
        assert.equal(outs.t4.config, "unchanged");
        assert.equal(outs.t4.service, "running");
        assert.match(
          outs.t4.message,
          /^t4: restore of r2 refused before stopping the service:\n {2}- disk full: the file system holding \S+\/t4\/data has \d+\.\d KiB free; the new files need 259\.1 KiB plus 1\.0 MiB to spare; free some space \(old backups in \S+\?\) and re-run\n {2}Nothing was changed and the service was not touched \(backup at \S+\)\.$/,
        );
        assert.deepEqual(lab.events("t4"), [], "the service was never stopped");
        assert.deepEqual(
          fs.readdirSync(h.dataDir).filter((n) => n.includes(".msgw-tmp")),
          [],
          "temporary files removed",
        );
      } finally {
        lab.crash("t4");
        lab.unmount("t4");
        await lab.boot("t4");
        seed("t4", v1());
      }
    });

    test("a permission error mid-rename: files already replaced are put back from the backup", async () => {
      seed("t6", v1());
      const locked = path.join(lab.host("t6").dataDir, "gateway.json");
      lab.makeImmutable(locked);
      try {
        const i = inv(["src", ...TARGETS]);
        const [o] = await restore(i, storeOf(i), "r2", ["t6"]);
        assert.equal(o.result, "failed");
        assert.equal(o.config, "restored-from-backup");
        assert.equal(o.service, "running");
        assert.match(
          o.message,
          /^t6: restore of r2 failed while renaming files into place: rename .*gateway\.json: Permission denied; rolled back 2 file\(s\) from the backup; previous configuration in place, service running$/,
        );
        assert.deepEqual(lab.events("t6"), ["stop", "start"]);
      } finally {
        lab.mutable(locked);
      }
    });

    test("a wrong host key: refused before anything happens, and not retried", async () => {
      seed("t7", v1());
      const i = inv(["src", ...TARGETS], (h, n) => {
        if (n === "t7") h.hostKey = lab.host("t8").hostKey;
      });
      const t0 = Date.now();
      const [o] = await restore(i, storeOf(i), "r2", ["t7"]);
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(o.result, "failed");
      assert.equal(o.config, "unchanged");
      assert.match(
        o.message,
        /^t7: cannot connect \(host key mismatch at 10\.231\.\d+\.\d+:22: it presented SHA256:\S+, the inventory pins SHA256:\S+\. Nothing was done on this host\./,
      );
      assert.deepEqual(lab.events("t7"), []);
      assert.deepEqual(backups("t7"), []);
    });

    test("an empty source is refused and nothing is stored", async () => {
      const file = lab.inventory(["empty", "src", ...TARGETS]);
      const res = await cli([
        "config",
        "snapshot",
        "--source",
        "empty",
        "--revision",
        "r-empty",
        "--inventory",
        file,
      ]);
      assert.equal(res.code, 1);
      assert.equal(res.stdout, "");
      assert.match(
        res.stderr,
        /msgw config snapshot: error: source empty: no configuration files in \S+ \(include \["\*"\], exclude \[\]\); refusing to store an empty snapshot/,
      );
      assert.equal(fs.existsSync(path.join(lab.dir, "store", "snapshots", "r-empty")), false);

      const missing = lab.inventory(
        ["src"],
        (h) => (h.dataDir = "/nonexistent/msgw"),
        "missing.json",
      );
      const res2 = await cli([
        "config",
        "snapshot",
        "--source",
        "src",
        "--revision",
        "r-missing",
        "--inventory",
        missing,
      ]);
      assert.equal(res2.code, 1);
      assert.match(
        res2.stderr,
        /source src: cannot list the data directory \/nonexistent\/msgw: No such file; nothing was stored/,
      );
    });

    test("the password-trap guard: a changed key or a removed mailbox with mail is refused unless overridden", async () => {
      seed("t1", v1());
      seed("t2", v1([MBX_C]), { [MBX_A]: 3, [MBX_C]: 2 });
      const file = lab.inventory(["src", "src2", ...TARGETS]);
      const i = loadInventory(file);
      await snapshot(i, storeOf(i), "src2", "r3");

      const res = await cli([
        "config",
        "restore",
        "--target",
        "t1",
        "--revision",
        "r3",
        "--inventory",
        file,
      ]);
      assert.equal(res.code, 1);
      assert.match(res.stdout, new RegExp(`^t1 +BLOCKED +config=unchanged service=running`, "m"));
      assert.match(
        res.stdout,
        new RegExp(
          `mailbox ${MBX_A} exists on the target and its record differs in the snapshot \\(a password reset changes its key material\\); 3 file\\(s\\) of mail wait in its folder`,
        ),
      );
      assert.match(res.stdout, /re-run with --allow-key-change/);
      assert.deepEqual(lab.events("t1"), [], "service never stopped");
      assert.deepEqual(backups("t1"), []);

      const [removed] = await restore(i, storeOf(i), "r2", ["t2"]);
      assert.equal(removed.result, "blocked");
      assert.deepEqual(
        removed.findings.map((f) => [f.kind, f.mailbox, f.mailFiles]),
        [
          ["file-shrinks", undefined, undefined],
          ["mailbox-removed", MBX_C, 2],
        ],
      );
      assert.deepEqual(lab.events("t2"), []);

      const forced = await cli([
        "config",
        "restore",
        "--target",
        "t1",
        "--revision",
        "r3",
        "--allow-key-change",
        "--inventory",
        file,
      ]);
      assert.equal(forced.code, 0, forced.stdout);
      expectConfig("t1", v3());
    });

    test("a configuration the service will not start with is rolled back and the old one started", async () => {
      seed("t3", v1());
      // The source keeps running on the old files; only a (re)start would reject the new ones.
      writeConfig(lab.host("src2").dataDir, broken());
      expectConfig("src2", broken());
      const i = inv(["src", "src2", ...TARGETS]);
      await snapshot(i, storeOf(i), "src2", "r-broken");
      const [o] = await restore(i, storeOf(i), "r-broken", ["t3"]);
      assert.equal(o.result, "failed");
      assert.equal(o.config, "restored-from-backup");
      assert.equal(o.service, "running");
      assert.match(
        o.message,
        /^t3: restore of r-broken failed while starting the service with the new configuration: the start command exited 1: gateway: configuration rejected; rolled back 4 file\(s\) from the backup; previous configuration in place, service running$/,
      );
      assert.deepEqual(o.written, [], "nothing of the refused configuration stays");
      assert.deepEqual(lab.events("t3"), ["stop", "start"]);
    });

    test("a host still booting is waited for, with progress, then restored", async () => {
      // Only a host the inventory marks as just created (bootWaitSeconds) is waited for.
      const i = inv(["src", "late", ...TARGETS], (spec, n) => {
        if (n === "late") spec.bootWaitSeconds = 30;
      });
      const h = lab.host("late");
      writeConfig(h.dataDir, v1());
      const lines: string[] = [];
      const pending = restore(i, storeOf(i), "r2", ["late"], { progress: (l) => lines.push(l) });
      await new Promise((r) => setTimeout(r, 1500));
      await lab.boot("late");
      fs.rmSync(path.join(h.stateDir, "events"), { force: true });
      const [o] = await pending;
      assert.equal(o.result, "updated", o.message);
      assert.ok(
        lines.some((l) =>
          /^late: waiting for SSH on 10\.231\.\d+\.\d+:22 \(a host just created is still booting\): connection refused \(nothing listens on port 22\); \d+s left$/.test(
            l,
          ),
        ),
        lines.join("\n"),
      );
      expected.set("late", { config: v2(), mail: {} });
    });

    test("a snapshot revision is immutable", async () => {
      const file = lab.inventory(["src", "src2", ...TARGETS]);
      const same = await cli([
        "config",
        "snapshot",
        "--source",
        "src",
        "--revision",
        "r2",
        "--inventory",
        file,
      ]);
      assert.equal(same.code, 0, same.stderr);
      assert.match(same.stderr, /revision r2 was already stored with the same content/);
      const other = await cli([
        "config",
        "snapshot",
        "--source",
        "src2",
        "--revision",
        "r2",
        "--inventory",
        file,
      ]);
      assert.equal(other.code, 1);
      assert.match(
        other.stderr,
        /revision r2 already holds a different snapshot .*snapshots are immutable: use a new revision/,
      );
    });
  },
);
