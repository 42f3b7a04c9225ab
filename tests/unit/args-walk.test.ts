// The walk of `args` (tools/args-walk.ts) on a fixture pool whose stops, files and returns were counted by
// hand: tests/unit/fixtures/args-walk/.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { formatArgsWalk, walkArgs } from "../../tools/args-walk";

const FIXTURE = path.join(__dirname, "fixtures", "args-walk");

test("walkArgs: stops in walk order with their reads, files, returns and the importers of args.ts", () => {
  const walk = walkArgs({ root: FIXTURE });
  assert.deepEqual(walk, {
    stops: [
      // args.zone, args.hosts.map, args.tags?.owner, args.tags
      {
        file: "components/gateway-pool/gateway-pool.ts",
        line: 12,
        name: "GatewayPool.constructor",
        reads: 4,
      },
      // args.hosts, args.zone.name, hosts.map, h.hostname
      { file: "components/gateway-pool/plan.ts", line: 10, name: "planPool", reads: 4 },
      // Called twice from planPool and again from label: one stop.
      { file: "components/gateway-pool/names.ts", line: 2, name: "normalize", reads: 1 },
      {
        file: "components/gateway-pool/host.ts",
        line: 8,
        name: "ZoneRecord.constructor",
        reads: 2,
      },
      // input.host and input.host.hostname; input.name and input.zoneId are not derived from args.
      { file: "components/gateway-pool/host.ts", line: 13, name: "createHost", reads: 2 },
      { file: "components/gateway-pool/plan.ts", line: 15, name: "sizeOf", reads: 1 },
      { file: "components/gateway-pool/names.ts", line: 6, name: "label", reads: 0 },
    ],
    stopCount: 7,
    fileCount: 4,
    // gateway-pool -> plan -> names -> gateway-pool (1) -> host -> gateway-pool (2) -> host (3)
    // -> plan (4) -> gateway-pool (5) -> names (6)
    returns: 6,
    // stacks/index.ts imports args.ts too, but is not under components/.
    argsTypeImporters: [
      { file: "components/gateway-pool/gateway-pool.ts", names: ["GatewayPoolArgs"] },
      { file: "components/gateway-pool/host.ts", names: ["GatewayPoolArgs", "HostArgs"] },
      { file: "components/gateway-pool/plan.ts", names: ["GatewayPoolArgs", "HostArgs"] },
      { file: "components/index.ts", names: ["export GatewayPoolArgs"] },
    ],
  });
  assert.equal(
    formatArgsWalk(walk),
    [
      "  1. components/gateway-pool/gateway-pool.ts:12 GatewayPool.constructor (4 reads)",
      "  2. components/gateway-pool/plan.ts:10 planPool (4 reads)",
      "  3. components/gateway-pool/names.ts:2 normalize (1 read)",
      "  4. components/gateway-pool/host.ts:8 ZoneRecord.constructor (2 reads)",
      "  5. components/gateway-pool/host.ts:13 createHost (2 reads)",
      "  6. components/gateway-pool/plan.ts:15 sizeOf (1 read)",
      "  7. components/gateway-pool/names.ts:6 label",
      "",
      "stops: 7  files: 4  returns: 6",
      "",
      "files under components/ that read a type from args.ts: 4",
      "  components/gateway-pool/gateway-pool.ts (GatewayPoolArgs)",
      "  components/gateway-pool/host.ts (GatewayPoolArgs, HostArgs)",
      "  components/gateway-pool/plan.ts (GatewayPoolArgs, HostArgs)",
      "  components/index.ts (export GatewayPoolArgs)",
      "",
    ].join("\n"),
  );
});

test("walkArgs: no such class in the entry file is an error that names both", () => {
  assert.throws(() => walkArgs({ root: FIXTURE, className: "NoSuchPool" }), {
    message:
      "args-walk: no constructor of class NoSuchPool in components/gateway-pool/gateway-pool.ts",
  });
});

test("walkArgs: an entry file outside the program is an error that names the tsconfig", () => {
  assert.throws(() => walkArgs({ root: FIXTURE, entry: "components/pool.ts" }), {
    message: "args-walk: components/pool.ts is not part of the program of tsconfig.json",
  });
});

test("this repository: args stops at validation and planning, and only they (and the public surface) read args.ts types", () => {
  const walk = walkArgs({ root: path.join(__dirname, "..", "..") });
  // Every stop is the constructor's own validate-and-plan step, validation, planning or a schema rule:
  // nothing under resources/ (nor outputs) ever receives a raw argument.
  const outside = walk.stops
    .map((s) => s.file)
    .filter(
      (f) =>
        !/^components\/gateway-pool\/(plan\/|validate\.ts$|gateway-pool\.ts$)/.test(f) &&
        !f.startsWith("components/schema/"),
    );
  assert.deepEqual(outside, []);
  assert.deepEqual(
    walk.stops
      .filter((s) => s.file === "components/gateway-pool/gateway-pool.ts")
      .map((s) => s.name),
    ["GatewayPool.constructor", "GatewayPool.validateAndPlan"],
  );
  // Readers of args.ts types beside the schema, validation and planning: the component's signature
  // (GatewayPoolArgs), the public re-exports and msgw preflight, which plans its own checks from the
  // stack's arguments.
  const allowed =
    /^components\/(gateway-pool\/(plan\/.*|args|validate|pool-rules|dane-rules|json-schema|gateway-pool)\.ts|index\.ts|preflight\/(index|plan)\.ts)$/;
  assert.deepEqual(
    walk.argsTypeImporters.map((i) => i.file).filter((f) => !allowed.test(f)),
    [],
  );
  assert.deepEqual(
    walk.argsTypeImporters.find((i) => i.file === "components/gateway-pool/gateway-pool.ts")?.names,
    ["GatewayPoolArgs"],
  );
});
