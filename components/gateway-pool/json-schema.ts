// JSON Schema of a stack file (`Pulumi.<stack>.yaml`) generated from the same zod schema the component
// validates with, so an editor (yaml-language-server) flags misspelt keys and wrong types as the user types.
// Rules that compare several arguments, and value rules such as "a CIDR block", are checked by the
// component (`npm run plan`); the JSON Schema carries types, enums, ranges and strict keys.
import * as fs from "node:fs";
import * as path from "node:path";
import * as z from "zod";
import { INPUT_INNER } from "../schema";
import { STACK_CONFIG_KEYS } from "../stack-file/keys";
import { gatewayPoolArgsSchema } from "./args";
import { AWS_REGION } from "./plan/limits";

/** Where the package ships the stack-configuration schema (relative to the package root). */
export const STACK_SCHEMA_FILE = "schema/stack-config.schema.json";
/** Where the package ships the schema of the pool's arguments alone (the value of `<namespace>:pool`). */
export const POOL_SCHEMA_FILE = "schema/pool-args.schema.json";

type JsonNode = Record<string, unknown>;

/**
 * Copies each argument's TSDoc (summary and `@default`) from `args.ts` into the JSON Schema as its
 * `description`, so an editor shows the same documentation on hover. Reads the TypeScript source with the
 * compiler API, so it runs where `typescript` is installed (generation and tests), never at deployment.
 */
function addDescriptions(root: JsonNode): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  const file = path.resolve(__dirname, "args.ts");
  if (!fs.existsSync(file)) return; // compiled package: no TypeScript source to read
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const interfaces = new Map<string, import("typescript").InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const flat = (text: string | undefined) => (text ?? "").replace(/\s*\n\s*/g, " ").trim();
  const objectNode = (node: JsonNode | undefined): JsonNode | undefined =>
    node?.type === "array" ? (node.items as JsonNode | undefined) : node;
  const describe = (name: string, node: JsonNode | undefined): void => {
    const decl = interfaces.get(name);
    const props = objectNode(node)?.properties as Record<string, JsonNode> | undefined;
    if (decl === undefined || props === undefined) return;
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
      const target = props[member.name.text];
      if (target === undefined) continue;
      const parts: string[] = [];
      for (const doc of ts.getJSDocCommentsAndTags(member)) {
        if (!ts.isJSDoc(doc)) continue;
        parts.push(flat(ts.getTextOfJSDocComment(doc.comment)));
        for (const tag of doc.tags ?? []) {
          if (tag.tagName.text === "default") {
            parts.push(
              `Default: ${flat(ts.getTextOfJSDocComment(tag.comment)).replace(/^- /, "")}`,
            );
          }
        }
      }
      const text = parts.filter((p) => p !== "").join(" ");
      if (text !== "") target.description = text;
      let type = member.type;
      if (type !== undefined && ts.isArrayTypeNode(type)) type = type.elementType;
      if (type !== undefined && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
        describe(type.typeName.text, target);
      }
    }
  };
  describe("GatewayPoolArgs", root);
}

/** The JSON Schema of `msgw:pool` alone (GatewayPoolArgs as YAML or JSON). */
export function poolArgsJsonSchema(): Record<string, unknown> {
  const toJson = (schema: z.ZodType): Record<string, unknown> =>
    z.toJSONSchema(schema, {
      io: "input",
      unrepresentable: "any",
      override: (ctx) => {
        const inner = INPUT_INNER.get(ctx.zodSchema as unknown as z.ZodType);
        if (inner !== undefined) {
          const plain = toJson(inner);
          delete plain.$schema;
          Object.assign(ctx.jsonSchema, plain);
        }
      },
    }) as Record<string, unknown>;
  const schema = toJson(gatewayPoolArgsSchema);
  delete schema.$schema;
  addDescriptions(schema);
  return schema;
}

/**
 * The JSON Schema of `<namespace>:pool` alone, as a file of its own (`schema/pool-args.schema.json`): a
 * consuming project with its own configuration namespace points its stack file's key at it.
 */
export function poolArgsJsonSchemaDocument(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/msgw/gateway-pool/schema/pool-args.schema.json",
    title: "GatewayPoolArgs: the value of <namespace>:pool in Pulumi.<stack>.yaml",
    ...poolArgsJsonSchema(),
  };
}

/**
 * The JSON Schema of a whole stack file: `config` with `<namespace>:pool` (required),
 * `<namespace>:poolName` and the providers' keys; any other namespace is left to its owner, but no other
 * key of `namespace` is accepted. `namespace` is the Pulumi project name of the stack (`msgw` here);
 * `pool` is the schema of the pool's value (default: inline; a consumer may pass a `$ref` to the shipped
 * `schema/pool-args.schema.json`).
 */
export function stackConfigJsonSchema(
  namespace = "msgw",
  pool: Record<string, unknown> = poolArgsJsonSchema(),
): Record<string, unknown> {
  const secret = {
    type: "object",
    properties: { secure: { type: "string" } },
    required: ["secure"],
    additionalProperties: false,
  };
  const escaped = namespace.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const keys = Object.keys(STACK_CONFIG_KEYS);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/msgw/gateway-pool/schema/stack-config.schema.json",
    title: "Pulumi.<stack>.yaml of a MailStore Gateway pool stack",
    description:
      "Values are read as the Pulumi CLI reads them (gopkg.in/yaml.v3). Plain values a YAML 1.1 reader " +
      "and the CLI read differently (010, 1_000, 0b1, yes/no/on/off, 1:00, dates, .inf) cannot be told " +
      "apart here from their YAML 1.2 reading: the offline plan and the stack program refuse them; quote text.",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: {
          [`${namespace}:pool`]: pool,
          [`${namespace}:poolName`]: {
            type: "string",
            description:
              'Name of the GatewayPool component (prefix of every child name). Default "msgw".',
          },
          "aws:region": {
            type: "string",
            pattern: AWS_REGION.source,
            description: "Region of the default AWS provider: a region code such as eu-central-1.",
          },
          "cloudflare:apiToken": { ...secret, description: "Cloudflare API token (a secret)." },
        },
        required: [`${namespace}:pool`],
        propertyNames: {
          not: { pattern: `^${escaped}:(?!${keys.map((k) => `${k}$`).join("|")})` },
        },
      },
      secretsprovider: { type: "string" },
      encryptedkey: { type: "string" },
      encryptionsalt: { type: "string" },
      environment: {},
    },
    required: ["config"],
    additionalProperties: false,
  };
}

/** The committed file's text: the schema as formatted JSON with a trailing newline. */
export function stackConfigJsonSchemaText(): string {
  return `${JSON.stringify(stackConfigJsonSchema(), null, 2)}\n`;
}

/** The committed pool-only file's text. */
export function poolArgsJsonSchemaText(): string {
  return `${JSON.stringify(poolArgsJsonSchemaDocument(), null, 2)}\n`;
}

// `npm run schema:json` regenerates the shipped files.
if (require.main === module) {
  for (const [name, text] of [
    [STACK_SCHEMA_FILE, stackConfigJsonSchemaText()],
    [POOL_SCHEMA_FILE, poolArgsJsonSchemaText()],
  ] as const) {
    const file = path.resolve(__dirname, "../..", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}
