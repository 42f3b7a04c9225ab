import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CheckInputError,
  targetsFromFlags,
  targetsFromOutputs,
} from "../../../components/health-check";

const gateway = (extra: Record<string, unknown> = {}) => ({
  hostname: "msgw1.example.com",
  address: "203.0.113.11",
  state: "active",
  mxPreference: 0,
  ...extra,
});

describe("targetsFromOutputs", () => {
  it("reads mailDomain, gateways and the pool CA from pulumi stack output --json", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const targets = targetsFromOutputs({
      mailDomain: "MSGW.example.com.",
      gateways: [
        gateway(),
        gateway({
          hostname: "msgw2.example.com",
          address: "198.51.100.12",
          state: "draining",
          mxPreference: null,
        }),
      ],
      caCertificatePem: pem,
      certificatePrivateKeys: "[secret]",
    });
    assert.deepEqual(targets, {
      mailDomain: "msgw.example.com",
      gateways: [
        {
          hostname: "msgw1.example.com",
          address: "203.0.113.11",
          state: "active",
          mxPreference: 0,
        },
        {
          hostname: "msgw2.example.com",
          address: "198.51.100.12",
          state: "draining",
          mxPreference: undefined,
        },
      ],
      caCertificatePem: pem,
    });
  });

  it("ignores a CA output that is not a PEM certificate (e.g. a secret placeholder)", () => {
    const targets = targetsFromOutputs({
      mailDomain: "msgw.example.com",
      gateways: [gateway()],
      caCertificatePem: "[secret]",
    });
    assert.equal(targets.caCertificatePem, undefined);
  });

  it("reads a standby host (no MX preference)", () => {
    const targets = targetsFromOutputs({
      mailDomain: "msgw.example.com",
      gateways: [gateway({ state: "standby", mxPreference: null })],
    });
    assert.equal(targets.gateways[0]?.state, "standby");
    assert.equal(targets.gateways[0]?.mxPreference, undefined);
  });

  it("defaults a missing state to active and a missing address to unknown", () => {
    const targets = targetsFromOutputs({
      mailDomain: "msgw.example.com",
      gateways: [{ hostname: "msgw1.example.com" }],
    });
    assert.deepEqual(targets.gateways, [
      {
        hostname: "msgw1.example.com",
        address: undefined,
        state: "active",
        mxPreference: undefined,
      },
    ]);
  });

  const bad: Array<[string, unknown, string]> = [
    [
      "an array",
      [],
      'outputs: expected the JSON object printed by "pulumi stack output --json", got an array',
    ],
    [
      "null",
      null,
      'outputs: expected the JSON object printed by "pulumi stack output --json", got null',
    ],
    [
      "no mailDomain",
      { gateways: [gateway()] },
      'outputs: "mailDomain" is missing; is this the msgw stack\'s output?',
    ],
    [
      "bad mailDomain",
      { mailDomain: "msgw", gateways: [gateway()] },
      'outputs: mailDomain "msgw" is not a fully qualified host name (e.g. msgw1.example.com)',
    ],
    [
      "no gateways",
      { mailDomain: "msgw.example.com" },
      'outputs: "gateways" is undefined; expected a non-empty array of { hostname, address, state, mxPreference }',
    ],
    [
      "empty gateways",
      { mailDomain: "msgw.example.com", gateways: [] },
      'outputs: "gateways" is an array; expected a non-empty array of { hostname, address, state, mxPreference }',
    ],
    [
      "gateway not an object",
      { mailDomain: "msgw.example.com", gateways: ["msgw1"] },
      'outputs: gateways[0] is "msgw1"; expected { hostname, address, state, mxPreference }',
    ],
    [
      "hostname missing",
      { mailDomain: "msgw.example.com", gateways: [gateway({ hostname: undefined })] },
      "outputs: gateways[0].hostname is undefined; expected a host name",
    ],
    [
      "bad address",
      { mailDomain: "msgw.example.com", gateways: [gateway({ address: "msgw1" })] },
      'outputs: gateways[0].address "msgw1" of msgw1.example.com is not an IP address',
    ],
    [
      "bad state",
      { mailDomain: "msgw.example.com", gateways: [gateway({ state: "retired" })] },
      'outputs: gateways[0].state "retired" of msgw1.example.com must be "active", "standby" or "draining"',
    ],
    [
      "bad preference",
      { mailDomain: "msgw.example.com", gateways: [gateway({ mxPreference: 70000 })] },
      "outputs: gateways[0].mxPreference number of msgw1.example.com must be an integer 0-65535 or null",
    ],
    [
      "draining with MX",
      {
        mailDomain: "msgw.example.com",
        gateways: [gateway({ state: "draining", mxPreference: 10 })],
      },
      "outputs: gateways[0] msgw1.example.com is draining but has mxPreference 10; a draining host has no MX record",
    ],
    [
      "standby with MX",
      {
        mailDomain: "msgw.example.com",
        gateways: [gateway({ state: "standby", mxPreference: 0 })],
      },
      "outputs: gateways[0] msgw1.example.com is standby but has mxPreference 0; a standby host has no MX record",
    ],
    [
      "duplicate",
      {
        mailDomain: "msgw.example.com",
        gateways: [gateway(), gateway({ hostname: "MSGW1.example.com" })],
      },
      "outputs: gateway msgw1.example.com is listed twice",
    ],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => targetsFromOutputs(input),
        (error: unknown) => {
          assert.ok(error instanceof CheckInputError);
          assert.equal(error.message, message);
          return true;
        },
      );
    });
  }
});

describe("targetsFromFlags", () => {
  it("takes HOST and HOST=ADDRESS as active gateways with unknown preference", () => {
    assert.deepEqual(
      targetsFromFlags("msgw.example.com", [
        "msgw1.example.com",
        "Msgw2.Example.com.=2001:db8::12",
      ]),
      {
        mailDomain: "msgw.example.com",
        gateways: [
          {
            hostname: "msgw1.example.com",
            address: undefined,
            state: "active",
            mxPreference: undefined,
          },
          {
            hostname: "msgw2.example.com",
            address: "2001:db8::12",
            state: "active",
            mxPreference: undefined,
          },
        ],
        caCertificatePem: undefined,
      },
    );
  });

  const bad: Array<[string, string | undefined, string[], string]> = [
    [
      "nothing",
      undefined,
      [],
      "nothing to check: give --outputs FILE (from pulumi stack output --json), or --mail-domain and at least one --gateway HOST",
    ],
    [
      "no gateway",
      "msgw.example.com",
      [],
      "nothing to check: give --outputs FILE (from pulumi stack output --json), or --mail-domain and at least one --gateway HOST",
    ],
    [
      "no mail domain",
      undefined,
      ["msgw1.example.com"],
      "nothing to check: give --outputs FILE (from pulumi stack output --json), or --mail-domain and at least one --gateway HOST",
    ],
    [
      "bad address",
      "msgw.example.com",
      ["msgw1.example.com=10.0.0"],
      '--gateway "msgw1.example.com=10.0.0" must be HOST or HOST=IP-ADDRESS',
    ],
    [
      "two equals signs",
      "msgw.example.com",
      ["a.example.com=10.0.0.1=x"],
      '--gateway "a.example.com=10.0.0.1=x" must be HOST or HOST=IP-ADDRESS',
    ],
    [
      "bad host",
      "msgw.example.com",
      ["msgw 1"],
      '--gateway "msgw 1" is not a fully qualified host name (e.g. msgw1.example.com)',
    ],
    [
      "duplicate",
      "msgw.example.com",
      ["a.example.com", "a.example.com"],
      "flags: gateway a.example.com is listed twice",
    ],
  ];
  for (const [name, domain, gateways, message] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => targetsFromFlags(domain, gateways), { name: "CheckInputError", message });
    });
  }
});
