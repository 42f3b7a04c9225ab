// `npm run schema:json`: writes the shipped JSON Schemas (schema/stack-config.schema.json and
// schema/pool-args.schema.json) from components/gateway-pool/json-schema.ts; tests/unit/json-schema.test.ts
// fails when a committed file differs.
import * as fs from "node:fs";
import * as path from "node:path";
import {
  POOL_SCHEMA_FILE,
  STACK_SCHEMA_FILE,
  poolArgsJsonSchemaDocument,
  stackConfigJsonSchema,
} from "../components/gateway-pool/json-schema";

/** The committed file's text: the schema as formatted JSON with a trailing newline. */
export function stackConfigJsonSchemaText(): string {
  return `${JSON.stringify(stackConfigJsonSchema(), null, 2)}\n`;
}

/** The committed pool-only file's text. */
export function poolArgsJsonSchemaText(): string {
  return `${JSON.stringify(poolArgsJsonSchemaDocument(), null, 2)}\n`;
}

if (require.main === module) {
  for (const [name, text] of [
    [STACK_SCHEMA_FILE, stackConfigJsonSchemaText()],
    [POOL_SCHEMA_FILE, poolArgsJsonSchemaText()],
  ] as const) {
    const file = path.resolve(__dirname, "..", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}
