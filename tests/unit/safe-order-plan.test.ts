// The safe order in the offline plan's dependency graph: for every shipped stack, at every stage of its
// documented path (as shipped, every host promoted, a third AWS host added), no MX record for a host whose
// machine the plan creates unless the MX record depends (transitively) on a check of that host.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { readStackConfig } from "../../tools/plan";
import { planProgram } from "../../tools/program-plan";
import type { PlannedResource } from "../../tools/offline-plan";
import { uncheckedMxRecords } from "../../tools/safe-order";

const ROOT = path.resolve(__dirname, "../..");

type Pool = { hosts: Array<Record<string, unknown>> } & Record<string, unknown>;

/** The offline plan of a shipped stack, its pool configuration changed by `edit`. */
async function planOf(stack: string, edit: (pool: Pool) => void = () => {}) {
  const { config, secretKeys } = readStackConfig(stack);
  const pool = JSON.parse(config["msgw:pool"] as string) as Pool;
  edit(pool);
  config["msgw:pool"] = JSON.stringify(pool);
  return await planProgram({ rootDirectory: ROOT, stack, config, secretKeys });
}

const mxTargets = (resources: PlannedResource[]) =>
  resources
    .filter((r) => r.inputs.type === "MX")
    .map((r) => String(r.inputs.content))
    .sort();

const promoteAll = (pool: Pool) => {
  for (const h of pool.hosts) h.state = "active";
};
const addThird = (pool: Pool) => {
  promoteAll(pool);
  pool.hosts.push({ hostname: "msgw3.example.com" });
};

for (const stack of ["dev", "prod"]) {
  test(`${stack}: as shipped, no MX record points at a host the plan creates without a check of it`, async () => {
    const plan = await planOf(stack);
    assert.deepEqual(uncheckedMxRecords(plan.resources), []);
    // As shipped the hosts join as standby: the first `up` publishes no MX record at all.
    assert.deepEqual(mxTargets(plan.resources), []);
  });

  test(`${stack}: every host promoted to active, then a third AWS host: each MX record waits for its host's check`, async () => {
    const promoted = await planOf(stack, promoteAll);
    assert.deepEqual(mxTargets(promoted.resources), ["msgw1.example.com", "msgw2.example.com"]);
    assert.deepEqual(uncheckedMxRecords(promoted.resources), []);
    const grown = await planOf(stack, addThird);
    assert.deepEqual(mxTargets(grown.resources), [
      "msgw1.example.com",
      "msgw2.example.com",
      "msgw3.example.com",
    ]);
    assert.deepEqual(uncheckedMxRecords(grown.resources), []);
  });
}

test("the graph check finds an MX record whose only dependency is the A record", () => {
  const urn = (type: string, name: string) => `urn:pulumi:s::p::${type}::${name}`;
  const instance: PlannedResource = {
    urn: urn("aws:ec2/instance:Instance", "msgw-msgw3"),
    type: "aws:ec2/instance:Instance",
    name: "msgw-msgw3",
    parent: undefined,
    dependencies: [],
    inputs: { tags: { Name: "msgw3.example.com" } },
    options: {},
  };
  const a: PlannedResource = {
    urn: urn("cloudflare:index/dnsRecord:DnsRecord", "msgw-msgw3-a"),
    type: "cloudflare:index/dnsRecord:DnsRecord",
    name: "msgw-msgw3-a",
    parent: undefined,
    dependencies: [instance.urn],
    inputs: { type: "A", content: "203.0.113.3" },
    options: {},
  };
  const mx: PlannedResource = {
    urn: urn("cloudflare:index/dnsRecord:DnsRecord", "msgw-mx-msgw3"),
    type: "cloudflare:index/dnsRecord:DnsRecord",
    name: "msgw-mx-msgw3",
    parent: undefined,
    dependencies: [a.urn],
    inputs: { type: "MX", content: "msgw3.example.com" },
    options: {},
  };
  assert.deepEqual(uncheckedMxRecords([instance, a, mx]), [
    { record: "msgw-mx-msgw3", target: "msgw3.example.com", instance: "msgw-msgw3" },
  ]);
  // A check of another host does not count; a check of this one, two steps away, does.
  const other: PlannedResource = {
    urn: urn("command:local:Command", "msgw-msgw1-ready"),
    type: "command:local:Command",
    name: "msgw-msgw1-ready",
    parent: undefined,
    dependencies: [],
    inputs: { create: "msgw check --wait 900 --gateway msgw1.example.com=203.0.113.1" },
    options: {},
  };
  const gate: PlannedResource = {
    ...other,
    urn: urn("command:local:Command", "msgw-msgw3-ready"),
    name: "msgw-msgw3-ready",
    inputs: { create: "msgw check --wait 900 --gateway msgw3.example.com=203.0.113.3" },
  };
  assert.equal(
    uncheckedMxRecords([instance, a, other, { ...mx, dependencies: [other.urn] }]).length,
    1,
  );
  const chained = { ...a, dependencies: [gate.urn] };
  assert.deepEqual(uncheckedMxRecords([instance, chained, gate, mx]), []);
});
