// The JSON Schema editors use for Pulumi.<stack>.yaml: generated from the component's zod schema, shipped
// in the package, referenced by the example stacks; it accepts dev and prod and flags a misspelt copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";
import {
  POOL_SCHEMA_FILE,
  STACK_SCHEMA_FILE,
  stackConfigJsonSchema,
} from "../../components/gateway-pool/json-schema";
import { poolArgsJsonSchemaText, stackConfigJsonSchemaText } from "../../tools/json-schema";

const ROOT = path.resolve(__dirname, "../..");
const committed = fs.readFileSync(path.join(ROOT, STACK_SCHEMA_FILE), "utf8");
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(committed));
const stack = (name: string) =>
  fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${name}.yaml`), "utf8");
const errorsOf = (text: string) => {
  validate(parseYaml(text));
  return (validate.errors ?? []).map((e) =>
    e.keyword === "additionalProperties"
      ? `${e.instancePath} has unknown key ${String(e.params.additionalProperty)}`
      : `${e.instancePath} ${e.message}`,
  );
};

test("the committed JSON Schema is the one generated from the zod schema (npm run schema:json)", () => {
  assert.equal(committed, stackConfigJsonSchemaText());
  assert.equal(
    fs.readFileSync(path.join(ROOT, POOL_SCHEMA_FILE), "utf8"),
    poolArgsJsonSchemaText(),
  );
});

test("a consuming project with its own namespace wraps the shipped pool schema", () => {
  const poolSchema = JSON.parse(fs.readFileSync(path.join(ROOT, POOL_SCHEMA_FILE), "utf8"));
  const ajv = new Ajv2020({ allErrors: true, strict: false }).addSchema(poolSchema);
  const check = ajv.compile(stackConfigJsonSchema("acme-mail", { $ref: poolSchema.$id }));
  const ours = stack("dev").replace(/^(\s+)msgw:pool:/m, "$1acme-mail:pool:");
  assert.equal(check(parseYaml(ours)), true, JSON.stringify(check.errors));
  // The pool's own rules hold under the other namespace; the msgw: key is someone else's there.
  const typo = ours.replace("mailDomain:", "mailDomian:");
  assert.equal(check(parseYaml(typo)), false);
  assert.deepEqual(
    check.errors?.map((e) => [e.instancePath, e.keyword, e.params]),
    [
      ["/config/acme-mail:pool", "required", { missingProperty: "mailDomain" }],
      ["/config/acme-mail:pool", "additionalProperties", { additionalProperty: "mailDomian" }],
    ],
  );
  const unknown = ours.replace("acme-mail:pool:", "acme-mail:pol:");
  assert.equal(check(parseYaml(unknown)), false);
});

test("aws:region must be a region code in the JSON Schema too", () => {
  assert.deepEqual(
    errorsOf(stack("dev").replace("aws:region: eu-central-1", "aws:region: Frankfurt")),
    ['/config/aws:region must match pattern "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\\d+$"'],
  );
});

test("the package ships the JSON Schema and both example stacks reference it", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  for (const file of [STACK_SCHEMA_FILE, POOL_SCHEMA_FILE]) {
    assert.ok(pkg.files.includes(file), file);
    assert.equal(pkg.exports[`./${file}`], `./${file}`);
  }
  for (const name of ["dev", "prod"]) {
    assert.equal(
      stack(name).split("\n")[0],
      "# yaml-language-server: $schema=../schema/stack-config.schema.json",
    );
  }
});

test("each argument's TSDoc (summary and default) is its description, shown by editors on hover", () => {
  const pool = JSON.parse(committed).properties.config.properties["msgw:pool"];
  assert.equal(
    pool.properties.mx.properties.ttl.description,
    "TTL of the MX records, seconds: 1 (automatic) or 60–86400. Default: 300",
  );
  assert.equal(
    pool.properties.hosts.items.properties.existing.properties.allowPrivateAddress.description,
    "Publish an A record for a non-public `address` (10.0.0.5, 192.168.1.20, …), for a split-horizon setup where only internal senders and MailStore Server resolve the name. Default: false - a non-public address is refused: the public A record would point nowhere",
  );
});

test("dev and prod validate against the JSON Schema", () => {
  assert.deepEqual(errorsOf(stack("dev")), []);
  assert.deepEqual(errorsOf(stack("prod")), []);
});

test("a misspelt copy of prod is flagged at each misspelling, as an editor would", () => {
  const misspelt = stack("prod")
    .replace("      strategy: tiered", "      stratgey: tiered")
    .replace("    legacy:\n", "    legasy:\n")
    .replace(
      "        state: standby\n        aws:\n          region: eu-west-1",
      "        state: standby\n        aws:\n          regoin: eu-west-1\n        exisiting:\n          region: eu-west-1",
    )
    .replace("      mode: pool-ca", "      mode: pool_ca");
  assert.deepEqual(errorsOf(misspelt).sort(), [
    "/config/msgw:pool has unknown key legasy",
    "/config/msgw:pool/certificates/mode must be equal to one of the allowed values",
    "/config/msgw:pool/hosts/1 has unknown key exisiting",
    "/config/msgw:pool/hosts/1/aws has unknown key regoin",
    "/config/msgw:pool/mx has unknown key stratgey",
  ]);
  // A misspelt config key of our own namespace is flagged too; other namespaces belong to their owners.
  assert.deepEqual(errorsOf(stack("dev").replace("  msgw:pool:", "  msgw:pol:")), [
    "/config must have required property 'msgw:pool'",
    "/config must NOT be valid",
    "/config property name must be valid",
  ]);
});
