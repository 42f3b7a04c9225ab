// Benchmark (not a test): restore time to 1, 2, 4 and 8 targets, as ratios to the 1-target time
// measured in the same run, against real sshd hosts in network namespaces (needs root).
// Usage: npm run bench:config-sync [-- --rounds 3]
import * as os from "node:os";
import * as path from "node:path";
import { loadInventory, LocalStore, restore, snapshot } from "../components/config-sync";
import { MBX_A, v1, v2, writeConfig, writeMail } from "../tests/e2e/config-sync/lib/fixtures";
import { Lab } from "../tests/e2e/config-sync/lib/lab";

const SIZES = [1, 2, 4, 8];
const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;

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
    // settleSeconds 0: measure the engine and transport, not a fixed wait after each start.
    const inv = loadInventory(lab.inventory(all, (h) => (h.settleSeconds = 0)));
    const store = new LocalStore(path.join(lab.dir, "store"));
    await snapshot(inv, store, "src", "bench");

    const times = new Map<number, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
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
        times.set(n, [...(times.get(n) ?? []), ms]);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const base = median(times.get(1)!);
    const results = SIZES.map((n) => ({
      targets: n,
      medianMs: Math.round(median(times.get(n)!)),
      ratio: Number((median(times.get(n)!) / base).toFixed(2)),
    }));
    console.log(
      `config-sync restore fan-out (parallel 8, ${ROUNDS} rounds, median; ${os.cpus().length} cores)`,
    );
    for (const r of results)
      console.log(
        `  ${String(r.targets).padStart(2)} target(s): ${(r.medianMs / 1000).toFixed(2)} s  ratio ${r.ratio.toFixed(2)}x`,
      );
    console.log(
      JSON.stringify({
        bench: "config-sync-restore",
        rounds: ROUNDS,
        cores: os.cpus().length,
        results,
      }),
    );
  } finally {
    lab.destroy();
  }
}

void main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
