// The `@example` of every argument group in args.ts (what users copy from hovers and the reference):
// each one compiles against its group's type, and each value, placed in an otherwise valid pool, passes
// the component's validation and plans.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { planGatewayPool, validateGatewayPoolArgs, type GatewayPoolArgs } from "../../components";
import {
  ARGS_FILE,
  argumentExamples,
  type GroupExamples,
} from "../../components/gateway-pool/argument-docs";
import { baseArgs } from "../helpers/pool-harness";

const ROOT = path.resolve(__dirname, "../..");
const groups = argumentExamples();

/** One example, split into the key it is written under (none for a bare value) and its value's code. */
interface Example {
  group: GroupExamples;
  index: number;
  label: string | undefined;
  value: string;
}
const name = (e: Example) => `${e.group.group} example ${e.index + 1}`;
const examples: Example[] = groups.flatMap((group) =>
  group.examples.map((code, index) => {
    const m = /^\s*("[^"]*"|[A-Za-z_$][\w$]*)\s*:\s*/.exec(code);
    return {
      group,
      index,
      label: m ? m[1] : undefined,
      value: m ? code.slice(m[0].length) : code,
    };
  }),
);

test("the reader finds every argument group (a broken reader would make the other tests vacuous)", () => {
  const names = groups.map((g) => g.group);
  assert.ok(names.length >= 20, `only ${names.length} groups found: ${names.join(", ")}`);
  for (const n of ["GatewayPoolArgs", "ZoneArgs", "ConfigSyncStoreArgs", "DaneHostKeyArgs"]) {
    assert.ok(names.includes(n), `${n} not found`);
  }
  assert.deepEqual(groups.find((g) => g.group === "GatewayHostArgs")?.places, [
    { path: "hosts", form: "list" },
  ]);
});

test("every argument group has an @example", () => {
  assert.deepEqual(
    groups.filter((g) => g.examples.length === 0).map((g) => g.group),
    [],
  );
});

test("each example is written under the key its group sits at (a bare value only for GatewayPoolArgs)", () => {
  const problems: string[] = [];
  for (const e of examples) {
    const keys = e.group.places.map((p) => p.path.split(".").at(-1)!.replace(/\[\]$/, ""));
    if (keys.length === 0 && e.label !== undefined)
      problems.push(`${name(e)}: a bare value expected, found the key ${e.label}`);
    if (keys.length > 0 && !keys.includes(e.label ?? ""))
      problems.push(`${name(e)}: write it as \`${keys.join("` or `")}: …\`, found ${e.label}`);
  }
  assert.deepEqual(problems, []);
});

/** `const _3: A.AwsHostArgs = …;` with the type of the property the example's key names. */
function typeOf(e: Example): string {
  const form = e.group.places.find((p) => p.path.split(".").at(-1) === e.label)?.form ?? "value";
  const t = `A.${e.group.group}`;
  return form === "list" ? `${t}[]` : form === "map" ? `Record<string, ${t}>` : t;
}

test("every example compiles against its group's type", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-examples-"));
  try {
    const file = path.join(dir, "examples.ts");
    const lines = [`import type * as A from ${JSON.stringify(ARGS_FILE.replace(/\.ts$/, ""))};`];
    const starts: number[] = [];
    examples.forEach((e, i) => {
      starts.push(lines.length + 1); // the example's first line, 0-based, after the `const` line
      lines.push(`const _${i}: ${typeOf(e)} =`, ...`${e.value};`.split("\n"));
    });
    fs.writeFileSync(file, `${lines.join("\n")}\n`);

    const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), (f) => ts.sys.readFile(f));
    const { options } = ts.parseJsonConfigFileContent(
      config.config,
      ts.sys,
      ROOT,
      undefined,
      path.join(ROOT, "tsconfig.json"),
    );
    const program = ts.createProgram([file], {
      ...options,
      noEmit: true,
      declaration: false,
      noUnusedLocals: false,
      rootDir: undefined, // the generated file lives outside the project
    });
    const source = program.getSourceFile(file)!;
    const problems = ts.getPreEmitDiagnostics(program, source).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (d.file !== source || d.start === undefined) return text;
      const line = source.getLineAndCharacterOfPosition(d.start).line;
      const i = starts.filter((s) => s - 1 <= line).length - 1;
      if (i < 0) return text;
      return `${name(examples[i])} (line ${Math.max(1, line - starts[i] + 1)}): ${text}`;
    });
    assert.deepEqual(problems, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** An example's value, as the program would see it (TypeScript transpiled, then run). */
function valueOf(e: Example): unknown {
  const js = ts.transpileModule(`module.exports = (\n${e.value}\n);`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const module = { exports: undefined as unknown };
  new Function("module", js)(module);
  return module.exports;
}

const MSGW1 = { hostname: "msgw1.example.com" };
/* eslint-disable @typescript-eslint/no-explicit-any -- each placement takes the example's value as is */
/**
 * Each nested group's value in an otherwise valid pool (baseArgs: two AWS hosts, a pool CA); a group at
 * the top level is placed under its key. A group needing company is given the smallest valid one.
 */
const PLACE: Record<string, (value: any) => GatewayPoolArgs> = {
  GatewayPoolArgs: (args) => args,
  GatewayHostArgs: (hosts) => baseArgs({ hosts }),
  AwsHostArgs: (aws) => baseArgs({ hosts: [{ ...MSGW1, aws }, { hostname: "msgw2.example.com" }] }),
  ExistingHostArgs: (existing) =>
    baseArgs({ hosts: [MSGW1, { hostname: "msgw2.example.com", existing }] }),
  // A linux machine must name its data directory with its commands.
  ServiceControlArgs: (serviceControl) =>
    baseArgs({
      hosts: [
        MSGW1,
        {
          hostname: "msgw2.example.com",
          existing: {
            address: "203.0.113.20",
            platform: "linux",
            dataDirectory: "/var/lib/msgw",
            serviceControl,
          },
        },
      ],
    }),
  PoolCaArgs: (ca) => baseArgs({ certificates: { mode: "pool-ca", ca } }),
  GatewayPortsArgs: (ports) => baseArgs({ gateway: { ports } }),
  ConfigSyncStoreArgs: (store) => baseArgs({ configSync: { revision: 1, store } }),
  DaneHostKeyArgs: (keys) => baseArgs({ dane: { enabled: true, keys } }),
};
/* eslint-enable @typescript-eslint/no-explicit-any */
const placed = (e: Example): GatewayPoolArgs => {
  const place = PLACE[e.group.group];
  if (place !== undefined) return place(valueOf(e));
  const [top] = e.group.places;
  assert.ok(
    top !== undefined && !/[.[]/.test(top.path),
    `${name(e)}: add a placement for ${e.group.group} (${top?.path}) to PLACE`,
  );
  return baseArgs({ [top.path]: valueOf(e) });
};

test("every example, placed in an otherwise valid pool, passes validation and plans", () => {
  const problems: string[] = [];
  for (const e of examples) {
    const args = placed(e);
    const found = validateGatewayPoolArgs(args);
    if (found.length > 0) {
      problems.push(...found.map((p) => `${name(e)}: ${p}`));
      continue;
    }
    try {
      planGatewayPool(args);
    } catch (err) {
      problems.push(`${name(e)}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(problems, []);
});
