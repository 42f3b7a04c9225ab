// Two runs of a lab on one machine (or one a crash left behind) must never share namespaces or folders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { runDirectory, runPrefix } from "../lab/fixtures";

test("each run gets its own namespace prefix and folder", () => {
  const prefixes = new Set(Array.from({ length: 20 }, () => runPrefix("mp-bal2")));
  assert.equal(prefixes.size, 20);
  for (const p of prefixes) assert.match(p, /^mp-bal[0-9a-f]{5}$/);
  assert.match(runPrefix("dr-x"), /^dr-x[0-9a-f]{5}$/);
  const a = runDirectory("mp-bal12345");
  const b = runDirectory("mp-bal12345");
  try {
    assert.notEqual(a, b);
    assert.ok(existsSync(a) && existsSync(b));
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
  assert.throws(() => runPrefix("mp-Bad"), {
    message: 'network prefix "mp-Bad" must match (mp|dr)-[a-z0-9]{1,8}',
  });
});
