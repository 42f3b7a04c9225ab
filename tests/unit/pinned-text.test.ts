// What users and hosts read, pinned whole: the first-boot PowerShell of every host and the runbook of
// each shipped stack, as the offline plan produces them. Any change shows up in review as a diff of the
// files under __snapshots__/. After reviewing a change on purpose:
//   MSGW_UPDATE_SNAPSHOTS=1 node --import tsx --test tests/unit/pinned-text.test.ts
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackConfig } from "../../tools/plan";
import { planProgram, programLocation } from "../../tools/program-plan";

const ROOT = path.resolve(__dirname, "../..");
const SNAPSHOTS = path.join(__dirname, "__snapshots__");
const UPDATE = process.env.MSGW_UPDATE_SNAPSHOTS === "1";

/** Certificate material and clock readings differ on every run; everything else must not. */
function scrub(text: string): string {
  return text
    .replace(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g, "<$1 PEM>")
    .replace(/\b(?:[0-9A-F]{2}:){31}[0-9A-F]{2}\b/g, "<SHA-256 FINGERPRINT>")
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\b/g, "<TIME>");
}

/** First lines where two texts differ, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const e = expected.split("\n");
  const a = actual.split("\n");
  const i = e.findIndex((line, n) => line !== a[n]);
  const at = i === -1 ? Math.min(e.length, a.length) : i;
  return `line ${at + 1}:\n  pinned: ${JSON.stringify(e[at])}\n  now:    ${JSON.stringify(a[at])}`;
}

function pinned(file: string, actual: string): void {
  const where = path.join(SNAPSHOTS, file);
  if (UPDATE || !fs.existsSync(where)) {
    if (!UPDATE)
      assert.fail(
        `${file}: no pinned copy; review the text and write it with MSGW_UPDATE_SNAPSHOTS=1`,
      );
    fs.writeFileSync(where, actual);
    return;
  }
  const expected = fs.readFileSync(where, "utf8");
  if (expected !== actual) {
    assert.fail(
      `${file} changed (${firstDifference(expected, actual)}).\nReview the change, then update the pinned copy with MSGW_UPDATE_SNAPSHOTS=1 node --import tsx --test tests/unit/pinned-text.test.ts`,
    );
  }
}

for (const stack of ["dev", "prod"]) {
  test(`stack ${stack}: every host's first-boot script and the runbook equal their pinned copies`, async () => {
    const config = readStackConfig(stack, programLocation(ROOT).stackConfigDir);
    const plan = await planProgram({ rootDirectory: ROOT, stack, ...config });
    const instances = plan.resources.filter((r) => r.type === "aws:ec2/instance:Instance");
    assert.ok(instances.length > 0, "the stack plans no EC2 host");
    for (const r of instances) {
      const userData = r.inputs.userData;
      assert.equal(typeof userData, "string", `${r.name}: userData`);
      pinned(`${stack}.${r.name}.user-data.ps1`, scrub(userData as string));
    }
    assert.equal(typeof plan.outputs.runbook, "string");
    pinned(`${stack}.runbook.md`, scrub(plan.outputs.runbook as string));
  });
}

test("a changed line fails with where it changed", () => {
  assert.equal(firstDifference("a\nb\nc", "a\nB\nc"), 'line 2:\n  pinned: "b"\n  now:    "B"');
  assert.equal(scrub("x 2026-12-07T08:00:00.123Z y AB:".repeat(1)), "x <TIME> y AB:");
});
