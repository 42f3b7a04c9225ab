/**
 * TLSA parsing and matching (RFC 6698, RFC 7671, RFC 7672 3) against certificates made at test
 * time with @peculiar/x509; every expected digest is computed from @peculiar/x509's own encoding
 * of the certificate and its key, not from the code under test.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rootCertificates } from "node:tls";
import { before, describe, it } from "node:test";
import {
  associationData,
  chainsToPublicRoot,
  daneEeRecord,
  formatTlsa,
  matchTlsa,
  showTlsa,
  unusableReason,
  type TlsaRecord,
} from "../../../components/health-check";
import { X509Certificate } from "node:crypto";
import { labCert, type LabCert } from "../../e2e/health-check/lib/cert-lab";

const HOST = "mx1.example.test";
const sha256 = (b: ArrayBuffer | Buffer) =>
  createHash("sha256")
    .update(Buffer.from(b as ArrayBuffer))
    .digest("hex");
const sha512 = (b: ArrayBuffer | Buffer) =>
  createHash("sha512")
    .update(Buffer.from(b as ArrayBuffer))
    .digest("hex");
const der = (c: LabCert) => Buffer.from(c.cert.rawData);
const spki = (c: LabCert) => Buffer.from(c.cert.publicKey.rawData);
const rec = (usage: number, selector: number, matchingType: number, data: string): TlsaRecord => ({
  usage,
  selector,
  matchingType,
  data,
});

let ca: LabCert;
let inter: LabCert;
let leaf: LabCert;
let other: LabCert;
let expired: LabCert;
let notYet: LabCert;
let wrongName: LabCert;

before(async () => {
  ca = await labCert({ commonName: "Test DANE CA", ca: true, notAfterDays: 3650 });
  inter = await labCert({ commonName: "Test DANE intermediate", ca: true }, ca);
  leaf = await labCert({ commonName: HOST }, inter);
  other = await labCert({ commonName: HOST }, ca);
  expired = await labCert({ commonName: HOST, notBeforeDays: -40, notAfterDays: -2 }, ca);
  notYet = await labCert({ commonName: HOST, notBeforeDays: 3, notAfterDays: 90 }, ca);
  wrongName = await labCert({ commonName: "mx9.example.test" }, ca);
});

describe("TLSA association data", () => {
  it("selects the whole certificate or its SubjectPublicKeyInfo and hashes it", () => {
    const x = new X509Certificate(der(leaf));
    assert.equal(associationData(x, 1, 1), sha256(spki(leaf)));
    assert.equal(associationData(x, 0, 1), sha256(der(leaf)));
    assert.equal(associationData(x, 1, 2), sha512(spki(leaf)));
    assert.equal(associationData(x, 0, 2), sha512(der(leaf)));
    assert.equal(associationData(x, 1, 0), spki(leaf).toString("hex"));
    assert.equal(associationData(x, 0, 0), der(leaf).toString("hex"));
    assert.deepEqual(daneEeRecord(x), rec(3, 1, 1, sha256(spki(leaf))));
  });

  it("prints digests whole and exact matches shortened", () => {
    const digest = "ab".repeat(32);
    assert.equal(formatTlsa(rec(3, 1, 1, digest)), `3 1 1 ${digest}`);
    assert.equal(showTlsa(rec(3, 1, 1, digest)), `3 1 1 ${digest}`);
    assert.equal(showTlsa(rec(3, 1, 0, "0a".repeat(91))), `3 1 0 ${"0a".repeat(16)}... (91 bytes)`);
  });

  const unusable: Array<[TlsaRecord, string]> = [
    [rec(0, 0, 1, "ab".repeat(32)), "usage 0 (PKIX-TA) is unusable for SMTP (RFC 7672 3.1.3)"],
    [rec(1, 1, 1, "ab".repeat(32)), "usage 1 (PKIX-EE) is unusable for SMTP (RFC 7672 3.1.3)"],
    [rec(4, 1, 1, "ab".repeat(32)), "usage 4 is not defined"],
    [rec(3, 2, 1, "ab".repeat(32)), "selector 2 is not defined"],
    [rec(3, 1, 3, "ab".repeat(32)), "matching type 3 is not defined"],
    [rec(3, 1, 1, "ab".repeat(31)), "a SHA-256 digest has 32 bytes, this one 31"],
    [rec(2, 0, 2, "ab".repeat(32)), "a SHA-512 digest has 64 bytes, this one 32"],
    [rec(3, 1, 0, ""), "the association data is empty"],
  ];
  for (const [record, reason] of unusable) {
    it(`calls ${formatTlsa(record).slice(0, 12)} unusable`, () => {
      assert.equal(unusableReason(record), reason);
    });
  }
  it("accepts the DANE usages with defined selectors and matching types", () => {
    assert.equal(unusableReason(rec(3, 1, 1, "ab".repeat(32))), undefined);
    assert.equal(unusableReason(rec(2, 0, 2, "ab".repeat(64))), undefined);
    assert.equal(unusableReason(rec(3, 0, 0, "30820101")), undefined);
  });
});

describe("matchTlsa", () => {
  const now = () => new Date();
  const chain = () => [der(leaf), der(inter), der(ca)];

  it("DANE-EE 3 1 1 matches the server certificate's key", () => {
    const record = rec(3, 1, 1, sha256(spki(leaf)));
    const m = matchTlsa([record], chain(), HOST, now());
    assert.deepEqual(m, {
      matched: record,
      depth: 0,
      outOfDate: [],
      unusable: [],
      trustAnchorFailures: [],
    });
  });

  it("DANE-EE matches with every selector and matching type", () => {
    for (const record of [
      rec(3, 0, 1, sha256(der(leaf))),
      rec(3, 1, 2, sha512(spki(leaf))),
      rec(3, 0, 2, sha512(der(leaf))),
      rec(3, 1, 0, spki(leaf).toString("hex")),
      rec(3, 0, 0, der(leaf).toString("hex")),
    ]) {
      assert.equal(matchTlsa([record], chain(), HOST, now()).matched, record, formatTlsa(record));
    }
  });

  it("a record for another key matches nothing", () => {
    const m = matchTlsa([rec(3, 1, 1, sha256(spki(other)))], chain(), HOST, now());
    assert.equal(m.matched, undefined);
    assert.equal(m.depth, undefined);
  });

  it("DANE-EE ignores the name (RFC 7672 3.1.1)", () => {
    const record = rec(3, 1, 1, sha256(spki(wrongName)));
    assert.equal(matchTlsa([record], [der(wrongName)], HOST, now()).matched, record);
  });

  it("DANE-TA matches a CA of the chain the server certificate chains to", () => {
    const atInter = rec(2, 0, 1, sha256(der(inter)));
    assert.equal(matchTlsa([atInter], chain(), HOST, now()).depth, 1);
    const atRoot = rec(2, 1, 1, sha256(spki(ca)));
    assert.equal(matchTlsa([atRoot], chain(), HOST, now()).depth, 2);
  });

  it("DANE-TA 2 1 0 verifies a chain whose anchor was not sent (RFC 7671 5.2.3)", () => {
    const record = rec(2, 1, 0, spki(ca).toString("hex"));
    const m = matchTlsa([record], [der(leaf), der(inter)], HOST, now());
    assert.equal(m.matched, record);
    assert.equal(m.depth, 2);
  });

  it("DANE-TA needs the host's name in the server certificate", () => {
    const record = rec(2, 0, 1, sha256(der(ca)));
    const m = matchTlsa([record], [der(wrongName), der(ca)], HOST, now());
    assert.equal(m.matched, undefined);
    assert.deepEqual(m.trustAnchorFailures, [
      {
        record,
        reason:
          "DANE-TA requires the server certificate to name mx1.example.test (RFC 7672 3.2.2), and its DNS names are mx9.example.test",
      },
    ]);
  });

  it("DANE-TA needs the chain to hold: a leaf of another CA fails", () => {
    const record = rec(2, 0, 1, sha256(der(inter)));
    const m = matchTlsa([record], [der(other), der(inter)], HOST, now());
    assert.equal(m.matched, undefined);
    assert.deepEqual(m.trustAnchorFailures, [
      { record, reason: "the certificate at depth 0 is not signed by the one at depth 1" },
    ]);
  });

  it("DANE-TA does not match the server certificate itself", () => {
    const m = matchTlsa([rec(2, 1, 1, sha256(spki(leaf)))], chain(), HOST, now());
    assert.equal(m.matched, undefined);
  });

  it("names an expired or not yet valid certificate that matched", () => {
    const exp = matchTlsa([rec(3, 1, 1, sha256(spki(expired)))], [der(expired)], HOST, now());
    assert.deepEqual(exp.outOfDate, [
      `the server certificate expired at ${expired.cert.notAfter.toISOString()}`,
    ]);
    const early = matchTlsa([rec(3, 1, 1, sha256(spki(notYet)))], [der(notYet)], HOST, now());
    assert.deepEqual(early.outOfDate, [
      `the server certificate is not valid before ${notYet.cert.notBefore.toISOString()}`,
    ]);
  });

  it("keeps unusable records apart and still matches the usable one", () => {
    const good = rec(3, 1, 1, sha256(spki(leaf)));
    const pkix = rec(1, 1, 1, sha256(spki(leaf)));
    const m = matchTlsa([pkix, good], chain(), HOST, now());
    assert.equal(m.matched, good);
    assert.deepEqual(m.unusable, [
      { record: pkix, reason: "usage 1 (PKIX-EE) is unusable for SMTP (RFC 7672 3.1.3)" },
    ]);
  });
});

describe("chainsToPublicRoot", () => {
  it("is false for a private CA and true for a public root", () => {
    assert.equal(chainsToPublicRoot([der(leaf), der(inter), der(ca)]), false);
    assert.equal(chainsToPublicRoot([rootCertificates[0] as string]), true);
  });
});
