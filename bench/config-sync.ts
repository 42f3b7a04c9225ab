// Benchmark (not a test): restore time to 1, 2, 4 and 8 targets, as ratios to the 1-target time
// measured in the same run, against real sshd hosts in network namespaces (needs root).
// Two settings: "engine" (the stand-in service starts instantly, settleSeconds 0: only the engine,
// SSH and the hosts' own work, all sharing this machine's cores) and "default" (settleSeconds 2, the
// inventory default: the confirmation wait a real restore has).
// Usage: npm run bench:config-sync [-- --rounds 5]
import * as os from "node:os";
import * as path from "node:path";
import {
  loadInventory,
  LocalStore,
  restore,
  snapshot,
  type Inventory,
} from "../components/config-sync";
import { MBX_A, v1, v2, writeConfig, writeMail } from "../tests/e2e/config-sync/lib/fixtures";
import { Lab } from "../tests/e2e/config-sync/lib/lab";

const SIZES = [1, 2, 4, 8];
const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;

async function measure(
  lab: Lab,
  inv: Inventory,
  store: LocalStore,
  targets: string[],
  rounds: number,
) {
  const times = new Map<number, number[]>();
  // Round -1 warms up (JIT, first connections) and is not counted.
  for (let round = -1; round < rounds; round++) {
    for (const n of SIZES) {
      const chosen = targets.slice(0, n);
      for (const t of chosen) {
        writeConfig(lab.host(t).dataDir, v1());
        writeMail(lab.host(t).dataDir, MBX_A, 3);
      }
      const t0 = process.hrtime.bigint();
      const outs = await restore(inv, store, "bench", chosen, { parallel: 8 });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const bad = outs.filter((o) => o.result !== "updated");
      if (bad.length > 0)
        throw new Error(`bench restore failed: ${bad.map((o) => o.message).join("; ")}`);
      if (round >= 0) times.set(n, [...(times.get(n) ?? []), ms]);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(times.get(1)!);
  return SIZES.map((n) => ({
    targets: n,
    medianMs: Math.round(median(times.get(n)!)),
    ratio: Number((median(times.get(n)!) / base).toFixed(2)),
  }));
}

async function main(): Promise<void> {
  const lab = new Lab();
  const stop = () => {
    lab.destroy();
    process.exit(130);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const targets = Array.from({ length: 8 }, (_, i) => `b${i + 1}`);
    const all = ["src", ...targets];
    all.forEach((n, i) => lab.addHost(n, i));
    await Promise.all(all.map((n) => lab.startSshd(n)));
    writeConfig(lab.host("src").dataDir, v2());
    for (const n of all) lab.service(n, "start");
    const store = new LocalStore(path.join(lab.dir, "store"));
    const settings = [
      { name: "engine", settleSeconds: 0, rounds: ROUNDS },
      { name: "default", settleSeconds: 2, rounds: Math.max(1, Math.ceil(ROUNDS / 2)) },
    ];
    const report: Record<string, unknown> = {};
    for (const s of settings) {
      const inv = loadInventory(
        lab.inventory(all, (h) => (h.settleSeconds = s.settleSeconds), `bench-${s.name}.json`),
      );
      if (s === settings[0]) await snapshot(inv, store, "src", "bench");
      const results = await measure(lab, inv, store, targets, s.rounds);
      console.log(
        `config-sync restore fan-out, ${s.name} (settleSeconds ${s.settleSeconds}; parallel 8, median of ${s.rounds}; ${os.cpus().length} cores shared by engine and hosts)`,
      );
      for (const r of results) {
        console.log(
          `  ${String(r.targets).padStart(2)} target(s): ${(r.medianMs / 1000).toFixed(2)} s  ratio ${r.ratio.toFixed(2)}x`,
        );
      }
      report[s.name] = { settleSeconds: s.settleSeconds, rounds: s.rounds, results };
    }
    console.log(
      JSON.stringify({ bench: "config-sync-restore", cores: os.cpus().length, ...report }),
    );
  } finally {
    lab.destroy();
  }
}

void main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
