// The stack exports exactly the outputs the GatewayPool registers: the README and the runbook tell users to
// read them with `pulumi stack output <name>`, so one missing from the stack is a broken instruction.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { registeredOutputs, stackExports } from "../../tools/reference/outputs";

test("the stack exports every output the component registers, and nothing else", () => {
  const registered = registeredOutputs();
  assert.ok(registered.length >= 13, `registerOutputs keys: ${registered.join(", ")}`);
  assert.deepEqual([...stackExports()].sort(), [...registered].sort());
});

test("each stack export is the component's output of the same name", () => {
  const text = fs.readFileSync(path.join(__dirname, "..", "..", "stacks", "index.ts"), "utf8");
  for (const name of stackExports()) {
    assert.match(text, new RegExp(`^export const ${name} = pool\\.${name};$`, "m"), name);
  }
});

test("the parsers see what they should: a renamed or missing export is caught", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-exports-"));
  try {
    const file = path.join(dir, "index.ts");
    fs.writeFileSync(
      file,
      "const x = 1;\nexport const a = pool.a;\nexport const b = pool.b, c = 2;\n",
    );
    assert.deepEqual(stackExports(path.relative(path.join(__dirname, "..", ".."), file)), [
      "a",
      "b",
      "c",
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
