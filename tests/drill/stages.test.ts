/** The drill's pure parts: the stage table, the stack config per stage, the records, the figures. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { planGatewayPool, renderZoneFile, type GatewayPoolArgs } from "../../components";
import { engineErrors, engineSummary, stageRecords, zoneFragment } from "./lib/drivers";
import { tallyDrill } from "./lib/figures";
import {
  changesOutside,
  countsFromSummary,
  drillStages,
  hostKey,
  poolConfig,
  poolHasArgument,
  type LabFacts,
} from "./lib/stages";
import { ED25519_KEY_B as KEY } from "../lab/fixtures";

const facts: LabFacts = {
  zoneName: "example.test",
  mailDomain: "msgw.example.test",
  legacy: { hostname: "msgw.example.test", address: "10.232.200.10", hostKey: KEY },
  hosts: [
    { hostname: "msgw1.example.test", address: "10.232.200.11", hostKey: KEY },
    { hostname: "msgw2.example.test", address: "10.232.200.12", hostKey: KEY },
  ],
  operatorCidr: "10.232.200.1/32",
  sshPrivateKeyPath: "/tmp/k",
  backupDirectory: "/tmp/store",
  dataDirectory: "/etc/msgw-gateway/data",
  serviceScript: "/etc/msgw-gateway/service.sh",
};
const stage = (id: string) => {
  const s = drillStages(facts).find((x) => x.id === id);
  if (!s) throw new Error(`no stage ${id}`);
  return s;
};

test("the stages follow prod's documented migration (0 to 6b), then a change, a removal and the destroy", () => {
  assert.deepEqual(
    drillStages(facts).map((s) => s.id),
    ["0", "1", "2", "3", "4", "5", "6a", "6b", "7a", "7b", "8"],
  );
});

test("the journey as stacks/Pulumi.prod.yaml documents it: standby first, one host promoted per up, tiered", () => {
  const states = drillStages(facts).map((s) => [
    s.id,
    s.hosts.map((h) => `${h.index}:${h.state}`).join(" "),
    s.strategy,
    s.legacy,
    s.revision ?? null,
  ]);
  assert.deepEqual(states.slice(1, 8), [
    ["1", "0:standby 1:standby", "tiered", "migrating", 1],
    ["2", "0:standby 1:standby", "tiered", "migrating", 1],
    ["3", "0:active 1:standby", "tiered", "migrating", 1],
    ["4", "0:active 1:active", "tiered", "migrating", 1],
    ["5", "0:active 1:active", "tiered", "migrating", 2],
    ["6a", "0:active 1:active", "tiered", "retired", 2],
    ["6b", "0:active 1:active", "tiered", "removed", 2],
  ]);
  // No stage publishes an MX record for a host that was standby in the stage before (checked by
  // hand in stage 2 first), and no stage promotes two hosts at once.
  const stages = drillStages(facts);
  for (let i = 1; i < stages.length; i++) {
    const before = new Map(stages[i - 1].hosts.map((h) => [h.index, h.state]));
    const promoted = stages[i].hosts.filter(
      (h) => h.state === "active" && before.get(h.index) !== "active",
    );
    assert.ok(promoted.length <= 1, `stage ${stages[i].id} promotes ${promoted.length} hosts`);
    for (const h of promoted) {
      assert.equal(before.get(h.index), "standby", `stage ${stages[i].id}`);
      assert.ok(
        Number(stages[i].id) >= 3,
        `stage ${stages[i].id} promotes before the checks of stage 2`,
      );
    }
  }
});

test("every stage's records are exactly what its DNS expectation says", () => {
  for (const s of drillStages(facts)) {
    if (s.id === "0" || s.id === "8") continue;
    const records = stageRecords(facts, s);
    // Retiring keeps the adopted legacy record in the zone, unmanaged, until deleted by hand.
    if (s.id === "6a")
      records.push({ name: "msgw.example.test", type: "A", content: "10.232.200.10" });
    const a: Record<string, string[]> = {};
    for (const r of records.filter((x) => x.type === "A")) a[r.name] = [r.content];
    const mx = records
      .filter((x) => x.type === "MX")
      .map((r) => `${r.priority} ${r.content}`)
      .sort();
    assert.deepEqual({ a, mx }, { a: s.expect.a, mx: [...s.expect.mx].sort() }, `stage ${s.id}`);
  }
});

test("standby and draining hosts have an A record and no MX record", () => {
  assert.deepEqual(stageRecords(facts, stage("3")), [
    { name: "msgw.example.test", type: "A", content: "10.232.200.10" },
    { name: "msgw1.example.test", type: "A", content: "10.232.200.11" },
    { name: "msgw.example.test", type: "MX", content: "msgw1.example.test", priority: 0 },
    { name: "msgw2.example.test", type: "A", content: "10.232.200.12" },
  ]);
  assert.equal(
    zoneFragment("example.test", stageRecords(facts, stage("7a"))),
    [
      "$ORIGIN example.test.",
      "msgw1 60 IN A 10.232.200.11",
      "msgw2 60 IN A 10.232.200.12",
      "msgw 60 IN MX 10 msgw2.example.test.",
      "",
    ].join("\n"),
  );
});

test("the stack config: no pool in stages 0 and 8; linux existing hosts with pinned keys; replication from stage 1", () => {
  assert.equal(poolConfig(facts, stage("0")), undefined);
  assert.equal(poolConfig(facts, stage("8")), undefined);
  const one = poolConfig(facts, stage("1")) as Record<string, unknown>;
  assert.deepEqual(
    (one.hosts as { hostname: string; state: string }[]).map((h) => [h.hostname, h.state]),
    [
      ["msgw1.example.test", "standby"],
      ["msgw2.example.test", "standby"],
    ],
  );
  assert.deepEqual((one.hosts as unknown[]).slice(0, 1), [
    {
      hostname: "msgw1.example.test",
      state: "standby",
      existing: {
        address: "10.232.200.11",
        allowPrivateAddress: true,
        sshHostKey: KEY,
        sshUser: "root",
        platform: "linux",
        dataDirectory: "/etc/msgw-gateway/data",
        serviceControl: {
          start: "sh /etc/msgw-gateway/service.sh start",
          stop: "sh /etc/msgw-gateway/service.sh stop",
          status: "sh /etc/msgw-gateway/service.sh status",
        },
      },
    },
  ]);
  assert.equal((one.configSync as Record<string, unknown>).revision, 1);
  assert.deepEqual((one.legacy as Record<string, unknown>).phase, "migrating");
  const seven = poolConfig(facts, stage("6a")) as Record<string, unknown>;
  assert.deepEqual(seven.configSync, {
    revision: 2,
    source: "msgw1.example.test",
    sshUser: "root",
    sshPrivateKeyPath: "/tmp/k",
    backupDirectory: "/tmp/store",
    cliCommand: "npx --no-install tsx bin/msgw.ts",
  });
  assert.equal((seven.legacy as Record<string, unknown>).phase, "retired");
  assert.equal("legacy" in (poolConfig(facts, stage("6b")) as Record<string, unknown>), false);
  const withImport = poolConfig({ ...facts, legacyImportId: "zone/rec" }, stage("1")) as Record<
    string,
    Record<string, unknown>
  >;
  assert.equal(withImport.legacy?.importId, "zone/rec");
});

test("counts come from the engine's change summary; replacement steps are not counted twice", () => {
  assert.deepEqual(
    countsFromSummary({
      create: 4,
      same: 10,
      update: 1,
      replace: 2,
      "create-replacement": 2,
      "delete-replaced": 2,
      delete: 3,
    }),
    { created: 4, updated: 1, replaced: 2, deleted: 3 },
  );
  assert.deepEqual(countsFromSummary({ same: 7 }), {
    created: 0,
    updated: 0,
    replaced: 0,
    deleted: 0,
  });
});

test("the tally finds a lost message, a duplicate, and probes apart from journal mail", () => {
  const sent = ["<a>", "<b>", "<c>"].map((messageId, i) => ({
    messageId,
    to: "x",
    stage: i < 2 ? "1" : "2",
    at: 0,
  }));
  const archived = ["<a>", "<a>", "<c>", "<probe>"].map((messageId) => ({
    messageId,
    server: "s",
    mailbox: "m",
    at: 0,
  }));
  const f = tallyDrill({
    driver: "direct",
    windows: [
      { stage: "1", title: "one", from: 0, to: 10 },
      { stage: "2", title: "two", from: 11, to: 20 },
    ],
    sent,
    archived,
    events: [
      { event: "accepted", messageId: "<a>", at: 5, host: "h1" },
      { event: "refused", rcpt: "r", code: 550, at: 15, host: "h2" },
    ],
    probes: new Set(["<probe>"]),
    ups: [{ stage: "2", counts: { created: 1, updated: 0, replaced: 0, deleted: 0 }, wallMs: 9 }],
    bounced: 0,
  });
  assert.deepEqual(
    f.stages.map((s) => [s.stage, s.sent, s.archived, s.lost, s.duplicated, s.refused]),
    [
      ["1", 2, 1, 1, 1, 0],
      ["2", 1, 1, 0, 0, 1],
    ],
  );
  assert.deepEqual(f.stages[0]?.acceptedByHost, { h1: 1, h2: 0 });
  assert.deepEqual(
    { ...f.total, ups: undefined },
    {
      driver: "direct",
      sent: 3,
      archived: 2,
      lost: 1,
      duplicated: 1,
      refused: 1,
      bounced: 0,
      unexpected: 0,
      ups: undefined,
    },
  );
});

test("resource names are attributed to hosts; a change to a host the stage does not concern is reported", () => {
  assert.deepEqual(
    ["msgw.example.test", "msgw1.example.test", "a.b.example.test", "example.test"].map((h) =>
      hostKey(h, "example.test"),
    ),
    ["msgw", "msgw1", "a-b", "@"],
  );
  const keys = ["msgw", "msgw1", "msgw2"];
  const changes = [
    { op: "create", name: "msgw-msgw2-a" },
    { op: "create", name: "msgw-msgw2-tls-key" },
    { op: "update", name: "msgw-mx-msgw1" },
    { op: "delete", name: "msgw-msgw-a" },
    { op: "replace", name: "msgw-config-snapshot" },
    { op: "create", name: "cloudflare" },
  ];
  assert.deepEqual(changesOutside(changes, ["msgw2"], keys), [
    "update msgw-mx-msgw1",
    "delete msgw-msgw-a",
    "replace msgw-config-snapshot",
    "create cloudflare",
  ]);
  assert.deepEqual(changesOutside(changes, ["pool", "msgw", "msgw1", "msgw2"], keys), []);
});

test("the engine's --json output gives counts and the changed resources by name", () => {
  const json = JSON.stringify({
    steps: [
      { op: "same", urn: "urn:pulumi:drill::msgw::pulumi:providers:cloudflare::cloudflare" },
      {
        op: "create",
        urn: "urn:pulumi:drill::msgw::msgw:index:GatewayPool$cloudflare:index/dnsRecord:DnsRecord::msgw-msgw2-a",
      },
      {
        op: "create-replacement",
        urn: "urn:pulumi:drill::msgw::command:local:Command::msgw-msgw2-config-restore",
      },
      {
        op: "replace",
        urn: "urn:pulumi:drill::msgw::command:local:Command::msgw-msgw2-config-restore",
      },
      {
        op: "delete-replaced",
        urn: "urn:pulumi:drill::msgw::command:local:Command::msgw-msgw2-config-restore",
      },
    ],
    changeSummary: { same: 1, create: 1, replace: 1 },
  });
  assert.deepEqual(engineSummary(json), {
    counts: { created: 1, updated: 0, replaced: 1, deleted: 0 },
    changes: [
      { op: "create", name: "msgw-msgw2-a" },
      { op: "replace", name: "msgw-msgw2-config-restore" },
    ],
  });
  const stream = [
    {
      resOutputsEvent: {
        metadata: { op: "same", urn: "urn:pulumi:drill::msgw::msgw:index:GatewayPool::msgw" },
      },
    },
    {
      resOutputsEvent: {
        metadata: {
          op: "delete",
          urn: "urn:pulumi:drill::msgw::cloudflare:index/dnsRecord:DnsRecord::msgw-mx-msgw1",
        },
      },
    },
    { summaryEvent: { resourceChanges: { same: 1, delete: 1 } } },
  ]
    .map((e) => JSON.stringify(e))
    .join("\n");
  assert.deepEqual(engineSummary(stream), {
    counts: { created: 0, updated: 0, replaced: 0, deleted: 1 },
    changes: [{ op: "delete", name: "msgw-mx-msgw1" }],
  });
  assert.throws(() => engineSummary("error: no stack"), SyntaxError);
  assert.throws(() => engineSummary("{}"), /^Error: the engine printed no change summary:\n\{\}$/);
});

test("every stage says which hosts it concerns", () => {
  assert.deepEqual(Object.fromEntries(drillStages(facts).map((s) => [s.id, s.concerns])), {
    "0": [],
    "1": ["pool", "msgw", "msgw1", "msgw2"],
    "2": ["msgw"],
    "3": ["msgw1"],
    "4": ["msgw2"],
    "5": ["pool", "msgw1", "msgw2"],
    "6a": ["pool", "msgw", "msgw1", "msgw2"],
    "6b": [],
    "7a": ["pool", "msgw1", "msgw2"],
    "7b": ["msgw1", "msgw2"],
    "8": ["pool", "msgw", "msgw1", "msgw2"],
  });
});

test("the component plans stage 1 as the drill expects: both hosts standby (A, no MX), legacy migrating", () => {
  const config = poolConfig(facts, stage("1")) as unknown as GatewayPoolArgs;
  const plan = planGatewayPool(config);
  const addresses = {
    "msgw.example.test": "10.232.200.10",
    "msgw1.example.test": "10.232.200.11",
    "msgw2.example.test": "10.232.200.12",
  };
  const zone = renderZoneFile(plan, addresses)
    .split("\n")
    .filter((l) => / IN /.test(l))
    .map((l) => l.replace(/\s+/g, " "));
  assert.deepEqual(zone, [
    "msgw1 60 IN A 10.232.200.11",
    "msgw2 60 IN A 10.232.200.12",
    "msgw 60 IN A 10.232.200.10",
  ]);
});

test("the drill's MX records equal the component's in every stage (tier positions count draining hosts)", () => {
  for (const s of drillStages(facts).filter((x) => x.hosts.length > 0)) {
    const plan = planGatewayPool(poolConfig(facts, s) as unknown as GatewayPoolArgs);
    const addresses = Object.fromEntries(facts.hosts.map((h) => [h.hostname, h.address]));
    const fromComponent = renderZoneFile(plan, {
      ...addresses,
      [facts.legacy.hostname]: facts.legacy.address,
    })
      .split("\n")
      .filter((l) => / IN MX /.test(l))
      .map((l) => l.replace(/\s+/g, " ").replace(/^\S+ \d+ /, ""));
    const fromDrill = stageRecords(facts, s)
      .filter((r) => r.type === "MX")
      .map((r) => `IN MX ${r.priority ?? 0} ${r.content}.`);
    assert.deepEqual(fromDrill, fromComponent, `stage ${s.id}`);
  }
});

test("poolHasArgument tells a known argument from an unknown one by the pool's own refusal", () => {
  assert.equal(poolHasArgument(planGatewayPool, "mx", { strategy: "tiered" }), true);
  assert.equal(poolHasArgument(planGatewayPool, "noSuchArgument", {}), false);
});

test("the readiness gate goes into the configuration only where the pool has it", () => {
  const without = poolConfig(facts, stage("3")) as Record<string, unknown>;
  assert.equal("readinessGate" in without, false);
  const withGate = poolConfig(
    { ...facts, readinessGate: { waitSeconds: 120 } },
    stage("3"),
  ) as Record<string, unknown>;
  assert.deepEqual(withGate.readinessGate, { waitSeconds: 120 });
});

test("a failed up's error diagnostics are kept, without stack frames", () => {
  const stream = [
    { diagnosticEvent: { message: "debug line\n", severity: "debug" } },
    {
      diagnosticEvent: {
        urn: "urn:pulumi:drill::msgw::msgw:index:GatewayPool::msgw",
        message:
          'ResourceError: GatewayPool "msgw": invalid arguments:\nlegacy.importId is not an argument\n    at new GatewayPool (x.ts:85:15)\n',
        severity: "error",
      },
    },
  ]
    .map((e) => JSON.stringify(e))
    .join("\n");
  assert.deepEqual(engineErrors(`${stream}\nnot json`), [
    'urn:pulumi:drill::msgw::msgw:index:GatewayPool::msgw: ResourceError: GatewayPool "msgw": invalid arguments:\nlegacy.importId is not an argument',
  ]);
});
