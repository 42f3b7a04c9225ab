/**
 * The readiness gate wired into GatewayPool, under Pulumi mocks: one `local.Command` per gated host
 * (every active AWS host; with readinessGate every active host), its exact command text, failure
 * message and environment, and the dependsOn chain
 * host -> (configuration restore) -> gate -> MX record. What the mocks cannot show (the engine
 * failing the update when the command exits 1) is covered by the command's own lab test in
 * tests/e2e/health-check/faults.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { validateGatewayPoolArgs } from "../../../components";
import { readinessGateCommand } from "../../../components/gateway-pool/plan/readiness-gate";
import { baseArgs, ofType, runPool } from "../../helpers/pool-harness";
import { ED25519_KEY_A, ED25519_KEY_B, ED25519_KEY_D } from "../../lab/fixtures";

const COMMAND = "command:local:Command";
const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const short = (urns: string[]) => urns.map((u) => u.split("::").pop() as string).sort();

/** The check part of a gate's command (before the failure message). */
const checkOf = (create: unknown) => String(create).split(" || ")[0];

test("without readinessGate every active AWS host is gated anyway; standby and draining hosts are not", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", state: "standby" },
        { hostname: "msgw3.example.com", state: "draining" },
      ],
    }),
  );
  assert.deepEqual(
    ofType(plan, COMMAND).map((g) => [g.name, checkOf(g.inputs.create)]),
    [
      [
        "pool-msgw1-ready",
        "npx --no-install msgw check --wait 900 --gateway msgw1.example.com=203.0.113.1 --ca-env MSGW_CHECK_CA_PEM",
      ],
    ],
  );
  const mx = ofType(plan, DNS).filter((r) => r.inputs.type === "MX");
  assert.deepEqual(
    mx.map((r) => [r.name, short(r.dependencies)]),
    [["pool-mx-msgw1", ["pool-msgw1-a", "pool-msgw1-ready"]]],
  );
});

test("existing hosts keep an optional gate: without readinessGate their MX records wait for their A record only", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", existing: { address: "192.0.2.10" } },
        { hostname: "msgw2.example.com", existing: { address: "192.0.2.20" } },
      ],
    }),
  );
  assert.deepEqual(ofType(plan, COMMAND), []);
  const mx = ofType(plan, DNS).filter((r) => r.inputs.type === "MX");
  assert.deepEqual(
    mx.map((r) => [r.name, short(r.dependencies)]),
    [
      ["pool-mx-msgw1", ["pool-msgw1-a"]],
      ["pool-mx-msgw2", ["pool-msgw2-a"]],
    ],
  );
});

test("a failed gate says the update stopped before the MX record and how a new host gets there", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", state: "standby" },
        { hostname: "msgw2.example.com" },
      ],
    }),
  );
  const gates = ofType(plan, COMMAND);
  assert.deepEqual(
    gates.map((g) => g.name),
    ["pool-msgw2-ready"],
  );
  assert.equal(
    gates[0]?.inputs.create,
    "npx --no-install msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca-env MSGW_CHECK_CA_PEM || { s=$?; printf '%s\\n' '" +
      [
        "readiness gate: msgw2.example.com did not pass msgw check within 900 s, so this update stopped before creating its MX record; no MX record points at it.",
        "A host whose machine this update creates or replaces cannot pass yet: the gateway, its configuration and its certificate are completed by hand afterwards (runbook).",
        'Set hosts[1].state to "standby" and run pulumi up; do the runbook steps for this host; when `msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca pool-ca.pem` passes, set hosts[1].state to "active" and run pulumi up again.',
      ].join("\n") +
      "' >&2; exit $s; }",
  );
  // The gate re-runs for a new machine: its triggers carry the instance id.
  const instance = ofType(plan, "aws:ec2/instance:Instance").find((r) => r.name === "pool-msgw2");
  assert.ok(instance);
  const triggers = gates[0]?.inputs.triggers as unknown[];
  assert.match(String(triggers[0]), /^i-[0-9a-f]+$/);
});

test("the failure message reaches stderr through /bin/sh with the check's exit status", () => {
  const create = readinessGateCommand({
    cli: "sh -c 'exit 3' msgw",
    hostname: "msgw1.example.com",
    address: "203.0.113.1",
    waitSeconds: 60,
    caEnv: undefined,
    ports: { smtp: 25, pop3: 110 },
    argPath: "hosts[0]",
  });
  const run = spawnSync("/bin/sh", ["-c", create], { encoding: "utf8", timeout: 10_000 });
  assert.equal(run.status, 3);
  assert.equal(run.stdout, "");
  assert.equal(
    run.stderr,
    [
      "readiness gate: msgw1.example.com did not pass msgw check within 60 s, so this update stopped before creating its MX record; no MX record points at it.",
      "A host whose machine this update creates or replaces cannot pass yet: the gateway, its configuration and its certificate are completed by hand afterwards (runbook).",
      'Set hosts[0].state to "standby" and run pulumi up; do the runbook steps for this host; when `msgw check --wait 60 --gateway msgw1.example.com=203.0.113.1` passes, set hosts[0].state to "active" and run pulumi up again.',
      "",
    ].join("\n"),
  );
  const passing = readinessGateCommand({
    cli: "true",
    hostname: "msgw1.example.com",
    address: "203.0.113.1",
    waitSeconds: 60,
    caEnv: undefined,
    ports: { smtp: 25, pop3: 110 },
    argPath: "hosts[0]",
  });
  const ok = spawnSync("/bin/sh", ["-c", passing], { encoding: "utf8", timeout: 10_000 });
  assert.deepEqual([ok.status, ok.stderr], [0, ""]);
});

test("pool CA: one gate per active host, exact command, CA in the environment, MX after the gate", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com" },
        { hostname: "msgw3.example.com", state: "draining" },
      ],
      readinessGate: { waitSeconds: 1200 },
    }),
  );
  const gates = ofType(plan, COMMAND);
  assert.deepEqual(
    gates.map((g) => [g.name, checkOf(g.inputs.create)]),
    [
      [
        "pool-msgw1-ready",
        "npx --no-install msgw check --wait 1200 --gateway msgw1.example.com=203.0.113.1 --ca-env MSGW_CHECK_CA_PEM",
      ],
      [
        "pool-msgw2-ready",
        "npx --no-install msgw check --wait 1200 --gateway msgw2.example.com=203.0.113.2 --ca-env MSGW_CHECK_CA_PEM",
      ],
    ],
  );
  const ca = ofType(plan, "tls:index/selfSignedCert:SelfSignedCert")[0];
  const env = gates[0]?.inputs.environment as Record<string, string>;
  assert.deepEqual(Object.keys(env), ["MSGW_CHECK_CA_PEM"]);
  assert.equal(env.MSGW_CHECK_CA_PEM, plan.outputs.caCertificatePem);
  assert.ok(ca);
  // The gate waits for its host (instance, data volume attachment, address) and its certificate.
  assert.deepEqual(short(gates[0]?.dependencies ?? []), [
    "pool-ca",
    "pool-msgw1",
    "pool-msgw1-cert",
    "pool-msgw1-data-attachment",
    "pool-msgw1-eip",
  ]);
  const mx = ofType(plan, DNS).filter((r) => r.inputs.type === "MX");
  assert.deepEqual(
    mx.map((r) => [r.name, short(r.dependencies)]),
    [
      ["pool-mx-msgw1", ["pool-msgw1-a", "pool-msgw1-ready"]],
      ["pool-mx-msgw2", ["pool-msgw2-a", "pool-msgw2-ready"]],
    ],
  );
});

test("with configSync the gate runs after the host's restore and uses the sync CLI command", async () => {
  const plan = await runPool(
    baseArgs({
      configSync: {
        revision: 3,
        cliCommand: "/opt/msgw/bin/msgw",
        sshPublicKey: `${ED25519_KEY_A} ops`,
      },
      readinessGate: {},
    }),
  );
  const gate = (host: string) => ofType(plan, COMMAND).find((r) => r.name === `pool-${host}-ready`);
  assert.equal(
    checkOf(gate("msgw2")?.inputs.create),
    "/opt/msgw/bin/msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca-env MSGW_CHECK_CA_PEM",
  );
  assert.ok(short(gate("msgw2")?.dependencies ?? []).includes("pool-msgw2-config-restore"));
  // msgw1 is the configuration source: nothing is restored onto it.
  assert.ok(!short(gate("msgw1")?.dependencies ?? []).some((d) => d.endsWith("config-restore")));
});

test("self-signed hosts trust their own certificate; the gateway's Let's Encrypt trusts public roots", async () => {
  const self = await runPool(
    baseArgs({ certificates: { mode: "self-signed" }, readinessGate: { cliCommand: "msgw" } }),
  );
  const gate = ofType(self, COMMAND).find((r) => r.name === "pool-msgw1-ready");
  const gateways = self.outputs.gateways as Array<{ certificatePem: string }>;
  assert.deepEqual(gate?.inputs.environment, { MSGW_CHECK_CA_PEM: gateways[0]?.certificatePem });
  const le = await runPool(
    baseArgs({
      certificates: { mode: "gateway-lets-encrypt" },
      readinessGate: { cliCommand: "msgw" },
    }),
  );
  const leGate = ofType(le, COMMAND).find((r) => r.name === "pool-msgw1-ready");
  assert.equal(
    checkOf(leGate?.inputs.create),
    "msgw check --wait 900 --gateway msgw1.example.com=203.0.113.1",
  );
  assert.equal(leGate?.inputs.environment, undefined);
});

test("rejects bad gate arguments with the exact reason", () => {
  const problems = (readinessGate: unknown) =>
    validateGatewayPoolArgs(baseArgs({ readinessGate } as never)).filter((p) =>
      p.startsWith("readinessGate"),
    );
  assert.deepEqual(problems({ waitSeconds: 5 }), [
    "readinessGate.waitSeconds 5 must be a whole number from 10 to 7200; the gate holds the update while it waits",
  ]);
  assert.deepEqual(problems({ waitSeconds: 90.5 }), [
    "readinessGate.waitSeconds 90.5 must be a whole number from 10 to 7200; the gate holds the update while it waits",
  ]);
  assert.deepEqual(problems({ cliCommand: "msgw\nrm -rf /" }), [
    'readinessGate.cliCommand "msgw\\nrm -rf /" is empty or spans several lines; give the command that runs msgw, e.g. "npx --no-install msgw"',
  ]);
  assert.deepEqual(problems(true), [
    "readinessGate true is not an object; give waitSeconds, cliCommand, resolver",
  ]);
  assert.deepEqual(problems({ wait: 60 }), [
    "readinessGate.wait is not an argument; the arguments here are waitSeconds, cliCommand, resolver",
  ]);
  assert.deepEqual(problems({ waitSeconds: 10, cliCommand: "msgw" }), []);
});

test("every local.Command of the pool (snapshot, restores, gates) runs in the project root", async () => {
  // The Pulumi CLI starts the command provider in the program's directory (stacks/); a command without
  // `dir` looks for `bin/msgw.ts` there. Pulumi's mocks report the root directory as "rootDirectory", so
  // each command's dir is that placeholder relative to the working directory.
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: {
            address: "192.0.2.50",
            sshHostKey: ED25519_KEY_D,
          },
        },
      ],
      configSync: {
        source: "msgw2.example.com",
        revision: 1,
        sshPublicKey: `${ED25519_KEY_B} msgw-replication`,
        sshPrivateKeyPath: "~/.ssh/msgw_replication",
      },
      readinessGate: { waitSeconds: 600 },
    }),
  );
  const commands = ofType(plan, COMMAND);
  assert.deepEqual(commands.map((c) => [c.name, c.inputs.dir]).sort(), [
    ["pool-config-snapshot", "rootDirectory"],
    ["pool-msgw1-config-restore", "rootDirectory"],
    ["pool-msgw1-ready", "rootDirectory"],
    ["pool-msgw2-ready", "rootDirectory"],
  ]);
});
