/**
 * DANE verdicts (evaluateDane) for every fault class, with the exact text and the JSON summary.
 * Certificates are made at test time; DNS answers are written out as the DNSSEC lookups return them.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, it } from "node:test";
import {
  evaluateDane,
  relabelBogus,
  type DaneHostObservation,
  type DaneObservation,
  type Finding,
  type SecureLookup,
  type StarttlsObservation,
  type TlsaRecord,
} from "../../../components/health-check";
import { labCert, type LabCert } from "../../e2e/health-check/lib/cert-lab";

const DOMAIN = "msgw.example.test";
const H1 = "msgw1.example.test";
const H2 = "msgw2.example.test";
const R = "10.232.0.54:53";

const sha256 = (b: ArrayBuffer) => createHash("sha256").update(Buffer.from(b)).digest("hex");
const spkiHash = (c: LabCert) => sha256(c.cert.publicKey.rawData);
const b64 = (c: LabCert) => Buffer.from(c.cert.rawData).toString("base64");

function secure<T>(records: T[], extra: Partial<SecureLookup<T>> = {}): SecureLookup<T> {
  return {
    status: records.length > 0 ? "records" : "nodata",
    records,
    authenticated: true,
    signed: true,
    ...extra,
  };
}

function smtp(chain: LabCert[], extra: Partial<StarttlsObservation> = {}): StarttlsObservation {
  return {
    protocol: "SMTP",
    port: 25,
    address: "10.232.1.11",
    error: undefined,
    starttlsOffered: true,
    tlsVersion: "TLSv1.3",
    chainError: undefined,
    certificate: undefined,
    chainDer: chain.map(b64),
    ...extra,
  };
}

const rec = (usage: number, selector: number, matchingType: number, data: string): TlsaRecord => ({
  usage,
  selector,
  matchingType,
  data,
});

function host(
  hostname: string,
  tlsa: SecureLookup<TlsaRecord>,
  probe: StarttlsObservation | undefined,
  extra: Partial<DaneHostObservation> = {},
): DaneHostObservation {
  return {
    hostname,
    tlsaName: `_25._tcp.${hostname}`,
    a: secure(["10.232.1.11"]),
    tlsa,
    mx: true,
    smtp: probe,
    ...extra,
  };
}

function observe(
  hosts: DaneHostObservation[],
  mx: DaneObservation["mx"] = secure(
    hosts.map((h, i) => ({ exchange: h.hostname, priority: i * 10 })),
  ),
): DaneObservation {
  return { resolver: R, mx, hosts };
}

const show = (f: Finding) => `${f.severity} ${f.check}: ${f.message}`;

let ca: LabCert;
let leaf1: LabCert;
let leaf2: LabCert;
let expired: LabCert;
let now: Date;

before(async () => {
  ca = await labCert({ commonName: "Lab pool CA", ca: true, notAfterDays: 3650 });
  leaf1 = await labCert({ commonName: H1 }, ca);
  leaf2 = await labCert({ commonName: H2 }, ca);
  expired = await labCert({ commonName: H1, notBeforeDays: -40, notAfterDays: -2 }, ca);
  now = new Date();
});

const options = (extra = {}) => ({
  mode: "auto" as const,
  mailDomain: DOMAIN,
  gateways: [H1, H2],
  now,
  ...extra,
});

describe("evaluateDane", () => {
  it("passes hosts whose 3 1 1 records match, and says every MX host is covered", () => {
    const r1 = rec(3, 1, 1, spkiHash(leaf1));
    const r2 = rec(3, 1, 1, spkiHash(leaf2));
    const result = evaluateDane(
      observe([
        host(H1, secure([r1]), smtp([leaf1, ca])),
        host(H2, secure([r2]), smtp([leaf2, ca])),
      ]),
      options(),
    );
    assert.deepEqual(result.pool.map(show), [
      `ok DANE: DANE covers all 2 MX hosts (${H1}, ${H2}); the MX answer validates at ${R}`,
    ]);
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `ok DANE: the certificate matches TLSA 3 1 1 ${r1.data} (DANE-EE, public key)`,
    ]);
    assert.deepEqual(result.report, {
      mode: "auto",
      resolver: R,
      mxAuthenticated: true,
      hosts: [
        {
          hostname: H1,
          mx: true,
          tlsaName: `_25._tcp.${H1}`,
          tlsa: [`3 1 1 ${r1.data}`],
          authenticated: true,
          status: "match",
          matched: `3 1 1 ${r1.data}`,
        },
        {
          hostname: H2,
          mx: true,
          tlsaName: `_25._tcp.${H2}`,
          tlsa: [`3 1 1 ${r2.data}`],
          authenticated: true,
          status: "match",
          matched: `3 1 1 ${r2.data}`,
        },
      ],
      covered: [H1, H2],
      uncovered: [],
    });
  });

  it("a record that matches nothing is a problem naming the value the key gives", () => {
    const wrong = rec(3, 1, 1, spkiHash(leaf2));
    const result = evaluateDane(
      observe([host(H1, secure([wrong]), smtp([leaf1, ca]))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `problem DANE: no TLSA record at _25._tcp.${H1} matches the certificate ${H1} presents (published: 3 1 1 ${wrong.data}; its public key gives 3 1 1 ${spkiHash(leaf1)}): DANE senders refuse to deliver to ${H1} (Exchange Online: NDR 5.7.323 tlsa-invalid): publish the record for the key the host serves, or serve the certificate the record pins`,
    ]);
    assert.equal(result.report.hosts[0]?.status, "mismatch");
    assert.equal(result.report.hosts[0]?.matched, null);
    // A mismatch is DANE in force (the host is covered), and failing.
    assert.deepEqual(result.report.covered, [H1]);
  });

  it("TLSA in a zone that is not signed protects nothing", () => {
    const r1 = rec(3, 1, 1, spkiHash(leaf1));
    const unsigned = { authenticated: false, signed: false };
    const result = evaluateDane(
      observe(
        [
          host(H1, secure([r1], unsigned), smtp([leaf1, ca]), {
            a: secure(["10.232.1.11"], unsigned),
          }),
        ],
        secure([{ exchange: H1, priority: 0 }], unsigned),
      ),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.pool.map(show), [
      `problem DANE: the MX records of ${DOMAIN} do not validate (the answer is not DNSSEC-signed (no RRSIG, no AD bit from ${R}): the zone is not signed); senders use DANE only when the MX answer validates (RFC 7672 2.2.1), so the TLSA records of ${H1} protect nothing: sign the zone of ${DOMAIN}`,
    ]);
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `problem DANE: _25._tcp.${H1} has TLSA 3 1 1 ${r1.data}, but the answer is not DNSSEC-signed (no RRSIG, no AD bit from ${R}): the zone is not signed; senders ignore TLSA records that do not validate (RFC 7672 2.2), so DANE does not protect ${H1}: sign the zone, or remove the records`,
    ]);
    assert.equal(result.report.mxAuthenticated, false);
    assert.equal(result.report.hosts[0]?.status, "not-validated");
  });

  it("signatures without a chain of trust are told apart from an unsigned zone", () => {
    const r1 = rec(3, 1, 1, spkiHash(leaf1));
    const result = evaluateDane(
      observe([host(H1, secure([r1], { authenticated: false }), smtp([leaf1]))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `problem DANE: _25._tcp.${H1} has TLSA 3 1 1 ${r1.data}, but ${R} did not validate the answer (no AD bit) although it carries RRSIG signatures: the zone has no chain of trust from the resolver's trust anchor (is its DS record at the parent?), or ${R} does not validate DNSSEC; senders ignore TLSA records that do not validate (RFC 7672 2.2), so DANE does not protect ${H1}: sign the zone, or remove the records`,
    ]);
  });

  it("a bogus zone is a DNSSEC failure, never a missing MX record", () => {
    const bogus = (): SecureLookup<never> => ({
      status: "bogus",
      records: [],
      authenticated: false,
      signed: false,
      error: "SERVFAIL",
      extendedError: "7 Signature Expired",
    });
    const result = evaluateDane(
      {
        resolver: R,
        mx: bogus(),
        hosts: [host(H1, bogus(), smtp([leaf1]), { a: bogus(), mx: false })],
      },
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.pool.map(show), [
      `problem DANE: DNSSEC validation of the MX records of ${DOMAIN} failed: the validating resolver ${R} answers SERVFAIL, Extended DNS Error 7 Signature Expired, and answers the same query with checking disabled (CD), so the zone's signatures are bogus (expired, not yet valid, or not matching its keys or the DS record); senders that validate DNSSEC (Exchange Online among them) cannot look up the gateways and queue all journal mail: re-sign the zone. This is a DNSSEC failure, not a missing MX record`,
    ]);
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `problem DANE: DNSSEC validation of _25._tcp.${H1} TLSA failed: the validating resolver ${R} answers SERVFAIL, Extended DNS Error 7 Signature Expired, and answers the same query with checking disabled (CD), so the zone's signatures are bogus (expired, not yet valid, or not matching its keys or the DS record); DANE senders treat ${H1} as unusable and queue its mail: re-sign the zone`,
    ]);
    assert.equal(result.report.hosts[0]?.status, "bogus");
    for (const f of [...result.pool, ...(result.byHost.get(H1) ?? [])]) {
      assert.doesNotMatch(f.message, /no MX record(?! \w)|has no MX/);
    }
  });

  it("only some MX hosts covered is a problem, whether or not the others are gateways", () => {
    const r1 = rec(3, 1, 1, spkiHash(leaf1));
    const result = evaluateDane(
      observe([host(H1, secure([r1]), smtp([leaf1, ca])), host(H2, secure([]), undefined)]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.pool.map(show), [
      `ok DANE: MX host ${H2}: no TLSA record at _25._tcp.${H2} (NODATA): DANE does not cover ${H2}`,
      `problem DANE: DANE covers 1 of 2 MX hosts (${H1}); ${H2} has no DNSSEC-validated, usable TLSA record, so an attacker who blocks the covered hosts gets the mail sent to ${H2} without authentication: publish TLSA records for every MX host`,
    ]);
    assert.deepEqual(result.report.covered, [H1]);
    assert.deepEqual(result.report.uncovered, [H2]);
    assert.equal(result.report.hosts[1]?.status, "no-tlsa");
  });

  it("warns about 3 0 1, which breaks at every renewal", () => {
    const full = rec(3, 0, 1, sha256(leaf1.cert.rawData));
    const result = evaluateDane(
      observe([host(H1, secure([full]), smtp([leaf1, ca]))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `warning DANE: TLSA 3 0 1 ${full.data} pins the whole certificate (selector 0), so it stops matching at every renewal, even one that keeps the key: publish 3 1 1 ${spkiHash(leaf1)} (the SHA-256 of the public key) instead`,
      `ok DANE: the certificate matches TLSA 3 0 1 ${full.data} (DANE-EE, whole certificate)`,
    ]);
  });

  it("warns about PKIX usages on a private CA, and alone they protect nothing", () => {
    const pkix = rec(1, 1, 1, spkiHash(leaf1));
    const result = evaluateDane(
      observe([host(H1, secure([pkix]), smtp([leaf1, ca]))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `warning DANE: TLSA 1 1 1 ${pkix.data} is usage 1 (PKIX-EE), which SMTP senders treat as unusable (RFC 7672 3.1.3); it would also need a chain to a public root CA, and ${H1}'s certificate comes from a private CA ("CN=Lab pool CA"): publish 3 1 1 ${spkiHash(leaf1)} instead`,
      `problem DANE: none of the TLSA records at _25._tcp.${H1} is usable for SMTP (usages 2 and 3 only), so senders fall back to unauthenticated TLS for ${H1}: publish _25._tcp.${H1}. TLSA 3 1 1 ${spkiHash(leaf1)}`,
    ]);
    assert.equal(result.report.hosts[0]?.status, "unusable");
  });

  it("an expired certificate that matches is still a problem (Exchange Online checks dates)", () => {
    const r1 = rec(3, 1, 1, spkiHash(expired));
    const result = evaluateDane(
      observe([host(H1, secure([r1]), smtp([expired, ca]))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `problem DANE: the certificate matches TLSA 3 1 1 ${r1.data} (DANE-EE, public key), but the server certificate expired at ${expired.cert.notAfter.toISOString()}: Exchange Online refuses an out-of-date certificate even under DANE-EE (NDR 5.7.322 or 5.7.323): renew it on the same key`,
    ]);
    assert.equal(result.report.hosts[0]?.status, "out-of-date");
    assert.equal(result.report.hosts[0]?.matched, `3 1 1 ${r1.data}`);
  });

  it("DANE-TA on the pool CA passes when the chain holds and names the host", () => {
    const ta = rec(2, 0, 1, sha256(ca.cert.rawData));
    const result = evaluateDane(
      observe([host(H1, secure([ta]), smtp([leaf1, ca]))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `ok DANE: the certificate matches TLSA 2 0 1 ${ta.data} (DANE-TA, trust anchor at depth 1, certificate names ${H1})`,
    ]);
  });

  it("--dane require: a host without TLSA and an MX answer that does not validate are problems", () => {
    const result = evaluateDane(
      observe(
        [host(H1, secure([], { authenticated: false, signed: false }), smtp([leaf1, ca]))],
        secure([{ exchange: H1, priority: 0 }], { authenticated: false, signed: false }),
      ),
      options({ gateways: [H1], mode: "require" }),
    );
    assert.deepEqual(result.pool.map(show), [
      `problem DANE: the MX records of ${DOMAIN} do not validate (the answer is not DNSSEC-signed (no RRSIG, no AD bit from ${R}): the zone is not signed); senders use DANE only when the MX answer validates (RFC 7672 2.2.1), so DANE cannot apply: sign the zone of ${DOMAIN}`,
    ]);
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `problem DANE: no TLSA record at _25._tcp.${H1} (NODATA); --dane require needs one for every host that receives mail: publish _25._tcp.${H1}. TLSA 3 1 1 ${spkiHash(leaf1)}`,
    ]);
  });

  it("auto: no TLSA anywhere says nothing but the JSON summary; require: a problem", () => {
    const obs = observe([host(H1, secure([]), smtp([leaf1]))]);
    const auto = evaluateDane(obs, options({ gateways: [H1] }));
    assert.deepEqual(auto.pool, []);
    assert.equal(auto.byHost.size, 0);
    assert.deepEqual(
      auto.report.hosts.map((h) => [h.hostname, h.status]),
      [[H1, "no-tlsa"]],
    );
    assert.deepEqual(auto.report.uncovered, [H1]);
    assert.deepEqual(
      evaluateDane(obs, options({ gateways: [H1], mode: "require" })).pool.map(show),
      [`problem DANE: --dane require: no MX host of ${DOMAIN} has a TLSA record (_25._tcp.${H1})`],
    );
  });

  it("a host without STARTTLS, a failed lookup, and an A record that does not validate", () => {
    const r1 = rec(3, 1, 1, spkiHash(leaf1));
    const noTls = evaluateDane(
      observe([host(H1, secure([r1]), smtp([], { starttlsOffered: false, chainDer: undefined }))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(noTls.byHost.get(H1)?.map(show), [
      `problem DANE: cannot match TLSA 3 1 1 ${r1.data} of ${H1}: SMTP 25 at 10.232.1.11 offers no STARTTLS, so DANE senders queue its mail (RFC 7672 2.2)`,
    ]);
    const failed = evaluateDane(
      observe([
        host(
          H1,
          { status: "error", records: [], authenticated: false, signed: false, error: "ETIMEOUT" },
          undefined,
        ),
      ]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(failed.byHost.get(H1)?.map(show), [
      `problem DANE: TLSA lookup for _25._tcp.${H1} failed: the resolver did not answer in time (ETIMEOUT); this is a resolver failure, not an answer: check --resolver and the network`,
    ]);
    const insecureA = evaluateDane(
      observe([
        host(H1, secure([r1]), smtp([leaf1]), {
          a: secure(["10.232.1.11"], { authenticated: false, signed: false }),
        }),
      ]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(insecureA.byHost.get(H1)?.map(show), [
      `problem DANE: the A record of ${H1} does not validate (the answer is not DNSSEC-signed (no RRSIG, no AD bit from ${R}): the zone is not signed), so senders never look up its TLSA records (RFC 7672 2.2.2): sign the zone that holds ${H1}`,
    ]);
  });

  it("wait mode: no MX verdicts, the host's TLSA against its certificate", () => {
    const r1 = rec(3, 1, 1, spkiHash(leaf1));
    const result = evaluateDane(
      {
        resolver: R,
        mx: undefined,
        hosts: [host(H1, secure([r1]), smtp([leaf1]), { a: undefined, mx: false })],
      },
      options({ gateways: [H1], mode: "require", scope: "readiness" }),
    );
    assert.deepEqual(result.pool, []);
    assert.deepEqual(result.byHost.get(H1)?.map(show), [
      `ok DANE: the certificate matches TLSA 3 1 1 ${r1.data} (DANE-EE, public key)`,
    ]);
    assert.equal(result.report.mxAuthenticated, null);
  });

  it("covers a single MX host in the singular", () => {
    const r1 = rec(3, 1, 1, spkiHash(leaf1));
    const result = evaluateDane(
      observe([host(H1, secure([r1]), smtp([leaf1]))]),
      options({ gateways: [H1] }),
    );
    assert.deepEqual(result.pool.map(show), [
      `ok DANE: DANE covers the MX host (${H1}); the MX answer validates at ${R}`,
    ]);
  });
});

describe("relabelBogus", () => {
  const finding = (check: string, message: string): Finding => ({
    check,
    ok: false,
    severity: "problem",
    message,
  });
  it("names a SERVFAIL proved bogus as a DNSSEC failure, and leaves the rest alone", () => {
    const failure =
      "the resolver answered SERVFAIL (ESERVFAIL); this is a resolver failure, not an answer: check --resolver and the network";
    const input = [
      finding("MX", `MX lookup for ${DOMAIN} failed: ${failure}`),
      finding("MX", `cannot check: MX lookup for ${DOMAIN} failed: ${failure}`),
      finding("A", `A lookup for ${H1} failed: ${failure}`),
      finding(
        "SMTP",
        `SMTP 25 at (none): not probed: ${H1} has no A record and the stack gave no address`,
      ),
      finding("A", `A lookup for ${H2} failed: ${failure}`),
    ];
    const dnssec =
      "the validating resolver answered SERVFAIL because DNSSEC validation failed (see the DANE finding); this is a DNSSEC failure, not a missing record";
    assert.deepEqual(
      relabelBogus(input, new Set([DOMAIN, H1])).map((f) => f.message),
      [
        `MX lookup for ${DOMAIN} failed: ${dnssec}`,
        `cannot check: MX lookup for ${DOMAIN} failed: ${dnssec}`,
        `A lookup for ${H1} failed: ${dnssec}`,
        `SMTP 25 at (none): not probed: the A record of ${H1} does not validate (DNSSEC bogus) and the stack gave no address`,
        `A lookup for ${H2} failed: ${failure}`,
      ],
    );
    assert.deepEqual(relabelBogus(input, new Set()), input);
  });
});
