import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildReport, exitCodeOf, renderText } from "../../../components/health-check";

const AT = new Date("2027-01-01T00:00:00Z");

describe("report", () => {
  it("renders a healthy pool and exits 0", () => {
    const report = buildReport(
      "msgw.example.com",
      "system",
      AT,
      [
        {
          check: "MX",
          ok: true,
          severity: "ok",
          message: "msgw.example.com MX 0 msgw1.example.com",
        },
      ],
      [
        {
          hostname: "msgw1.example.com",
          state: "active",
          findings: [{ check: "A", ok: true, severity: "ok", message: "203.0.113.11" }],
        },
      ],
    );
    assert.equal(report.problems, 0);
    assert.equal(exitCodeOf(report), 0);
    assert.equal(
      renderText(report),
      [
        "msgw check: msgw.example.com, 1 gateway, resolver system, at 2027-01-01T00:00:00.000Z",
        "",
        "msgw.example.com (mail domain)",
        "  ok       MX  msgw.example.com MX 0 msgw1.example.com",
        "",
        "msgw1.example.com (active)",
        "  ok       A   203.0.113.11",
        "",
        "OK: the gateway passed every check.",
        "",
      ].join("\n"),
    );
  });

  it("counts problems, names each one in the summary and exits 1", () => {
    const report = buildReport(
      "msgw.example.com",
      "10.0.0.53:53",
      AT,
      [
        {
          check: "MX",
          ok: false,
          severity: "problem",
          message: "MX 5 old.example.com is not a gateway of this stack",
        },
      ],
      [
        {
          hostname: "msgw1.example.com",
          state: "active",
          findings: [{ check: "A", ok: true, severity: "ok", message: "203.0.113.11" }],
        },
        {
          hostname: "msgw2.example.com",
          state: "draining",
          findings: [
            {
              check: "SMTP",
              ok: false,
              severity: "problem",
              message: "SMTP 25 at 203.0.113.12: connection refused",
            },
            {
              check: "POP3",
              ok: false,
              severity: "problem",
              message: "POP3 110 at 203.0.113.12: connection refused",
            },
          ],
        },
      ],
    );
    assert.equal(report.problems, 3);
    assert.equal(report.ok, false);
    assert.equal(exitCodeOf(report), 1);
    const text = renderText(report);
    assert.ok(
      text.startsWith(
        "msgw check: msgw.example.com, 2 gateways, resolver 10.0.0.53:53, at 2027-01-01T00:00:00.000Z\n",
      ),
    );
    assert.ok(
      text.endsWith(
        [
          "FAILED: 3 problems on 1 of 2 gateways and the mail domain:",
          "  - msgw.example.com: MX: MX 5 old.example.com is not a gateway of this stack",
          "  - msgw2.example.com: SMTP: SMTP 25 at 203.0.113.12: connection refused",
          "  - msgw2.example.com: POP3: POP3 110 at 203.0.113.12: connection refused",
          "",
        ].join("\n"),
      ),
    );
    assert.match(
      text,
      /^msgw2\.example\.com \(draining\)\n {2}PROBLEM {2}SMTP {2}SMTP 25 at 203\.0\.113\.12: connection refused$/m,
    );
  });

  it("pins the JSON shape (schemaVersion 1), counts warnings apart and escapes control characters", () => {
    const report = buildReport(
      "msgw.example.com",
      "system",
      AT,
      [
        {
          check: "MX",
          ok: true,
          severity: "warning",
          message: "msgw.example.com has no MX record, so senders deliver to its own address",
        },
      ],
      [
        {
          hostname: "msgw1.example.com",
          state: "active",
          findings: [
            {
              check: "SMTP",
              ok: false,
              severity: "problem",
              message:
                "SMTP 25 at 203.0.113.11: greeting answered 554 \x1b[2JALL GATEWAYS HEALTHY\u202e\x9b",
            },
          ],
        },
      ],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(report)), {
      schemaVersion: 1,
      mailDomain: "msgw.example.com",
      resolver: "system",
      checkedAt: "2027-01-01T00:00:00.000Z",
      pool: [
        {
          check: "MX",
          ok: true,
          severity: "warning",
          message: "msgw.example.com has no MX record, so senders deliver to its own address",
        },
      ],
      gateways: [
        {
          hostname: "msgw1.example.com",
          state: "active",
          findings: [
            {
              check: "SMTP",
              ok: false,
              severity: "problem",
              message:
                "SMTP 25 at 203.0.113.11: greeting answered 554 \\x1b[2JALL GATEWAYS HEALTHY\\u{202e}\\x9b",
            },
          ],
        },
      ],
      problems: 1,
      warnings: 1,
      ok: false,
    });
    const text = renderText(report);
    assert.ok(
      text.endsWith(
        [
          "FAILED: 1 problem on 1 of 1 gateways:",
          "  - msgw1.example.com: SMTP: SMTP 25 at 203.0.113.11: greeting answered 554 \\x1b[2JALL GATEWAYS HEALTHY\\u{202e}\\x9b",
          "and 1 warning:",
          "  - msgw.example.com: MX: msgw.example.com has no MX record, so senders deliver to its own address",
          "",
        ].join("\n"),
      ),
    );
    assert.doesNotMatch(text, /[\x1b\x9b\u202e]/);
  });

  it("passes with warnings: exit 0, and the summary lists them", () => {
    const report = buildReport(
      "msgw.example.com",
      "system",
      AT,
      [],
      [
        {
          hostname: "msgw1.example.com",
          state: "active",
          findings: [
            {
              check: "SMTP CA expiry",
              ok: true,
              severity: "warning",
              message: 'the root CA "CN=pool CA" expires in 20 days',
            },
          ],
        },
      ],
    );
    assert.equal(exitCodeOf(report), 0);
    assert.ok(
      renderText(report).endsWith(
        [
          "OK: the gateway passed every check, with 1 warning:",
          '  - msgw1.example.com: SMTP CA expiry: the root CA "CN=pool CA" expires in 20 days',
          "",
        ].join("\n"),
      ),
    );
  });

  it("carries the DANE summary in the JSON, escaped like every string, and omits it when off", () => {
    const dane = {
      mode: "require" as const,
      resolver: "10.0.0.53:53",
      mxAuthenticated: true,
      hosts: [
        {
          hostname: "msgw1.example.com\x1b[2J",
          mx: true,
          tlsaName: "_25._tcp.msgw1.example.com",
          tlsa: ["3 1 1 ab"],
          authenticated: true,
          status: "mismatch" as const,
          matched: null,
        },
      ],
      covered: ["msgw1.example.com"],
      uncovered: [],
    };
    const report = buildReport("msgw.example.com", "10.0.0.53:53", AT, [], [], dane);
    assert.deepEqual(JSON.parse(JSON.stringify(report)).dane, {
      ...dane,
      hosts: [{ ...dane.hosts[0], hostname: "msgw1.example.com\\x1b[2J" }],
    });
    assert.equal("dane" in buildReport("msgw.example.com", "system", AT, [], []), false);
  });
});
