import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkMailAddressRecordsNotProxied } from "../../../policy/rules/mail-a-not-proxied";
import { checkMxTargetsHaveARecords } from "../../../policy/rules/mx-has-a-record";
import { dnsRecords, normalizeName } from "../../../policy/rules/resources";
import { pool, record } from "./fixtures";

describe("normalizeName / dnsRecords", () => {
  it("compare names case-insensitively without the trailing dot", () => {
    assert.equal(normalizeName(" MSGW1.Example.com. "), "msgw1.example.com");
    assert.deepEqual(dnsRecords([record("MSGW.example.com.", "mx", "Msgw1.Example.com.")]), [
      {
        urn: "urn:pulumi:dev::msgw::cloudflare:index/dnsRecord:DnsRecord::mx-MSGW.example.com.",
        type: "MX",
        name: "msgw.example.com",
        content: "msgw1.example.com",
        proxied: undefined,
      },
    ]);
  });
});

describe("mail A records are never proxied", () => {
  it("passes a compliant pool", () => {
    assert.deepEqual(checkMailAddressRecordsNotProxied(pool()), []);
  });
  it("reports a proxied A record that an MX record points at", () => {
    const resources = pool();
    resources[1] = record("msgw2.example.com", "A", "198.51.100.2", { proxied: true });
    assert.deepEqual(checkMailAddressRecordsNotProxied(resources), [
      {
        urn: resources[1].urn,
        message:
          "A record msgw2.example.com is proxied but is the target of the MX record of " +
          "msgw.example.com; mail hosts must be reached directly: set proxied: false",
      },
    ]);
  });
  it("reports a proxied AAAA mail record, matching names case-insensitively", () => {
    const resources = [
      ...pool(),
      record("MSGW1.example.com.", "AAAA", "2001:db8::1", { proxied: true }),
    ];
    assert.deepEqual(
      checkMailAddressRecordsNotProxied(resources).map((v) => v.message),
      [
        "AAAA record msgw1.example.com is proxied but is the target of the MX record of " +
          "msgw.example.com; mail hosts must be reached directly: set proxied: false",
      ],
    );
  });
  it("leaves a proxied web record that no MX points at alone", () => {
    const resources = [
      ...pool(),
      record("www.example.com", "A", "198.51.100.9", { proxied: true }),
    ];
    assert.deepEqual(checkMailAddressRecordsNotProxied(resources), []);
  });
});

describe("every MX target has an A record in the stack", () => {
  it("passes a compliant pool", () => {
    assert.deepEqual(checkMxTargetsHaveARecords(pool()), []);
  });
  it("reports an MX record whose target has no A record", () => {
    const resources = [...pool(), record("msgw.example.com", "MX", "msgw3.example.com")];
    assert.deepEqual(checkMxTargetsHaveARecords(resources), [
      {
        urn: resources[6].urn,
        message:
          "MX record of msgw.example.com points at msgw3.example.com, which has no A record in " +
          "this stack; add an A record for msgw3.example.com (the gateway host's own name)",
      },
    ]);
  });
  it("does not count an AAAA or a CNAME record as the A record", () => {
    const resources = [
      record("msgw.example.com", "MX", "msgw3.example.com"),
      record("msgw3.example.com", "AAAA", "2001:db8::3"),
      record("msgw3.example.com", "CNAME", "elsewhere.example.net"),
    ];
    assert.equal(checkMxTargetsHaveARecords(resources).length, 1);
  });
  it("skips an MX record whose target is not known yet", () => {
    const mx = record("msgw.example.com", "MX", "x");
    delete mx.props.content;
    assert.deepEqual(checkMxTargetsHaveARecords([mx]), []);
  });
});
