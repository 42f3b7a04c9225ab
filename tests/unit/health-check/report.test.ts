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
      [{ check: "MX", ok: true, message: "msgw.example.com MX 0 msgw1.example.com" }],
      [
        {
          hostname: "msgw1.example.com",
          state: "active",
          findings: [{ check: "A", ok: true, message: "203.0.113.11" }],
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
      [{ check: "MX", ok: false, message: "MX 5 old.example.com is not a gateway of this stack" }],
      [
        {
          hostname: "msgw1.example.com",
          state: "active",
          findings: [{ check: "A", ok: true, message: "203.0.113.11" }],
        },
        {
          hostname: "msgw2.example.com",
          state: "draining",
          findings: [
            { check: "SMTP", ok: false, message: "SMTP 25 at 203.0.113.12: connection refused" },
            { check: "POP3", ok: false, message: "POP3 110 at 203.0.113.12: connection refused" },
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
});
