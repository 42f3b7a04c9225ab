import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { renderReplaceTable } from "./replace-table";

/** Table rows as normalized cell lists (prettier pads cells; content must match exactly). */
function rows(markdown: string): string[] {
  return markdown
    .split("\n")
    .filter((l) => /^\| `[a-z]+:[^`]*:[^`]*` /.test(l))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim())
        .join(" | "),
    );
}

it("README.md carries the replace table of the code, row for row", () => {
  const readme = readFileSync(join(__dirname, "README.md"), "utf8");
  const expected = renderReplaceTable();
  assert.deepEqual(rows(readme), rows(expected));
  const functions = expected.split("\n").find((l) => l.startsWith("Functions: ")) as string;
  assert.ok(readme.replace(/\n/g, " ").includes(functions), "the functions line is in README.md");
});
