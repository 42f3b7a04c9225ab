// Every file under components/ opens with one comment line saying whether it is pure logic or does I/O
// (Pulumi resources are I/O: they register with the engine), so a reader knows before reading further.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const HEADER = /^(?:\/\/|\/\*\*?|\s\*)\s*(Pure|I\/O)\b[^:\n]*:/;

/** Files under `dir` ending in .ts, relative to the project root, sorted. */
function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f))
    .sort();
}

/** The first comment line of a text (a `/**` opening on its own line yields the next line). */
export function headerLine(text: string): string {
  const lines = text.split("\n");
  const first = lines[0] ?? "";
  return first.trim() === "/**" ? (lines[1] ?? "") : first;
}

/** Whether a header line says pure or I/O. */
export const saysPureOrIo = (line: string): boolean => HEADER.test(line);

test("every file under components/ says in its first line whether it is pure or does I/O", () => {
  const missing = tsFiles("components").filter(
    (f) => !saysPureOrIo(headerLine(fs.readFileSync(path.join(ROOT, f), "utf8"))),
  );
  assert.deepEqual(missing, []);
});

test("the header rule accepts the three comment forms and refuses anything else", () => {
  assert.equal(saysPureOrIo(headerLine("// Pure: the plan.\n")), true);
  assert.equal(saysPureOrIo(headerLine("/** I/O: reads a file. */\n")), true);
  assert.equal(
    saysPureOrIo(headerLine("/**\n * I/O orchestration of `msgw check`: probes.\n")),
    true,
  );
  assert.equal(saysPureOrIo(headerLine('import * as x from "x";\n// Pure: late\n')), false);
  assert.equal(saysPureOrIo(headerLine("// The component: validate, plan.\n")), false);
  assert.equal(saysPureOrIo(headerLine("// Purely: no\n")), false);
});
