import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  evaluateGateway,
  evaluatePool,
  type CertificateFacts,
  type ChainCertificate,
  type GatewayObservation,
  type GatewayTarget,
  type Lookup,
  type MxObservation,
  type StarttlsObservation,
} from "../../../components/health-check";

const NOW = new Date("2027-01-01T00:00:00Z");
const OPTIONS = { minDays: 30, now: NOW, trustSource: "the pool CA" };
const DOMAIN = "msgw.example.com";
const H1 = "msgw1.example.com";

const target = (extra: Partial<GatewayTarget> = {}): GatewayTarget => ({
  hostname: H1,
  address: "203.0.113.11",
  state: "active",
  mxPreference: 0,
  ...extra,
});

/** One chain member: valid 2026-12-01 to 2027-12-01, EC P-256, SHA-256. */
const link = (depth: number, extra: Partial<ChainCertificate> = {}): ChainCertificate => ({
  depth,
  subject: `CN=depth ${depth}`,
  issuer: "CN=pool CA",
  validFrom: "2026-12-01T00:00:00.000Z",
  validTo: "2027-12-01T00:00:00.000Z",
  selfSigned: false,
  isCa: depth > 0,
  key: "EC P-256",
  rsaBits: undefined,
  signatureHash: "SHA-256",
  fingerprint256: "CC:DD",
  ...extra,
});

const cert = (extra: Partial<CertificateFacts> = {}): CertificateFacts => ({
  subject: `CN=${H1}`,
  dnsNames: [H1],
  issuer: "CN=pool CA",
  validFrom: "2026-12-01T00:00:00.000Z",
  validTo: "2027-12-01T00:00:00.000Z",
  fingerprint256: "AA:BB",
  matchesHostname: true,
  ipAddresses: [],
  commonNames: [H1],
  extendedKeyUsage: ["1.3.6.1.5.5.7.3.1"],
  isCa: false,
  chain: [
    link(0, { subject: `CN=${H1}` }),
    link(1, { subject: "CN=pool CA", selfSigned: true, isCa: true }),
  ],
  ...extra,
});

const tls = (
  protocol: "SMTP" | "POP3",
  extra: Partial<StarttlsObservation> = {},
): StarttlsObservation => ({
  protocol,
  port: protocol === "SMTP" ? 25 : 110,
  address: "203.0.113.11",
  error: undefined,
  starttlsOffered: true,
  tlsVersion: "TLSv1.3",
  chainError: undefined,
  certificate: cert(),
  ...extra,
});

const mx = (...records: Array<[number, string]>): Lookup<MxObservation> => ({
  ok: true,
  records: records.map(([priority, exchange]) => ({ priority, exchange })),
});

function observation(extra: Partial<GatewayObservation> = {}): GatewayObservation {
  return {
    target: target(),
    a: { ok: true, records: ["203.0.113.11"] },
    smtp: tls("SMTP"),
    pop3: tls("POP3"),
    ...extra,
  };
}

const problemsOf = (o: GatewayObservation, records = mx([0, H1])) =>
  evaluateGateway(o, DOMAIN, records, OPTIONS)
    .filter((f) => !f.ok)
    .map((f) => `${f.check}: ${f.message}`);

describe("evaluateGateway", () => {
  it("passes a healthy gateway with one finding per check", () => {
    assert.deepEqual(evaluateGateway(observation(), DOMAIN, mx([0, H1]), OPTIONS), [
      { check: "A", ok: true, severity: "ok", message: "203.0.113.11" },
      { check: "MX", ok: true, severity: "ok", message: "msgw.example.com MX 0 msgw1.example.com" },
      {
        check: "SMTP",
        ok: true,
        severity: "ok",
        message: "SMTP 25 at 203.0.113.11: STARTTLS, TLSv1.3",
      },
      {
        check: "SMTP certificate name",
        ok: true,
        severity: "ok",
        message: "valid for msgw1.example.com (DNS names: msgw1.example.com)",
      },
      {
        check: "SMTP certificate expiry",
        ok: true,
        severity: "ok",
        message: "334 days left (until 2027-12-01T00:00:00.000Z)",
      },
      {
        check: "SMTP certificate chain",
        ok: true,
        severity: "ok",
        message: "verifies against the pool CA",
      },
      {
        check: "POP3",
        ok: true,
        severity: "ok",
        message: "POP3 110 at 203.0.113.11: STLS, TLSv1.3",
      },
      {
        check: "POP3 certificate name",
        ok: true,
        severity: "ok",
        message: "valid for msgw1.example.com (DNS names: msgw1.example.com)",
      },
      {
        check: "POP3 certificate expiry",
        ok: true,
        severity: "ok",
        message: "334 days left (until 2027-12-01T00:00:00.000Z)",
      },
      {
        check: "POP3 certificate chain",
        ok: true,
        severity: "ok",
        message: "verifies against the pool CA",
      },
    ]);
  });

  const table: Array<[string, GatewayObservation, Lookup<MxObservation>, string[]]> = [
    [
      "a missing A record",
      observation({ a: { ok: false, error: "ENOTFOUND" } }),
      mx([0, H1]),
      ["A: no A record for msgw1.example.com (NXDOMAIN: ENOTFOUND)"],
    ],
    [
      "cloned A records",
      observation({ a: { ok: true, records: ["203.0.113.11", "203.0.113.12"] } }),
      mx([0, H1]),
      [
        "A: 2 A records (203.0.113.11, 203.0.113.12); each gateway needs exactly one address of its own",
      ],
    ],
    [
      "an A record that differs from the stack",
      observation({ a: { ok: true, records: ["203.0.113.99"] } }),
      mx([0, H1]),
      ["A: A record 203.0.113.99, but the stack assigned 203.0.113.11"],
    ],
    [
      "an active host without MX",
      observation(),
      mx([0, "msgw2.example.com"]),
      ["MX: no MX record of msgw.example.com points here; this active gateway receives no mail"],
    ],
    [
      "a wrong MX preference",
      observation(),
      mx([10, H1]),
      ["MX: MX preference 10, but the stack says 0"],
    ],
    [
      "a failed MX lookup",
      observation(),
      { ok: false, error: "ESERVFAIL" },
      [
        "MX: cannot check: MX lookup for msgw.example.com failed: the resolver answered SERVFAIL (ESERVFAIL); this is a resolver failure, not an answer: check --resolver and the network",
      ],
    ],
    [
      "a draining host that still has an MX record",
      observation({ target: target({ state: "draining", mxPreference: undefined }) }),
      mx([0, H1]),
      [
        "MX: draining, but MX 0 of msgw.example.com still points here; remove it so the host can be archived empty",
      ],
    ],
    [
      "a draining host without MX",
      observation({ target: target({ state: "draining", mxPreference: undefined }) }),
      mx([0, "msgw2.example.com"]),
      [],
    ],
    [
      "SMTP without STARTTLS",
      observation({
        smtp: tls("SMTP", {
          starttlsOffered: false,
          tlsVersion: undefined,
          certificate: undefined,
        }),
      }),
      mx([0, H1]),
      [
        "SMTP: SMTP 25 at 203.0.113.11 does not offer STARTTLS; credentials and mail would travel unencrypted",
      ],
    ],
    [
      "POP3 without STLS",
      observation({
        pop3: tls("POP3", {
          starttlsOffered: false,
          tlsVersion: undefined,
          certificate: undefined,
        }),
      }),
      mx([0, H1]),
      [
        "POP3: POP3 110 at 203.0.113.11 does not offer STLS; credentials and mail would travel unencrypted",
      ],
    ],
    [
      "a refused connection",
      observation({
        pop3: tls("POP3", {
          error: "connection refused",
          starttlsOffered: undefined,
          tlsVersion: undefined,
          certificate: undefined,
        }),
      }),
      mx([0, H1]),
      ["POP3: POP3 110 at 203.0.113.11: connection refused"],
    ],
    [
      "a certificate for the mail domain",
      observation({
        smtp: tls("SMTP", { certificate: cert({ dnsNames: [DOMAIN], matchesHostname: false }) }),
      }),
      mx([0, H1]),
      [
        "SMTP certificate name: not valid for msgw1.example.com: DNS names msgw.example.com; issue the certificate for the host's own name",
      ],
    ],
    [
      "a certificate without SANs",
      observation({
        smtp: tls("SMTP", {
          certificate: cert({
            dnsNames: [],
            subject: "CN=gateway",
            commonNames: ["gateway"],
            matchesHostname: false,
          }),
        }),
      }),
      mx([0, H1]),
      [
        "SMTP certificate name: not valid for msgw1.example.com: DNS names none (subject CN=gateway); issue the certificate for the host's own name",
      ],
    ],
    [
      "an expired certificate (its chain error is covered by the expiry line)",
      observation({
        smtp: tls("SMTP", {
          chainError: "CERT_HAS_EXPIRED",
          certificate: cert({ validTo: "2026-12-29T12:00:00.000Z" }),
        }),
      }),
      mx([0, H1]),
      ["SMTP certificate expiry: expired 2 days ago (2026-12-29T12:00:00.000Z)"],
    ],
    [
      "a certificate that expired a day ago",
      observation({
        smtp: tls("SMTP", {
          chainError: "CERT_HAS_EXPIRED",
          certificate: cert({ validTo: "2026-12-30T23:00:00.000Z" }),
        }),
      }),
      mx([0, H1]),
      ["SMTP certificate expiry: expired 1 day ago (2026-12-30T23:00:00.000Z)"],
    ],
    [
      "a certificate that expired an hour ago",
      observation({
        smtp: tls("SMTP", {
          chainError: "CERT_HAS_EXPIRED",
          certificate: cert({ validTo: "2026-12-31T23:00:00.000Z" }),
        }),
      }),
      mx([0, H1]),
      ["SMTP certificate expiry: expired today (2026-12-31T23:00:00.000Z)"],
    ],
    [
      "a certificate close to expiry",
      observation({
        pop3: tls("POP3", { certificate: cert({ validTo: "2027-01-11T00:00:00.000Z" }) }),
      }),
      mx([0, H1]),
      [
        "POP3 certificate expiry: expires in 10 days (2027-01-11T00:00:00.000Z), fewer than --min-days 30",
      ],
    ],
    [
      "a certificate not yet valid",
      observation({
        pop3: tls("POP3", { certificate: cert({ validFrom: "2027-02-01T00:00:00.000Z" }) }),
      }),
      mx([0, H1]),
      ["POP3 certificate expiry: not valid before 2027-02-01T00:00:00.000Z"],
    ],
    [
      "an untrusted chain",
      observation({ smtp: tls("SMTP", { chainError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }) }),
      mx([0, H1]),
      [
        "SMTP certificate chain: does not verify against the pool CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE: its issuer is neither sent by the server nor trusted",
      ],
    ],
    [
      "a handshake without a certificate",
      observation({ smtp: tls("SMTP", { certificate: undefined }) }),
      mx([0, H1]),
      ["SMTP certificate: SMTP 25 presented no certificate"],
    ],
  ];
  for (const [name, o, records, expected] of table) {
    it(`reports ${name}`, () => {
      assert.deepEqual(problemsOf(o, records), expected);
    });
  }
});

describe("evaluatePool", () => {
  const gateways = [target(), target({ hostname: "msgw2.example.com", mxPreference: 10 })];

  it("lists the MX set by preference", () => {
    assert.deepEqual(evaluatePool(DOMAIN, mx([10, "msgw2.example.com"], [0, H1]), gateways, true), [
      {
        check: "MX",
        ok: true,
        severity: "ok",
        message: "msgw.example.com MX 0 msgw1.example.com, 10 msgw2.example.com",
      },
    ]);
  });

  it("flags an MX record pointing outside the pool only when the gateway list is complete", () => {
    const records = mx([0, H1], [5, "old.example.com"]);
    assert.deepEqual(evaluatePool(DOMAIN, records, gateways, true)[1], {
      check: "MX",
      ok: false,
      severity: "problem",
      message:
        "MX 5 old.example.com is not a gateway of this stack; mail sent there is not archived by this pool",
    });
    assert.deepEqual(evaluatePool(DOMAIN, records, gateways, false)[1], {
      check: "MX",
      ok: true,
      severity: "ok",
      message: "MX 5 old.example.com is not a gateway of this stack (not checked)",
    });
  });

  it("fails when the mail domain has no MX records", () => {
    assert.deepEqual(evaluatePool(DOMAIN, { ok: false, error: "ENODATA" }, gateways, true), [
      {
        check: "MX",
        ok: false,
        severity: "problem",
        message:
          "msgw.example.com has no MX record and no A or AAAA record (NODATA); journal mail to it cannot be delivered",
      },
    ]);
    assert.deepEqual(evaluatePool(DOMAIN, mx(), gateways, true), [
      {
        check: "MX",
        ok: false,
        severity: "problem",
        message: "msgw.example.com has no MX record; journal mail cannot be delivered",
      },
    ]);
  });
});
