// One place for every default: the defaults table that the code reads, and the TSDoc `@default` lines
// users read (editor hovers, the generated reference), held equal here.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../../components/gateway-pool/defaults";
import { argumentDocs, literalDefault } from "../../components/gateway-pool/argument-docs";

const ROOT = path.resolve(__dirname, "../..");
const docs = argumentDocs();

/** Leaves of the table as `path -> value` (arrays of values are leaves). */
function leaves(node: unknown, at = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof node === "object" && node !== null && !Array.isArray(node)) {
    for (const [k, v] of Object.entries(node)) {
      for (const [p, leaf] of leaves(v, at ? `${at}.${k}` : k)) out.set(p, leaf);
    }
  } else {
    out.set(at, node);
  }
  return out;
}
const table = leaves(DEFAULTS);
const tablePath = (argPath: string) => argPath.replaceAll("[]", "");

test("the walker finds the documented arguments (a broken walker would make the other tests vacuous)", () => {
  const paths = docs.map((d) => d.path);
  assert.ok(paths.length > 80, `only ${paths.length} arguments found`);
  for (const p of ["mx.strategy", "hosts[].existing.sshPort", "configSync.parallel"]) {
    assert.ok(paths.includes(p), `${p} not found`);
  }
});

test("every literal @default equals the defaults table", () => {
  const problems: string[] = [];
  for (const d of docs) {
    const literal = d.defaultText === undefined ? undefined : literalDefault(d.defaultText);
    if (!literal) continue;
    const key = tablePath(d.path);
    if (!table.has(key))
      problems.push(
        `${d.path}: @default ${JSON.stringify(literal.value)} has no entry in DEFAULTS`,
      );
    else if (JSON.stringify(table.get(key)) !== JSON.stringify(literal.value))
      problems.push(
        `${d.path}: @default ${JSON.stringify(literal.value)} but DEFAULTS has ${JSON.stringify(table.get(key))}`,
      );
  }
  assert.deepEqual(problems, []);
});

test("every entry of the defaults table is documented with the same literal @default", () => {
  const documented = new Map(
    docs.flatMap((d) => {
      const literal = d.defaultText === undefined ? undefined : literalDefault(d.defaultText);
      return literal ? [[tablePath(d.path), literal.value] as const] : [];
    }),
  );
  const problems = [...table.keys()].filter((k) => !documented.has(k));
  assert.deepEqual(problems, [], "table entries without a literal @default in args.ts");
});

test("a per-host default that names the pool's value ('`aws.x` of the pool, else V') names the table's V", () => {
  const problems: string[] = [];
  let checked = 0;
  for (const d of docs) {
    const m = /`([a-zA-Z.]+)` of the pool, else `?([^`\s,]+)`?/.exec(d.defaultText ?? "");
    if (!m || !table.has(m[1])) continue;
    checked++;
    if (String(table.get(m[1])) !== m[2])
      problems.push(
        `${d.path}: says "else ${m[2]}" but DEFAULTS.${m[1]} is ${JSON.stringify(table.get(m[1]))}`,
      );
  }
  assert.deepEqual(problems, []);
  assert.ok(checked >= 3, `only ${checked} per-host defaults checked`);
});

test("code that resolves arguments takes defaults from the table, not from literals of its own", () => {
  const files = [
    "components/gateway-pool/pool-rules.ts",
    ...fs
      .readdirSync(path.join(ROOT, "components/gateway-pool/plan"))
      .map((f) => `components/gateway-pool/plan/${f}`),
    ...fs
      .readdirSync(path.join(ROOT, "components/gateway-pool/resources"))
      .map((f) => `components/gateway-pool/resources/${f}`),
  ];
  const strings = [...table.values()].filter((v): v is string => typeof v === "string");
  const problems: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    for (const s of strings) {
      if (text.includes(`?? ${JSON.stringify(s)}`))
        problems.push(`${file}: ?? ${JSON.stringify(s)}`);
    }
  }
  assert.deepEqual(problems, []);
});
