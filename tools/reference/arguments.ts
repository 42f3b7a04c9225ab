// Pure: the argument table of GatewayPoolArgs, from its JSON Schema (generated from the zod schema, with
// each argument's TSDoc summary and `@default` as its description), and each argument group's `@example`.
import type { GroupExamples } from "../../components/gateway-pool/argument-docs";
import { code, table } from "./markdown";

type Json = Record<string, unknown>;

/** One argument: its path (`hosts[].aws.region`), type and constraints, default and meaning. */
export interface ArgumentRow {
  path: string;
  type: string;
  default: string;
  description: string;
}

const asJson = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** `integer 0–65535`, `string ≤ 254`, `"a" \| "b"`, `list of string (≥ 1)`. */
export function typeOf(node: Json): string {
  const variants = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (variants !== undefined) return variants.map(typeOf).join(" or ");
  if (node.const !== undefined) return code(JSON.stringify(node.const));
  if (Array.isArray(node.enum)) return node.enum.map((v) => code(JSON.stringify(v))).join(" or ");
  if (Array.isArray(node.type)) return node.type.join(" or ");
  const type = node.type as string | undefined;
  if (type === "object" && asJson(asJson(node.properties)?.kind)?.const !== undefined) {
    return `object with kind ${code(JSON.stringify(asJson(asJson(node.properties)?.kind)?.const))}`;
  }
  if (type === "array") {
    const items = asJson(node.items);
    const min = node.minItems !== undefined ? ` (≥ ${String(node.minItems)})` : "";
    return `list of ${items ? typeOf(items) : "any"}${min}`;
  }
  if (type === "object") {
    if (asJson(node.additionalProperties) !== undefined && node.properties === undefined)
      return `map of ${typeOf(asJson(node.additionalProperties) as Json)}`;
    return "object";
  }
  const range =
    node.minimum !== undefined && node.maximum !== undefined
      ? ` ${String(node.minimum)}–${String(node.maximum)}`
      : node.minimum !== undefined
        ? ` ≥ ${String(node.minimum)}`
        : node.maximum !== undefined
          ? ` ≤ ${String(node.maximum)}`
          : "";
  const length =
    node.maxLength !== undefined
      ? ` (${node.minLength !== undefined ? `${String(node.minLength)}–` : "≤ "}${String(node.maxLength)} characters)`
      : "";
  return `${type ?? "any"}${range}${length}`;
}

/** Splits "Summary. Default: behaviour" into its two parts. */
function splitDefault(description: string): { text: string; default: string } {
  if (description.startsWith("Default: "))
    return { text: "", default: description.slice("Default: ".length) };
  const i = description.indexOf(" Default: ");
  if (i < 0) return { text: description, default: "" };
  return { text: description.slice(0, i), default: description.slice(i + " Default: ".length) };
}

/** Every argument, depth first in the schema's order. */
export function argumentRows(schema: Json): ArgumentRow[] {
  const rows: ArgumentRow[] = [];
  const seen = new Set<string>();
  const visit = (node: Json, path: string, required: boolean): void => {
    const variants = ((node.anyOf ?? node.oneOf) as Json[] | undefined) ?? [];
    const objectVariants = variants.filter(
      (v) => v.type === "object" && v.properties !== undefined,
    );
    if (objectVariants.length > 0) {
      // A union of objects (configSync.store): the union's own row, then each variant's keys once.
      if (path !== "")
        visit({ ...node, anyOf: undefined, oneOf: undefined, type: typeOf(node) }, path, required);
      for (const v of objectVariants) visit({ ...v, description: undefined }, path, required);
      return;
    }
    if (path !== "" && !seen.has(path)) {
      seen.add(path);
      const { text, default: dflt } = splitDefault(String(node.description ?? ""));
      rows.push({
        path,
        type: typeOf(node),
        default: required ? "required" : dflt,
        description: text,
      });
    }
    const target = node.type === "array" ? asJson(node.items) : node;
    const props = asJson(target?.properties);
    if (props === undefined) return;
    const requiredKeys = new Set((target?.required as string[] | undefined) ?? []);
    const prefix = path === "" ? "" : node.type === "array" ? `${path}[].` : `${path}.`;
    for (const [key, child] of Object.entries(props)) {
      const c = asJson(child);
      if (c !== undefined) visit(c, `${prefix}${key}`, requiredKeys.has(key));
    }
  };
  visit(schema, "", true);
  return rows;
}

/** The argument table as Markdown. */
export function renderArguments(schema: Json): string {
  return table(
    ["argument", "type", "default", "meaning"],
    argumentRows(schema).map((r) => [code(r.path), r.type, r.default, r.description]),
  );
}

/**
 * Each argument group's examples under its name and place. Prettier leaves the code alone: a `key: value`
 * fragment parsed as TypeScript would be rewritten as a labelled block.
 */
export function renderExamples(groups: readonly GroupExamples[]): string {
  const blocks = groups.flatMap((g) => {
    const where =
      g.places.length === 0 ? "the whole value" : g.places.map((p) => code(p.path)).join(", ");
    const form = g.places.some((p) => p.form === "list")
      ? " (a list)"
      : g.places.some((p) => p.form === "map")
        ? " (a map by host name)"
        : "";
    return [
      `**${code(g.group)}**, at ${where}${form}:`,
      "",
      ...g.examples.flatMap((e) => ["```ts", e, "```", ""]),
    ];
  });
  return ["<!-- prettier-ignore-start -->", "", ...blocks, "<!-- prettier-ignore-end -->"].join(
    "\n",
  );
}
