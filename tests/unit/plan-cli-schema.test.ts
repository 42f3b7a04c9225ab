// `npm run plan` refuses a stack file with misspelt keys or values msgw config would refuse: exit 2, every
// problem named, nothing planned. (Each value on its own is pinned in tests/unit/schema.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

test("npm run plan exits 2 for misspelt keys and values msgw config would refuse, naming each", () => {
  const prod = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8");
  const misspelt = prod
    .replace("      strategy: tiered", "      stratgey: tiered")
    .replace("    legacy:\n", "    legasy:\n")
    .replace(
      "          region: eu-west-1\n",
      "          region: eu-west-1\n      - hostname: msgw3.example.com\n        exisiting:\n          address: 192.0.2.50\n",
    )
    .replace("    gateway:\n", "    gateway:\n      dataDirectory: 'C:\\'\n")
    .replace("      revision: 1\n", "      revision: '-rf'\n      backupDirectory: ''\n");
  const file = path.join(ROOT, "stacks", "Pulumi.schema-test.yaml");
  try {
    fs.writeFileSync(file, misspelt);
    const run = spawnSync(TSX, [path.join(ROOT, "tools", "plan.ts"), "--stack", "schema-test"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, "");
    for (const line of [
      "hosts[2].exisiting is not an argument; did you mean existing?",
      "mx.stratgey is not an argument; did you mean strategy?",
      'gateway.dataDirectory "C:\\\\" is a drive root; give the gateway a folder of its own (backups are kept beside it), e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
      'configSync.revision "-rf" is not a usable revision; use a whole number (0 or more) or up to 128 letters, digits, ".", "_" and "-" starting with a letter or digit, e.g. "2026-11-28.1"',
      'configSync.backupDirectory "" is empty or spans several lines; give a folder, e.g. ".msgw/backups"',
      "legasy is not an argument; did you mean legacy?",
    ]) {
      assert.ok(run.stderr.split("\n").includes(line), `missing: ${line}\n${run.stderr}`);
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
});
