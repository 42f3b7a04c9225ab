// Pure: JSON Schema of a stack file (`Pulumi.<stack>.yaml`) generated from the same zod schema the component
// validates with, so an editor (yaml-language-server) flags misspelt keys and wrong types as the user types.
// Rules that compare several arguments, and value rules such as "a CIDR block", are checked by the
// component (`npm run plan`); the JSON Schema carries types, enums, ranges and strict keys.
// tools/json-schema.ts (`npm run schema:json`) writes the shipped files from these functions.
import * as fs from "node:fs";
import { ARGS_FILE, argumentDocs } from "./argument-docs";
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
 * Copies each argument's TSDoc (summary and `@default`, from {@link argumentDocs}) into the JSON Schema
 * as its `description`, so an editor shows the same documentation on hover. Runs where `typescript` and
 * the source are (generation and tests), never at deployment.
 */
function addDescriptions(root: JsonNode): void {
  if (!fs.existsSync(ARGS_FILE)) return; // compiled package: no TypeScript source to read
  const flat = (text: string) => text.replace(/\s*\n\s*/g, " ").trim();
  // The schema nodes a path names: array items for `[]`, every variant of a union that has the key.
  const nodesAt = (path: string): JsonNode[] => {
    let nodes: JsonNode[] = [root];
    for (const segment of path.split(".")) {
      const key = segment.replace(/\[\]$/, "");
      nodes = nodes
        .flatMap((n) => [n, ...((n.anyOf ?? n.oneOf ?? []) as JsonNode[])])
        .map((n) => (n.properties as Record<string, JsonNode> | undefined)?.[key])
        .filter((n): n is JsonNode => n !== undefined)
        .map((n) => (segment.endsWith("[]") ? (n.items as JsonNode) : n))
        .filter((n) => n !== undefined);
    }
    return nodes;
  };
  for (const doc of argumentDocs()) {
    const text = [
      flat(doc.summary),
      doc.defaultText === undefined ? "" : `Default: ${flat(doc.defaultText).replace(/^- /, "")}`,
    ]
      .filter((p) => p !== "")
      .join(" ");
    if (text === "") continue;
    for (const node of nodesAt(doc.path)) node.description = text;
  }
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
