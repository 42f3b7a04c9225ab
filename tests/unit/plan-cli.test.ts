import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

function plan(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(TSX, [path.join(ROOT, "tools", "plan.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 180_000, // the program starts through cmd/run and ts-node, as under the CLI
    env: { ...process.env, ...env },
  });
}

test("npm run plan -- --stack prod --json: every resource and the outputs, offline", () => {
  const run = plan(["--stack", "prod", "--json"]);
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as {
    stack: string;
    resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
    outputs: Record<string, unknown>;
    secretOutputs: string[];
  };
  assert.equal(out.stack, "prod");
  assert.equal(out.resources.length, 70); // 43, the config store bucket and its 6 settings, 20 day-two resources
  // As shipped, the first stage of the migration: both hosts standby, no MX record yet.
  assert.deepEqual(out.outputs.mxRecords, []);
  assert.deepEqual(
    (out.outputs.gateways as Array<{ hostname: string; state: string }>).map((g) => [
      g.hostname,
      g.state,
    ]),
    [
      ["msgw1.example.com", "standby"],
      ["msgw2.example.com", "standby"],
    ],
  );
  const regions = out.resources
    .filter((r) => r.type === "aws:ec2/instance:Instance")
    .map((r) => [r.name, r.inputs.region]);
  assert.deepEqual(regions, [
    ["msgw-msgw1", "eu-central-1"],
    ["msgw-msgw2", "eu-west-1"],
  ]);
  const legacy = out.resources.find((r) => r.name === "msgw-legacy-msgw-a");
  assert.equal(legacy?.inputs.content, "198.51.100.5");
  assert.deepEqual(out.secretOutputs, ["certificatePrivateKeys"]);
  assert.equal(out.outputs.certificatePrivateKeys, "[secret]");
  // Nothing secret leaks into the printed plan.
  assert.doesNotMatch(run.stdout, /mock private key|OpenSSH private key|offline-plan-placeholder/);
});

test("npm run plan -- --stack dev: a readable table, MX table, zone file and runbook", () => {
  const run = plan(["--stack", "dev"]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split("\n");
  assert.ok(
    lines.some((l) =>
      /^cloudflare:index\/dnsRecord:DnsRecord\s+msgw-msgw1-a\s+type=A name=msgw1\.example\.com content=203\.0\.113\.1 ttl=300 proxied=false$/.test(
        l,
      ),
    ),
  );
  // As shipped the hosts are standby: no MX record until each is checked and set active.
  assert.ok(!lines.some((l) => /\bmsgw-mx-/.test(l)));
  assert.ok(lines.includes("66 resources")); // 41, the config store bucket and its 6 settings, 18 day-two resources
  assert.ok(lines.includes("MX records of msgw.example.com:"));
  assert.ok(lines.includes("$ORIGIN example.com."));
  assert.ok(lines.includes("# Runbook: MailStore Gateway pool for msgw.example.com"));
});

test("unknown stack and bad stack configuration: clear message, exit 2, nothing printed on stdout", () => {
  const unknown = plan(["--stack", "staging"]);
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stdout, "");
  assert.equal(
    unknown.stderr,
    'plan: no stack "staging": stacks/Pulumi.staging.yaml does not exist; known stacks: dev, prod\n',
  );

  const file = path.join(ROOT, "stacks", "Pulumi.bad-test.yaml");
  try {
    fs.writeFileSync(
      file,
      [
        "config:",
        "  aws:region: eu-central-1",
        "  msgw:pool:",
        "    zone: { name: example.com }",
        "    mailDomain: msgw.example.com",
        "    hosts: [{ hostname: msgw.example.com }]",
        "    access: { mailStoreServerCidrs: [0.0.0.0/0], adminCidrs: [198.51.100.0/24] }",
        "",
      ].join("\n"),
    );
    const bad = plan(["--stack", "bad-test"]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, "");
    assert.equal(
      bad.stderr,
      [
        'plan: stack "bad-test" has a bad configuration: GatewayPool "msgw": invalid arguments:',
        'hosts[0].hostname "msgw.example.com" equals mailDomain; give each gateway its own name (msgw1.example.com) and let MX records carry the mail domain',
        'access.mailStoreServerCidrs[0] "0.0.0.0/0" opens POP3 for MailStore Server to the whole internet; list only the networks that need it',
        "",
      ].join("\n"),
    );
  } finally {
    fs.rmSync(file, { force: true });
  }
});
