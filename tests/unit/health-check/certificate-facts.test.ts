import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { certificateFacts, daysLeft, dnsNamesOf } from "../../../components/health-check";

// Self-signed, CN and SAN msgw1.example.test, valid 2026-01-01 to 2036-01-01 (made with openssl ca).
const PEM = readFileSync(join(__dirname, "fixtures", "msgw1-self-signed.pem"), "utf8");

describe("certificateFacts", () => {
  it("reads names, issuer and validity, and matches the host name", () => {
    const facts = certificateFacts(PEM, "msgw1.example.test");
    assert.equal(facts.subject, "CN=msgw1.example.test, O=MailStore Gateway pool");
    assert.equal(facts.issuer, "CN=msgw1.example.test, O=MailStore Gateway pool");
    assert.deepEqual(facts.dnsNames, ["msgw1.example.test"]);
    assert.equal(facts.validFrom, "2026-01-01T00:00:00.000Z");
    assert.equal(facts.validTo, "2036-01-01T00:00:00.000Z");
    assert.match(facts.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(facts.matchesHostname, true);
  });

  it("does not match another host or the mail domain", () => {
    assert.equal(certificateFacts(PEM, "msgw2.example.test").matchesHostname, false);
    assert.equal(certificateFacts(PEM, "example.test").matchesHostname, false);
  });
});

describe("dnsNamesOf", () => {
  it("keeps DNS entries only, lower-cased", () => {
    assert.deepEqual(
      dnsNamesOf("DNS:MSGW1.example.com, IP Address:192.0.2.1, DNS:msgw.example.com"),
      ["msgw1.example.com", "msgw.example.com"],
    );
    assert.deepEqual(dnsNamesOf(undefined), []);
  });
});

describe("daysLeft", () => {
  const validTo = "2036-01-01T00:00:00.000Z";
  it("counts whole days, negative once expired", () => {
    assert.equal(daysLeft(validTo, new Date("2035-12-01T00:00:00Z")), 31);
    assert.equal(daysLeft(validTo, new Date("2035-12-31T00:00:01Z")), 0);
    assert.equal(daysLeft(validTo, new Date("2036-01-01T00:00:01Z")), -1);
    assert.equal(daysLeft(validTo, new Date("2036-01-04T12:00:00Z")), -4);
  });
});
