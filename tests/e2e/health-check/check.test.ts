/**
 * `msgw check` against real servers in network namespaces: NSD serving the pool's own zone, and
 * per gateway an SMTP receiver with STARTTLS plus Dovecot POP3 with STLS, both with the
 * certificate issued per the pool's certificate plan. msgw1 is healthy, msgw2's certificate has
 * expired, msgw3's certificate names the mail domain instead of the host. The check runs from an
 * operator namespace, exactly as an operator would run it.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CheckReport, Finding } from "../../../components/health-check";
import { MailWorld } from "../mail-path/lib/world";
import { gatewayHost, poolArgs } from "../mail-path/lib/pools";

const DAY = 86_400_000;
/** The real msgw CLI entry, so the test also covers its wiring of `check`. */
const CLI = join(__dirname, "..", "..", "..", "bin", "msgw.ts");
const G1 = "msgw1.example.test";
const G2 = "msgw2.example.test";
const G3 = "msgw3.example.test";

let world: MailWorld;
let caFile: string;

/** Writes a stack-outputs file shaped like `pulumi stack output --json` of the msgw stack. */
function writeOutputs(
  name: string,
  edit: (outputs: Record<string, unknown>) => void = () => undefined,
): string {
  const outputs: Record<string, unknown> = {
    mailDomain: world.plan.mailDomain,
    gateways: world.plan.hosts.map((h) => ({
      hostname: h.hostname,
      address: h.address,
      state: h.state,
      mxPreference: h.mxPreference ?? null,
      placement: h.placement,
    })),
    certificatePrivateKeys: "[secret]",
  };
  edit(outputs);
  const file = join(world.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(outputs, null, 2));
  return file;
}

async function check(...args: string[]) {
  const operator = world.operator;
  if (operator === undefined) throw new Error("the world has no operator namespace");
  const result = await world.net.runStatus(operator, process.execPath, [
    "--import",
    "tsx",
    CLI,
    "check",
    ...args,
  ]);
  return result;
}

async function checkJson(...args: string[]): Promise<{ code: number; report: CheckReport }> {
  const result = await check(...args, "--json");
  assert.equal(result.stderr, "");
  return { code: result.code, report: JSON.parse(result.stdout) as CheckReport };
}

function findings(report: CheckReport, hostname: string): Finding[] {
  const gateway = report.gateways.find((g) => g.hostname === hostname);
  if (gateway === undefined) throw new Error(`no report for ${hostname}`);
  return gateway.findings;
}

const problems = (list: Finding[]) =>
  list.filter((f) => !f.ok).map((f) => `${f.check}: ${f.message}`);

describe("msgw check against real SMTP and POP3 servers", () => {
  before(
    async () => {
      world = await MailWorld.create({
        prefix: "mp-hc",
        args: poolArgs([gatewayHost(1), gatewayHost(2), gatewayHost(3)], "tiered"),
        pop3: true,
        sender: false,
        operator: true,
        certDeviations: {
          [G2]: {
            notBefore: new Date(Date.now() - 30 * DAY),
            notAfter: new Date(Date.now() - 2 * DAY - 3_600_000),
          },
          [G3]: { commonName: "msgw.example.test", dnsNames: ["msgw.example.test"] },
        },
      });
      caFile = join(world.dir, "pool-ca.crt");
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await world?.destroy();
  });

  it("passes a healthy gateway (flags, exit 0)", { timeout: 60_000 }, async () => {
    const result = await check(
      "--mail-domain",
      "msgw.example.test",
      "--gateway",
      `${G1}=10.232.1.11`,
      "--resolver",
      "10.232.0.53",
      "--ca",
      caFile,
    );
    console.log(result.stdout);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^OK: the gateway passed every check\.$/m);
    const { report } = await checkJson(
      "--mail-domain",
      "msgw.example.test",
      "--gateway",
      G1,
      "--resolver",
      "10.232.0.53:53",
      "--ca",
      caFile,
    );
    assert.deepEqual(
      findings(report, G1).map((f) => [f.check, f.ok]),
      [
        ["A", true],
        ["MX", true],
        ["SMTP", true],
        ["SMTP certificate name", true],
        ["SMTP certificate expiry", true],
        ["SMTP certificate chain", true],
        ["POP3", true],
        ["POP3 certificate name", true],
        ["POP3 certificate expiry", true],
        ["POP3 certificate chain", true],
      ],
    );
    const messages = findings(report, G1).map((f) => f.message);
    assert.equal(messages[0], "10.232.1.11");
    assert.equal(messages[1], "msgw.example.test MX 0 msgw1.example.test");
    assert.match(messages[2] as string, /^SMTP 25 at 10\.232\.1\.11: STARTTLS, TLSv1\.3$/);
    assert.equal(messages[3], "valid for msgw1.example.test (DNS names: msgw1.example.test)");
    assert.match(messages[4] as string, /^39[67] days left \(until 20\d\d-/);
    assert.equal(messages[5], `verifies against the CA file ${caFile}`);
    assert.match(messages[6] as string, /^POP3 110 at 10\.232\.1\.11: STLS, TLSv1\.3$/);
    // Two gateways' MX records are outside this hand-picked subset: reported, not a problem.
    assert.deepEqual(
      report.pool.map((f) => [f.ok, f.message]),
      [
        [
          true,
          "msgw.example.test MX 0 msgw1.example.test, 10 msgw2.example.test, 20 msgw3.example.test",
        ],
        [true, "MX 10 msgw2.example.test is not a gateway of this stack (not checked)"],
        [true, "MX 20 msgw3.example.test is not a gateway of this stack (not checked)"],
      ],
    );
  });

  it(
    "reports an expired certificate and a wrong name from the stack outputs (exit 1)",
    { timeout: 60_000 },
    async () => {
      const outputs = writeOutputs("outputs");
      const { code, report } = await checkJson(
        "--outputs",
        outputs,
        "--resolver",
        "10.232.0.53",
        "--ca",
        caFile,
      );
      assert.equal(code, 1);
      assert.deepEqual(problems(findings(report, G1)), []);
      const expiredAt = new Date(
        new X509Certificate(world.certs.get(G2)?.certPem ?? "").validTo,
      ).toISOString();
      assert.deepEqual(problems(findings(report, G2)), [
        `SMTP certificate expiry: expired 2 days ago (${expiredAt})`,
        `POP3 certificate expiry: expired 2 days ago (${expiredAt})`,
      ]);
      assert.deepEqual(problems(findings(report, G3)), [
        "SMTP certificate name: not valid for msgw3.example.test: DNS names msgw.example.test; issue the certificate for the host's own name",
        "POP3 certificate name: not valid for msgw3.example.test: DNS names msgw.example.test; issue the certificate for the host's own name",
      ]);
      assert.equal(report.problems, 4);
      assert.equal(report.ok, false);
      assert.deepEqual(report.pool, [
        {
          check: "MX",
          ok: true,
          severity: "ok",
          message:
            "msgw.example.test MX 0 msgw1.example.test, 10 msgw2.example.test, 20 msgw3.example.test",
        },
      ]);

      const text = await check("--outputs", outputs, "--resolver", "10.232.0.53", "--ca", caFile);
      console.log(text.stdout);
      assert.equal(text.code, 1);
      assert.match(text.stdout, /^FAILED: 4 problems on 2 of 3 gateways:$/m);
      assert.match(
        text.stdout,
        /^ {2}- msgw3\.example\.test: SMTP certificate name: not valid for msgw3\.example\.test: /m,
      );
    },
  );

  it(
    "uses the pool CA from the outputs, and without any pool CA reports the chain",
    { timeout: 60_000 },
    async () => {
      const withCa = writeOutputs("outputs-ca", (o) => {
        o.caCertificatePem = readFileSync(caFile, "utf8");
      });
      const { report: trusted } = await checkJson("--outputs", withCa, "--resolver", "10.232.0.53");
      assert.equal(
        findings(trusted, G1)[5]?.message,
        "verifies against the pool CA from the stack outputs",
      );

      const bare = writeOutputs("outputs-bare");
      const { code, report } = await checkJson(
        "--outputs",
        bare,
        "--resolver",
        "10.232.0.53",
        "--min-days",
        "0",
      );
      assert.equal(code, 1);
      assert.deepEqual(problems(findings(report, G1)), [
        'SMTP certificate chain: does not verify against the public root CAs bundled with Node.js: UNABLE_TO_VERIFY_LEAF_SIGNATURE: its issuer is neither sent by the server nor trusted (the last certificate sent names issuer "CN=msgw.example.test gateway pool CA, O=MailStore Gateway pool")',
        'POP3 certificate chain: does not verify against the public root CAs bundled with Node.js: UNABLE_TO_VERIFY_LEAF_SIGNATURE: its issuer is neither sent by the server nor trusted (the last certificate sent names issuer "CN=msgw.example.test gateway pool CA, O=MailStore Gateway pool")',
      ]);
    },
  );

  it(
    "reports DNS that disagrees with the stack: wrong address, MX left on a draining host",
    { timeout: 60_000 },
    async () => {
      const outputs = writeOutputs("outputs-dns", (o) => {
        const gateways = o.gateways as Array<Record<string, unknown>>;
        (gateways[0] as Record<string, unknown>).address = "10.232.1.99";
        Object.assign(gateways[1] as Record<string, unknown>, {
          state: "draining",
          mxPreference: null,
        });
        (gateways[2] as Record<string, unknown>).mxPreference = 30;
      });
      const { code, report } = await checkJson(
        "--outputs",
        outputs,
        "--resolver",
        "10.232.0.53",
        "--ca",
        caFile,
      );
      assert.equal(code, 1);
      assert.deepEqual(problems(findings(report, G1)), [
        "A: A record 10.232.1.11, but the stack assigned 10.232.1.99",
      ]);
      assert.equal(
        problems(findings(report, G2))[0],
        "MX: draining, but MX 10 of msgw.example.test still points here; remove it so the host can be archived empty",
      );
      assert.equal(
        problems(findings(report, G3))[0],
        "MX: MX preference 20, but the stack says 30",
      );
    },
  );

  it("reports a stopped SMTP service and an unknown host name", { timeout: 60_000 }, async () => {
    await world.stopReceiver(G1);
    try {
      const { code, report } = await checkJson(
        "--mail-domain",
        "msgw.example.test",
        "--gateway",
        G1,
        "--gateway",
        "msgw9.example.test",
        "--resolver",
        "10.232.0.53",
        "--ca",
        caFile,
        "--timeout",
        "2000",
      );
      assert.equal(code, 1);
      assert.deepEqual(problems(findings(report, G1)), [
        "SMTP: SMTP 25 at 10.232.1.11: connection refused",
      ]);
      assert.deepEqual(problems(findings(report, "msgw9.example.test")), [
        "A: gateway msgw9.example.test does not exist (NXDOMAIN); senders cannot connect",
        "MX: no MX record of msgw.example.test points here; this active gateway receives no mail",
        "SMTP: SMTP 25 at (none): not probed: msgw9.example.test has no A record and the stack gave no address",
        "POP3: POP3 110 at (none): not probed: msgw9.example.test has no A record and the stack gave no address",
      ]);
    } finally {
      await world.startReceiver(G1);
    }
  });

  it("rejects bad input with exit 2 and the exact reason", { timeout: 60_000 }, async () => {
    const bad = await check(
      "--mail-domain",
      "msgw.example.test",
      "--gateway",
      G1,
      "--resolver",
      "dns.example.test",
    );
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      'msgw check: --resolver "dns.example.test" must be an IP address with an optional port: 10.0.0.53, 10.0.0.53:5353 or [2001:db8::53]:5353\n',
    );
    assert.equal(bad.stdout, "");
    const missing = await check("--outputs", join(world.dir, "nope.json"));
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      `msgw check: cannot read --outputs "${join(world.dir, "nope.json")}": ENOENT\n`,
    );
  });
});
