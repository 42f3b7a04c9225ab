// `npx tsx tools/args-walk.ts [--json]`: the walk of the pool's `args` through components/. A stop is a
// function, method or constructor in components/ handed a value derived from `args` (args, a property or
// element chain of it, a variable or object literal built from one); its receiving parameters are followed
// depth-first in source order, counting property reads of derived values per stop. A return is the walk
// entering a file it had left (A -> B -> A: one). Also lists the files under components/ importing args.ts.
import * as path from "node:path";
import ts from "typescript";

/** What the walk saw; `file` paths are relative to the walked root, `/`-separated. */
export interface ArgsWalk {
  /** Functions that received a derived value, in the order the walk first entered them. */
  stops: Array<{ file: string; line: number; name: string; reads: number }>;
  stopCount: number;
  /** Distinct files among the stops. */
  fileCount: number;
  /**
   * Times the walk enters a file it had left earlier: A → B → A counts one, whether A is entered for a
   * new stop or to resume the caller there before its next stop.
   */
  returns: number;
  /** Files under components/ that import (or re-export) from args.ts, with the names they take. */
  argsTypeImporters: Array<{ file: string; names: string[] }>;
}

export interface ArgsWalkOptions {
  /** Project root: holds `tsconfig` and `components/`. */
  root: string;
  /** @default "tsconfig.json" (its `include` covers components/) */
  tsconfig?: string;
  /** @default "components/gateway-pool/gateway-pool.ts" */
  entry?: string;
  /** @default "GatewayPool" */
  className?: string;
}

/**
 * How a value is derived from `args`: `true` when it is (a part of) args as a whole, or, for an object
 * literal built around derived values, which of its properties are derived.
 */
type Taint = true | Map<string, Taint>;

function mergeTaint(a: Taint | undefined, b: Taint | undefined): Taint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a === true || b === true) return true;
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, mergeTaint(out.get(k), v) as Taint);
  return out;
}

function taintKey(t: Taint | undefined): string {
  if (t === undefined) return "-";
  if (t === true) return "*";
  return `{${[...t.keys()]
    .sort()
    .map((k) => `${k}:${taintKey(t.get(k))}`)
    .join(",")}}`;
}

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction;

function isFunctionNode(n: ts.Node): n is FunctionNode {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n)
  );
}

function functionName(fn: FunctionNode): string {
  const owner = (n: ts.Node) =>
    ts.isClassLike(n.parent) && n.parent.name ? `${n.parent.name.text}.` : "";
  if (ts.isConstructorDeclaration(fn)) return `${owner(fn)}constructor`;
  if (ts.isMethodDeclaration(fn)) return `${owner(fn)}${fn.name.getText()}`;
  if (fn.name) return fn.name.text;
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))
    return p.name.getText();
  return "<anonymous>";
}

/** Reads a project and walks `args` from the constructor of `className` in `entry`. */
export function walkArgs(options: ArgsWalkOptions): ArgsWalk {
  const root = path.resolve(options.root);
  const entry = options.entry ?? "components/gateway-pool/gateway-pool.ts";
  const className = options.className ?? "GatewayPool";
  const configPath = path.join(root, options.tsconfig ?? "tsconfig.json");
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) {
    throw new Error(
      `args-walk: cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`,
    );
  }
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath));
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const checker = program.getTypeChecker();
  const componentsDir = path.join(root, "components") + path.sep;
  const rel = (f: string) => path.relative(root, f).split(path.sep).join("/");
  const inScope = (sf: ts.SourceFile) =>
    !sf.isDeclarationFile &&
    path.resolve(sf.fileName).startsWith(componentsDir) &&
    !path.resolve(sf.fileName).split(path.sep).includes("node_modules");

  const entryFile = program.getSourceFile(path.join(root, entry));
  if (!entryFile)
    throw new Error(`args-walk: ${entry} is not part of the program of ${rel(configPath)}`);
  let ctor: ts.ConstructorDeclaration | undefined;
  for (const st of entryFile.statements) {
    if (ts.isClassDeclaration(st) && st.name?.text === className) {
      ctor = st.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m));
    }
  }
  if (!ctor?.body) throw new Error(`args-walk: no constructor of class ${className} in ${entry}`);
  const argsParam = ctor.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === "args");
  if (!argsParam) {
    throw new Error(
      `args-walk: the constructor of ${className} in ${entry} has no parameter "args"`,
    );
  }

  // --- Taint inside one function body --------------------------------------------------------------
  const symbolOf = (n: ts.Node): ts.Symbol | undefined => {
    if (ts.isShorthandPropertyAssignment(n)) return checker.getShorthandAssignmentValueSymbol(n);
    return checker.getSymbolAtLocation(n);
  };

  function exprTaint(e: ts.Expression, env: Map<ts.Symbol, Taint>): Taint | undefined {
    if (ts.isIdentifier(e)) {
      const s = symbolOf(e);
      return s && env.get(s);
    }
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isTypeAssertionExpression(e)
    ) {
      return exprTaint(e.expression, env);
    }
    if (ts.isPropertyAccessExpression(e)) {
      const t = exprTaint(e.expression, env);
      return t === true ? true : t?.get(e.name.text);
    }
    if (ts.isElementAccessExpression(e)) {
      const t = exprTaint(e.expression, env);
      if (t === true) return true;
      return t && ts.isStringLiteralLike(e.argumentExpression)
        ? t.get(e.argumentExpression.text)
        : undefined;
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
        return mergeTaint(exprTaint(e.left, env), exprTaint(e.right, env));
      }
      // `a && b` yields b whenever it yields anything worth passing on; `a, b` yields b.
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.CommaToken) {
        return exprTaint(e.right, env);
      }
      return undefined;
    }
    if (ts.isConditionalExpression(e)) {
      return mergeTaint(exprTaint(e.whenTrue, env), exprTaint(e.whenFalse, env));
    }
    if (ts.isObjectLiteralExpression(e)) {
      let out: Taint | undefined;
      for (const p of e.properties) {
        if (ts.isSpreadAssignment(p)) {
          out = mergeTaint(out, exprTaint(p.expression, env));
        } else if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) {
          const t = ts.isPropertyAssignment(p)
            ? exprTaint(p.initializer, env)
            : (() => {
                const s = symbolOf(p);
                return s && env.get(s);
              })();
          if (t !== undefined && out !== true) {
            out = mergeTaint(out, new Map([[p.name.getText(), t]]));
          }
        }
      }
      return out;
    }
    return undefined;
  }

  /** Gives the names bound by `name` their share of `t`; true when something changed. */
  function bind(name: ts.BindingName, t: Taint | undefined, env: Map<ts.Symbol, Taint>): boolean {
    if (t === undefined) return false;
    if (ts.isIdentifier(name)) {
      const s = checker.getSymbolAtLocation(name);
      if (!s) return false;
      const merged = mergeTaint(env.get(s), t) as Taint;
      if (taintKey(merged) === taintKey(env.get(s))) return false;
      env.set(s, merged);
      return true;
    }
    let changed = false;
    for (const el of name.elements) {
      if (ts.isOmittedExpression(el)) continue;
      let part: Taint | undefined;
      // A rest element keeps what the whole had (an over-approximation for object rests).
      if (t === true || el.dotDotDotToken) part = t;
      else if (ts.isObjectBindingPattern(name)) {
        const key = (el.propertyName ?? el.name).getText();
        part = t.get(key);
      }
      changed = bind(el.name, part, env) || changed;
    }
    return changed;
  }

  /** Derived values inside `body`: its tainted parameters, then what flows from them, to a fixpoint. */
  function bodyTaint(
    fn: FunctionNode,
    params: Array<Taint | undefined>,
    outer: Map<ts.Symbol, Taint>,
  ) {
    const env = new Map(outer);
    fn.parameters.forEach((p, i) => bind(p.name, params[i], env));
    for (let changed = true; changed;) {
      changed = false;
      const visit = (n: ts.Node): void => {
        if (ts.isVariableDeclaration(n) && n.initializer) {
          changed = bind(n.name, exprTaint(n.initializer, env), env) || changed;
        } else if (
          ts.isBinaryExpression(n) &&
          n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          ts.isIdentifier(n.left)
        ) {
          changed = bind(n.left, exprTaint(n.right, env), env) || changed;
        } else if (ts.isForOfStatement(n) && ts.isVariableDeclarationList(n.initializer)) {
          // for (const h of args.hosts): each element is a part of args.
          const t = exprTaint(n.expression, env) === undefined ? undefined : true;
          for (const d of n.initializer.declarations) changed = bind(d.name, t, env) || changed;
        } else if (
          ts.isCallExpression(n) &&
          ts.isPropertyAccessExpression(n.expression) &&
          exprTaint(n.expression.expression, env) !== undefined
        ) {
          // args.hosts.map((h) => …): the callback's first parameter is an element of args.hosts.
          for (const a of n.arguments) {
            if ((ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && a.parameters[0]) {
              changed = bind(a.parameters[0].name, true, env) || changed;
            }
          }
        }
        ts.forEachChild(n, visit);
      };
      if (fn.body) visit(fn.body);
    }
    return env;
  }

  // --- Calls: callee declarations in components/ ---------------------------------------------------
  function calleeOf(call: ts.CallExpression | ts.NewExpression): FunctionNode | undefined {
    let s = checker.getSymbolAtLocation(
      ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression,
    );
    if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
    for (const d of s?.declarations ?? []) {
      if (!inScope(d.getSourceFile())) continue;
      if (ts.isClassDeclaration(d)) {
        const c = d.members.find(
          (m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body,
        );
        if (c) return c;
      } else if (isFunctionNode(d) && d.body) {
        return d;
      } else if (
        ts.isVariableDeclaration(d) &&
        d.initializer &&
        (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))
      ) {
        return d.initializer;
      }
    }
    return undefined;
  }

  // --- The walk -------------------------------------------------------------------------------------
  const stops: FunctionNode[] = [];
  const walked = new Map<FunctionNode, Array<Taint | undefined>>(); // parameters' taint walked so far
  const readNodes = new Set<ts.Node>();
  const paramsKey = (ps: Array<Taint | undefined>) => ps.map(taintKey).join("|");

  // Where the walk is, file by file: a stop's file, and its caller's file again when the walk resumes
  // there for the next stop (consecutive repeats collapsed).
  const trail: string[] = [];
  const goTo = (file: string) => {
    if (trail[trail.length - 1] !== file) trail.push(file);
  };

  function walk(
    fn: FunctionNode,
    params: Array<Taint | undefined>,
    outer: Map<ts.Symbol, Taint>,
    caller?: FunctionNode,
  ) {
    const before = walked.get(fn);
    if (before === undefined) {
      stops.push(fn);
      if (caller) goTo(caller.getSourceFile().fileName);
      goTo(fn.getSourceFile().fileName);
    } else {
      // Walked before: only a parameter derived in a new way is worth another pass (it adds no stop).
      params = params.map((t, i) => mergeTaint(t, before[i]));
      if (paramsKey(params) === paramsKey(before)) return;
    }
    walked.set(fn, params);
    const env = bodyTaint(fn, params, outer);
    const visit = (n: ts.Node): void => {
      // A read: an access chain that yields a derived value, counted once at its outermost derived link.
      const derivedAccess = (x: ts.Node) =>
        (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) &&
        exprTaint(x, env) !== undefined;
      if (
        derivedAccess(n) &&
        !(derivedAccess(n.parent) && (n.parent as ts.AccessExpression).expression === n)
      ) {
        readNodes.add(n);
      }
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const argTaints = (n.arguments ?? []).map((a) => exprTaint(a, env));
        if (argTaints.some((t) => t !== undefined)) {
          const callee = calleeOf(n);
          if (callee) {
            // A rest parameter receives every argument from its position on.
            const rest = callee.parameters.findIndex((p) => p.dotDotDotToken);
            const given = callee.parameters.map((_, i) =>
              i === rest ? argTaints.slice(i).reduce(mergeTaint, undefined) : argTaints[i],
            );
            walk(callee, given, env, fn);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    if (fn.body) visit(fn.body);
  }
  walk(
    ctor,
    ctor.parameters.map((p) => (p === argsParam ? true : undefined)),
    new Map(),
  );

  // A read belongs to the innermost stop around it (a closure that is a stop of its own keeps its reads).
  const stopSet = new Set<ts.Node>(stops);
  const reads = new Map<ts.Node, number>();
  for (const r of readNodes) {
    let n: ts.Node | undefined = r.parent;
    while (n && !stopSet.has(n)) n = n.parent;
    if (n) reads.set(n, (reads.get(n) ?? 0) + 1);
  }

  const listed = stops.map((fn) => {
    const sf = fn.getSourceFile();
    return {
      file: rel(sf.fileName),
      line: sf.getLineAndCharacterOfPosition(fn.getStart()).line + 1,
      name: functionName(fn),
      reads: reads.get(fn) ?? 0,
    };
  });
  const returns = trail.filter((f, i) => trail.indexOf(f) < i).length;

  return {
    stops: listed,
    stopCount: listed.length,
    fileCount: new Set(listed.map((s) => s.file)).size,
    returns,
    argsTypeImporters: argsImporters(program, checker, argsParam, inScope, rel),
  };
}

/** Files in scope that import or re-export from the module declaring the type of `args`. */
function argsImporters(
  program: ts.Program,
  checker: ts.TypeChecker,
  argsParam: ts.ParameterDeclaration,
  inScope: (sf: ts.SourceFile) => boolean,
  rel: (f: string) => string,
): Array<{ file: string; names: string[] }> {
  const typeNode = argsParam.type;
  let typeSymbol =
    typeNode && ts.isTypeReferenceNode(typeNode)
      ? checker.getSymbolAtLocation(typeNode.typeName)
      : undefined;
  if (typeSymbol && typeSymbol.flags & ts.SymbolFlags.Alias)
    typeSymbol = checker.getAliasedSymbol(typeSymbol);
  const argsFile = typeSymbol?.declarations?.[0]?.getSourceFile();
  if (!argsFile) throw new Error(`args-walk: cannot find the file declaring the type of "args"`);

  const out: Array<{ file: string; names: string[] }> = [];
  for (const sf of program.getSourceFiles()) {
    if (!inScope(sf) || sf === argsFile) continue;
    const names: string[] = [];
    const fromArgs = (spec: ts.Expression) =>
      checker.getSymbolAtLocation(spec)?.valueDeclaration?.getSourceFile() === argsFile;
    const visit = (n: ts.Node): void => {
      if (ts.isImportDeclaration(n) && fromArgs(n.moduleSpecifier)) {
        const c = n.importClause;
        if (c?.name) names.push(c.name.text);
        const b = c?.namedBindings;
        if (b && ts.isNamespaceImport(b)) names.push(`* as ${b.name.text}`);
        if (b && ts.isNamedImports(b))
          names.push(...b.elements.map((e) => (e.propertyName ?? e.name).getText()));
      } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && fromArgs(n.moduleSpecifier)) {
        const c = n.exportClause;
        if (c && ts.isNamedExports(c))
          names.push(...c.elements.map((e) => `export ${(e.propertyName ?? e.name).getText()}`));
        else names.push("export *");
      } else if (
        ts.isImportTypeNode(n) &&
        ts.isLiteralTypeNode(n.argument) &&
        ts.isStringLiteral(n.argument.literal) &&
        fromArgs(n.argument.literal)
      ) {
        names.push(`import(…).${n.qualifier?.getText() ?? ""}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (names.length > 0) out.push({ file: rel(sf.fileName), names });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** The text form: one line per stop, then the totals and the importers of args.ts. */
export function formatArgsWalk(w: ArgsWalk): string {
  const lines = w.stops.map(
    (s, i) =>
      `${String(i + 1).padStart(3)}. ${s.file}:${s.line} ${s.name}` +
      (s.reads > 0 ? ` (${s.reads} read${s.reads === 1 ? "" : "s"})` : ""),
  );
  lines.push(
    "",
    `stops: ${w.stopCount}  files: ${w.fileCount}  returns: ${w.returns}`,
    "",
    `files under components/ that read a type from args.ts: ${w.argsTypeImporters.length}`,
    ...w.argsTypeImporters.map((f) => `  ${f.file} (${f.names.join(", ")})`),
  );
  return lines.join("\n") + "\n";
}

if (require.main === module) {
  const json = process.argv.includes("--json");
  const result = walkArgs({ root: path.resolve(__dirname, "..") });
  process.stdout.write(json ? JSON.stringify(result, null, 2) + "\n" : formatArgsWalk(result));
}
