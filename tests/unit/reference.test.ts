// docs/reference.md is what the code generates (npm run docs:reference): resources from the offline plan of
// a representative pool, arguments from the schema and its TSDoc, outputs, CLI options, cost at the defaults.
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { REFERENCE_FILE, renderReference } from "../../tools/reference";
import { argumentRows, typeOf } from "../../tools/reference/arguments";
import { renderCli } from "../../tools/reference/cli";
import { costLines, renderCost } from "../../tools/reference/cost";
import { iamPolicy, unmappedTypes } from "../../tools/reference/iam";
import { namePattern, resourceRows, type PoolParts } from "../../tools/reference/resources";
import type { PlannedResource } from "../../tools/offline-plan";

const ROOT = path.resolve(__dirname, "..", "..");

test("the committed docs/reference.md is what npm run docs:reference generates", async () => {
  const committed = fs.readFileSync(path.join(ROOT, REFERENCE_FILE), "utf8");
  const generated = await renderReference();
  assert.equal(committed, generated, "docs/reference.md is stale: run npm run docs:reference");
});

test("the README links the reference", () => {
  assert.match(
    fs.readFileSync(path.join(ROOT, "README.md"), "utf8"),
    /\(docs\/reference\.md(#[a-z-]+)?\)/,
  );
});

const parts: PoolParts = {
  pool: "journal",
  hosts: { msgw1: "aws", "msgw3-dc2": "existing", msgw3: "aws" },
  legacy: "msgw",
  regions: ["eu-west-1"],
};

describe("resource names become patterns", () => {
  it("replaces the pool, host, legacy, region and CIDR parts", () => {
    assert.deepEqual(namePattern("journal", parts), { name: "<pool>" });
    assert.deepEqual(namePattern("journal-msgw3-dc2-a", parts), {
      name: "<pool>-<host>-a",
      host: "msgw3-dc2",
    });
    assert.deepEqual(namePattern("journal-mx-msgw1", parts), {
      name: "<pool>-mx-<host>",
      host: "msgw1",
    });
    assert.deepEqual(namePattern("journal-msgw1-in-smtp-0-0-0-0-0", parts), {
      name: "<pool>-<host>-in-smtp-<cidr>",
      host: "msgw1",
    });
    assert.deepEqual(namePattern("journal-legacy-msgw-a", parts), {
      name: "<pool>-legacy-<legacy>-a",
      legacy: true,
    });
    assert.deepEqual(namePattern("journal-backup-eu-west-1", parts), {
      name: "<pool>-backup-<region>",
      region: "eu-west-1",
    });
  });

  it("says for which hosts a pattern exists", () => {
    const r = (name: string, type = "t:x"): PlannedResource => ({
      urn: name,
      type,
      name,
      parent: undefined,
      dependencies: [],
      inputs: {},
      options: name.endsWith("-data") ? { protect: true, retainOnDelete: true } : {},
    });
    const rows = resourceRows(
      [
        r("journal-msgw1-a"),
        r("journal-msgw3-dc2-a"),
        r("journal-msgw3-a"),
        r("journal-msgw1-data"),
        r("journal-msgw3-data"),
        r("journal-ca"),
      ],
      parts,
    );
    assert.deepEqual(
      rows.map((x) => [x.per, x.name, x.options]),
      [
        ["every host", "<pool>-<host>-a", ""],
        ["AWS host", "<pool>-<host>-data", "protect; retainOnDelete"],
        ["pool", "<pool>-ca", ""],
      ],
    );
  });
});

test("argument types carry ranges, enums, unions and required-ness", () => {
  assert.equal(typeOf({ type: "integer", minimum: 0, maximum: 65535 }), "integer 0–65535");
  assert.equal(typeOf({ enum: ["a", "b"] }), '`"a"` or `"b"`');
  assert.equal(
    typeOf({
      anyOf: [
        { type: "integer", minimum: 1, maximum: 65535 },
        { type: "boolean", const: false },
      ],
    }),
    "integer 1–65535 or `false`",
  );
  assert.deepEqual(
    argumentRows({
      type: "object",
      properties: {
        a: { type: "string", maxLength: 9, description: "The a. Default: x" },
        b: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            properties: { c: { type: "boolean", description: "Default: false" } },
          },
        },
      },
      required: ["b"],
    }),
    [
      { path: "a", type: "string (≤ 9 characters)", default: "x", description: "The a." },
      { path: "b", type: "list of object (≥ 1)", default: "required", description: "" },
      { path: "b[].c", type: "boolean", default: "false", description: "" },
    ],
  );
});

test("the CLI section lists every command and option from the parser", () => {
  const program = new Command("tool").description("does things");
  program
    .command("run")
    .description("runs /opt/pkg/docs/x.md")
    .option("--fast <n>", "how fast", "3");
  assert.equal(
    renderCli(program, "/opt/pkg"),
    [
      "### `tool`",
      "",
      "does things",
      "",
      "```",
      "tool [options] [command]",
      "```",
      "",
      "### `tool run`",
      "",
      "runs `<package>/docs/x.md`",
      "",
      "```",
      "tool run [options]",
      "```",
      "",
      "| option | meaning | default |",
      "| --- | --- | --- |",
      '| `--fast <n>` | how fast | `"3"` |',
    ].join("\n"),
  );
});

test("the cost table multiplies the defaults by the prices and the per-host counts of the plan", () => {
  const r = (type: string): PlannedResource => ({
    urn: type,
    type,
    name: type,
    parent: undefined,
    dependencies: [],
    inputs: {},
    options: {},
  });
  const resources = [
    ...[
      "aws:ec2/instance:Instance",
      "aws:ebs/volume:Volume",
      "aws:ec2/eip:Eip",
      "aws:kms/key:Key",
    ].flatMap((t) => [r(t), r(t)]),
    ...Array.from({ length: 4 }, () => r("aws:cloudwatch/metricAlarm:MetricAlarm")),
  ];
  const lines = costLines(resources, 2);
  assert.deepEqual(
    lines.map((l) => [l.item, l.perHost, Number(l.monthlyPerHost.toFixed(2))]),
    [
      ["EC2 instance t3.medium, Windows", 1, 43.8],
      ["root volume, gp3 60 GiB", 1, 4.8],
      ["mail data volume, gp3 100 GiB", 1, 8],
      ["data volume snapshots (14 kept, every 24 h)", 14, 5],
      ["Elastic IP (public IPv4)", 1, 3.65],
      ["KMS key (SSH host key parameter)", 1, 1],
      ["CloudWatch alarms", 2, 0.2],
    ],
  );
  assert.match(
    renderCost(lines, 2),
    /\| \*\*total\*\* \| – \| – \| \*\*\$66\.45\*\* \| \*\*\$132\.90\*\* \| – \|/,
  );
});

test("the IAM policy covers each AWS resource type; an unmapped type is named", () => {
  const r = (type: string): PlannedResource => ({
    urn: type,
    type,
    name: type,
    parent: undefined,
    dependencies: [],
    inputs: {},
    options: {},
  });
  assert.deepEqual(
    unmappedTypes([
      r("aws:ec2/eip:Eip"),
      r("aws:rds/instance:Instance"),
      r("tls:index/privateKey:PrivateKey"),
    ]),
    ["aws:rds/instance:Instance"],
  );
  const policy = iamPolicy([r("aws:ec2/eip:Eip")]) as {
    Statement: { Sid: string; Action: string[] }[];
  };
  assert.deepEqual(
    policy.Statement.map((s) => s.Sid),
    ["MsgwEc2", "MsgwIam", "MsgwS3", "MsgwSts"],
  );
  assert.ok(policy.Statement[0].Action.includes("ec2:AllocateAddress"));
});
