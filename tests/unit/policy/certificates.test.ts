import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkCertificateNamesHost,
  checkCertificatesAvoidMailDomain,
} from "../../../policy/rules/certificate-names-host";
import { CERT_REQUEST, DNS_RECORD, SELF_SIGNED_CERT } from "../../../policy/rules/resources";
import { cert, pool } from "./fixtures";

describe("certificates name their host", () => {
  for (const type of [SELF_SIGNED_CERT, CERT_REQUEST]) {
    it(`${type}: passes when the CN is one of the DNS names`, () => {
      const props = {
        subject: { commonName: "msgw1.example.com" },
        dnsNames: ["MSGW1.example.com."],
      };
      assert.deepEqual(checkCertificateNamesHost(type, props), []);
    });
    it(`${type}: reports a CN missing from dnsNames`, () => {
      const props = {
        subject: { commonName: "msgw1.example.com" },
        dnsNames: ["msgw2.example.com"],
      };
      assert.deepEqual(checkCertificateNamesHost(type, props), [
        'certificate subject.commonName "msgw1.example.com" is not in dnsNames [msgw2.example.com]; ' +
          "add it, because clients check the subject alternative names",
      ]);
    });
    it(`${type}: reports a certificate without a CN`, () => {
      assert.deepEqual(checkCertificateNamesHost(type, { dnsNames: ["msgw1.example.com"] }), [
        "certificate has no subject.commonName; set it to the gateway host's own name " +
          "(msgw1.example.com) and list that name in dnsNames",
      ]);
      assert.equal(checkCertificateNamesHost(type, { subject: { commonName: " " } }).length, 1);
    });
  }
  it("exempts a CA certificate, which names no host", () => {
    const ca = {
      subject: { commonName: "msgw.example.com gateway pool CA" },
      isCaCertificate: true,
    };
    assert.deepEqual(checkCertificateNamesHost(SELF_SIGNED_CERT, ca), []);
    assert.equal(
      checkCertificateNamesHost(SELF_SIGNED_CERT, { ...ca, isCaCertificate: false }).length,
      1,
    );
  });
  it("ignores other resource types", () => {
    assert.deepEqual(checkCertificateNamesHost(DNS_RECORD, {}), []);
    assert.deepEqual(
      checkCertificateNamesHost("tls:index/locallySignedCert:LocallySignedCert", {}),
      [],
    );
  });
});

describe("no certificate for a mail domain", () => {
  it("passes a compliant pool", () => {
    assert.deepEqual(checkCertificatesAvoidMailDomain(pool()), []);
  });
  it("reports a CN and a SAN equal to an MX owner name", () => {
    const bad = cert(
      "shared",
      "MSGW.example.com",
      ["msgw.example.com", "msgw1.example.com"],
      CERT_REQUEST,
    );
    assert.deepEqual(checkCertificatesAvoidMailDomain([...pool(), bad]), [
      {
        urn: bad.urn,
        message:
          'certificate subject.commonName "MSGW.example.com" is a mail domain (it owns MX records); ' +
          "issue each gateway's certificate for its own host name (msgw1.example.com)",
      },
      {
        urn: bad.urn,
        message:
          'certificate dnsNames entry "msgw.example.com" is a mail domain (it owns MX records); ' +
          "issue each gateway's certificate for its own host name (msgw1.example.com)",
      },
    ]);
  });
  it("does not flag the mail domain's name when the stack has no MX record for it", () => {
    assert.deepEqual(
      checkCertificatesAvoidMailDomain([cert("c", "msgw.example.com", ["msgw.example.com"])]),
      [],
    );
  });
});
