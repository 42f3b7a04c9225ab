/**
 * `msgw check` verifies DANE against real DNSSEC: NSD serving zones signed by ldns-signzone,
 * Unbound validating with the lab's trust anchors, SMTP and POP3 receivers presenting known
 * certificates (see lib/dane-lab.ts). One mail domain per fault class; each case runs the real
 * CLI from an operator namespace and asserts the exact DANE verdict, in text and in `--json`.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CheckReport, Finding } from "../../../components/health-check";
import { runDirectory, runPrefix } from "../../lab/fixtures";
import {
  cert256,
  createDaneLab,
  GW,
  RESOLVER,
  spki256,
  type DaneLab,
  type LabHost,
} from "./lib/dane-lab";

const CLI = join(__dirname, "..", "..", "..", "bin", "msgw.ts");
const R = `${RESOLVER}:53`;
/** Per case: a whole check is a few DNS round trips and two STARTTLS dialogs. */
const CASE_MS = 60_000;

let lab: DaneLab;

/** Runs the real CLI in the operator namespace; `--resolver`, `--timeout` and `--deadline` may be overridden. */
async function check(...args: string[]) {
  const given = (flag: string) => args.includes(flag);
  return lab.net.runStatus(
    lab.operator,
    process.execPath,
    [
      "--import",
      "tsx",
      CLI,
      "check",
      ...args,
      ...(given("--resolver") ? [] : ["--resolver", RESOLVER]),
      "--ca",
      lab.caFile,
      ...(given("--timeout") ? [] : ["--timeout", "3000"]),
      ...(given("--deadline") ? [] : ["--deadline", "15000"]),
    ],
    45_000,
  );
}

/** Runs the check twice, as text and as JSON; returns both and the exit code (the same for both). */
async function both(...args: string[]) {
  const text = await check(...args);
  const json = await check(...args, "--json");
  assert.equal(json.stderr, "");
  assert.equal(text.code, json.code);
  return { code: json.code, text: text.stdout, report: JSON.parse(json.stdout) as CheckReport };
}

const dane = (list: readonly Finding[]) =>
  list.filter((f) => f.check === "DANE").map((f) => `${f.severity}: ${f.message}`);
const gatewayFindings = (report: CheckReport, host: string) =>
  report.gateways.find((g) => g.hostname === host)?.findings ?? [];
/** The text report's line for a finding. */
const line = (severity: "ok" | "WARNING" | "PROBLEM", message: string) =>
  new RegExp(`^  ${severity === "ok" ? "ok     " : severity}  DANE\\s+${escape(message)}$`, "m");
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const key = (host: LabHost) => spki256(lab.certs.get(host) as never);

describe("msgw check: DANE against a signed zone and a validating resolver", () => {
  before(
    async () => {
      const prefix = runPrefix("mp-dane");
      lab = await createDaneLab(prefix, runDirectory(prefix));
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await lab?.destroy();
  });

  it(
    "match: both MX hosts covered, both certificates match 3 1 1 (exit 0)",
    { timeout: CASE_MS },
    async () => {
      const { code, text, report } = await both(
        "--mail-domain",
        "good.test",
        "--gateway",
        "mx1.good.test",
        "--gateway",
        "mx2.good.test",
      );
      assert.equal(code, 0);
      const covered = `DANE covers all 2 MX hosts (mx1.good.test, mx2.good.test); the MX answer validates at ${R}`;
      assert.deepEqual(dane(report.pool), [`ok: ${covered}`]);
      const match1 = `the certificate matches TLSA 3 1 1 ${key("mx1.good.test")} (DANE-EE, public key)`;
      assert.deepEqual(dane(gatewayFindings(report, "mx1.good.test")), [`ok: ${match1}`]);
      assert.match(text, line("ok", covered));
      assert.match(text, line("ok", match1));
      assert.match(text, /^OK: all 2 gateways passed every check\.$/m);
      assert.deepEqual(report.dane, {
        mode: "auto",
        resolver: R,
        mxAuthenticated: true,
        hosts: ["mx1", "mx2"].map((h) => ({
          hostname: `${h}.good.test`,
          mx: true,
          tlsaName: `_25._tcp.${h}.good.test`,
          tlsa: [`3 1 1 ${key(`${h}.good.test` as LabHost)}`],
          authenticated: true,
          status: "match",
          matched: `3 1 1 ${key(`${h}.good.test` as LabHost)}`,
        })),
        covered: ["mx1.good.test", "mx2.good.test"],
        uncovered: [],
      });
      // --dane require passes too: every MX host has matching, validated records.
      const required = await check(
        "--mail-domain",
        "good.test",
        "--gateway",
        "mx1.good.test",
        "--gateway",
        "mx2.good.test",
        "--dane",
        "require",
        "--json",
      );
      assert.equal(required.code, 0, required.stdout);
      assert.equal((JSON.parse(required.stdout) as CheckReport).dane?.mode, "require");
    },
  );

  it("TLSA mismatch is a problem (exit 1)", { timeout: CASE_MS }, async () => {
    const { code, text, report } = await both(
      "--mail-domain",
      "mismatch.good.test",
      "--gateway",
      "mxbad.good.test",
    );
    assert.equal(code, 1);
    const message = `no TLSA record at _25._tcp.mxbad.good.test matches the certificate mxbad.good.test presents (published: 3 1 1 ${spki256(lab.stranger)}; its public key gives 3 1 1 ${key("mxbad.good.test")}): DANE senders refuse to deliver to mxbad.good.test (Exchange Online: NDR 5.7.323 tlsa-invalid): publish the record for the key the host serves, or serve the certificate the record pins`;
    assert.deepEqual(dane(gatewayFindings(report, "mxbad.good.test")), [`problem: ${message}`]);
    assert.match(text, line("PROBLEM", message));
    assert.equal(report.problems, 1);
    assert.equal(report.dane?.hosts[0]?.status, "mismatch");
    assert.equal(report.dane?.hosts[0]?.matched, null);
  });

  it("TLSA in an unsigned zone is a problem (exit 1)", { timeout: CASE_MS }, async () => {
    const { code, text, report } = await both(
      "--mail-domain",
      "plain.test",
      "--gateway",
      "mx.plain.test",
    );
    assert.equal(code, 1);
    const pool = `the MX records of plain.test do not validate (the answer is not DNSSEC-signed (no RRSIG, no AD bit from ${R}): the zone is not signed); senders use DANE only when the MX answer validates (RFC 7672 2.2.1), so the TLSA records of mx.plain.test protect nothing: sign the zone of plain.test`;
    const host = `_25._tcp.mx.plain.test has TLSA 3 1 1 ${key("mx.plain.test")}, but the answer is not DNSSEC-signed (no RRSIG, no AD bit from ${R}): the zone is not signed; senders ignore TLSA records that do not validate (RFC 7672 2.2), so DANE does not protect mx.plain.test: sign the zone, or remove the records`;
    assert.deepEqual(dane(report.pool), [`problem: ${pool}`]);
    assert.deepEqual(dane(gatewayFindings(report, "mx.plain.test")), [`problem: ${host}`]);
    assert.match(text, line("PROBLEM", pool));
    assert.match(text, line("PROBLEM", host));
    assert.equal(report.dane?.mxAuthenticated, false);
    assert.equal(report.dane?.hosts[0]?.status, "not-validated");
    assert.equal(report.dane?.hosts[0]?.authenticated, false);
  });

  it(
    "a bogus zone (expired RRSIG) is a DNSSEC failure, never a missing MX record",
    { timeout: CASE_MS },
    async () => {
      const { code, text, report } = await both(
        "--mail-domain",
        "bogus.test",
        "--gateway",
        "mx.bogus.test",
      );
      assert.equal(code, 1);
      const why = `the validating resolver ${R} answers SERVFAIL, and answers the same query with checking disabled (CD), so the zone's signatures are bogus (expired, not yet valid, or not matching its keys or the DS record)`;
      const pool = `DNSSEC validation of the MX records of bogus.test failed: ${why}; senders that validate DNSSEC (Exchange Online among them) cannot look up the gateways and queue all journal mail: re-sign the zone. This is a DNSSEC failure, not a missing MX record`;
      const host = `DNSSEC validation of _25._tcp.mx.bogus.test TLSA failed: ${why}; DANE senders treat mx.bogus.test as unusable and queue its mail: re-sign the zone`;
      assert.deepEqual(dane(report.pool), [`problem: ${pool}`]);
      assert.deepEqual(dane(gatewayFindings(report, "mx.bogus.test")), [`problem: ${host}`]);
      assert.match(text, line("PROBLEM", pool));
      // The other checks name the SERVFAIL a DNSSEC failure too, never a missing record.
      const dnssec =
        "the validating resolver answered SERVFAIL because DNSSEC validation failed (see the DANE finding); this is a DNSSEC failure, not a missing record";
      assert.deepEqual(
        report.pool.filter((f) => f.check === "MX").map((f) => f.message),
        [`MX lookup for bogus.test failed: ${dnssec}`],
      );
      for (const f of [...report.pool, ...gatewayFindings(report, "mx.bogus.test")]) {
        assert.doesNotMatch(f.message, /has no MX|no MX record(?! \w)|NXDOMAIN|NODATA/, f.message);
      }
      assert.equal(report.dane?.hosts[0]?.status, "bogus");
    },
  );

  it(
    "partial coverage: one MX host without TLSA is a problem (exit 1)",
    { timeout: CASE_MS },
    async () => {
      // mxnotlsa is an MX host but not a gateway of this check: it is looked up all the same.
      const { code, text, report } = await both(
        "--mail-domain",
        "partial.good.test",
        "--gateway",
        "mx1.good.test",
      );
      assert.equal(code, 1);
      const message =
        "DANE covers 1 of 2 MX hosts (mx1.good.test); mxnotlsa.good.test has no DNSSEC-validated, usable TLSA record, so an attacker who blocks the covered hosts gets the mail sent to mxnotlsa.good.test without authentication: publish TLSA records for every MX host";
      assert.deepEqual(dane(report.pool), [
        "ok: MX host mxnotlsa.good.test: no TLSA record at _25._tcp.mxnotlsa.good.test (NXDOMAIN): DANE does not cover mxnotlsa.good.test",
        `problem: ${message}`,
      ]);
      assert.match(text, line("PROBLEM", message));
      assert.equal(report.problems, 1);
      assert.deepEqual(report.dane?.covered, ["mx1.good.test"]);
      assert.deepEqual(report.dane?.uncovered, ["mxnotlsa.good.test"]);
    },
  );

  it("3 0 1 matches but is a warning (exit 0)", { timeout: CASE_MS }, async () => {
    const { code, text, report } = await both(
      "--mail-domain",
      "pin.good.test",
      "--gateway",
      "mxpin.good.test",
    );
    assert.equal(code, 0);
    const pinned = cert256(lab.certs.get("mxpin.good.test") as never);
    const message = `TLSA 3 0 1 ${pinned} pins the whole certificate (selector 0), so it stops matching at every renewal, even one that keeps the key: publish 3 1 1 ${key("mxpin.good.test")} (the SHA-256 of the public key) instead`;
    assert.deepEqual(dane(gatewayFindings(report, "mxpin.good.test")), [
      `warning: ${message}`,
      `ok: the certificate matches TLSA 3 0 1 ${pinned} (DANE-EE, whole certificate)`,
    ]);
    assert.match(text, line("WARNING", message));
    assert.equal(report.warnings, 1);
    assert.equal(report.dane?.hosts[0]?.status, "match");
  });

  it(
    "an expired certificate that matches is a problem (exit 1)",
    { timeout: CASE_MS },
    async () => {
      const { code, text, report } = await both(
        "--mail-domain",
        "expired.good.test",
        "--gateway",
        "mxexp.good.test",
      );
      assert.equal(code, 1);
      const cert = lab.certs.get("mxexp.good.test") as never as { certPem: string };
      const expiredAt = new Date(new X509Certificate(cert.certPem).validTo).toISOString();
      const message = `the certificate matches TLSA 3 1 1 ${key("mxexp.good.test")} (DANE-EE, public key), but the server certificate expired at ${expiredAt}: Exchange Online refuses an out-of-date certificate even under DANE-EE (NDR 5.7.322 or 5.7.323): renew it on the same key`;
      assert.deepEqual(dane(gatewayFindings(report, "mxexp.good.test")), [`problem: ${message}`]);
      assert.match(text, line("PROBLEM", message));
      assert.equal(report.dane?.hosts[0]?.status, "out-of-date");
    },
  );

  it(
    "--wait with --dane require: a mismatch is not ready, a match is",
    { timeout: CASE_MS },
    async () => {
      const started = Date.now();
      const bad = await check(
        "--wait",
        "6",
        "--gateway",
        `mxbad.good.test=${GW}`,
        "--dane",
        "require",
        "--json",
      );
      assert.equal(bad.code, 1);
      assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
      const report = JSON.parse(bad.stdout) as CheckReport;
      assert.equal(report.resolver, `${R} (TLSA only, wait mode)`);
      assert.deepEqual(dane(gatewayFindings(report, "mxbad.good.test")), [
        `problem: no TLSA record at _25._tcp.mxbad.good.test matches the certificate mxbad.good.test presents (published: 3 1 1 ${spki256(lab.stranger)}; its public key gives 3 1 1 ${key("mxbad.good.test")}): DANE senders refuse to deliver to mxbad.good.test (Exchange Online: NDR 5.7.323 tlsa-invalid): publish the record for the key the host serves, or serve the certificate the record pins`,
      ]);
      assert.match(
        bad.stderr,
        /attempt 1: not ready \(DANE: no TLSA record at _25\._tcp\.mxbad\.good\.test matches/,
      );
      assert.match(
        bad.stderr,
        /did not become ready within 6 s \(2 attempts\); its MX record must not be created/,
      );

      const good = await check(
        "--wait",
        "6",
        "--gateway",
        `mx1.good.test=${GW}`,
        "--dane",
        "require",
      );
      assert.equal(good.code, 0, good.stdout + good.stderr);
      assert.match(good.stderr, /mx1\.good\.test is ready \(attempt 1\)/);
      assert.match(
        good.stdout,
        line(
          "ok",
          `the certificate matches TLSA 3 1 1 ${key("mx1.good.test")} (DANE-EE, public key)`,
        ),
      );

      // Without --dane the gate does not look at TLSA records (the default with --wait is off).
      const plain = await check("--wait", "6", "--gateway", `mxbad.good.test=${GW}`);
      assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    },
  );

  it(
    "a resolver that never answers is a bounded failure, not a missing record",
    { timeout: CASE_MS },
    async () => {
      // Nothing listens on 53 at the gateway's address: every DNSSEC query times out.
      const started = Date.now();
      const result = await check(
        "--wait",
        "2",
        "--gateway",
        `mx1.good.test=${GW}`,
        "--dane",
        "require",
        "--resolver",
        GW,
        "--timeout",
        "500",
        "--deadline",
        "2000",
        "--json",
      );
      const took = Date.now() - started;
      assert.equal(result.code, 1);
      assert.ok(took < 15_000, `took ${took} ms`);
      const report = JSON.parse(result.stdout) as CheckReport;
      assert.deepEqual(dane(gatewayFindings(report, "mx1.good.test")), [
        "problem: TLSA lookup for _25._tcp.mx1.good.test failed: the resolver did not answer in time (ETIMEOUT); this is a resolver failure, not an answer: check --resolver and the network",
      ]);
      assert.equal(report.dane?.hosts[0]?.status, "error");
    },
  );
});
