/**
 * Pure: reads the text of a `Pulumi.<stack>.yaml` into the values the Pulumi CLI hands the program, or
 * refuses a value the CLI and a YAML 1.2 reader (editors, the JSON Schema) would read differently.
 *
 * The CLI parses stack files with gopkg.in/yaml.v3 (sdk/go/common/encoding/marshal.go, `yaml.Unmarshal`
 * into `any`, then workspace/loaders.go `LoadProjectStackBytes` re-encodes and decodes each value into a
 * config.Value) and passes every value to the program as a string: a scalar as its text, an object or list
 * as JSON (resource/config/object.go). yaml.v3 resolves plain scalars by its own rules (resolve.go):
 * `010` is octal 8, `1_000` is 1000, `0b101` is 5, `2026-01-01` is a timestamp the CLI prints as
 * `2026-01-01 00:00:00 +0000 UTC`, `.inf` cannot be encoded at all; `yes`/`no`/`on`/`off` and `1:00` stay
 * strings (YAML 1.1 readers make them booleans and sexagesimal numbers). Merge keys (`<<`) and anchors
 * work as in YAML 1.2 readers with merge keys on; a key defined twice in one mapping is an error.
 * Every other plain scalar resolves the same in yaml.v3 and in YAML 1.2's core schema (the `yaml` package).
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Node,
  type Scalar,
} from "yaml";

/** `config.msgw:pool.hosts[0].mxPriority`: where a node sits, from the visitor's ancestors. */
function pathOf(ancestors: readonly unknown[], node: unknown): string {
  const chain = [...ancestors, node];
  let out = "";
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isPair(parent) && parent.value === child && isScalar(parent.key)) {
      out += `${out === "" ? "" : "."}${String(parent.key.source ?? parent.key.value)}`;
    } else if (isSeq(parent)) {
      out += `[${parent.items.indexOf(child as Node)}]`;
    }
  }
  return out;
}

/** A stack file that the offline plan refuses: one line per problem, each naming the key and the fix. */
export class StackFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join("\n"));
    this.name = "StackFileError";
  }
}

/** What the program receives: `namespace:key` -> string, and which keys are secrets. */
export interface StackFileConfig {
  config: Record<string, string>;
  /** Keys given as `{ secure: … }` (their values are ciphertext, not the program's value). */
  secureKeys: string[];
}

/** Plain scalars whose value depends on the YAML reader; each with how yaml.v3 reads it and the fix. */
const AMBIGUOUS: readonly { test: RegExp; cli: (text: string) => string; fix: string }[] = [
  {
    // yaml.v3 strconv.ParseInt(s, 0, 64): a leading 0 means octal; YAML 1.2 reads decimal.
    test: /^[-+]?0[0-9_]+$/,
    cli: (t) => {
      const n = /^[-+]?0[0-7_]+$/.test(t) ? parseInt(t.replace(/_/g, ""), 8) : NaN;
      return Number.isNaN(n) ? "a string" : `octal ${n}`;
    },
    fix: "write the number without leading zeros, or quote it for text",
  },
  {
    // yaml.v3 strips underscores before parsing an integer; YAML 1.2 keeps the text.
    test: /^[-+]?(0[xob])?[0-9a-fA-F]*_[0-9a-fA-F_]*$/,
    cli: (t) => `the number ${t.replace(/_/g, "")}`,
    fix: "write the number without underscores, or quote it for text",
  },
  {
    test: /^[-+]?0b[01]+$/,
    cli: (t) => `binary ${parseInt(t.replace(/0b/, ""), 2)}`,
    fix: "write the number in decimal, or quote it for text",
  },
  {
    // YAML 1.2's core schema has no sign on hexadecimal and octal; yaml.v3 reads -0x10 as -16.
    test: /^[-+]0[xo][0-9a-fA-F]+$/,
    cli: () => "a signed number",
    fix: "write the number in decimal",
  },
  {
    // yaml.v3 parseTimestamp: YYYY-M-D… becomes a time the CLI prints in Go's format.
    test: /^\d{4}-\d{1,2}-\d{1,2}([Tt ].*)?$/,
    cli: () => "a timestamp (passed on as e.g. 2026-01-01 00:00:00 +0000 UTC)",
    fix: "quote it",
  },
  {
    test: /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/,
    cli: () => "a non-finite number, which the CLI cannot pass on (json: unsupported value)",
    fix: "write a finite number, or quote it for text",
  },
  {
    // YAML 1.1 booleans: a string for yaml.v3 and YAML 1.2, a boolean for YAML 1.1 readers.
    test: /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/,
    cli: () => "the string, not a boolean (YAML 1.1 readers make it a boolean)",
    fix: "write true or false for a boolean, or quote it for text",
  },
  {
    // YAML 1.1 sexagesimal numbers: a string for yaml.v3 and YAML 1.2, 60 for `1:00` in YAML 1.1.
    test: /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/,
    cli: () => "the string, not a number (YAML 1.1 readers make it base 60)",
    fix: "quote it for text, or write the number in decimal",
  },
];

/** A plain integer beyond 2^53 loses digits in JavaScript (the CLI keeps int64 exactly). */
const isUnsafeInteger = (text: string): boolean =>
  /^[-+]?[0-9]+$/.test(text) && !Number.isSafeInteger(Number(text));

/**
 * Parses a stack file's text as the Pulumi CLI does. `file` names it in messages; `project` is the
 * namespace of keys written without one (`pool:` is `<project>:pool`). Throws {@link StackFileError} for
 * invalid YAML, a key defined twice, and plain scalars whose value depends on the YAML reader.
 */
export function readStackFile(text: string, file: string, project: string): StackFileConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: "1.2", merge: true, uniqueKeys: false, lineCounter });
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `line ${line}:${col}`;
  };
  const problems: string[] = doc.errors.map((e) => `not valid YAML (${e.message.split("\n")[0]})`);
  if (problems.length > 0) throw new StackFileError(file, problems);

  visit(doc, {
    Map(_, map, ancestors) {
      // yaml.v3: "mapping key "a" already defined at line 2" (merge keys `<<` included).
      const seen = new Map<string, number | undefined>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.source ?? pair.key.value) : undefined;
        if (key === undefined) continue;
        const first = seen.get(key);
        if (seen.has(key)) {
          const range = (pair.key as Scalar).range;
          problems.push(
            `${[pathOf(ancestors, map), key].filter((p) => p !== "").join(".")} (${at(range?.[0])}) is defined twice (first at ${at(first)}); the Pulumi CLI ` +
              `refuses the file: keep one`,
          );
        } else seen.set(key, (pair.key as Scalar).range?.[0]);
      }
    },
    Scalar(_, node, ancestors) {
      if (node.type !== "PLAIN" || node.tag !== undefined) return;
      const source = node.source ?? String(node.value);
      for (const rule of AMBIGUOUS) {
        if (rule.test.test(source)) {
          const where = pathOf(ancestors, node);
          problems.push(
            `${where === "" ? "" : `${where} `}(${at(node.range?.[0])}) ${source} is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads ` +
              `${rule.cli(source)}; ${rule.fix}`,
          );
          return;
        }
      }
      if (isUnsafeInteger(source)) {
        problems.push(
          `${pathOf(ancestors, node)} (${at(node.range?.[0])}) ${source} is beyond 2^53 and would lose digits; quote it for text`,
        );
      }
    },
  });
  if (problems.length > 0) throw new StackFileError(file, problems);

  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    throw new StackFileError(file, ["the file must be a mapping (secretsprovider:, config:, …)"]);
  }
  const raw = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as { config?: unknown };
  const entries = raw.config ?? {};
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
    throw new StackFileError(file, ["config: must be a mapping of namespace:key to value"]);
  }
  const config: Record<string, string> = {};
  const secureKeys: string[] = [];
  for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    if (isSecure(value)) {
      config[fullKey] = value.secure;
      secureKeys.push(fullKey);
    } else if (value === null || value === undefined) {
      config[fullKey] = ""; // the CLI passes "" for an empty value (and warns)
    } else {
      config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secureKeys };
}

const isSecure = (v: unknown): v is { secure: string } =>
  typeof v === "object" &&
  v !== null &&
  Object.keys(v).length === 1 &&
  typeof (v as { secure?: unknown }).secure === "string";
