// The reproductions of "replication never leaves a gateway stopped" against real sshd hosts in network
// namespaces: each of these failed on the engine before deadlines, caps, pre-flight and put-back.
// Needs root, iproute2, openssh-server and tmpfs mounts.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  loadInventory,
  LocalStore,
  restore,
  snapshot,
  type Inventory,
} from "../../../components/config-sync";
import { tempName } from "../../../components/config-sync/file-names";
import { MBX_A, readTree, v1, v2, writeConfig, writeMail, type Files } from "./lib/fixtures";
import { violations } from "./lib/invariant";
import { Lab } from "./lib/lab";
import { makeSshKey } from "../../lab/fixtures";

const ENTRY = path.join(__dirname, "msgw-entry.ts");
let lab: Lab;
const HOSTS = ["src", "t1", "t2", "t3", "t4", "t5", "t6", "down", "fresh"];

function seed(name: string, config: Files, mail: Record<string, number> = { [MBX_A]: 2 }): Files {
  const h = lab.host(name);
  if (lab.serviceRunning(name)) lab.service(name, "stop");
  for (const e of fs.readdirSync(h.dataDir, { withFileTypes: true }))
    fs.rmSync(path.join(h.dataDir, e.name), { recursive: true, force: true });
  writeConfig(h.dataDir, config);
  for (const [id, n] of Object.entries(mail)) writeMail(h.dataDir, id, n);
  fs.rmSync(h.backupDir, { recursive: true, force: true });
  lab.disarm(name);
  lab.service(name, "start");
  fs.rmSync(path.join(h.stateDir, "events"), { force: true });
  return readTree(h.dataDir).mail;
}

type Tweak = (h: Record<string, unknown>, n: string) => void;
const fast = (h: Record<string, unknown>): void => {
  h.serviceTimeoutSeconds = 3;
  h.operationTimeoutSeconds = 3;
  h.connectTimeoutSeconds = 5;
};
const invOf = (tweak: Tweak = fast, file = "inventory.json"): Inventory =>
  loadInventory(lab.inventory(HOSTS, tweak, file));
const storeOf = (i: Inventory) => new LocalStore((i.store as { path: string }).path);

function cli(
  args: string[],
  watchMemory = false,
): Promise<{ code: number; stdout: string; stderr: string; peakRssMiB: number; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    const timer = watchMemory
      ? setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(
              fs.readFileSync(`/proc/${child.pid}/status`, "utf8"),
            );
            if (m) peak = Math.max(peak, Number(m[1]) / 1024);
          } catch {
            /* exited */
          }
        }, 50)
      : undefined;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => {
      if (timer) clearInterval(timer);
      resolve({ code: code ?? -1, stdout, stderr, peakRssMiB: peak, ms: Date.now() - t0 });
    });
  });
}

describe("issue 11 reproductions (real sshd in network namespaces)", { timeout: 400_000 }, () => {
  let r2: Inventory;
  before(async () => {
    lab = new Lab();
    HOSTS.forEach((n, i) => lab.addHost(n, i));
    await Promise.all(HOSTS.filter((n) => n !== "down").map((n) => lab.startSshd(n)));
    seed("src", v2());
    for (const t of HOSTS.filter((n) => n.startsWith("t"))) seed(t, v1());
    r2 = invOf();
    await snapshot(r2, storeOf(r2), "src", "r2");
  });
  after(() => lab?.destroy());

  test("a 254-character file name (legal on Linux) is restored; the service never stays stopped", async () => {
    const long = `${"L".repeat(250)}.xml`;
    const next = { ...v2(), [long]: Buffer.from("<long/>\n") };
    seed("src", next);
    seed("t1", v1());
    const i = invOf();
    await snapshot(i, storeOf(i), "src", "r-long");
    const res = await cli([
      "config",
      "restore",
      "--target",
      "t1",
      "--revision",
      "r-long",
      "--inventory",
      lab.inventory(HOSTS, fast),
    ]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /^t1 +UPDATED +config=replaced service=running/m);
    assert.deepEqual(violations(lab, "t1", v1(), next, {}), []);
    assert.ok(readTree(lab.host("t1").dataDir).config[long].equals(next[long]));
    seed("src", v2());
  });

  test("a stop command that never returns: killed at its deadline, nothing changed, service running", async () => {
    const mail = seed("t2", v1());
    lab.arm("t2", "hang", "stop");
    const t0 = Date.now();
    const [o] = await restore(r2, storeOf(r2), "r2", ["t2"]);
    const s = (Date.now() - t0) / 1000;
    assert.ok(s < 30, `took ${s}s`);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "unchanged");
    assert.equal(o.service, "running");
    assert.match(
      o.message,
      /^t2: restore of r2 failed while stopping the service: the stop command hung: the command did not finish within 8s; it was killed; no file had been replaced; previous configuration in place, service running$/,
    );
    assert.deepEqual(violations(lab, "t2", v1(), v2(), mail, o), []);
    lab.killHung("t2");
  });

  test("an SFTP server that stalls mid-restore (keepalives still answered): previous files back, service running", async () => {
    const mail = seed("t3", v1());
    let stalled = 0;
    const t0 = Date.now();
    const [o] = await restore(r2, storeOf(r2), "r2", ["t3"], {
      onStep: (host, step) => {
        if (step === "renamed:certificate.pfx") stalled = lab.stallSftp(host);
      },
    });
    assert.equal(stalled, 1);
    assert.ok(Date.now() - t0 < 30_000);
    assert.equal(o.result, "failed");
    assert.equal(o.config, "restored-from-backup");
    assert.equal(o.service, "running");
    assert.match(
      o.message,
      /^t3: restore of r2 failed while renaming files into place: rename \S+ to \S+: the host's SFTP server did not answer within 3s \(stalled\); connection closed; rolled back 2 file\(s\) from the backup; previous configuration in place, service running$/,
    );
    assert.deepEqual(violations(lab, "t3", v1(), v2(), mail, o), []);
    lab.killStalledSftp("t3");
  });

  test("a service command that prints 600 MB: output capped, both targets restored, summary and exit code right", async () => {
    const mail4 = seed("t4", v1());
    const mail5 = seed("t5", v1());
    lab.arm("t4", "noisy", "stop", 600 * 1024 * 1024);
    const res = await cli(
      [
        "config",
        "restore",
        "--targets",
        "t4,t5",
        "--revision",
        "r2",
        "--inventory",
        lab.inventory(HOSTS, (h) => {
          fast(h);
          h.serviceTimeoutSeconds = 60;
        }),
      ],
      true,
    );
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /^t4 +UPDATED +config=replaced service=running/m);
    assert.match(res.stdout, /^t5 +UPDATED +config=replaced service=running/m);
    assert.match(res.stdout, /2 of 2 host\(s\) at the revision\n$/);
    assert.ok(res.peakRssMiB < 400, `peak RSS ${res.peakRssMiB} MiB`);
    assert.deepEqual(violations(lab, "t4", v1(), v2(), mail4), []);
    assert.deepEqual(violations(lab, "t5", v1(), v2(), mail5), []);
  });

  test("links where files will be written are refused before the stop; nothing is written through them", async () => {
    const mail = seed("t6", v1());
    const outside = path.join(lab.host("t6").dir, "outside.txt");
    fs.writeFileSync(outside, "outside\n");
    const links = [`gateway.json.msgw-tmp`, tempName("gateway.json")].map((n) =>
      path.join(lab.host("t6").dataDir, n),
    );
    for (const l of links) fs.symlinkSync(outside, l);
    try {
      const [o] = await restore(r2, storeOf(r2), "r2", ["t6"]);
      assert.equal(o.result, "failed");
      assert.equal(o.config, "unchanged");
      assert.equal(o.service, "running");
      assert.match(
        o.message,
        new RegExp(
          `^t6: restore of r2 refused before stopping the service:\\n  - ${tempName("gateway.json").replace(/\./g, "\\.")} in \\S+ is a symbolic link \\(or reparse point\\); a restore never writes through or over one: remove it \\(gateway\\.json is to be written there\\)\\n  Nothing was changed and the service was not touched`,
        ),
      );
      assert.equal(fs.readFileSync(outside, "utf8"), "outside\n");
      assert.deepEqual(lab.events("t6"), []);
    } finally {
      for (const l of links) fs.rmSync(l, { force: true });
    }
    assert.deepEqual(violations(lab, "t6", v1(), v2(), mail), []);
  });

  test("a 600 MB file in the data directory: refused by name with the fix, in little memory, on snapshot and restore", async () => {
    const big = path.join(lab.host("src").dataDir, "archive.bin");
    execFileSync("truncate", ["-s", "600M", big]);
    try {
      const res = await cli(
        [
          "config",
          "snapshot",
          "--source",
          "src",
          "--revision",
          "r-big",
          "--inventory",
          lab.inventory(HOSTS, fast),
        ],
        true,
      );
      assert.equal(res.code, 1);
      assert.match(
        res.stderr,
        /msgw config snapshot: error: source src: archive\.bin is 600\.0 MiB, above files\.maxFileMiB \(64 MiB\): configuration files are small, so this is probably not one; add it to files\.exclude, or raise files\.maxFileMiB; nothing was stored\n$/,
      );
      assert.ok(res.peakRssMiB < 300, `peak RSS ${res.peakRssMiB} MiB`);
    } finally {
      fs.rmSync(big);
    }
    const mail = seed("t1", v1());
    execFileSync("truncate", ["-s", "600M", path.join(lab.host("t1").dataDir, "archive.bin")]);
    const withBig = readTree(lab.host("t1").dataDir).config;
    const [o] = await restore(r2, storeOf(r2), "r2", ["t1"]);
    assert.equal(o.result, "failed");
    assert.equal(o.service, "running");
    assert.equal(
      o.message,
      "t1: archive.bin is 600.0 MiB, above files.maxFileMiB (64 MiB): configuration files are small, so this is probably not one; add it to files.exclude, or raise files.maxFileMiB; nothing was changed on this host",
    );
    assert.deepEqual(violations(lab, "t1", withBig, v2(), mail, o), []);
    fs.rmSync(path.join(lab.host("t1").dataDir, "archive.bin"));
  });

  test("status of an unreachable host fails fast with the real reason, in few lines", async () => {
    // "down" has no sshd and its link is down: nothing answers at its address.
    execFileSync("ip", ["netns", "exec", lab.host("down").ns, "ip", "link", "set", "lo", "down"]);
    for (const l of execFileSync("ip", ["netns", "exec", lab.host("down").ns, "ip", "-o", "link"])
      .toString()
      .split("\n")
      .map((x) => /^\d+: ([^@:]+)/.exec(x)?.[1])
      .filter((x): x is string => x !== undefined && x !== "lo"))
      execFileSync("ip", ["netns", "exec", lab.host("down").ns, "ip", "link", "set", l, "down"]);
    // The inventory's defaults, as an operator writes it (no boot wait: the host is not new).
    const file = lab.inventory(HOSTS, () => undefined, "defaults.json");
    const res = await cli(["config", "status", "--target", "down", "--inventory", file]);
    assert.equal(res.code, 1);
    assert.ok(res.ms < 30_000, `took ${res.ms} ms`);
    const lines = (res.stdout + res.stderr).trim().split("\n");
    assert.ok(lines.length <= 2, lines.join("\n"));
    assert.match(
      res.stdout,
      /^down +ERROR +down: no SSH connection to 10\.231\.\d+\.\d+:22: (host unreachable \(EHOSTUNREACH: no route or no answer to ARP\)|no answer within 20s \(a firewall drops the packets, or the host is down\))\n$/,
    );
    assert.doesNotMatch(res.stdout + res.stderr, /handshake/i);

    // A host that refuses (sshd not running): one line, at once.
    const refused = await cli([
      "config",
      "status",
      "--target",
      "fresh",
      "--inventory",
      lab.inventory(HOSTS, (h, n) => {
        if (n === "fresh") h.port = 2299;
      }),
    ]);
    assert.equal(refused.code, 1);
    assert.ok(refused.ms < 10_000, `took ${refused.ms} ms`);
    assert.match(
      refused.stdout,
      /^fresh +ERROR +fresh: no SSH connection to 10\.231\.\d+\.\d+:2299: connection refused \(nothing listens on port 2299\)\n$/,
    );
  });

  test("a host-key type mismatch names the host", async () => {
    const other = path.join(lab.dir, "ecdsa_key");
    const ecdsa = makeSshKey(other, { type: "ecdsa" }).publicKey;
    const res = await cli([
      "config",
      "snapshot",
      "--source",
      "src",
      "--revision",
      "r-key",
      "--inventory",
      lab.inventory(HOSTS, (h, n) => {
        fast(h);
        if (n === "src") h.hostKey = ecdsa;
      }),
    ]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /^msgw config snapshot: error: src: 10\.231\.\d+\.\d+:22 offers no ecdsa-sha2-nistp256 host key, the type the inventory pins \(hostKey\); nothing was done on this host\./m,
    );
  });

  test("a disk that fills up after the stop: the message says disk full; previous files back, service running", async () => {
    const h = lab.host("t5");
    lab.crash("t5");
    fs.rmSync(h.dataDir, { recursive: true, force: true });
    fs.mkdirSync(h.dataDir);
    lab.smallDisk("t5", 2048);
    try {
      await lab.boot("t5");
      const mail = seed("t5", v1());
      const [o] = await restore(r2, storeOf(r2), "r2", ["t5"], {
        onStep: (_host, step) => {
          if (step === "stopped") fillDisk(h.dataDir);
        },
      });
      assert.equal(o.result, "failed");
      assert.equal(o.service, "running");
      assert.match(
        o.message,
        /^t5: restore of r2 failed while writing temporary files: write \S+: disk full: the file system holding \S+ has \d+(\.\d)? (B|KiB) free and \d+\.\d KiB of this file were still to be written; no file had been replaced; previous configuration in place, service running$/,
      );
      assert.deepEqual(violations(lab, "t5", v1(), v2(), mail, o), []);
    } finally {
      lab.crash("t5");
      lab.unmount("t5");
      await lab.boot("t5");
      seed("t5", v1());
    }
  });

  test("control characters in file names and remote output are escaped", async () => {
    const evil = "evil\x1b]0;owned\x07.json";
    seed("src", { ...v2(), [evil]: Buffer.from("{}\n") });
    seed("t6", v1());
    const i = invOf();
    await snapshot(i, storeOf(i), "src", "r-evil");
    const status = await cli([
      "config",
      "status",
      "--target",
      "t6",
      "--revision",
      "r-evil",
      "--inventory",
      lab.inventory(HOSTS, fast),
    ]);
    assert.equal(status.code, 0, status.stderr);
    assert.doesNotMatch(status.stdout, /[\x00-\x08\x0b-\x1f]/);
    assert.match(status.stdout, /"evil\\x1b\]0;owned\\x07\.json" missing/);

    const res = await cli([
      "config",
      "restore",
      "--target",
      "t6",
      "--revision",
      "r2",
      "--inventory",
      lab.inventory(HOSTS, (h, n) => {
        fast(h);
        if (n === "t6")
          (h.serviceControl as Record<string, string>).stop =
            "printf 'stop refused \\033]0;owned\\007\\n' >&2; exit 1";
      }),
    ]);
    assert.equal(res.code, 1);
    assert.doesNotMatch(res.stdout, /[\x00-\x08\x0b-\x1f]/);
    assert.match(res.stdout, /the stop command exited 1: stop refused \\x1b\]0;owned\\x07/);
    seed("src", v2());
  });

  test("first up: an empty source waits (exit 0, a waiting state), restores wait; a replaced source gets the stored revision back", async () => {
    const fresh = lab.host("fresh");
    for (const e of fs.readdirSync(fresh.dataDir))
      fs.rmSync(path.join(fresh.dataDir, e), { recursive: true });
    lab.service("fresh", "start");
    const file = lab.inventory(HOSTS, fast);
    const snap = await cli([
      "config",
      "snapshot",
      "--source",
      "fresh",
      "--revision",
      "r-first",
      "--first-up",
      "--inventory",
      file,
    ]);
    assert.equal(snap.code, 0, snap.stderr);
    assert.deepEqual(JSON.parse(snap.stdout), {
      format: "msgw-config-waiting/1",
      revision: "r-first",
      source: "fresh",
      state: "waiting-for-source-configuration",
      next: "configure the gateway on fresh (create the journal mailboxes in its Management Console), then bump configSync.revision and run pulumi up again",
    });
    const waiting = await cli([
      "config",
      "restore",
      "--target",
      "t1",
      "--revision",
      "r-first",
      "--wait-for-snapshot",
      "--inventory",
      file,
    ]);
    assert.equal(waiting.code, 0, waiting.stderr);
    assert.equal(
      waiting.stdout,
      `${"t1".padEnd(24)} WAITING   no snapshot stored under revision r-first yet (the source has no configuration): replication waits; configure the source, then bump configSync.revision\n`,
    );
    // Without --first-up an empty source is still refused.
    const strict = await cli([
      "config",
      "snapshot",
      "--source",
      "fresh",
      "--revision",
      "r-first",
      "--inventory",
      file,
    ]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /refusing to store an empty snapshot/);

    // A replaced source (empty) whose revision is stored gets it back instead of being snapshotted empty.
    const replaced = await cli([
      "config",
      "snapshot",
      "--source",
      "fresh",
      "--revision",
      "r2",
      "--first-up",
      "--inventory",
      file,
    ]);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(
      JSON.parse(replaced.stdout).digest,
      (await storeOf(r2).getSnapshot("r2"))!.manifest.digest,
    );
    assert.match(
      replaced.stderr,
      /revision r2 is stored \(the source was replaced\?\): restoring it onto fresh/,
    );
    assert.deepEqual(violations(lab, "fresh", {}, v2(), {}), []);
  });

  test("a restore waits (bounded) for the gateway service to be installed", async () => {
    const mail = seed("t2", v1());
    const flag = path.join(lab.host("t2").stateDir, "installed");
    fs.rmSync(flag, { force: true });
    const i = invOf((h, n) => {
      fast(h);
      if (n === "t2") {
        (h.serviceControl as Record<string, string>).exists = `test -f ${flag}`;
        h.serviceWaitSeconds = 20;
      }
    }, "exists.json");
    const lines: string[] = [];
    const pending = restore(i, storeOf(i), "r2", ["t2"], { progress: (l) => lines.push(l) });
    await new Promise((r) => setTimeout(r, 2000));
    fs.writeFileSync(flag, "");
    const [o] = await pending;
    assert.equal(o.result, "updated", o.message);
    assert.ok(
      lines.some((l) =>
        /^t2: waiting for the service fake-gateway to be installed \(\d+s left\)$/.test(l),
      ),
      lines.join("\n"),
    );
    assert.deepEqual(violations(lab, "t2", v1(), v2(), mail, o), []);

    // Never installed: bounded, nothing changed.
    seed("t2", v1());
    fs.rmSync(flag);
    const j = invOf((h, n) => {
      fast(h);
      if (n === "t2") {
        (h.serviceControl as Record<string, string>).exists = `test -f ${flag}`;
        h.serviceWaitSeconds = 1;
      }
    }, "exists.json");
    const [never] = await restore(j, storeOf(j), "r2", ["t2"]);
    assert.equal(never.result, "failed");
    assert.equal(
      never.message,
      "t2: the gateway service fake-gateway is not installed (waited 1s); nothing was changed on this host. Install MailStore Gateway (or wait for its installer) and re-run restore",
    );
  });
});

/** Fills the file system holding `dataDir` (a filler file in a mailbox-like sub-folder). */
function fillDisk(dataDir: string): void {
  const d = path.join(dataDir, "zz-filler");
  fs.mkdirSync(d, { recursive: true });
  try {
    execFileSync("dd", ["if=/dev/zero", `of=${path.join(d, "fill")}`, "bs=64k"], {
      stdio: "ignore",
    });
  } catch {
    /* dd stops with ENOSPC: the disk is full */
  }
}
