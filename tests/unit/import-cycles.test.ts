// No import cycle among the files under components/, type-only imports included: a cycle means two files
// that cannot be read (or changed) one without the other. Imports are read with the TypeScript parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");

/** Relative imports of each .ts file under `dir` (project-relative paths), resolved to files. */
function importGraph(dir: string): Map<string, string[]> {
  const files = fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
  const known = new Set(files);
  const resolve = (from: string, spec: string): string | undefined => {
    const base = path.join(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, "index.ts")].find((c) => known.has(c));
  };
  return new Map(
    files.map((f) => {
      const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, f), "utf8"), true, true);
      const targets = info.importedFiles
        .map((i) => i.fileName)
        .filter((s) => s.startsWith("."))
        .map((s) => resolve(f, s))
        .filter((t): t is string => t !== undefined);
      return [f, [...new Set(targets)].sort()];
    }),
  );
}

/** Every cycle found by a depth-first walk, each as the files in order (first repeated at the end). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const walk = (node: string, trail: string[]): void => {
    const at = trail.indexOf(node);
    if (at >= 0) {
      found.push([...trail.slice(at), node]);
      return;
    }
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) walk(next, [...trail, node]);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) walk(node, []);
  return found;
}

test("no import cycle under components/ (type-only imports included)", () => {
  assert.deepEqual(cycles(importGraph("components")), []);
});

test("the cycle finder reports a type-only circle and a longer one, and nothing for a tree", () => {
  const g = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["a.ts", "c.ts"]],
    ["c.ts", ["d.ts"]],
    ["d.ts", ["c.ts"]],
  ]);
  assert.deepEqual(cycles(g), [
    ["a.ts", "b.ts", "a.ts"],
    ["c.ts", "d.ts", "c.ts"],
  ]);
  assert.deepEqual(
    cycles(
      new Map([
        ["x.ts", ["y.ts", "z.ts"]],
        ["y.ts", ["z.ts"]],
        ["z.ts", []],
      ]),
    ),
    [],
  );
});
