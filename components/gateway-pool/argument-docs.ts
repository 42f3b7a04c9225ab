/**
 * I/O (reads args.ts): the TSDoc of GatewayPoolArgs, argument by argument, read with the TypeScript
 * compiler API: each property's path (`mx.strategy`; an array's items as `hosts[]`), its summary and its
 * `@default` text; and each argument group's `@example` blocks. The one reader of the argument docs: the
 * JSON Schema's descriptions, the generated reference and the tests that hold the `@default` lines to the
 * defaults table and compile the examples all use it. Needs `typescript` and the source, so it runs at
 * generation and test time, never at deployment.
 */
import * as fs from "node:fs";
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

/** Where an argument group sits in GatewayPoolArgs: `hosts` holds a list of GatewayHostArgs. */
export interface GroupPlace {
  /** Dotted path of the property, arrays as `[]`, maps as `.*`: `hosts[].aws`, `dane.keys`. */
  path: string;
  /** `value`: the property is the group; `list`: an array of it; `map`: a record of it by name. */
  form: "value" | "list" | "map";
}

/** One argument group (an exported `…Args` type of args.ts) and its `@example` blocks. */
export interface GroupExamples {
  /** The type's name: `ZoneArgs`. */
  group: string;
  /** Where it is used, in declaration order; empty for GatewayPoolArgs itself. */
  places: GroupPlace[];
  /** Each `@example`'s code, without its fence. */
  examples: string[];
}

/**
 * Every exported `…Args` interface and type alias of args.ts, in declaration order, with the places it is
 * used and its `@example` code. An example is `key: value` (the group at its place, as users write it
 * inside the enclosing object) or, for GatewayPoolArgs, a bare value. Read from the syntax alone: a group
 * is named by its type reference (`aws?: AwsHostArgs`, `hosts: GatewayHostArgs[]`,
 * `keys?: Record<string, DaneHostKeyArgs>`).
 */
export function argumentExamples(file: string = ARGS_FILE): GroupExamples[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof TS;
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, "utf8"),
    ts.ScriptTarget.ES2022,
    true,
  );
  type Decl = TS.InterfaceDeclaration | TS.TypeAliasDeclaration;
  const groups = new Map<string, Decl>();
  for (const s of source.statements) {
    if (!ts.isInterfaceDeclaration(s) && !ts.isTypeAliasDeclaration(s)) continue;
    const exported = ts.getCombinedModifierFlags(s) & ts.ModifierFlags.Export;
    if (exported && s.name.text.endsWith("Args")) groups.set(s.name.text, s);
  }
  const root = groups.get("GatewayPoolArgs");
  if (!root) throw new Error(`${file}: no interface GatewayPoolArgs`);

  // The properties of a group: an interface's, or those of each object literal of a type alias's union.
  const membersOf = (decl: Decl): TS.PropertySignature[] => {
    if (ts.isInterfaceDeclaration(decl)) return decl.members.filter(ts.isPropertySignature);
    const parts: readonly TS.TypeNode[] = ts.isUnionTypeNode(decl.type)
      ? decl.type.types
      : [decl.type];
    return parts
      .filter(ts.isTypeLiteralNode)
      .flatMap((t) => t.members.filter(ts.isPropertySignature));
  };
  const groupOf = (node: TS.TypeNode | undefined): string | undefined =>
    node && ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)
      ? groups.has(node.typeName.text)
        ? node.typeName.text
        : undefined
      : undefined;

  const places = new Map<string, GroupPlace[]>();
  const visit = (decl: Decl, at: string, depth: number): void => {
    if (depth > 10) return;
    for (const member of membersOf(decl)) {
      const where = `${at}${member.name.getText(source)}`;
      const node = member.type;
      let found: { group: string; form: GroupPlace["form"]; inner: string } | undefined;
      const direct = groupOf(node);
      if (direct !== undefined) found = { group: direct, form: "value", inner: where };
      else if (node && ts.isArrayTypeNode(node) && groupOf(node.elementType) !== undefined)
        found = { group: groupOf(node.elementType)!, form: "list", inner: `${where}[]` };
      else if (
        node &&
        ts.isTypeReferenceNode(node) &&
        node.typeName.getText(source) === "Record" &&
        groupOf(node.typeArguments?.[1]) !== undefined
      )
        found = { group: groupOf(node.typeArguments?.[1])!, form: "map", inner: `${where}.*` };
      if (found === undefined) continue;
      places.set(found.group, [
        ...(places.get(found.group) ?? []),
        { path: where, form: found.form },
      ]);
      visit(groups.get(found.group)!, `${found.inner}.`, depth + 1);
    }
  };
  visit(root, "", 0);

  const fence = /^```[a-z]*\n([\s\S]*?)\n?```\s*$/;
  return [...groups].map(([group, decl]) => ({
    group,
    places: places.get(group) ?? [],
    examples: ts
      .getJSDocTags(decl)
      .filter((t) => t.tagName.text === "example")
      .map((t) => {
        const text = (ts.getTextOfJSDocComment(t.comment) ?? "").trim();
        return (fence.exec(text)?.[1] ?? text).trimEnd();
      }),
  }));
}
