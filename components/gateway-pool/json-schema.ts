// JSON Schema of a stack file (`Pulumi.<stack>.yaml`) generated from the same zod schema the component
// validates with, so an editor (yaml-language-server) flags misspelt keys and wrong types as the user types.
// Rules that compare several arguments, and value rules such as "a CIDR block", are checked by the
// component (`npm run plan`); the JSON Schema carries types, enums, ranges and strict keys.
import * as fs from "node:fs";
import * as path from "node:path";
import * as z from "zod";
import { INPUT_INNER } from "../schema";
import { gatewayPoolArgsSchema } from "./args";

/** Where the package ships the stack-configuration schema (relative to the package root). */
export const STACK_SCHEMA_FILE = "schema/stack-config.schema.json";

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
 * The JSON Schema of a whole stack file: `config` with `msgw:pool` (required), `msgw:poolName` and the
 * providers' keys; any other namespace is left to its owner, but no other `msgw:` key is accepted.
 */
export function stackConfigJsonSchema(): Record<string, unknown> {
  const secret = {
    type: "object",
    properties: { secure: { type: "string" } },
    required: ["secure"],
    additionalProperties: false,
  };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/msgw/gateway-pool/schema/stack-config.schema.json",
    title: "Pulumi.<stack>.yaml of a MailStore Gateway pool stack",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: {
          "msgw:pool": poolArgsJsonSchema(),
          "msgw:poolName": {
            type: "string",
            description:
              'Name of the GatewayPool component (prefix of every child name). Default "msgw".',
          },
          "aws:region": { type: "string", description: "Region of the default AWS provider." },
          "cloudflare:apiToken": { ...secret, description: "Cloudflare API token (a secret)." },
        },
        required: ["msgw:pool"],
        propertyNames: { not: { pattern: "^msgw:(?!pool$|poolName$)" } },
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

// `npm run schema:json` regenerates the shipped file.
if (require.main === module) {
  const file = path.resolve(__dirname, "../..", STACK_SCHEMA_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stackConfigJsonSchemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
