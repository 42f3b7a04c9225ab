/**
 * `msgw check` against the faults a sender or MailStore Server would hit, each served for real:
 * NSD answers the DNS class (aliases, stray AAAA, null and implicit MX, address literals, MX
 * targets without addresses, dangling and looping aliases, NXDOMAIN versus NODATA, a resolver
 * that never answers); a node SMTP server with STARTTLS and Dovecot POP3 with STLS serve one
 * certificate variant per SNI name (the certificate class); the same SMTP server drips, never
 * ends a line, floods, or sends terminal control sequences (the bounds). The check runs as the
 * real CLI from an operator namespace. What stays a stand-in: the SMTP side is a small node
 * server, not MailStore Gateway.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CheckReport, Finding } from "../../../components/health-check";
import { readinessGateCommand } from "../../../components/gateway-pool/plan/readiness-gate";
import { createFaultLab, CV, PORTS, RESOLVER, type FaultLab } from "./lib/fault-lab";

const CLI = join(__dirname, "..", "..", "..", "bin", "msgw.ts");
const DAY = 86_400_000;
// Every character printable() escapes: none may reach a terminal or a JSON consumer.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let lab: FaultLab;

async function run(args: string[], env: Record<string, string> = {}, timeoutMs = 90_000) {
  const operator = lab.world.operator;
  if (operator === undefined) throw new Error("the lab has no operator namespace");
  const started = Date.now();
  const result = await lab.world.net.runStatus(
    operator,
    "env",
    [
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      "--import",
      "tsx",
      CLI,
      "check",
      ...args,
    ],
    timeoutMs,
  );
  return { ...result, ms: Date.now() - started };
}

async function report(
  ...args: string[]
): Promise<{ code: number; report: CheckReport; ms: number }> {
  const result = await run([...args, "--json"]);
  assert.equal(result.stderr, "");
  return { code: result.code, report: JSON.parse(result.stdout) as CheckReport, ms: result.ms };
}

/** The check of `--mail-domain DOMAIN` with one gateway, through the lab's NSD. */
const dns = (domain: string, ...gateways: string[]) =>
  report(
    "--mail-domain",
    domain,
    ...gateways.flatMap((g) => ["--gateway", g]),
    "--resolver",
    RESOLVER,
    "--ca",
    lab.caFile,
    "--timeout",
    "2000",
  );

const list = (findings: Finding[]) => findings.map((f) => [f.severity, f.check, f.message]);
const of = (r: CheckReport, hostname: string): Finding[] => {
  const g = r.gateways.find((x) => x.hostname === hostname);
  if (g === undefined) throw new Error(`no report for ${hostname}`);
  return g.findings;
};
const notOk = (findings: Finding[]) => list(findings.filter((f) => f.severity !== "ok"));
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, ".000Z");

before(
  async () => {
    lab = await createFaultLab("mp-hcf");
  },
  { timeout: 180_000 },
);
after(async () => {
  await lab?.world.destroy();
});

describe("the DNS class, against NSD", () => {
  it("passes a mail domain whose MX points at a healthy gateway", { timeout: 60_000 }, async () => {
    const { code, report: r } = await dns("gooddom.example.test", "good.example.test");
    assert.equal(code, 0);
    assert.deepEqual(list(r.pool), [["ok", "MX", "gooddom.example.test MX 0 good.example.test"]]);
    assert.deepEqual(notOk(of(r, "good.example.test")), []);
    assert.equal(r.problems, 0);
    assert.equal(r.warnings, 0);
  });

  it(
    "reports an MX target that is a CNAME, as the MX set and as the gateway",
    { timeout: 60_000 },
    async () => {
      const alias =
        "is an alias (CNAME alias.example.test -> good.example.test); RFC 2181 10.3 forbids MX targets that are aliases and some senders refuse them: give alias.example.test its own A record";
      const asTarget = await dns("mxcname.example.test", "good.example.test");
      assert.equal(asTarget.code, 1);
      assert.deepEqual(list(asTarget.report.pool), [
        ["ok", "MX", "mxcname.example.test MX 0 alias.example.test"],
        ["ok", "MX", "MX 0 alias.example.test is not a gateway of this stack (not checked)"],
        ["problem", "MX", `MX target alias.example.test ${alias}`],
      ]);
      const asGateway = await dns("mxcname.example.test", "alias.example.test");
      assert.deepEqual(notOk(of(asGateway.report, "alias.example.test")), [
        ["problem", "A", `gateway alias.example.test ${alias}`],
      ]);
    },
  );

  it(
    "looks up AAAA beside A and probes it: a stray AAAA fails the gateway",
    { timeout: 60_000 },
    async () => {
      const { code, report: r } = await dns("v6dom.example.test", "v6.example.test");
      assert.equal(code, 1);
      assert.deepEqual(notOk(of(r, "v6.example.test")), [
        [
          "problem",
          "AAAA",
          "AAAA 2001:db8::dead is published, but SMTP 25 there fails (cannot connect: ENETUNREACH); senders with IPv6 try it first: remove the AAAA record or make the gateway answer on it",
        ],
      ]);
      // SMTP and POP3 over IPv4 still pass: only the AAAA line fails.
      assert.deepEqual(
        of(r, "v6.example.test").map((f) => f.check),
        [
          "A",
          "AAAA",
          "MX",
          "SMTP",
          "SMTP certificate name",
          "SMTP certificate expiry",
          "SMTP certificate chain",
          "POP3",
          "POP3 certificate name",
          "POP3 certificate expiry",
          "POP3 certificate chain",
        ],
      );
    },
  );

  it(
    "reports a gateway with AAAA only: IPv4-only senders cannot reach it",
    { timeout: 60_000 },
    async () => {
      const { report: r } = await dns("gooddom.example.test", "v6only.example.test");
      assert.deepEqual(notOk(of(r, "v6only.example.test")).slice(0, 2), [
        [
          "problem",
          "A",
          "v6only.example.test has no A record (NODATA); IPv4-only senders cannot reach it",
        ],
        [
          "problem",
          "AAAA",
          "AAAA 2001:db8::1 is published, but SMTP 25 there fails (cannot connect: ENETUNREACH); senders with IPv6 try it first: remove the AAAA record or make the gateway answer on it",
        ],
      ]);
    },
  );

  it(
    "reports a resolver that does not answer as a resolver failure, and still probes the stack's address",
    { timeout: 60_000 },
    async () => {
      const { code, report: r } = await report(
        "--mail-domain",
        "gooddom.example.test",
        "--gateway",
        `good.example.test=${CV}`,
        "--resolver",
        "10.232.0.99",
        "--ca",
        lab.caFile,
        "--timeout",
        "1000",
      );
      assert.equal(code, 1);
      const failure = (type: string, name: string) =>
        `${type} lookup for ${name} failed: the resolver did not answer in time (ETIMEOUT); this is a resolver failure, not an answer: check --resolver and the network`;
      assert.deepEqual(list(r.pool), [["problem", "MX", failure("MX", "gooddom.example.test")]]);
      assert.deepEqual(notOk(of(r, "good.example.test")), [
        ["problem", "A", failure("A", "good.example.test")],
        ["problem", "AAAA", failure("AAAA", "good.example.test")],
        ["problem", "MX", `cannot check: ${failure("MX", "gooddom.example.test")}`],
      ]);
      assert.equal(
        of(r, "good.example.test").find((f) => f.check === "SMTP")?.message,
        `SMTP 25 at ${CV}: STARTTLS, TLSv1.3`,
      );
      assert.ok(!JSON.stringify(r).includes("no A record"));
    },
  );

  it(
    "treats a mail domain without MX but with an address as implicit MX (a warning, exit 0)",
    { timeout: 60_000 },
    async () => {
      const { code, report: r } = await dns("legacy.example.test", "good.example.test");
      assert.equal(code, 0);
      assert.deepEqual(list(r.pool), [
        [
          "warning",
          "MX",
          `legacy.example.test has no MX record, so senders deliver to its own address ${CV} (implicit MX, RFC 5321 5.1): the single-gateway setup before a migration; publish one MX record per gateway`,
        ],
      ]);
      assert.deepEqual(notOk(of(r, "good.example.test")), [
        [
          "warning",
          "MX",
          `legacy.example.test has no MX records: senders deliver to its address ${CV} (implicit MX), not to this gateway`,
        ],
      ]);
      assert.equal(r.warnings, 2);
    },
  );

  it("reports a null MX (RFC 7505), alone and beside another MX", { timeout: 60_000 }, async () => {
    const alone = await dns("nullmx.example.test", "good.example.test");
    assert.equal(alone.code, 1);
    assert.deepEqual(list(alone.report.pool), [
      [
        "problem",
        "MX",
        "nullmx.example.test publishes a null MX (0 .): it accepts no mail (RFC 7505), so journal mail bounces; replace it with one MX record per gateway",
      ],
    ]);
    const mixed = await dns("mixnull.example.test", "good.example.test");
    assert.deepEqual(list(mixed.report.pool), [
      [
        "problem",
        "MX",
        'mixnull.example.test publishes a null MX beside other MX records (0 ., 10 good.example.test); RFC 7505 3 forbids that and senders may bounce the mail: remove the "0 ." record',
      ],
    ]);
  });

  it(
    "reports an MX record that names an address instead of a host",
    { timeout: 60_000 },
    async () => {
      const { report: r } = await dns("iplit.example.test", "good.example.test");
      assert.deepEqual(list(r.pool), [
        ["ok", "MX", "iplit.example.test MX 0 10.232.3.10"],
        [
          "problem",
          "MX",
          "MX 0 10.232.3.10 is an address, not a host name; senders look it up as a name and find nothing (RFC 5321 5.1): point the MX record at the gateway's host name",
        ],
      ]);
    },
  );

  it(
    "tells an MX target that does not exist (NXDOMAIN) from one without addresses (NODATA)",
    { timeout: 60_000 },
    async () => {
      const { report: r } = await dns("noaddr.example.test", "good.example.test");
      assert.deepEqual(
        list(r.pool).filter(([s]) => s !== "ok"),
        [
          [
            "problem",
            "MX",
            "MX target nowhere.example.test does not exist (NXDOMAIN); senders cannot connect",
          ],
          [
            "problem",
            "MX",
            "MX target txtonly.example.test has no A or AAAA record (NODATA); senders cannot connect",
          ],
        ],
      );
    },
  );

  it("reports a dangling alias and an alias loop", { timeout: 60_000 }, async () => {
    const dangling = await dns("dangledom.example.test", "good.example.test");
    assert.deepEqual(
      list(dangling.report.pool).filter(([s]) => s !== "ok"),
      [
        [
          "problem",
          "MX",
          "MX target dangle.example.test is an alias (CNAME dangle.example.test -> gone.example.test); RFC 2181 10.3 forbids MX targets that are aliases and some senders refuse them: give dangle.example.test its own A record",
        ],
        [
          "problem",
          "MX",
          "MX target dangle.example.test is a dangling alias: gone.example.test does not exist (NXDOMAIN); senders cannot connect",
        ],
      ],
    );
    const loop = await dns("loopdom.example.test", "good.example.test");
    assert.deepEqual(
      list(loop.report.pool).filter(([s]) => s !== "ok"),
      [
        [
          "problem",
          "MX",
          "MX target loop1.example.test is a CNAME loop (loop1.example.test -> loop2.example.test -> loop1.example.test); it has no address",
        ],
      ],
    );
  });

  it(
    "reports addresses no sender can deliver to (loopback), as gateway and as MX target",
    { timeout: 60_000 },
    async () => {
      const { report: r } = await dns(
        "lbdom.example.test",
        "loopback.example.test",
        "good.example.test",
      );
      assert.deepEqual(notOk(of(r, "loopback.example.test")).slice(0, 1), [
        [
          "problem",
          "A",
          "gateway loopback.example.test resolves only to 127.0.0.1 (a loopback address); senders cannot deliver there",
        ],
      ]);
      const asTarget = await dns("lbdom.example.test", "good.example.test");
      assert.deepEqual(
        list(asTarget.report.pool).filter(([s]) => s !== "ok"),
        [
          [
            "problem",
            "MX",
            "MX target loopback.example.test resolves only to 127.0.0.1 (a loopback address); senders cannot deliver there",
          ],
        ],
      );
    },
  );

  it(
    "tells a mail domain that does not exist (NXDOMAIN) from one without MX or address (NODATA)",
    { timeout: 60_000 },
    async () => {
      const absent = await dns("absent.example.test", "good.example.test");
      assert.deepEqual(list(absent.report.pool), [
        [
          "problem",
          "MX",
          "absent.example.test does not exist (NXDOMAIN); journal mail to it bounces: publish one MX record per gateway",
        ],
      ]);
      assert.deepEqual(notOk(of(absent.report, "good.example.test")), [
        ["problem", "MX", "cannot check: absent.example.test does not exist (NXDOMAIN)"],
      ]);
      const nodata = await dns("txtdom.example.test", "good.example.test");
      assert.deepEqual(list(nodata.report.pool), [
        [
          "problem",
          "MX",
          "txtdom.example.test has no MX record and no A or AAAA record (NODATA); journal mail to it cannot be delivered",
        ],
      ]);
    },
  );

  it("escapes an MX target carrying a control sequence in DNS", { timeout: 60_000 }, async () => {
    const { report: r } = await dns("ctldom.example.test", "good.example.test");
    assert.deepEqual(list(r.pool), [
      ["ok", "MX", "ctldom.example.test MX 0 \\027[2j.example.test"],
      ["ok", "MX", "MX 0 \\027[2j.example.test is not a gateway of this stack (not checked)"],
      [
        "problem",
        "MX",
        "\\027[2j.example.test is not a valid host name (EBADNAME); senders cannot look it up",
      ],
    ]);
    const text = await run([
      "--mail-domain",
      "ctldom.example.test",
      "--gateway",
      "good.example.test",
      "--resolver",
      RESOLVER,
      "--ca",
      lab.caFile,
    ]);
    assert.doesNotMatch(text.stdout, UNSAFE);
  });
});

describe("the certificate class, against STARTTLS SMTP and Dovecot POP3", () => {
  let all: CheckReport;
  const both = (check: string, message: string, severity = "problem") => [
    [severity, `SMTP ${check}`, message],
    [severity, `POP3 ${check}`, message],
  ];
  const tlsFindings = (hostname: string) =>
    notOk(of(all, hostname).filter((f) => /^(SMTP|POP3)/.test(f.check)));
  const notAfter = (name: string, extra: "leaf" | number = "leaf") => {
    const v = lab.certs.variants.get(name);
    if (v === undefined) throw new Error(name);
    const c = extra === "leaf" ? v.leaf : v.extra[extra];
    return iso(c?.cert.notAfter as Date);
  };

  before(
    async () => {
      const names = [...lab.certs.variants.keys()];
      const result = await report(
        "--mail-domain",
        "gooddom.example.test",
        ...names.flatMap((n) => ["--gateway", `${n}=${CV}`]),
        "--resolver",
        RESOLVER,
        "--ca",
        lab.caFile,
        "--timeout",
        "3000",
        "--min-days",
        "10",
        "--warn-days",
        "45",
      );
      all = result.report;
    },
    { timeout: 120_000 },
  );

  it("passes a leaf from the pool CA, a complete chain, and a chain sent out of order", () => {
    for (const name of [
      "good.example.test",
      "chained.example.test",
      "outoforder.example.test",
      "a.wild.example.test",
    ]) {
      assert.deepEqual(tlsFindings(name), [], name);
    }
  });

  it("reports an expired root CA although the leaf is valid", () => {
    assert.deepEqual(
      tlsFindings("expiredca.example.test"),
      both(
        "CA expiry",
        `the root CA "CN=Lab expired CA" expired 30 days ago (${iso(lab.certs.expiredCa.cert.notAfter)})`,
      ),
    );
  });

  it("reports an expired intermediate although the leaf is valid", () => {
    assert.deepEqual(
      tlsFindings("expiredint.example.test"),
      both(
        "CA expiry",
        `the intermediate CA "CN=Lab expired intermediate" expired 10 days ago (${notAfter("expiredint.example.test", 0)})`,
      ),
    );
  });

  it("warns ahead of a CA's expiry and of a leaf's expiry (exit stays 0 for warnings)", () => {
    assert.deepEqual(
      tlsFindings("soonca.example.test"),
      both(
        "CA expiry",
        `the root CA "CN=Lab CA expiring soon" expires in 19 days (${iso(lab.certs.soonCa.cert.notAfter)}), fewer than --warn-days 45: renew it`,
        "warning",
      ),
    );
    assert.deepEqual(
      tlsFindings("expiring.example.test"),
      both(
        "certificate expiry",
        `expires in 19 days (${notAfter("expiring.example.test")}), fewer than --warn-days 45: renew it`,
        "warning",
      ),
    );
  });

  it("reports a certificate that is not valid yet", () => {
    const from = iso(lab.certs.variants.get("notyet.example.test")?.leaf.cert.notBefore as Date);
    assert.deepEqual(
      tlsFindings("notyet.example.test"),
      both("certificate expiry", `not valid before ${from}`),
    );
  });

  it("reports a name only in the subject CN, without a subjectAltName", () => {
    assert.deepEqual(
      tlsFindings("cnonly.example.test"),
      both(
        "certificate name",
        "not valid for cnonly.example.test: DNS names none (subject CN=cnonly.example.test) (cnonly.example.test is only in the subject CN, with no subjectAltName: current clients ignore the CN (RFC 6125 6.4.4, CA/Browser Forum BR 7.1.4.2); add DNS:cnonly.example.test as a subjectAltName); issue the certificate for the host's own name",
      ),
    );
  });

  it("applies the wildcard rules: one label, whole left-most label, not under a top-level domain", () => {
    assert.deepEqual(
      tlsFindings("b.a.wild.example.test"),
      both(
        "certificate name",
        "not valid for b.a.wild.example.test: DNS names *.wild.example.test (*.wild.example.test covers exactly one label, not b.a.wild.example.test); issue the certificate for the host's own name",
      ),
    );
    assert.deepEqual(
      tlsFindings("partial.example.test"),
      both(
        "certificate name",
        "not valid for partial.example.test: DNS names part*.example.test (part*.example.test is a partial wildcard (only a whole left-most label * is honoured)); issue the certificate for the host's own name",
      ),
    );
    assert.deepEqual(
      tlsFindings("tldwild.test"),
      both(
        "certificate name",
        "not valid for tldwild.test: DNS names *.test (*.test is a wildcard directly under a top-level domain); issue the certificate for the host's own name",
      ),
    );
  });

  it("does not take an IP address SAN for the host name", () => {
    assert.deepEqual(
      tlsFindings("ipsan.example.test"),
      both(
        "certificate name",
        `not valid for ipsan.example.test: DNS names none (subject CN=ipsan) (it names the address ${CV} (IP SAN), but senders check the host name they connected to); issue the certificate for the host's own name`,
      ),
    );
  });

  it("reports an extended key usage without serverAuth", () => {
    assert.deepEqual(
      tlsFindings("clientauth.example.test"),
      both(
        "certificate usage",
        "extended key usage 1.3.6.1.5.5.7.3.2 lacks serverAuth (1.3.6.1.5.5.7.3.1); TLS clients reject it for a server (RFC 5280 4.2.1.12): reissue it with serverAuth",
      ),
    );
  });

  it("reports a CA certificate (CA:TRUE) used as the server certificate", () => {
    assert.deepEqual(
      tlsFindings("caleaf.example.test"),
      both(
        "certificate usage",
        "the server certificate is a CA certificate (basicConstraints CA:TRUE); clients such as Firefox refuse a CA certificate as a server certificate: issue a leaf certificate with CA:FALSE",
      ),
    );
  });

  it("reports a self-signed certificate where the pool CA is expected", () => {
    assert.deepEqual(
      tlsFindings("selfsigned.example.test"),
      both(
        "certificate chain",
        `self-signed ("CN=selfsigned.example.test"), but host certificates come from the pool CA; MailStore Server trusting the CA file ${lab.caFile} rejects it: install the certificate the stack issued`,
      ),
    );
  });

  it("reports a SHA-1 signature", () => {
    assert.deepEqual(
      tlsFindings("sha1.example.test"),
      both(
        "certificate signature",
        "the server certificate is signed with SHA-1; TLS clients reject SHA-1 signatures (CA/Browser Forum BR 7.1.3): reissue it with SHA-256",
      ),
    );
  });

  it("reports an incomplete chain (intermediate not sent)", () => {
    assert.deepEqual(
      tlsFindings("incomplete.example.test"),
      both(
        "certificate chain",
        `does not verify against the CA file ${lab.caFile}: UNABLE_TO_VERIFY_LEAF_SIGNATURE: its issuer is neither sent by the server nor trusted (the last certificate sent names issuer "CN=Lab intermediate")`,
      ),
    );
  });

  it(
    "reports a server that speaks only a retired TLS version (RFC 8996)",
    { timeout: 60_000 },
    async () => {
      const { report: r } = await report(
        "--mail-domain",
        "gooddom.example.test",
        "--gateway",
        `good.example.test=${CV}`,
        "--resolver",
        RESOLVER,
        "--ca",
        lab.caFile,
        "--smtp-port",
        String(PORTS.tls11),
      );
      assert.deepEqual(notOk(of(r, "good.example.test")), [
        [
          "problem",
          "SMTP",
          `SMTP ${PORTS.tls11} at ${CV}: STARTTLS, but only TLSv1.1, which RFC 8996 retired; current senders and MailStore Server refuse it: enable TLS 1.2 and 1.3`,
        ],
      ]);
    },
  );

  it("reports an RSA key under 2048 bits", { timeout: 60_000 }, async () => {
    const weak =
      "the server certificate has an RSA 1024 key; TLS clients require RSA keys of at least 2048 bits (CA/Browser Forum BR 6.1.5, OpenSSL security level 2)";
    assert.deepEqual(
      tlsFindings("rsa1024.example.test").filter(([, c]) => c.startsWith("POP3")),
      [["problem", "POP3 certificate key", weak]],
    );
    const smtp = await report(
      "--mail-domain",
      "gooddom.example.test",
      "--gateway",
      `rsa1024.example.test=${CV}`,
      "--resolver",
      RESOLVER,
      "--ca",
      lab.caFile,
      "--smtp-port",
      String(PORTS.rsa1024),
    );
    assert.deepEqual(
      notOk(of(smtp.report, "rsa1024.example.test").filter((f) => f.check.startsWith("SMTP"))),
      [["problem", "SMTP certificate key", weak]],
    );
  });
});

describe("bounded and safe to print", () => {
  const smtpAt = (port: number, ...extra: string[]) =>
    report(
      "--mail-domain",
      "gooddom.example.test",
      "--gateway",
      `good.example.test=${CV}`,
      "--resolver",
      RESOLVER,
      "--ca",
      lab.caFile,
      "--smtp-port",
      String(port),
      ...extra,
    );
  const smtpLine = (r: CheckReport) =>
    of(r, "good.example.test").find((f) => f.check === "SMTP")?.message;

  it(
    "bounds a server that drips 220- lines: one step for the whole reply",
    { timeout: 60_000 },
    async () => {
      const { report: r, ms } = await smtpAt(PORTS.drip, "--timeout", "2000");
      // 400 ms per line: four or five lines arrive in 2000 ms, depending on scheduling.
      assert.match(
        smtpLine(r) ?? "",
        /^SMTP 2501 at 10\.232\.3\.10: greeting: the reply did not complete within 2000 ms \([45] lines so far\)$/,
      );
      assert.ok(ms < 8_000, `took ${ms} ms`);
    },
  );

  it("bounds a gateway by its total deadline", { timeout: 60_000 }, async () => {
    const { report: r, ms } = await smtpAt(PORTS.drip, "--timeout", "10000", "--deadline", "3000");
    assert.equal(
      smtpLine(r),
      `SMTP ${PORTS.drip} at ${CV}: greeting: the server's answer did not finish before the gateway's total deadline of 3000 ms`,
    );
    assert.ok(ms < 9_000, `took ${ms} ms`);
  });

  it("bounds DNS lookups by the gateway's deadline too", { timeout: 60_000 }, async () => {
    const { report: r, ms } = await report(
      "--mail-domain",
      "gooddom.example.test",
      "--gateway",
      `good.example.test=${CV}`,
      "--resolver",
      "10.232.0.99",
      "--ca",
      lab.caFile,
      "--timeout",
      "10000",
      "--deadline",
      "2000",
    );
    assert.deepEqual(list(r.pool), [
      [
        "problem",
        "MX",
        "MX lookup for gooddom.example.test failed: the lookup did not finish before the gateway's deadline; this is a resolver failure, not an answer: check --resolver and the network",
      ],
    ]);
    assert.ok(ms < 7_000, `took ${ms} ms`);
  });

  it("caps a line that never ends", { timeout: 60_000 }, async () => {
    const { report: r } = await smtpAt(PORTS.endless, "--timeout", "5000");
    assert.equal(
      smtpLine(r),
      `SMTP ${PORTS.endless} at ${CV}: greeting: the server sent a line longer than 2048 bytes (RFC 5321 4.5.3.1.5 allows 512)`,
    );
  });

  it("caps a 10 MB reply, and the report stays small", { timeout: 60_000 }, async () => {
    const result = await run([
      "--mail-domain",
      "gooddom.example.test",
      "--gateway",
      `good.example.test=${CV}`,
      "--resolver",
      RESOLVER,
      "--ca",
      lab.caFile,
      "--smtp-port",
      String(PORTS.huge),
      "--json",
    ]);
    const r = JSON.parse(result.stdout) as CheckReport;
    assert.equal(
      smtpLine(r),
      `SMTP ${PORTS.huge} at ${CV}: greeting: the server sent more than 65536 bytes without finishing its replies`,
    );
    assert.ok(result.stdout.length < 8_000, `report of ${result.stdout.length} characters`);
  });

  it(
    "escapes terminal control sequences from a server, in text and JSON",
    { timeout: 60_000 },
    async () => {
      const args = [
        "--mail-domain",
        "gooddom.example.test",
        "--gateway",
        `good.example.test=${CV}`,
        "--resolver",
        RESOLVER,
        "--ca",
        lab.caFile,
        "--smtp-port",
        String(PORTS.control),
      ];
      const text = await run(args);
      assert.equal(text.code, 1);
      assert.doesNotMatch(text.stdout, UNSAFE);
      assert.match(
        text.stdout,
        /EHLO msgw-check\.invalid answered 554 \\x1b\[2J\\x1b\[1;32mALL GATEWAYS HEALTHY/,
      );
      const json = await run([...args, "--json"]);
      assert.doesNotMatch(json.stdout, /\\u001b|\\u0007/);
      const r = JSON.parse(json.stdout) as CheckReport;
      assert.doesNotMatch(JSON.stringify(r), UNSAFE);
      assert.doesNotMatch(smtpLine(r) ?? "", UNSAFE);
      assert.match(smtpLine(r) ?? "", /\\x9b31m\\x07$/);
    },
  );
});

describe("wait mode and the readiness gate command", () => {
  it("passes a host that is ready at once (exit 0, one attempt)", { timeout: 60_000 }, async () => {
    const result = await run([
      "--wait",
      "30",
      "--gateway",
      `good.example.test=${CV}`,
      "--ca",
      lab.caFile,
    ]);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, "msgw check: good.example.test is ready (attempt 1)\n");
    assert.match(result.stdout, /^OK: the gateway passed every check\.$/m);
    assert.doesNotMatch(result.stdout, /\bMX\b/);
  });

  it("waits for a host that starts answering during the wait", { timeout: 90_000 }, async () => {
    const late = 2599;
    const waiting = run([
      "--wait",
      "40",
      "--gateway",
      `good.example.test=${CV}`,
      "--ca",
      lab.caFile,
      "--smtp-port",
      String(late),
      "--timeout",
      "2000",
    ]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // A second fault server, SMTP on the late port with the same certificates.
    const config = JSON.parse(readFileSync(join(lab.world.dir, "fault-server.json"), "utf8")) as {
      ports: unknown[];
    };
    config.ports = [{ port: late, mode: "smtp" }];
    const lateConfig = join(lab.world.dir, "fault-server-late.json");
    writeFileSync(lateConfig, JSON.stringify(config));
    const server = lab.world.net.start(lab.cv, "fault-server-late", process.execPath, [
      "--import",
      "tsx",
      join(__dirname, "lib", "fault-server.ts"),
      "--config",
      lateConfig,
    ]);
    try {
      const result = await waiting;
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stderr.trim().split("\n");
      assert.match(
        lines[0] as string,
        /^msgw check: attempt 1: not ready \(SMTP: SMTP 2599 at 10\.232\.3\.10: connection refused\); \d+ s left$/,
      );
      assert.match(
        lines[lines.length - 1] as string,
        /^msgw check: good\.example\.test is ready \(attempt [2-9]\)$/,
      );
      assert.match(result.stdout, /^OK: the gateway passed every check\.$/m);
    } finally {
      await lab.world.net.stop(server);
    }
  });

  it(
    "fails a host that never answers within the bound, with the report",
    { timeout: 60_000 },
    async () => {
      const result = await run([
        "--wait",
        "6",
        "--gateway",
        "never.example.test=10.232.3.99",
        "--ca",
        lab.caFile,
        "--timeout",
        "1000",
      ]);
      assert.equal(result.code, 1);
      assert.ok(result.ms < 6_000 + 6_000, `took ${result.ms} ms`);
      const lines = result.stderr.trim().split("\n");
      assert.match(
        lines[0] as string,
        /^msgw check: attempt 1: not ready \(SMTP: SMTP 25 at 10\.232\.3\.99: the TCP connection did not finish within 1000 ms\); \d+ s left$/,
      );
      assert.equal(
        lines[lines.length - 1],
        `msgw check: never.example.test did not become ready within 6 s (${lines.length - 1} attempts); its MX record must not be created`,
      );
      assert.match(result.stdout, /^FAILED: 2 problems on 1 of 1 gateways:$/m);
    },
  );

  it(
    "runs the component's gate command: passes a ready host, fails one that never answers",
    { timeout: 90_000 },
    async () => {
      const cli = `${process.execPath} --import tsx ${CLI}`;
      const pem = lab.certs.poolCa.certPem;
      const operator = lab.world.operator;
      if (operator === undefined) throw new Error("no operator");
      const gate = async (hostname: string, address: string) => {
        const command = readinessGateCommand({
          cli,
          hostname,
          address,
          waitSeconds: 5,
          caEnv: "MSGW_CHECK_CA_PEM",
          ports: { smtp: 25, pop3: 110 },
          argPath: "hosts[0]",
        });
        return lab.world.net.runStatus(
          operator,
          "env",
          [`MSGW_CHECK_CA_PEM=${pem}`, "sh", "-c", command],
          60_000,
        );
      };
      const ready = await gate("good.example.test", CV);
      assert.equal(ready.code, 0, ready.stderr);
      const never = await gate("never.example.test", "10.232.3.99");
      assert.equal(never.code, 1);
      assert.match(never.stderr, /did not become ready within 5 s/);
      // Then the gate's own message: why a host created in this update cannot pass, and what to do.
      assert.match(
        never.stderr,
        /\nreadiness gate: never\.example\.test did not pass msgw check within 5 s, so this update stopped before creating its MX record; no MX record points at it\.\n/,
      );
      void DAY;
    },
  );
});
