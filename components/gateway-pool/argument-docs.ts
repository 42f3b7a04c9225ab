/**
 * I/O (reads args.ts): the TSDoc of GatewayPoolArgs, argument by argument, read with the TypeScript
 * compiler API: each property's path (`mx.strategy`; an array's items as `hosts[]`), its summary and its
 * `@default` text. The one reader of the argument docs: the JSON Schema's descriptions and the test that
 * holds the `@default` lines to the defaults table both use it. Needs `typescript` and the source, so it
 * runs at generation and test time, never at deployment.
 */
import * as path from "node:path";
import type * as TS from "typescript";

/** One documented argument. */
export interface ArgumentDoc {
  /** Dotted path, arrays as `[]`: `hosts[].existing.sshPort`. */
  path: string;
  /** Its TSDoc summary, lines joined ("" when it has none). */
  summary: string;
  /** Text of its `@default` tag, or undefined. */
  defaultText: string | undefined;
}

/** The argument declarations, beside this file. */
export const ARGS_FILE = path.resolve(__dirname, "args.ts");

/** Every property reachable from `GatewayPoolArgs`, in declaration order. */
export function argumentDocs(file: string = ARGS_FILE): ArgumentDoc[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof TS;
  const program = ts.createProgram([file], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const root = source?.statements.find(
    (s): s is TS.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(s) && s.name.text === "GatewayPoolArgs",
  );
  if (!root) throw new Error(`${file}: no interface GatewayPoolArgs`);
  const out: ArgumentDoc[] = [];
  const seen = new Set<string>();
  const walk = (type: TS.Type, at: string, depth: number): void => {
    if (depth > 10) return;
    const t = checker.getNonNullableType(type);
    if (checker.isArrayType(t)) {
      const [item] = checker.getTypeArguments(t as TS.TypeReference);
      walk(item, `${at}[]`, depth + 1);
      return;
    }
    for (const member of t.isUnion() ? t.types : [t]) {
      if (!(member.flags & ts.TypeFlags.Object) || checker.isArrayType(member)) continue;
      for (const p of member.getProperties()) {
        const decl = p.valueDeclaration ?? p.declarations?.[0];
        // Pulumi's Input/Output types and other library types are leaves.
        if (!decl || decl.getSourceFile().fileName !== file) continue;
        const where = at ? `${at}.${p.name}` : p.name;
        if (seen.has(where)) continue;
        seen.add(where);
        const tag = p.getJsDocTags(checker).find((x) => x.name === "default");
        out.push({
          path: where,
          summary: ts.displayPartsToString(p.getDocumentationComment(checker)),
          defaultText: tag ? ts.displayPartsToString(tag.text) : undefined,
        });
        walk(checker.getTypeOfSymbolAtLocation(p, decl), where, depth + 1);
      }
    }
  };
  walk(checker.getTypeAtLocation(root), "", 0);
  return out;
}

/**
 * The literal that opens a `@default` text (`300`, `"pool-ca"`, `false`, `["0.0.0.0/0"]`), parsed as
 * JSON; undefined when the text describes a default instead (`- the provider's region`).
 */
export function literalDefault(text: string): { value: unknown } | undefined {
  const m = /^(-?\d+(?:\.\d+)?|true|false|"(?:[^"\\]|\\.)*"|\[[^\]]*\])(?=\s|$)/.exec(text.trim());
  if (!m) return undefined;
  return { value: JSON.parse(m[1]) as unknown };
}
