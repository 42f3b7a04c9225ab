// Pure: how problems are worded and collected from a zod schema, every one at once.
import * as z from "zod";

/** A value as it appears in an error message: JSON, so strings are quoted and `undefined` is spelt out. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `hosts[2].existing.address` from `["hosts", 2, "existing", "address"]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), so `stratgey` is one edit
 * from `strategy` and `exisiting` one from `existing`.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The known key closest to `key`, when it is close enough to be a plausible misspelling. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(2, Math.floor(key.length / 3));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** Options of {@link strictObject}. */
export interface StrictObjectOptions {
  /** What a key of this object is called in messages: "argument" (the pool) or "inventory field". */
  noun: string;
  /** Says what to give when the whole object is missing (after "is missing; "). */
  missing?: string;
  /** Fixed messages for unknown keys that mean something dangerous (e.g. an inline private key). */
  keyHints?: Readonly<Record<string, string>>;
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`);

/**
 * A strict object: an unknown key is an error that names the key and the closest known key
 * (`hosts[2].exisiting is not an argument; did you mean existing?`). Each unknown key is one line of the
 * issue's message; {@link formatIssues} prefixes each with the object's path.
 */
export function strictObject<const S extends z.core.$ZodLooseShape>(
  shape: S,
  options: StrictObjectOptions,
): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") {
        return iss.keys
          .map((key) => {
            const hint = options.keyHints?.[key];
            if (hint !== undefined) return `${key}: ${hint}`;
            const near = closestKey(key, known);
            return near !== undefined
              ? `${key} is not ${article(options.noun)}; did you mean ${near}?`
              : `${key} is not ${article(options.noun)}; the ${options.noun}s here are ${known.join(", ")}`;
          })
          .join("\n");
      }
      if (iss.code === "invalid_type") {
        return iss.input === undefined
          ? `is missing; ${options.missing ?? `give ${known.join(", ")}`}`
          : `${show(iss.input)} is not an object; give ${known.join(", ")}`;
      }
      return undefined;
    },
  });
}

/**
 * Messages for issues that carry no message of their own (a schema piece without an `error`); every rule
 * of ours states its fix, so this only words zod's structural checks.
 */
const fallback: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "invalid_type":
      return iss.input === undefined
        ? "is missing"
        : `${show(iss.input)} is not ${article(String(iss.expected))}`;
    case "invalid_value":
      return `${show(iss.input)} is not one of ${iss.values.map((v) => show(v)).join(", ")}`;
    default:
      return undefined;
  }
};

/**
 * Every problem of an issue list as one line each: the path, then the message (a message that starts
 * with ":" is attached to the path without a space). Unknown-key issues become one line per key.
 * Identical lines (one value failing several checks that share a message) appear once.
 */
export function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  const lines: string[] = [];
  for (const iss of issues) {
    const at = formatPath(iss.path);
    if (iss.code === "unrecognized_keys") {
      for (const line of iss.message.split("\n")) lines.push(at === "" ? line : `${at}.${line}`);
    } else if (at === "") {
      lines.push(iss.message.replace(/^: /, ""));
    } else {
      lines.push(iss.message.startsWith(":") ? `${at}${iss.message}` : `${at} ${iss.message}`);
    }
  }
  return [...new Set(lines)];
}

/**
 * Checks `value` against `schema` and returns every problem as a line (empty when valid). Problems are
 * ordered by the position of their top-level key in `order` (argument order), then as zod found them.
 */
export function problemsOf(
  schema: z.ZodType,
  value: unknown,
  order: readonly string[] = [],
): string[] {
  const result = schema.safeParse(value, { error: fallback });
  if (result.success) return [];
  const rank = (iss: z.core.$ZodIssue): number => {
    const head = iss.path[0];
    const i = typeof head === "string" ? order.indexOf(head.replace(/\[.*$/, "")) : -1;
    return i === -1 ? order.length : i;
  };
  const sorted = result.error.issues
    .map((iss, i) => ({ iss, i }))
    .sort((x, y) => rank(x.iss) - rank(y.iss) || x.i - y.i)
    .map((x) => x.iss);
  return formatIssues(sorted);
}

/** Adds one problem found by a cross-field rule, at `path`. */
export function report(
  ctx: z.core.$RefinementCtx<unknown>,
  path: ReadonlyArray<PropertyKey>,
  message: string,
): void {
  ctx.addIssue({ code: "custom", path: [...path], message, input: undefined });
}
