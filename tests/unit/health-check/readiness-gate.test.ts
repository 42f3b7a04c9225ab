/**
 * The readiness gate wired into GatewayPool, under Pulumi mocks: one `local.Command` per host
 * with an MX record, its exact command text and environment, and the dependsOn chain
 * host -> (configuration restore) -> gate -> MX record. What the mocks cannot show (the engine
 * failing the update when the command exits 1) is covered by the command's own lab test in
 * tests/e2e/health-check/faults.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateGatewayPoolArgs } from "../../../components";
import { baseArgs, ofType, runPool } from "../../helpers/pool-harness";

const COMMAND = "command:local:Command";
const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const short = (urns: string[]) => urns.map((u) => u.split("::").pop() as string).sort();

test("no gate by default: MX records wait for their A record only", async () => {
  const plan = await runPool(baseArgs());
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
    gates.map((g) => [g.name, g.inputs.create]),
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
  // The gate waits for its host (instance, data volume, address) and its certificate.
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
        sshPublicKey:
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv ops",
      },
      readinessGate: {},
    }),
  );
  const gate = (host: string) => ofType(plan, COMMAND).find((r) => r.name === `pool-${host}-ready`);
  assert.equal(
    gate("msgw2")?.inputs.create,
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
    leGate?.inputs.create,
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
    "readinessGate true is not an object; give waitSeconds, cliCommand",
  ]);
  assert.deepEqual(problems({ wait: 60 }), [
    "readinessGate.wait is not an argument; the arguments here are waitSeconds, cliCommand",
  ]);
  assert.deepEqual(problems({ waitSeconds: 10, cliCommand: "msgw" }), []);
});
