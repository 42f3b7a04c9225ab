// `gateway.ports` reaches every consumer from one place: the `gateways[].ports` output that
// `msgw check --outputs/--stack` reads, the readiness gate's command and the runbook's standby check
// (both built from the same plan values). The CLI runs for real against closed loopback ports.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { GatewayOutput } from "../../../components";
import { targetsFromOutputs } from "../../../components/health-check/targets";
import { baseArgs, ofType, runPool } from "../../helpers/pool-harness";

const CLI = join(__dirname, "..", "..", "..", "bin", "msgw.ts");
const ports = { smtp: 2525, pop3: 1110, managementConsole: 8450 };

test("custom ports: outputs carry them; the gate and the runbook's standby check probe them", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", state: "standby" },
      ],
      gateway: { ports },
      readinessGate: {},
    }),
  );
  const gateways = plan.outputs.gateways as GatewayOutput[];
  assert.deepEqual(
    gateways.map((g) => g.ports),
    [
      { smtp: 2525, pop3: 1110, pop3s: null },
      { smtp: 2525, pop3: 1110, pop3s: null },
    ],
  );
  assert.deepEqual(
    ofType(plan, "command:local:Command").map((c) => String(c.inputs.create).split(" || ")[0]),
    [
      "npx --no-install msgw check --wait 900 --gateway msgw1.example.com=203.0.113.1 --smtp-port 2525 --pop3-port 1110 --ca-env MSGW_CHECK_CA_PEM",
    ],
  );
  // The failure message tells the operator the same probe to repeat by hand.
  assert.match(
    String(ofType(plan, "command:local:Command")[0]?.inputs.create),
    /when `msgw check --wait 900 --gateway msgw1\.example\.com=203\.0\.113\.1 --smtp-port 2525 --pop3-port 1110 --ca pool-ca\.pem` passes/,
  );
  assert.match(
    String(plan.outputs.runbook),
    /`msgw check --wait 900 --gateway msgw2\.example\.com=203\.0\.113\.2 --smtp-port 2525 --pop3-port 1110 --ca pool-ca\.pem`/,
  );
  // An existing host's firewall step names the pool's ports too.
  const existing = await runPool(
    baseArgs({
      hosts: [{ hostname: "msgw1.example.com", existing: { address: "203.0.113.7" } }],
      gateway: { ports },
    }),
  );
  assert.match(
    String(existing.outputs.runbook),
    /has the firewall rules of the README \(2525 from senders, 1110 from MailStore Server, 8450 from admins only\)/,
  );
  // The outputs as `pulumi stack output --json` prints them are what msgw check reads.
  const targets = targetsFromOutputs({ mailDomain: "msgw.example.com", gateways });
  assert.deepEqual(
    targets.gateways.map((g) => [g.hostname, g.ports]),
    [
      ["msgw1.example.com", { smtp: 2525, pop3: 1110 }],
      ["msgw2.example.com", { smtp: 2525, pop3: 1110 }],
    ],
  );
  assert.throws(
    () =>
      targetsFromOutputs({
        mailDomain: "msgw.example.com",
        gateways: [{ hostname: "msgw1.example.com", ports: { smtp: 0, pop3: 110 } }],
      }),
    {
      message:
        'outputs: gateways[0].ports {"smtp":0,"pop3":110} of msgw1.example.com must be { smtp, pop3 } with ports 1-65535',
    },
  );
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function msgwCheck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, "check", ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test("msgw check --outputs probes the ports in the outputs, and refuses a port option beside them", async () => {
  const [smtp, pop3, dns] = [await closedPort(), await closedPort(), await closedPort()];
  const dir = mkdtempSync(join(tmpdir(), "msgw-ports-"));
  const file = join(dir, "outputs.json");
  writeFileSync(
    file,
    JSON.stringify({
      mailDomain: "msgw.example.test",
      gateways: [
        {
          hostname: "msgw1.example.test",
          address: "127.0.0.1",
          state: "active",
          mxPreference: 0,
          ports: { smtp, pop3, pop3s: null },
        },
      ],
    }),
  );
  const common = ["--outputs", file, "--resolver", `127.0.0.1:${dns}`, "--timeout", "500"];
  const run = await msgwCheck([...common, "--json"]);
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as {
    gateways: Array<{ findings: Array<{ check: string; message: string }> }>;
  };
  const probes = report.gateways[0].findings
    .filter((f) => f.check === "SMTP" || f.check === "POP3")
    .map((f) => f.message.split(":")[0]);
  assert.deepEqual(probes, [`SMTP ${smtp} at 127.0.0.1`, `POP3 ${pop3} at 127.0.0.1`]);
  const both = await msgwCheck([...common, "--smtp-port", "25", "--pop3-port", "110"]);
  assert.equal(both.code, 2);
  assert.equal(
    both.stderr.trim(),
    "msgw check: --smtp-port and --pop3-port: the stack outputs carry the ports the pool uses (gateways[].ports); drop the option",
  );
});
