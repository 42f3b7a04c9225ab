// The README says each thing once: no repeated section or table row, and every file it links exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
/** The README without fenced code blocks (shell and YAML comments start with #). */
const prose = readme.replace(/^```[\s\S]*?^```$/gm, "");

const repeated = (items: string[]) => items.filter((x, i) => items.indexOf(x) !== i);

test("no section heading appears twice", () => {
  const headings = prose.split("\n").filter((l) => /^#{1,6} /.test(l));
  assert.ok(headings.length > 10);
  assert.deepEqual(repeated(headings), []);
});

test("no table row appears twice, and no table has a second header inside it", () => {
  const rows = prose
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|[\s|:-]+\|$/.test(l))
    .map((l) => l.replace(/\s+/g, " "));
  assert.deepEqual(repeated(rows), []);
});

test("every relative link points at a file that exists", () => {
  const missing = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
    .map((m) => m[1])
    .filter((href) => !/^[a-z]+:/.test(href))
    .filter((href) => !fs.existsSync(path.join(ROOT, href)));
  assert.deepEqual(missing, []);
});

test("links into the generated reference name its sections", () => {
  const reference = fs.readFileSync(path.join(ROOT, "docs", "reference.md"), "utf8");
  const slugs = reference
    .split("\n")
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) =>
      l
        .replace(/^#+ /, "")
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, "")
        .replace(/ /g, "-"),
    );
  const anchors = [...readme.matchAll(/\(docs\/reference\.md#([^)]+)\)/g)].map((m) => m[1]);
  assert.ok(anchors.length >= 5);
  assert.deepEqual(
    anchors.filter((a) => !slugs.includes(a)),
    [],
  );
});

test("the README's cost summary is the generated cost table's total, rounded", () => {
  const reference = fs.readFileSync(path.join(ROOT, "docs", "reference.md"), "utf8");
  const total = /^\| \*\*total\*\* .*\| \*\*\$([\d.]+)\*\* +\| \*\*\$([\d.]+)\*\* +\|/m.exec(
    reference,
  );
  assert.ok(total, "no total row in docs/reference.md");
  const perHost = /about \$(\d+) a month per AWS host/.exec(prose.replace(/\s+/g, " "));
  const pool = /about \$(\d+) for a two-host pool/.exec(prose.replace(/\s+/g, " "));
  assert.deepEqual(
    [Number(perHost?.[1]), Number(pool?.[1])],
    [Math.round(Number(total[1])), Math.round(Number(total[2]))],
  );
});
