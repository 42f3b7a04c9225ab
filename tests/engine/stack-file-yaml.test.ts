/**
 * Stack files through the real Pulumi CLI and through the offline plan's reader: for each class of YAML
 * value the two read differently in principle (octal-looking and sexagesimal numbers, YAML 1.1 booleans,
 * merge keys, duplicate keys, anchors, underscores, binary, dates, non-finite numbers), the value
 * `pulumi config --json` reports is the value the plan passes to the program, or the plan refuses it and
 * the CLI's reading is the one the refusal message names. Then a misspelt key under `pulumi preview`.
 * Needs the CLI from `npm run engine:setup`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackFile, StackFileError } from "../../components/stack-file";
import { World } from "./lib/world";

/** One class: the YAML of `msgw:probe`'s value (or a whole config block), what the CLI reads. */
interface Case {
  name: string;
  /** Lines under `config:` (indented by two). */
  config: string[];
  /** The CLI's value of msgw:probe (`pulumi config --json` .value), or its error's text. */
  cli: { value: string } | { error: RegExp };
  /** Whether the plan refuses the file (with this text in a problem). */
  planRefuses?: RegExp;
}

const CASES: Case[] = [
  {
    name: "octal-looking number 010",
    config: ["msgw:probe: { mxPriority: 010 }"],
    cli: { value: '{"mxPriority":8}' },
    planRefuses: /010 is ambiguous: the Pulumi CLI \(gopkg\.in\/yaml\.v3\) reads octal 8/,
  },
  {
    name: "octal-looking top-level value",
    config: ["msgw:probe: -010"],
    cli: { value: "-8" },
    planRefuses: /-010 is ambiguous: the Pulumi CLI \(gopkg\.in\/yaml\.v3\) reads octal/,
  },
  {
    name: "sexagesimal 1:00",
    config: ["msgw:probe: { startTime: 1:00 }"],
    cli: { value: '{"startTime":"1:00"}' },
    planRefuses: /1:00 is ambiguous: .* reads the string, not a number/,
  },
  {
    name: "YAML 1.1 boolean yes",
    config: ["msgw:probe: { tags: { Backup: yes } }"],
    cli: { value: '{"tags":{"Backup":"yes"}}' },
    planRefuses: /yes is ambiguous: .* reads the string, not a boolean/,
  },
  {
    name: "YAML 1.1 boolean On (top level)",
    config: ["msgw:probe: On"],
    cli: { value: "On" },
    planRefuses: /On is ambiguous/,
  },
  {
    name: "underscores 1_000",
    config: ["msgw:probe: { ttl: 1_000 }"],
    cli: { value: '{"ttl":1000}' },
    planRefuses: /1_000 is ambiguous: .* reads the number 1000/,
  },
  {
    name: "binary 0b101",
    config: ["msgw:probe: { ttl: 0b101 }"],
    cli: { value: '{"ttl":5}' },
    planRefuses: /0b101 is ambiguous: .* reads binary 5/,
  },
  {
    name: "unquoted date",
    config: ["msgw:probe: { since: 2026-01-01 }"],
    cli: { value: '{"since":"2026-01-01 00:00:00 +0000 UTC"}' },
    planRefuses: /2026-01-01 is ambiguous: .* reads a timestamp/,
  },
  {
    name: "non-finite .inf",
    config: ["msgw:probe: { ttl: .inf }"],
    cli: { error: /json: unsupported value: \+Inf/ },
    planRefuses: /\.inf is ambiguous/,
  },
  {
    name: "duplicate keys",
    config: ["msgw:probe: { a: 1, a: 2 }"],
    cli: { error: /mapping key "a" already defined/ },
    planRefuses: /is defined twice/,
  },
  {
    name: "duplicate merge keys",
    config: ["msgw:probe:", "    <<: { a: 1 }", "    <<: { b: 1 }"],
    cli: { error: /mapping key "<<" already defined/ },
    planRefuses: /<< .*is defined twice/,
  },
  {
    name: "merge keys and aliases",
    config: [
      "msgw:base: &b { a: 1, t: x }",
      "msgw:probe:",
      "    merged: { <<: *b, a: 7 }",
      "    list: { <<: [{ a: 1 }, { a: 2, b: 3 }], c: '<<' }",
      "    alias: *b",
    ],
    cli: {
      value: '{"alias":{"a":1,"t":"x"},"list":{"a":1,"b":3,"c":"<<"},"merged":{"a":7,"t":"x"}}',
    },
  },
  {
    name: "values both read alike",
    config: [
      "msgw:probe: { hex: 0x1F, oct: 0o17, f: 1.0, e: 1e3, t: True, nil: ~, s: '010', quoted: 'yes', d: '2026-01-01' }",
    ],
    cli: {
      value:
        '{"d":"2026-01-01","e":1000,"f":1,"hex":31,"nil":null,"oct":15,"quoted":"yes","s":"010","t":true}',
    },
  },
  {
    name: "empty top-level value",
    config: ["msgw:probe:"],
    cli: { value: "" },
  },
];

/** Keys sorted, as Go's encoding/json writes maps, so the two JSON texts compare as text. */
const canonical = (text: string): string => {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
};

describe("stack files: the real Pulumi CLI and the offline plan agree, or the plan refuses", () => {
  let w: World;
  before(async () => {
    w = await World.create();
  });
  after(() => w?.cleanup());

  CASES.forEach((c, i) => {
    it(c.name, () => {
      const stack = `yaml${i}`;
      w.ok(["stack", "init", stack]);
      const file = path.join(w.project, "stacks", `Pulumi.${stack}.yaml`);
      // Keep what `stack init` wrote (the passphrase's encryption salt), then the case's config.
      const salt = fs.existsSync(file)
        ? fs
            .readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l.startsWith("encryptionsalt:"))
        : [];
      const text = [...salt, "config:", ...c.config.map((l) => `  ${l}`), ""].join("\n");
      fs.writeFileSync(file, text);

      const run = w.pulumi(["config", "--json", "--stack", stack]);
      if ("value" in c.cli) {
        assert.equal(run.code, 0, run.stderr);
        const cli = JSON.parse(run.stdout) as Record<string, { value: string }>;
        assert.equal(canonical(cli["msgw:probe"].value), canonical(c.cli.value));
      } else {
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, c.cli.error);
      }

      let plan: Record<string, string> | undefined;
      let refused: readonly string[] = [];
      try {
        plan = readStackFile(text, file, "msgw").config;
      } catch (err) {
        assert.ok(err instanceof StackFileError, String(err));
        refused = err.problems;
      }
      if (c.planRefuses !== undefined) {
        assert.equal(plan, undefined, "the plan accepted a value the CLI reads differently");
        assert.ok(
          refused.some((p) => c.planRefuses?.test(p)),
          refused.join("\n"),
        );
      } else {
        assert.deepEqual(refused, []);
        assert.ok("value" in c.cli);
        assert.equal(canonical(plan?.["msgw:probe"] ?? "<missing>"), canonical(c.cli.value));
      }
    });
  });

  it("pulumi preview refuses a misspelt msgw: key with the closest key, before any resource", () => {
    w.ok(["stack", "init", "typo"]);
    const dev = fs.readFileSync(path.join(w.project, "stacks", "Pulumi.dev.yaml"), "utf8");
    const file = path.join(w.project, "stacks", "Pulumi.typo.yaml");
    const salt = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("encryptionsalt:"));
    fs.writeFileSync(
      file,
      [...salt, dev.replace("msgw:pool:", "msgw:pol:").replace(/^#.*\n/gm, "")].join("\n"),
    );
    const run = w.pulumi(["preview", "--stack", "typo"]);
    assert.notEqual(run.code, 0);
    assert.match(
      run.stdout + run.stderr,
      /msgw:pol is not a configuration key of this stack; did you mean msgw:pool\?/,
    );
    assert.doesNotMatch(run.stdout + run.stderr, /Missing required configuration/);
  });
});
