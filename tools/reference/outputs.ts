// Pure (reads TypeScript source): the outputs the GatewayPool registers, with each one's TSDoc and type,
// and the names the stack program exports.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { code, table } from "./markdown";

const ROOT = path.resolve(__dirname, "..", "..");
export const COMPONENT_FILE = "components/gateway-pool/gateway-pool.ts";
export const STACK_FILE = "stacks/index.ts";

const source = (file: string) =>
  ts.createSourceFile(
    file,
    fs.readFileSync(path.join(ROOT, file), "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );

/** Keys of the object literal passed to `this.registerOutputs({...})`, in order. */
export function registeredOutputs(file = COMPONENT_FILE): string[] {
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

/** Names of the stack program's `export const` declarations, in order. */
export function stackExports(file = STACK_FILE): string[] {
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

/** One output: name, TypeScript type, TSDoc summary. */
export interface OutputRow {
  name: string;
  type: string;
  description: string;
}

/** The component's `public readonly` fields that it registers as outputs, with TSDoc and type. */
export function outputRows(file = COMPONENT_FILE): OutputRow[] {
  const sf = source(file);
  const registered = registeredOutputs(file);
  const members = new Map<string, OutputRow>();
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node)) {
      for (const m of node.members) {
        if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
        const doc = ts
          .getJSDocCommentsAndTags(m)
          .filter(ts.isJSDoc)
          .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
          .join(" ");
        members.set(m.name.text, {
          name: m.name.text,
          type: (m.type?.getText(sf) ?? "")
            .replace(/\s+/g, " ")
            .replace(/pulumi\.Output<(.*)>/, "$1"),
          description: doc.replace(/\s*\n\s*/g, " ").trim(),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return registered.map((name) => members.get(name) ?? { name, type: "", description: "" });
}

/** The outputs list as Markdown, with whether the stack exports each one. */
export function renderOutputs(rows: readonly OutputRow[], exported: readonly string[]): string {
  return table(
    ["output", "type", "stack export", "what it holds"],
    rows.map((r) => [
      code(r.name),
      code(r.type),
      exported.includes(r.name) ? "yes" : "no",
      r.description,
    ]),
  );
}
