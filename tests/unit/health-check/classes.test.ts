/**
 * The pure rules behind the DNS and certificate classes of `msgw check` (the lab tests in
 * tests/e2e/health-check/faults.test.ts run each against real servers), plus escaping, SAN
 * matching, the Pulumi CLI reader and the readiness gate's command text.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  evaluateGateway,
  evaluatePool,
  printable,
  readStackOutputs,
  sanMatches,
  unusableAddress,
  unusableSanReason,
  type CertificateFacts,
  type ChainCertificate,
  type DomainObservation,
  type GatewayObservation,
  type NameObservation,
  type StarttlsObservation,
} from "../../../components/health-check";
import { readinessGateCommand } from "../../../components/gateway-pool/plan/readiness-gate";

const NOW = new Date("2027-01-01T00:00:00Z");
const OPTIONS = { minDays: 30, warnDays: 45, now: NOW, trustSource: "the pool CA", poolCa: true };
const DOMAIN = "msgw.example.com";
const H1 = "msgw1.example.com";

const link = (depth: number, extra: Partial<ChainCertificate> = {}): ChainCertificate => ({
  depth,
  subject: depth === 0 ? `CN=${H1}` : "CN=pool CA",
  issuer: "CN=pool CA",
  validFrom: "2026-12-01T00:00:00.000Z",
  validTo: "2027-12-01T00:00:00.000Z",
  selfSigned: depth > 0,
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
  chain: [link(0), link(1)],
  ...extra,
});

const smtp = (extra: Partial<StarttlsObservation> = {}): StarttlsObservation => ({
  protocol: "SMTP",
  port: 25,
  address: "203.0.113.11",
  error: undefined,
  starttlsOffered: true,
  tlsVersion: "TLSv1.3",
  chainError: undefined,
  certificate: cert(),
  ...extra,
});

const name = (n: string, extra: Partial<NameObservation> = {}): NameObservation => ({
  name: n,
  cname: { targets: [], end: "name" },
  a: { ok: true, records: ["203.0.113.11"] },
  aaaa: { ok: false, error: "ENODATA" },
  ...extra,
});

const domain = (extra: Partial<DomainObservation> = {}): DomainObservation => ({
  mx: { ok: true, records: [{ exchange: H1, priority: 0 }] },
  a: { ok: false, error: "ENODATA" },
  aaaa: { ok: false, error: "ENODATA" },
  exchanges: [name(H1)],
  ...extra,
});

const gateway = (extra: Partial<GatewayObservation> = {}): GatewayObservation => ({
  target: { hostname: H1, address: "203.0.113.11", state: "active", mxPreference: 0 },
  a: { ok: true, records: ["203.0.113.11"] },
  dns: name(H1),
  smtp: smtp(),
  pop3: smtp({ protocol: "POP3", port: 110 }),
  smtpIpv6: [],
  ...extra,
});

const notOk = (findings: ReturnType<typeof evaluateGateway>) =>
  findings.filter((f) => f.severity !== "ok").map((f) => `${f.severity} ${f.check}: ${f.message}`);
const smtpOnly = (o: Partial<StarttlsObservation>) =>
  notOk(evaluateGateway(gateway({ smtp: smtp(o) }), DOMAIN, domain(), OPTIONS));

describe("the DNS class (pure rules)", () => {
  const targets = [{ hostname: H1, address: undefined, state: "active" as const, mxPreference: 0 }];
  const pool = (d: Partial<DomainObservation>) =>
    evaluatePool(DOMAIN, domain(d), targets, true).map((f) => `${f.severity} ${f.message}`);

  it("tells NXDOMAIN, NODATA with an address (implicit MX), NODATA without, and resolver failure apart", () => {
    assert.deepEqual(pool({ mx: { ok: false, error: "ENOTFOUND" } }), [
      "problem msgw.example.com does not exist (NXDOMAIN); journal mail to it bounces: publish one MX record per gateway",
    ]);
    assert.deepEqual(
      pool({ mx: { ok: false, error: "ENODATA" }, aaaa: { ok: true, records: ["2001:db8::25"] } }),
      [
        "warning msgw.example.com has no MX record, so senders deliver to its own address 2001:db8::25 (implicit MX, RFC 5321 5.1): the single-gateway setup before a migration; publish one MX record per gateway",
      ],
    );
    assert.deepEqual(pool({ mx: { ok: false, error: "ENODATA" } }), [
      "problem msgw.example.com has no MX record and no A or AAAA record (NODATA); journal mail to it cannot be delivered",
    ]);
    assert.deepEqual(pool({ mx: { ok: false, error: "ECONNREFUSED" } }), [
      "problem MX lookup for msgw.example.com failed: the resolver refused the connection (ECONNREFUSED); this is a resolver failure, not an answer: check --resolver and the network",
    ]);
    assert.deepEqual(pool({ mx: { ok: false, error: "DEADLINE" } }), [
      "problem MX lookup for msgw.example.com failed: the lookup did not finish before the gateway's deadline; this is a resolver failure, not an answer: check --resolver and the network",
    ]);
  });

  it("reports a CNAME chain that is too long", () => {
    const long = name("mx.example.net", {
      cname: { targets: Array.from({ length: 8 }, (_, i) => `c${i}.example.net`), end: "too-long" },
    });
    assert.deepEqual(
      pool({
        mx: { ok: true, records: [{ exchange: "mx.example.net", priority: 5 }] },
        exchanges: [long],
      }).slice(2),
      [
        "problem MX target mx.example.net is a CNAME chain of more than 8 hops (mx.example.net -> c0.example.net -> c1.example.net -> c2.example.net -> c3.example.net -> c4.example.net -> c5.example.net -> c6.example.net -> c7.example.net)",
      ],
    );
  });

  it("reports an IPv6 MX literal as an address", () => {
    assert.deepEqual(
      pool({ mx: { ok: true, records: [{ exchange: "2001:db8::25", priority: 0 }] } }).slice(1),
      [
        "problem MX 0 2001:db8::25 is an address, not a host name; senders look it up as a name and find nothing (RFC 5321 5.1): point the MX record at the gateway's host name",
      ],
    );
  });

  it("passes an AAAA that answers SMTP with this host's certificate", () => {
    const o = gateway({
      dns: name(H1, { aaaa: { ok: true, records: ["2001:db8::11"] } }),
      smtpIpv6: [smtp({ address: "2001:db8::11" })],
    });
    const aaaa = evaluateGateway(o, DOMAIN, domain(), OPTIONS).filter((f) => f.check === "AAAA");
    assert.deepEqual(aaaa, [
      {
        check: "AAAA",
        ok: true,
        severity: "ok",
        message: "2001:db8::11: SMTP 25 answers with STARTTLS and this host's certificate",
      },
    ]);
  });

  it("expects no MX record for a standby host, and reports one that has it", () => {
    const standby = gateway({
      target: { hostname: H1, address: "203.0.113.11", state: "standby", mxPreference: undefined },
    });
    const mxOf = (d: DomainObservation) =>
      evaluateGateway(standby, DOMAIN, d, OPTIONS)
        .filter((f) => f.check === "MX")
        .map((f) => `${f.severity} ${f.message}`);
    assert.deepEqual(mxOf(domain()), [
      "problem standby, but MX 0 of msgw.example.com points here; a standby host takes no mail until it is promoted to active",
    ]);
    assert.deepEqual(
      mxOf(domain({ mx: { ok: true, records: [{ exchange: "msgw2.example.com", priority: 0 }] } })),
      ["ok no MX record (standby)"],
    );
  });

  it("skips DNS in readiness scope (wait mode)", () => {
    const findings = evaluateGateway(gateway(), DOMAIN, domain(), {
      ...OPTIONS,
      scope: "readiness",
    });
    assert.deepEqual(
      findings.map((f) => f.check),
      [
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
  });
});

describe("the certificate class (pure rules)", () => {
  it("judges validity at every depth: expired, not yet valid, below --min-days, below --warn-days", () => {
    const ca = (extra: Partial<ChainCertificate>) => ({
      certificate: cert({ chain: [link(0), link(1, extra)] }),
    });
    assert.deepEqual(smtpOnly(ca({ validTo: "2026-12-20T00:00:00.000Z" })), [
      'problem SMTP CA expiry: the root CA "CN=pool CA" expired 12 days ago (2026-12-20T00:00:00.000Z)',
    ]);
    assert.deepEqual(smtpOnly(ca({ validFrom: "2027-01-05T00:00:00.000Z" })), [
      'problem SMTP CA expiry: the root CA "CN=pool CA" is not valid before 2027-01-05T00:00:00.000Z',
    ]);
    assert.deepEqual(smtpOnly(ca({ validTo: "2027-01-21T00:00:00.000Z" })), [
      'problem SMTP CA expiry: the root CA "CN=pool CA" expires in 20 days (2027-01-21T00:00:00.000Z), fewer than --min-days 30',
    ]);
    assert.deepEqual(smtpOnly(ca({ validTo: "2027-02-10T00:00:00.000Z" })), [
      'warning SMTP CA expiry: the root CA "CN=pool CA" expires in 40 days (2027-02-10T00:00:00.000Z), fewer than --warn-days 45: renew it',
    ]);
    assert.deepEqual(
      smtpOnly({
        chainError: "CERT_HAS_EXPIRED",
        certificate: cert({
          chain: [
            link(0),
            link(1, {
              selfSigned: false,
              subject: "CN=inter",
              validTo: "2026-12-31T00:00:00.000Z",
            }),
            link(2),
          ],
        }),
      }),
      [
        'problem SMTP CA expiry: the intermediate CA "CN=inter" expired 1 day ago (2026-12-31T00:00:00.000Z)',
      ],
    );
  });

  it("reports a weak key and a weak signature at any depth but the trust anchor's own signature", () => {
    assert.deepEqual(
      smtpOnly({
        certificate: cert({
          chain: [
            link(0, { key: "RSA 1024", rsaBits: 1024, signatureHash: "MD5" }),
            link(1, { signatureHash: "SHA-1" }),
          ],
        }),
      }),
      [
        "problem SMTP certificate key: the server certificate has an RSA 1024 key; TLS clients require RSA keys of at least 2048 bits (CA/Browser Forum BR 6.1.5, OpenSSL security level 2)",
        "problem SMTP certificate signature: the server certificate is signed with MD5; TLS clients reject MD5 signatures (CA/Browser Forum BR 7.1.3): reissue it with SHA-256",
      ],
    );
  });

  it("reports ECDSA keys on curves TLS 1.3 cannot use", () => {
    assert.deepEqual(
      smtpOnly({ certificate: cert({ chain: [link(0, { key: "EC P-224" }), link(1)] }) }),
      [
        "problem SMTP certificate key: the server certificate has an EC P-224 key; TLS clients accept ECDSA certificates on P-256, P-384 and P-521 only (RFC 8446 4.2.3): reissue it on P-256",
      ],
    );
  });

  it("reports a retired TLS version", () => {
    assert.deepEqual(smtpOnly({ tlsVersion: "TLSv1" }), [
      "problem SMTP: SMTP 25 at 203.0.113.11: STARTTLS, but only TLSv1, which RFC 8996 retired; current senders and MailStore Server refuse it: enable TLS 1.2 and 1.3",
    ]);
  });

  it("accepts anyExtendedKeyUsage and a missing EKU extension, rejects an empty one", () => {
    assert.deepEqual(smtpOnly({ certificate: cert({ extendedKeyUsage: ["2.5.29.37.0"] }) }), []);
    assert.deepEqual(smtpOnly({ certificate: cert({ extendedKeyUsage: undefined }) }), []);
    assert.deepEqual(
      smtpOnly({ chainError: "INVALID_PURPOSE", certificate: cert({ extendedKeyUsage: [] }) }),
      [
        "problem SMTP certificate usage: extended key usage (empty) lacks serverAuth (1.3.6.1.5.5.7.3.1); TLS clients reject it for a server (RFC 5280 4.2.1.12): reissue it with serverAuth",
      ],
    );
  });

  it("reports a self-signed certificate without a pool CA by the chain error", () => {
    assert.deepEqual(
      notOk(
        evaluateGateway(
          gateway({
            smtp: smtp({
              chainError: "DEPTH_ZERO_SELF_SIGNED_CERT",
              certificate: cert({ chain: [link(0, { selfSigned: true, issuer: `CN=${H1}` })] }),
            }),
          }),
          DOMAIN,
          domain(),
          { ...OPTIONS, poolCa: false, trustSource: "the public root CAs bundled with Node.js" },
        ),
      ),
      [
        "problem SMTP certificate chain: does not verify against the public root CAs bundled with Node.js: DEPTH_ZERO_SELF_SIGNED_CERT: it is self-signed and not among the trusted certificates",
      ],
    );
  });
});

describe("SAN matching (RFC 6125 6.4.3 as current clients apply it)", () => {
  const cases: Array<[string, string, boolean]> = [
    ["msgw1.example.com", "msgw1.example.com", true],
    ["MSGW1.Example.com.", "msgw1.example.com", true],
    ["*.example.com", "msgw1.example.com", true],
    ["*.example.com", "a.msgw1.example.com", false],
    ["*.example.com", "example.com", false],
    ["*.com", "example.com", false],
    ["msgw*.example.com", "msgw1.example.com", false],
    ["msgw1.*.com", "msgw1.example.com", false],
    ["203.0.113.11", "203.0.113.11", false],
  ];
  for (const [pattern, host, expected] of cases) {
    it(`${pattern} ${expected ? "covers" : "does not cover"} ${host}`, () => {
      assert.equal(sanMatches(pattern, host), expected);
    });
  }
  it("says why a SAN can never match", () => {
    assert.deepEqual(
      ["*.com", "msgw*.example.com", "msgw1.*.com", "203.0.113.11", "*.example.com"].map(
        unusableSanReason,
      ),
      [
        "is a wildcard directly under a top-level domain",
        "is a partial wildcard (only a whole left-most label * is honoured)",
        "has a wildcard outside the left-most label",
        "is an IP address written as a DNS name",
        undefined,
      ],
    );
  });
});

describe("unusableAddress (RFC 6890)", () => {
  it("names addresses no sender can deliver to and leaves the rest alone", () => {
    assert.deepEqual(
      [
        "0.1.2.3",
        "127.0.0.1",
        "169.254.1.1",
        "224.0.0.1",
        "255.255.255.255",
        "10.0.0.1",
        "203.0.113.11",
        "2001:db8::1",
      ].map(unusableAddress),
      [
        'in 0.0.0.0/8 ("this network")',
        "a loopback address",
        "a link-local address",
        "a multicast or reserved address",
        "a multicast or reserved address",
        undefined,
        undefined,
        undefined,
      ],
    );
  });
});

describe("printable", () => {
  it("escapes C0, DEL, C1, bidi overrides and separators, and is idempotent", () => {
    const hostile = "220 \x1b[2J\x00\x07\x7f\x9b31m\u202e\u2066\u2028\ufeffok";
    const safe = printable(hostile);
    assert.equal(safe, "220 \\x1b[2J\\x00\\x07\\x7f\\x9b31m\\u{202e}\\u{2066}\\u{2028}\\u{feff}ok");
    assert.equal(printable(safe), safe);
  });
});

describe("readStackOutputs (--stack)", () => {
  const dir = mkdtempSync(join(tmpdir(), "msgw-hc-"));
  const fake = (body: string) => {
    const file = join(dir, `pulumi-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };

  it("runs `pulumi stack output --json --stack NAME` and parses the JSON", async () => {
    const pulumi = fake(`printf '{"args":"%s"}' "$*"`);
    assert.deepEqual(await readStackOutputs("acme/msgw/prod", pulumi), {
      args: "stack output --json --stack acme/msgw/prod",
    });
  });

  it("says what to do when the CLI is missing, fails or prints no JSON", async () => {
    await assert.rejects(readStackOutputs("prod", join(dir, "missing-pulumi")), {
      name: "CheckInputError",
      message: `--stack needs the Pulumi CLI, and "${join(dir, "missing-pulumi")}" is not on PATH; install it, or write the outputs with "pulumi stack output --json > outputs.json" and pass --outputs outputs.json`,
    });
    await assert.rejects(
      readStackOutputs("prod", fake(`echo "error: no stack named 'prod' found" >&2; exit 255`)),
      {
        name: "CheckInputError",
        message:
          "pulumi stack output --json --stack prod failed (exit 255): error: no stack named 'prod' found",
      },
    );
    await assert.rejects(readStackOutputs("prod", fake("echo not json")), {
      name: "CheckInputError",
      message: /^pulumi stack output --json --stack prod printed no JSON \(/,
    });
  });
});

describe("readinessGateCommand", () => {
  it("is the exact wait-mode command, with the CA in an environment variable", () => {
    assert.equal(
      readinessGateCommand({
        cli: "npx --no-install msgw",
        hostname: "msgw1.example.com",
        address: "203.0.113.11",
        waitSeconds: 900,
        caEnv: "MSGW_CHECK_CA_PEM",
        ports: { smtp: 25, pop3: 110 },
        argPath: "hosts[0]",
      }).split(" || ")[0],
      "npx --no-install msgw check --wait 900 --gateway msgw1.example.com=203.0.113.11 --ca-env MSGW_CHECK_CA_PEM",
    );
    assert.equal(
      readinessGateCommand({
        cli: "msgw",
        hostname: "msgw1.example.com",
        address: "2001:db8::11",
        waitSeconds: 60,
        caEnv: undefined,
        ports: { smtp: 2525, pop3: 1110 },
        argPath: "hosts[0]",
      }).split(" || ")[0],
      "msgw check --wait 60 --gateway msgw1.example.com=2001:db8::11 --smtp-port 2525 --pop3-port 1110",
    );
  });

  it("with DANE on, requires a validated, matching TLSA record", () => {
    assert.equal(
      readinessGateCommand({
        cli: "msgw",
        hostname: "msgw1.example.com",
        address: "203.0.113.11",
        waitSeconds: 900,
        caEnv: "MSGW_CHECK_CA_PEM",
        ports: { smtp: 25, pop3: 110 },
        dane: true,
        argPath: "hosts[0]",
      }).split(" || ")[0],
      "msgw check --wait 900 --gateway msgw1.example.com=203.0.113.11 --ca-env MSGW_CHECK_CA_PEM --dane require",
    );
    assert.equal(
      readinessGateCommand({
        cli: "msgw",
        hostname: "msgw1.example.com",
        address: "203.0.113.11",
        waitSeconds: 900,
        caEnv: undefined,
        ports: { smtp: 25, pop3: 110 },
        dane: true,
        resolver: "10.0.0.53:5353",
        argPath: "hosts[0]",
      }).split(" || ")[0],
      "msgw check --wait 900 --gateway msgw1.example.com=203.0.113.11 --dane require --resolver 10.0.0.53:5353",
    );
  });
});
