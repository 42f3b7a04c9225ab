/**
 * Pure: DANE verdicts (RFC 7672) from the DNSSEC answers and the certificates the hosts present.
 * A sender uses DANE for a host only when the MX answer, the host's address and its TLSA records
 * all validate; then it delivers only if a usable TLSA record matches. So: a bogus answer
 * (SERVFAIL from the validating resolver) is a DNSSEC failure, never a missing record; TLSA records
 * in a zone that does not validate protect nothing; an MX host without TLSA beside hosts with it
 * is the way around DANE; a mismatch or an out-of-date certificate stops delivery (Exchange Online
 * checks dates even under DANE-EE: NDR 5.7.322 and 5.7.323).
 */
import { X509Certificate } from "node:crypto";
import { lookupErrorWords } from "./evaluate";
import {
  chainsToPublicRoot,
  daneEeRecord,
  formatTlsa,
  matchTlsa,
  showTlsa,
  TLSA_USAGE_NAMES,
} from "./tlsa";
import type {
  DaneHostObservation,
  DaneHostReport,
  DaneHostStatus,
  DaneObservation,
  DaneReport,
  Finding,
  SecureLookup,
} from "./types";

/** `auto`: check hosts that have TLSA records; `require`: every host must have them. */
export type DaneMode = "auto" | "require";

/** What the DANE verdicts depend on besides the observation. */
export interface DaneEvaluateOptions {
  mode: DaneMode;
  mailDomain: string;
  /** Host names of the gateways checked (their findings go to their own report block). */
  gateways: readonly string[];
  now: Date;
  /** `readiness`: wait mode; no MX or A lookups, only the host's TLSA against its certificate. */
  scope?: "full" | "readiness";
}

/** The DANE findings, sorted by where they belong, and the JSON summary. */
export interface DaneEvaluation {
  /** Findings about the mail domain, and about MX hosts that are not gateways of the check. */
  pool: Finding[];
  /** Findings per gateway host name. */
  byHost: Map<string, Finding[]>;
  report: DaneReport;
}

const CHECK = "DANE";
const ok = (message: string): Finding => ({ check: CHECK, ok: true, severity: "ok", message });
const warning = (message: string): Finding => ({
  check: CHECK,
  ok: true,
  severity: "warning",
  message,
});
const problem = (message: string): Finding => ({
  check: CHECK,
  ok: false,
  severity: "problem",
  message,
});

/** node:dns's error codes, so resolver failures read the same as the other lookups. */
const NODE_CODES: Record<string, string> = {
  SERVFAIL: "ESERVFAIL",
  REFUSED: "EREFUSED",
  FORMERR: "EFORMERR",
};

function bogusWords(what: string, lookup: SecureLookup<unknown>, resolver: string): string {
  const ede =
    lookup.extendedError === undefined ? "" : `, Extended DNS Error ${lookup.extendedError}`;
  return `DNSSEC validation of ${what} failed: the validating resolver ${resolver} answers SERVFAIL${ede}, and answers the same query with checking disabled (CD), so the zone's signatures are bogus (expired, not yet valid, or not matching its keys or the DS record)`;
}

function unvalidatedWords(lookup: SecureLookup<unknown>, resolver: string): string {
  return lookup.signed
    ? `${resolver} did not validate the answer (no AD bit) although it carries RRSIG signatures: the zone has no chain of trust from the resolver's trust anchor (is its DS record at the parent?), or ${resolver} does not validate DNSSEC`
    : `the answer is not DNSSEC-signed (no RRSIG, no AD bit from ${resolver}): the zone is not signed`;
}

const list = (names: readonly string[]) => names.join(", ");

interface HostVerdict {
  findings: Finding[];
  report: DaneHostReport;
  /** DNSSEC-validated TLSA records with at least one usable record. */
  covered: boolean;
}

function hostVerdict(
  host: DaneHostObservation,
  resolver: string,
  options: DaneEvaluateOptions,
): HostVerdict {
  const { tlsa, tlsaName: name, hostname } = host;
  const report: DaneHostReport = {
    hostname,
    mx: host.mx,
    tlsaName: name,
    tlsa: tlsa.records.map(formatTlsa),
    authenticated: tlsa.authenticated,
    status: "no-tlsa",
    matched: null,
  };
  const done = (status: DaneHostStatus, findings: Finding[], covered = false): HostVerdict => ({
    findings,
    report: { ...report, status },
    covered,
  });
  const leafDer = host.smtp?.chainDer?.[0];
  const leaf =
    leafDer === undefined ? undefined : new X509Certificate(Buffer.from(leafDer, "base64"));
  const suggestion =
    leaf === undefined
      ? "3 1 1 <SHA-256 of the server's public key>"
      : formatTlsa(daneEeRecord(leaf));

  if (tlsa.status === "bogus") {
    return done("bogus", [
      problem(
        `${bogusWords(`${name} TLSA`, tlsa, resolver)}; DANE senders treat ${hostname} as unusable and queue its mail: re-sign the zone`,
      ),
    ]);
  }
  if (host.a?.status === "bogus") {
    return done("bogus", [
      problem(
        `${bogusWords(`the A record of ${hostname}`, host.a, resolver)}; DANE senders treat ${hostname} as unusable and queue its mail: re-sign the zone`,
      ),
    ]);
  }
  if (tlsa.status === "error") {
    const code = tlsa.error ?? "unknown";
    return done("error", [
      problem(
        `${lookupErrorWords(NODE_CODES[code] ?? code, name, "TLSA")}${tlsa.extendedError === undefined ? "" : ` (Extended DNS Error ${tlsa.extendedError})`}`,
      ),
    ]);
  }
  if (tlsa.status !== "records") {
    const what = `no TLSA record at ${name} (${tlsa.status === "nxdomain" ? "NXDOMAIN" : "NODATA"})`;
    return done("no-tlsa", [
      options.mode === "require"
        ? problem(
            `${what}; --dane require needs one for every host that receives mail: publish ${name}. TLSA ${suggestion}`,
          )
        : ok(`${what}: DANE does not cover ${hostname}`),
    ]);
  }
  const shown = tlsa.records.map(showTlsa).join("; ");
  if (!tlsa.authenticated) {
    return done("not-validated", [
      problem(
        `${name} has TLSA ${shown}, but ${unvalidatedWords(tlsa, resolver)}; senders ignore TLSA records that do not validate (RFC 7672 2.2), so DANE does not protect ${hostname}: sign the zone, or remove the records`,
      ),
    ]);
  }
  if (host.a !== undefined && host.a.status === "records" && !host.a.authenticated) {
    return done("not-validated", [
      problem(
        `the A record of ${hostname} does not validate (${unvalidatedWords(host.a, resolver)}), so senders never look up its TLSA records (RFC 7672 2.2.2): sign the zone that holds ${hostname}`,
      ),
    ]);
  }
  const smtp = host.smtp;
  const chainDer = smtp?.chainDer;
  if (smtp === undefined || chainDer === undefined || chainDer.length === 0) {
    const why =
      smtp === undefined
        ? "it was not probed (no address)"
        : smtp.starttlsOffered === false
          ? `SMTP ${smtp.port} at ${smtp.address} offers no STARTTLS, so DANE senders queue its mail (RFC 7672 2.2)`
          : `the SMTP probe got no certificate (${smtp.error ?? "no TLS handshake"})`;
    return done("no-certificate", [problem(`cannot match TLSA ${shown} of ${hostname}: ${why}`)]);
  }
  const findings: Finding[] = [];
  const match = matchTlsa(
    tlsa.records,
    chainDer.map((c) => Buffer.from(c, "base64")),
    hostname,
    options.now,
  );
  const publicCa = chainsToPublicRoot(chainDer.map((c) => Buffer.from(c, "base64")));
  for (const { record, reason } of match.unusable) {
    if (record.usage === 0 || record.usage === 1) {
      findings.push(
        warning(
          `TLSA ${showTlsa(record)} is usage ${record.usage} (${TLSA_USAGE_NAMES[record.usage]}), which SMTP senders treat as unusable (RFC 7672 3.1.3)${publicCa ? "" : `; it would also need a chain to a public root CA, and ${hostname}'s certificate comes from a private CA ("${leaf?.issuer.replace(/\n/g, ", ") ?? "unknown"}")`}: publish ${suggestion} instead`,
        ),
      );
    } else {
      findings.push(warning(`TLSA ${showTlsa(record)} is unusable: ${reason}; senders skip it`));
    }
  }
  for (const record of tlsa.records) {
    if (
      record.usage === 3 &&
      record.selector === 0 &&
      match.unusable.every((u) => u.record !== record)
    ) {
      findings.push(
        warning(
          `TLSA ${showTlsa(record)} pins the whole certificate (selector 0), so it stops matching at every renewal, even one that keeps the key: publish ${suggestion} (the SHA-256 of the public key) instead`,
        ),
      );
    }
  }
  const usable = tlsa.records.length - match.unusable.length;
  if (usable === 0) {
    return done("unusable", [
      ...findings,
      problem(
        `none of the TLSA records at ${name} is usable for SMTP (usages 2 and 3 only), so senders fall back to unauthenticated TLS for ${hostname}: publish ${name}. TLSA ${suggestion}`,
      ),
    ]);
  }
  if (match.matched === undefined) {
    const anchors = match.trustAnchorFailures.map(
      (f) => `; TLSA ${showTlsa(f.record)} matches a CA certificate of the chain, but ${f.reason}`,
    );
    return done(
      "mismatch",
      [
        ...findings,
        problem(
          `no TLSA record at ${name} matches the certificate ${hostname} presents (published: ${shown}; its public key gives ${suggestion})${anchors.join("")}: DANE senders refuse to deliver to ${hostname} (Exchange Online: NDR 5.7.323 tlsa-invalid): publish the record for the key the host serves, or serve the certificate the record pins`,
        ),
      ],
      true,
    );
  }
  const matched = formatTlsa(match.matched);
  const how =
    match.depth === 0
      ? `DANE-EE, ${match.matched.selector === 1 ? "public key" : "whole certificate"}`
      : `DANE-TA, trust anchor at depth ${match.depth}, certificate names ${hostname}`;
  if (match.outOfDate.length > 0) {
    return {
      findings: [
        ...findings,
        problem(
          `the certificate matches TLSA ${showTlsa(match.matched)} (${how}), but ${match.outOfDate.join("; ")}: Exchange Online refuses an out-of-date certificate even under DANE-EE (NDR 5.7.322 or 5.7.323): renew it on the same key`,
        ),
      ],
      report: { ...report, status: "out-of-date", matched },
      covered: true,
    };
  }
  return {
    findings: [...findings, ok(`the certificate matches TLSA ${showTlsa(match.matched)} (${how})`)],
    report: { ...report, status: "match", matched },
    covered: true,
  };
}

/**
 * Every DANE verdict: the mail domain's MX answer, per-host TLSA against the certificate, and
 * whether all MX hosts are covered.
 * @param observation what the DNSSEC lookups and SMTP probes saw
 * @param resolver the resolver asked, as `ADDRESS:PORT`
 */
export function evaluateDane(
  observation: DaneObservation,
  options: DaneEvaluateOptions,
): DaneEvaluation {
  const { mailDomain } = options;
  const resolver = observation.resolver;
  const pool: Finding[] = [];
  const byHost = new Map<string, Finding[]>();
  const verdicts = observation.hosts.map((host) => ({
    host,
    verdict: hostVerdict(host, resolver, options),
  }));
  for (const { host, verdict } of verdicts) {
    if (options.gateways.includes(host.hostname)) byHost.set(host.hostname, verdict.findings);
    else
      pool.push(
        ...verdict.findings.map((f) => ({
          ...f,
          message: `MX host ${host.hostname}: ${f.message}`,
        })),
      );
  }
  const mxHosts = verdicts.filter((v) => v.host.mx);
  const covered = mxHosts.filter((v) => v.verdict.covered).map((v) => v.host.hostname);
  const uncovered = mxHosts.filter((v) => !v.verdict.covered).map((v) => v.host.hostname);
  const withTlsa = verdicts
    .filter((v) => v.host.tlsa.status === "records")
    .map((v) => v.host.hostname);
  const mx = observation.mx;
  const report: DaneReport = {
    mode: options.mode,
    resolver,
    mxAuthenticated: mx === undefined ? null : mx.authenticated,
    hosts: verdicts.map((v) => v.verdict.report),
    covered,
    uncovered,
  };
  const bogus = mx?.status === "bogus" || verdicts.some((v) => v.verdict.report.status === "bogus");
  // Senders look up TLSA for every host whose address validates: a failed lookup there stops
  // DANE senders even where no TLSA record exists (RFC 7672 2.2.3).
  const failedSecure = verdicts.some(
    (v) => v.verdict.report.status === "error" && v.host.a?.authenticated === true,
  );
  if (options.mode === "auto" && withTlsa.length === 0 && !bogus && !failedSecure) {
    // DANE is not in use: nothing to say beyond the JSON summary.
    return { pool: [], byHost: new Map(), report };
  }
  if (mx !== undefined && options.scope !== "readiness") {
    if (mx.status === "bogus") {
      pool.unshift(
        problem(
          `${bogusWords(`the MX records of ${mailDomain}`, mx, resolver)}; senders that validate DNSSEC (Exchange Online among them) cannot look up the gateways and queue all journal mail: re-sign the zone. This is a DNSSEC failure, not a missing MX record`,
        ),
      );
    } else if (mx.status === "records" && !mx.authenticated) {
      if (withTlsa.length > 0 || options.mode === "require") {
        pool.unshift(
          problem(
            `the MX records of ${mailDomain} do not validate (${unvalidatedWords(mx, resolver)}); senders use DANE only when the MX answer validates (RFC 7672 2.2.1), so ${withTlsa.length > 0 ? `the TLSA records of ${list(withTlsa)} protect nothing` : "DANE cannot apply"}: sign the zone of ${mailDomain}`,
          ),
        );
      }
    } else if (mx.status === "records") {
      if (withTlsa.length === 0) {
        if (options.mode === "require") {
          pool.push(
            problem(
              `--dane require: no MX host of ${mailDomain} has a TLSA record (${list(mxHosts.map((v) => v.host.tlsaName))})`,
            ),
          );
        }
      } else if (uncovered.length === 0) {
        pool.push(
          ok(
            `DANE covers ${covered.length === 1 ? "the MX host" : `all ${covered.length} MX hosts`} (${list(covered)}); the MX answer validates at ${resolver}`,
          ),
        );
      } else if (covered.length > 0) {
        pool.push(
          problem(
            `DANE covers ${covered.length} of ${mxHosts.length} MX hosts (${list(covered)}); ${list(uncovered)} ${uncovered.length === 1 ? "has" : "have"} no DNSSEC-validated, usable TLSA record, so an attacker who blocks the covered hosts gets the mail sent to ${list(uncovered)} without authentication: publish TLSA records for every MX host`,
          ),
        );
      }
    }
  }
  return { pool, byHost, report };
}

const RESOLVER_FAILURE =
  "the resolver answered SERVFAIL (ESERVFAIL); this is a resolver failure, not an answer: check --resolver and the network";

/**
 * The other checks' words for a SERVFAIL, corrected where the DNSSEC lookups proved the answer
 * bogus: a lookup of `name` that failed that way is a DNSSEC failure, not a resolver outage, and
 * a host whose A record is bogus has one (it does not validate).
 * @param bogus names (the mail domain, host names) whose MX or A answer is bogus
 */
export function relabelBogus(findings: readonly Finding[], bogus: ReadonlySet<string>): Finding[] {
  if (bogus.size === 0) return [...findings];
  return findings.map((f) => {
    let message = f.message;
    for (const name of bogus) {
      for (const type of ["MX", "A", "AAAA", "CNAME"]) {
        message = message.replace(
          `${type} lookup for ${name} failed: ${RESOLVER_FAILURE}`,
          `${type} lookup for ${name} failed: the validating resolver answered SERVFAIL because DNSSEC validation failed (see the DANE finding); this is a DNSSEC failure, not a missing record`,
        );
      }
      message = message.replace(
        `not probed: ${name} has no A record and the stack gave no address`,
        `not probed: the A record of ${name} does not validate (DNSSEC bogus) and the stack gave no address`,
      );
    }
    return message === f.message ? f : { ...f, message };
  });
}
