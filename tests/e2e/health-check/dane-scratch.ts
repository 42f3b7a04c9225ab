import { join } from "node:path";
import { createDaneLab, RESOLVER } from "./lib/dane-lab";
const CLI = join(__dirname, "..", "..", "..", "bin", "msgw.ts");
async function main() {
  const lab = await createDaneLab(`mp-ds${process.pid % 10000}`, "/tmp/dane-scratch/lab");
  try {
    const cases: string[][] = [
      ["--mail-domain", "good.test", "--gateway", "mx1.good.test", "--gateway", "mx2.good.test"],
      ["--mail-domain", "mismatch.good.test", "--gateway", "mxbad.good.test"],
      ["--mail-domain", "plain.test", "--gateway", "mx.plain.test"],
      ["--mail-domain", "bogus.test", "--gateway", "mx.bogus.test"],
      ["--mail-domain", "partial.good.test", "--gateway", "mx1.good.test"],
      ["--mail-domain", "pin.good.test", "--gateway", "mxpin.good.test"],
      ["--mail-domain", "expired.good.test", "--gateway", "mxexp.good.test"],
    ];
    for (const c of cases) {
      const t = Date.now();
      const r = await lab.net.runStatus(lab.operator, process.execPath, ["--import", "tsx", CLI, "check", ...c, "--resolver", RESOLVER, "--ca", lab.caFile, "--timeout", "3000", "--deadline", "15000"]);
      console.log(`=== ${c.join(" ")} code ${r.code} ${Date.now() - t} ms\n${r.stdout}${r.stderr}`);
    }
  } finally {
    await lab.destroy();
  }
}
void main();
