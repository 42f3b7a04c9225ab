// Stack files read as the Pulumi CLI (gopkg.in/yaml.v3) reads them; ambiguous values, unknown keys and a
// region that is not one refused with the key, the value and the fix. The same files through the real CLI:
// tests/engine/stack-file-yaml.test.ts.
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  readStackFile,
  StackFileError,
  stackConfigProblems,
  AWS_REGION,
} from "../../components/stack-file";

const read = (yaml: string) => readStackFile(yaml, "Pulumi.t.yaml", "msgw");
const problems = (yaml: string): readonly string[] => {
  try {
    read(yaml);
  } catch (err) {
    assert.ok(err instanceof StackFileError);
    return err.problems;
  }
  assert.fail("expected a StackFileError");
};

describe("values the CLI and a YAML 1.2 reader agree on", () => {
  it("passes scalars as their text, objects as JSON, empty as the empty string", () => {
    const { config, secureKeys } = read(
      [
        "config:",
        "  aws:region: eu-central-1",
        "  msgw:hex: 0x1F",
        "  msgw:oct: 0o17",
        "  msgw:float: 1.0",
        "  msgw:bool: True",
        "  msgw:time: '1:00'",
        "  msgw:empty:",
        "  poolName: journal",
        "  msgw:secret: { secure: v1:abc }",
        "  msgw:obj: { a: 1e3, b: .5, c: ~, d: '010', e: 'yes', f: -7 }",
      ].join("\n"),
    );
    assert.deepEqual(config, {
      "aws:region": "eu-central-1",
      "msgw:hex": "31",
      "msgw:oct": "15",
      "msgw:float": "1",
      "msgw:bool": "true",
      "msgw:time": "1:00",
      "msgw:empty": "",
      "msgw:poolName": "journal",
      "msgw:secret": "v1:abc",
      "msgw:obj": '{"a":1000,"b":0.5,"c":null,"d":"010","e":"yes","f":-7}',
    });
    assert.deepEqual(secureKeys, ["msgw:secret"]);
  });

  it("applies merge keys (first map wins in a list, explicit keys win) and aliases", () => {
    const { config } = read(
      [
        "config:",
        "  msgw:obj:",
        "    base: &b { a: 1, t: x }",
        "    merged:",
        "      <<: *b",
        "      a: 7",
        "    list:",
        "      <<: [{ a: 1 }, { a: 2, b: 3 }]",
        "      c: '<<'",
        "    alias: *b",
      ].join("\n"),
    );
    assert.deepEqual(JSON.parse(config["msgw:obj"]), {
      base: { a: 1, t: "x" },
      merged: { a: 7, t: "x" },
      list: { a: 1, b: 3, c: "<<" },
      alias: { a: 1, t: "x" },
    });
  });
});

describe("values read differently by the CLI: refused with the path, the value and the fix", () => {
  const cases: [string, string, string][] = [
    [
      "mxPriority: 010",
      "010",
      "config.msgw:pool.mxPriority (line 3:17) 010 is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads octal 8; write the number without leading zeros, or quote it for text",
    ],
    [
      "ttl: 1_000",
      "1_000",
      "config.msgw:pool.ttl (line 3:10) 1_000 is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads the number 1000; write the number without underscores, or quote it for text",
    ],
    [
      "ttl: 0b101",
      "0b101",
      "config.msgw:pool.ttl (line 3:10) 0b101 is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads binary 5; write the number in decimal, or quote it for text",
    ],
    [
      "since: 2026-01-01",
      "date",
      "config.msgw:pool.since (line 3:12) 2026-01-01 is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads a timestamp (passed on as e.g. 2026-01-01 00:00:00 +0000 UTC); quote it",
    ],
    [
      "tags: { Backup: yes }",
      "yes",
      "config.msgw:pool.tags.Backup (line 3:21) yes is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads the string, not a boolean (YAML 1.1 readers make it a boolean); write true or false for a boolean, or quote it for text",
    ],
    [
      "window: 1:00",
      "1:00",
      "config.msgw:pool.window (line 3:13) 1:00 is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads the string, not a number (YAML 1.1 readers make it base 60); quote it for text, or write the number in decimal",
    ],
    [
      "ttl: .inf",
      ".inf",
      "config.msgw:pool.ttl (line 3:10) .inf is ambiguous: the Pulumi CLI (gopkg.in/yaml.v3) reads a non-finite number, which the CLI cannot pass on (json: unsupported value); write a finite number, or quote it for text",
    ],
    [
      "id: 9007199254740993",
      "2^53",
      "config.msgw:pool.id (line 3:9) 9007199254740993 is beyond 2^53 and would lose digits; quote it for text",
    ],
    [
      "hosts: [{ a: 1, a: 2 }]",
      "duplicate",
      "config.msgw:pool.hosts[0].a (line 3:21) is defined twice (first at line 3:15); the Pulumi CLI refuses the file: keep one",
    ],
  ];
  for (const [line, name, message] of cases) {
    it(name, () => {
      assert.deepEqual(problems(["config:", "  msgw:pool:", `    ${line}`].join("\n")), [message]);
    });
  }

  it("refuses invalid YAML and a file that is not a mapping", () => {
    assert.match(problems("config: [")[0], /^not valid YAML \(/);
    assert.deepEqual(problems("- a"), [
      "the file must be a mapping (secretsprovider:, config:, …)",
    ]);
  });

  it("accepts the quoted forms of every refused value", () => {
    const { config } = read(
      "config:\n  msgw:pool: { a: '010', b: '1_000', c: '2026-01-01', d: 'yes', e: '1:00', f: 10 }\n",
    );
    assert.deepEqual(JSON.parse(config["msgw:pool"]), {
      a: "010",
      b: "1_000",
      c: "2026-01-01",
      d: "yes",
      e: "1:00",
      f: 10,
    });
  });
});

describe("top-level keys", () => {
  it("names unknown msgw: keys with the closest known key", () => {
    assert.deepEqual(
      stackConfigProblems({
        "msgw:pol": "{}",
        "msgw:poolname": "x",
        "msgw:completelydifferent": "1",
        "aws:profile": "p",
        "cloudflare:apiToken": "t",
      }),
      [
        "msgw:completelydifferent is not a configuration key of this stack; the keys are msgw:pool, msgw:poolName",
        "msgw:pol is not a configuration key of this stack; did you mean msgw:pool?",
        "msgw:poolname is not a configuration key of this stack; did you mean msgw:poolName?",
      ],
    );
  });

  it("wants an AWS region code in aws:region", () => {
    assert.deepEqual(stackConfigProblems({ "aws:region": "Frankfurt" }), [
      'aws:region "Frankfurt" is not an AWS region code (AWS General Reference, "AWS Regions"); give the code, e.g. eu-central-1 for Frankfurt or us-east-1 for N. Virginia',
    ]);
    for (const r of ["us-east-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"])
      assert.ok(AWS_REGION.test(r), r);
    for (const r of ["eu-central", "EU-CENTRAL-1", "eu-central-1a", "Frankfurt"])
      assert.ok(!AWS_REGION.test(r), r);
  });
});

test("npm run plan: a misspelt top-level key exits 2 within 10 s with a suggestion", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-plan-keys-"));
  try {
    fs.copyFileSync(
      path.join(__dirname, "..", "..", "Pulumi.yaml"),
      path.join(root, "Pulumi.yaml"),
    );
    fs.mkdirSync(path.join(root, "stacks"));
    // The key check comes before the program starts: this one must never run.
    fs.writeFileSync(path.join(root, "stacks", "index.ts"), 'throw new Error("not reached");\n');
    const dev = fs.readFileSync(
      path.join(__dirname, "..", "..", "stacks", "Pulumi.dev.yaml"),
      "utf8",
    );
    fs.writeFileSync(
      path.join(root, "stacks", "Pulumi.typo.yaml"),
      dev
        .replace("msgw:pool:", "msgw:pol:")
        .replace("aws:region: eu-central-1", "aws:region: Frankfurt"),
    );
    const started = Date.now();
    const run = spawnSync(
      path.join(__dirname, "..", "..", "node_modules", ".bin", "tsx"),
      [path.join(__dirname, "..", "..", "tools", "plan.ts"), "--stack", "typo"],
      { encoding: "utf8", timeout: 30_000, env: { ...process.env, MSGW_PLAN_ROOT: root } },
    );
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr,
      [
        "plan: stacks/Pulumi.typo.yaml: msgw:pol is not a configuration key of this stack; did you mean msgw:pool?",
        'stacks/Pulumi.typo.yaml: aws:region "Frankfurt" is not an AWS region code (AWS General Reference, "AWS Regions"); give the code, e.g. eu-central-1 for Frankfurt or us-east-1 for N. Virginia',
        "",
      ].join("\n"),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
