// The stack exports exactly the outputs the GatewayPool registers: the README and the runbook tell users to
// read them with `pulumi stack output <name>`, so one missing from the stack is a broken instruction.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const source = (file: string) =>
  ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest);

/** Keys of the object literal passed to `this.registerOutputs({...})`. */
export function registeredOutputs(file = "components/gateway-pool/gateway-pool.ts"): string[] {
  const keys: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "registerOutputs" &&
      node.arguments[0] !== undefined &&
      ts.isObjectLiteralExpression(node.arguments[0])
    ) {
      for (const p of node.arguments[0].properties) {
        if (p.name !== undefined && ts.isIdentifier(p.name)) keys.push(p.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source(file));
  return keys;
}

/** Names of the `export const` declarations of the stack program. */
export function stackExports(file = "stacks/index.ts"): string[] {
  const names: string[] = [];
  for (const statement of source(file).statements) {
    if (
      ts.isVariableStatement(statement) &&
      statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    ) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) names.push(d.name.text);
      }
    }
  }
  return names;
}

test("the stack exports every output the component registers, and nothing else", () => {
  const registered = registeredOutputs();
  assert.ok(registered.length >= 13, `registerOutputs keys: ${registered.join(", ")}`);
  assert.deepEqual([...stackExports()].sort(), [...registered].sort());
});

test("each stack export is the component's output of the same name", () => {
  const text = fs.readFileSync(path.join(ROOT, "stacks", "index.ts"), "utf8");
  for (const name of stackExports()) {
    assert.match(text, new RegExp(`^export const ${name} = pool\\.${name};$`, "m"), name);
  }
});
