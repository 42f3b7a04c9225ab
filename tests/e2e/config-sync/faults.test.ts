// Fault injection: many restore schedules against real sshd hosts in network namespaces, each with one
// fault injected at one point of the restore (a hung command, a stalled SFTP server, a cut connection, a
// full disk, a command printing megabytes, a failing start, a crashed host, the msgw process killed),
// and the invariant checked after each: the service runs, the configuration is wholly old or wholly new,
// no temporary file or marker is left, mail is untouched, and the outcome tells the truth. A crashed
// host or a killed msgw may leave a marker; a re-run must then complete the restore.
// Every service-control command (status, stop, start) also hangs for good from every point of a
// restore (before, during and after the file swap): the service still ends running, except when its
// start command hangs, where the outcome says exactly that it is stopped and what to do; every
// schedule ends within a bound set by the commands' deadlines.
// Prints: schedules run, faults injected, violations (must be 0).
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
  type RestoreOutcome,
} from "../../../components/config-sync";
import { MBX_A, readTree, v1, v2, writeConfig, writeMail, type Files } from "./lib/fixtures";
import { configIs, violations } from "./lib/invariant";
import { Lab } from "./lib/lab";

const ENTRY = path.join(__dirname, "msgw-entry.ts");
const WORKERS = ["f0", "f1", "f2", "f3", "f4", "f5"];
const STEPS = [
  "backed-up",
  "preflight",
  "stopped",
  "written",
  "renamed:big.bin",
  "renamed:gateway.json",
  "verified",
  "started",
];
type Fault =
  | "hang-stop"
  | "hang-start"
  | "hang-status"
  | "stuck-stop"
  | "stuck-start"
  | "stuck-status"
  | "noisy-stop"
  | "noisy-start"
  | "fail-start"
  | "stall"
  | "cut"
  | "disk-full"
  | "crash";
interface Schedule {
  fault: Fault | "kill-msgw";
  at: string;
}

let lab: Lab;
let inv: Inventory;
let store: LocalStore;
let invFile: string;

/** Every fault at every point where it can bite (a hang of the stop only matters before the stop). */
function schedules(): Schedule[] {
  const out: Schedule[] = [];
  const before = (s: string) => STEPS.indexOf(s) < STEPS.indexOf("stopped");
  for (const at of STEPS) {
    if (before(at)) out.push({ fault: "hang-stop", at }, { fault: "noisy-stop", at });
    if (at !== "started")
      out.push(
        { fault: "hang-start", at },
        { fault: "fail-start", at },
        { fault: "noisy-start", at },
      );
    out.push(
      { fault: "stuck-status", at },
      { fault: "stuck-stop", at },
      { fault: "stuck-start", at },
      { fault: "hang-status", at },
      { fault: "stall", at },
      { fault: "cut", at },
      { fault: "disk-full", at },
      { fault: "crash", at },
    );
  }
  // The msgw process killed at spread-out moments of a restore (ms after start).
  for (const ms of [300, 700, 1100, 1500, 1900, 2300, 2700, 3100])
    out.push({ fault: "kill-msgw", at: `${ms}ms` });
  return out;
}

function reset(host: string): Files {
  const h = lab.host(host);
  lab.disarm(host);
  lab.killHung(host);
  lab.killStalledSftp(host);
  if (lab.serviceRunning(host)) lab.service(host, "stop");
  for (const e of fs.readdirSync(h.dataDir))
    fs.rmSync(path.join(h.dataDir, e), { recursive: true, force: true });
  writeConfig(h.dataDir, v1());
  writeMail(h.dataDir, MBX_A, 2);
  fs.rmSync(h.backupDir, { recursive: true, force: true });
  lab.service(host, "start");
  return readTree(h.dataDir).mail;
}

function fillDisk(dataDir: string): void {
  const d = path.join(dataDir, "zz-filler");
  fs.mkdirSync(d, { recursive: true });
  try {
    execFileSync("dd", ["if=/dev/zero", `of=${path.join(d, "fill")}`, "bs=64k"], {
      stdio: "ignore",
    });
  } catch {
    /* ENOSPC: full */
  }
}

function inject(host: string, fault: Fault): void {
  switch (fault) {
    case "hang-stop":
    case "hang-start":
    case "hang-status":
      lab.arm(host, "hang", fault.slice(5) as "stop" | "start" | "status");
      break;
    case "stuck-stop":
    case "stuck-start":
    case "stuck-status":
      lab.arm(host, "stuck", fault.slice(6) as "stop" | "start" | "status");
      break;
    case "noisy-stop":
    case "noisy-start":
      lab.arm(host, "noisy", fault.slice(6) as "stop" | "start", 20 * 1024 * 1024);
      break;
    case "fail-start":
      lab.arm(host, "fail", "start");
      break;
    case "stall":
      lab.stallSftp(host);
      break;
    case "cut":
      lab.cutConnections(host);
      break;
    case "disk-full":
      fillDisk(lab.host(host).dataDir);
      break;
    case "crash":
      lab.crash(host);
      break;
  }
}

const markerOf = (host: string) =>
  fs.existsSync(path.join(lab.host(host).backupDir, "restore-in-progress.json"));

/** Runs `msgw config restore` as a process and SIGKILLs it after `ms`. */
function killedRestore(host: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        ENTRY,
        "config",
        "restore",
        "--target",
        host,
        "--revision",
        "r2",
        "--inventory",
        invFile,
      ],
      { stdio: "ignore" },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Deadline of one service-control command in this lab (serviceTimeoutSeconds 2, plus 5 s). */
const COMMAND_DEADLINE_S = 7;
/** The longest a restore may take under a hung command: four command deadlines, plus slack. */
const SCHEDULE_BOUND_MS = (4 * COMMAND_DEADLINE_S + 10) * 1000;

/** What a restore whose start command hangs for good must say (the service cannot run). */
const startHungTail = (host: string) =>
  `; the previous configuration is back in place, but the start command hung: the command did not finish within ${COMMAND_DEADLINE_S}s; it was killed; ` +
  `fake-gateway is stopped: start fake-gateway on the host by hand; then check it with msgw config status --target ${host} ` +
  `(or re-run restore: msgw config restore --target ${host} --revision r2)`;

/** What a restore whose status command hangs for good says about the service it started anyway. */
const statusHung = new RegExp(
  `cannot be learned \\(the status command hung: the command did not finish within ${COMMAND_DEADLINE_S}s; it was killed\\): check fake-gateway on the host and start it by hand if it is stopped`,
);

/** One schedule on one host; returns the violations found. */
async function runSchedule(
  host: string,
  s: Schedule,
): Promise<{ v: string[]; injected: boolean; result: string }> {
  const mail = reset(host);
  const v: string[] = [];
  let injected = false;
  let outcome: RestoreOutcome;
  if (s.fault === "kill-msgw") {
    await killedRestore(host, Number.parseInt(s.at, 10));
    injected = true;
    // Between the kill and the re-run, a stopped service or a mixed configuration must be marked.
    const state = configIs(lab, host, v1(), v2());
    if ((state === "mixed" || !lab.serviceRunning(host)) && !markerOf(host))
      v.push(
        `${host}: msgw killed at ${s.at} left ${state} files / service ${lab.serviceRunning(host) ? "running" : "stopped"} without a restore marker`,
      );
    lab.killHung(host);
    [outcome] = await restore(inv, store, "r2", [host]);
    v.push(...violations(lab, host, v1(), v2(), mail, outcome).map((x) => `after re-run: ${x}`));
    if (outcome.result !== "updated" && outcome.result !== "unchanged")
      v.push(`${host}: re-run after the kill did not complete: ${outcome.message}`);
    return { v, injected, result: `${outcome.result}/${outcome.config}` };
  }
  const fault = s.fault;
  const t0 = Date.now();
  [outcome] = await restore(inv, store, "r2", [host], {
    onStep: (h, step) => {
      if (step === s.at && !injected) {
        injected = true;
        inject(h, fault);
      }
    },
  });
  const took = Date.now() - t0;
  if (fault.startsWith("stuck-") && took > SCHEDULE_BOUND_MS)
    v.push(`${host}: the restore took ${took} ms, above ${SCHEDULE_BOUND_MS} ms`);
  // A start that hangs for good keeps the service down; anything else must leave it running.
  const startImpossible = fault === "stuck-start" && s.at !== "started";
  if (startImpossible) {
    if (outcome.service !== "stopped" || !outcome.message.endsWith(startHungTail(host)))
      v.push(`${host}: a start that hangs for good is not reported as such: ${outcome.message}`);
  }
  if (fault === "stuck-status" && s.at !== "started") {
    if (outcome.service !== "unknown" || !statusHung.test(outcome.message))
      v.push(`${host}: a status that hangs for good is not reported as such: ${outcome.message}`);
  }
  if (fault === "crash") {
    if (
      outcome.result === "failed" &&
      outcome.config === "unknown" &&
      !/Re-run restore/.test(outcome.message)
    )
      v.push(`${host}: crashed host without a re-run statement: ${outcome.message}`);
    await lab.boot(host);
    const [again] = await restore(inv, store, "r2", [host]);
    v.push(...violations(lab, host, v1(), v2(), mail, again).map((x) => `after re-run: ${x}`));
    if (again.result !== "updated" && again.result !== "unchanged")
      v.push(`${host}: re-run after the crash did not complete: ${again.message}`);
  } else {
    if (fault === "disk-full")
      fs.rmSync(path.join(lab.host(host).dataDir, "zz-filler"), { recursive: true, force: true });
    v.push(...violations(lab, host, v1(), v2(), mail, outcome, startImpossible));
    if (fault === "disk-full" && outcome.result === "failed" && !/disk full/.test(outcome.message))
      v.push(`${host}: disk-full failure without "disk full" in: ${outcome.message}`);
  }
  return {
    v: v.map((x) => `[${s.fault}@${s.at}] ${x}`),
    injected,
    result: `${outcome.result}/${outcome.config}`,
  };
}

describe(
  "fault injection: the restore invariant under faults (real sshd)",
  { timeout: 480_000 },
  () => {
    before(async () => {
      lab = new Lab();
      ["src", ...WORKERS].forEach((n, i) => lab.addHost(n, i));
      // A small disk per worker (mounted before sshd starts, so its mount namespace sees it).
      for (const w of WORKERS) lab.smallDisk(w, 4096);
      await Promise.all(["src", ...WORKERS].map((n) => lab.startSshd(n)));
      writeConfig(lab.host("src").dataDir, v2());
      lab.service("src", "start");
      for (const w of WORKERS) reset(w);
      invFile = lab.inventory(["src", ...WORKERS], (h) => {
        h.serviceTimeoutSeconds = 2;
        h.operationTimeoutSeconds = 2;
        h.connectTimeoutSeconds = 3;
        h.settleSeconds = 0.2;
      });
      inv = loadInventory(invFile);
      store = new LocalStore((inv.store as { path: string }).path);
      await snapshot(inv, store, "src", "r2");
    });
    after(() => lab?.destroy());

    test("every schedule keeps the invariant", async () => {
      const all = schedules();
      const queue = [...all];
      const found: string[] = [];
      let run = 0;
      let injected = 0;
      const results = new Map<string, number>();
      const t0 = Date.now();
      await Promise.all(
        WORKERS.map(async (w) => {
          for (let s = queue.shift(); s; s = queue.shift()) {
            const r = await runSchedule(w, s);
            run++;
            if (r.injected) injected++;
            results.set(r.result, (results.get(r.result) ?? 0) + 1);
            found.push(...r.v);
          }
        }),
      );
      const summary = `fault injection: ${run} schedules run, ${injected} faults injected, ${found.length} violations (${Math.round((Date.now() - t0) / 1000)}s)`;
      process.stdout.write(`# ${summary}\n`);
      process.stdout.write(
        `#   outcomes (result/config, the re-run's after a crash or kill): ${[...results].map(([k, n]) => `${k} ${n}`).join(", ")}\n`,
      );
      for (const f of found) process.stdout.write(`#   ${f}\n`);
      assert.equal(run, all.length);
      assert.ok(injected >= all.length - 12, summary);
      assert.deepEqual(found, [], summary);
    });
  },
);
