/** Pure: data shapes of the operator health check (`msgw check`). Plain values only. */

/**
 * A gateway's state as the stack publishes it: `active` takes mail through its MX record;
 * `standby` (prepared, not yet promoted) and `draining` (being emptied) have no MX record.
 */
export type GatewayState = "active" | "standby" | "draining";

/** One gateway to check, as the stack published it (or as given on the command line). */
export interface GatewayTarget {
  /** The host's own name (its A record, certificate subject and SAN). */
  hostname: string;
  /** The address the stack assigned; undefined when only the name is known (`--gateway NAME`). */
  address: string | undefined;
  /** `draining` and `standby` hosts must have no MX record. */
  state: GatewayState;
  /** Expected MX preference; undefined when unknown or draining. */
  mxPreference: number | undefined;
  /**
   * The SMTP and POP3 ports the pool configured for this gateway (stack outputs `gateways[].ports`);
   * undefined: the `--smtp-port`/`--pop3-port` options (default 25 and 110).
   */
  ports?: { smtp: number; pop3: number };
}

/** Everything the check needs to know about the pool. */
export interface CheckTargets {
  /** The mail domain owning the MX records. */
  mailDomain: string;
  gateways: GatewayTarget[];
  /** Pool CA certificate (PEM) from the stack outputs, if published there. */
  caCertificatePem: string | undefined;
}

/** A DNS server to ask instead of the system resolver. */
export interface ResolverAddress {
  address: string;
  port: number;
}

/** One MX record as published. */
export interface MxObservation {
  exchange: string;
  priority: number;
}

/**
 * Result of a DNS lookup: the records, or the resolver's error code: `ENOTFOUND` (NXDOMAIN: the
 * name does not exist), `ENODATA` (NODATA: the name exists without records of this type), or a
 * resolver failure (`ETIMEOUT`, `ECONNREFUSED`, `ESERVFAIL`, `EREFUSED`, `DEADLINE`, ...).
 */
export type Lookup<T> = { ok: true; records: T[] } | { ok: false; error: string };

/**
 * The CNAME chain starting at a name, as the resolver answers queries of type CNAME hop by hop.
 * `targets` is empty when the name is not an alias.
 */
export interface CnameChain {
  /** Each alias target in order. */
  targets: string[];
  /** How the walk ended: at a name that is no alias, in a loop, too long, or with a lookup error. */
  end: "name" | "loop" | "too-long" | { error: string };
}

/** What DNS says about one name that must receive mail (an MX target or a gateway host). */
export interface NameObservation {
  name: string;
  cname: CnameChain;
  a: Lookup<string>;
  aaaa: Lookup<string>;
}

/** What DNS says about the mail domain. */
export interface DomainObservation {
  mx: Lookup<MxObservation>;
  /** The mail domain's own addresses: senders use them when it has no MX (RFC 5321 5.1). */
  a: Lookup<string>;
  aaaa: Lookup<string>;
  /** Each distinct MX target that is not a null MX. */
  exchanges: NameObservation[];
}

/** What one certificate says about itself (from node:crypto's X509Certificate). */
export interface CertificateFacts {
  subject: string;
  /** DNS names from the subjectAltName extension. */
  dnsNames: string[];
  issuer: string;
  /** ISO 8601 validity bounds. */
  validFrom: string;
  validTo: string;
  /** `AB:CD:...` */
  fingerprint256: string;
  /** Whether a subjectAltName DNS name matches the host name (RFC 6125 6.4, browser wildcard rules). */
  matchesHostname: boolean;
  /** IP addresses from the subjectAltName extension. */
  ipAddresses: string[];
  /** Subject common names. */
  commonNames: string[];
  /** Extended key usage OIDs, undefined when the extension is absent (any use allowed). */
  extendedKeyUsage: string[] | undefined;
  /** basicConstraints CA:TRUE. */
  isCa: boolean;
  /** Every certificate of the chain as the TLS client built it, the leaf at depth 0. */
  chain: ChainCertificate[];
}

/** One certificate of a verified (or attempted) chain. */
export interface ChainCertificate {
  depth: number;
  subject: string;
  issuer: string;
  /** ISO 8601 validity bounds. */
  validFrom: string;
  validTo: string;
  /** Issuer equals subject and the certificate's key signed it. */
  selfSigned: boolean;
  isCa: boolean;
  /** `RSA 2048`, `EC P-256`, `Ed25519`, ... */
  key: string;
  /** RSA modulus length in bits; undefined for other key types. */
  rsaBits: number | undefined;
  /** Hash of the certificate's signature: `SHA-256`, `SHA-1`, `MD5`, or the algorithm OID. */
  signatureHash: string;
  fingerprint256: string;
}

/** What a STARTTLS probe (SMTP or POP3) saw. */
export interface StarttlsObservation {
  protocol: "SMTP" | "POP3";
  port: number;
  /** The address connected to. */
  address: string;
  /** Set when the probe stopped early: what failed, in words. */
  error: string | undefined;
  /** Whether the server advertised STARTTLS (SMTP) or STLS (POP3); undefined if never asked. */
  starttlsOffered: boolean | undefined;
  /** Negotiated TLS version, once the handshake completed. */
  tlsVersion: string | undefined;
  /** Chain verification error code from OpenSSL (e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`), or undefined. */
  chainError: string | undefined;
  certificate: CertificateFacts | undefined;
  /**
   * The certificates as the TLS client received them, DER in base64, the leaf first (what DANE
   * matches); undefined when no handshake completed.
   */
  chainDer?: string[];
}

/** Everything observed for one gateway. */
export interface GatewayObservation {
  target: GatewayTarget;
  /** The host name's A lookup (kept for callers of 0.1; the same as `dns.a`). */
  a: Lookup<string>;
  /** CNAME chain, A and AAAA of the host name; undefined in wait mode (no DNS). */
  dns?: NameObservation;
  smtp: StarttlsObservation;
  pop3: StarttlsObservation;
  /** SMTP probes of each published IPv6 address (senders with IPv6 try those first). */
  smtpIpv6?: StarttlsObservation[];
  /** Set when the gateway's total deadline cut the checks short. */
  deadlineHit?: boolean;
}

/** How bad a finding is: `warning` does not fail the check (exit 0) but is listed. */
export type Severity = "ok" | "warning" | "problem";

/** One verdict line of the report. */
export interface Finding {
  /** Short check name: `A`, `MX`, `SMTP`, `POP3`, `SMTP certificate`, ... */
  check: string;
  /** False exactly when `severity` is `problem`. */
  ok: boolean;
  severity: Severity;
  /** What was seen and, for a problem, what is wrong. Server and DNS text is escaped. */
  message: string;
}

/** The check's result for one gateway. */
export interface GatewayReport {
  hostname: string;
  state: GatewayState;
  findings: Finding[];
}

/**
 * A DNS answer read with the DNSSEC OK bit from the resolver the check is pointed at: the
 * records, and whether the resolver validated them (the AD bit).
 */
export interface SecureLookup<T> {
  /**
   * `records`; `nodata` / `nxdomain`: an answer without records; `bogus`: SERVFAIL that the same
   * query with checking disabled (CD) answers, so DNSSEC validation failed; `error`: no answer
   * (`error` says why: `SERVFAIL`, `REFUSED`, `ETIMEOUT`, `DEADLINE`, ...).
   */
  status: "records" | "nodata" | "nxdomain" | "bogus" | "error";
  records: T[];
  /** The AD bit: the resolver validated the answer (RFC 4035 3.2.3). */
  authenticated: boolean;
  /** RRSIG records came with the answer: the zone is signed, validated or not. */
  signed: boolean;
  error?: string;
  /** Extended DNS Error (RFC 8914) the resolver attached, e.g. `7 Signature Expired`. */
  extendedError?: string;
}

/** One TLSA record (RFC 6698 2.1): the association data in lower-case hex. */
export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  data: string;
}

/** The DNSSEC and TLSA answers about one host that receives (or will receive) mail. */
export interface DaneHostObservation {
  hostname: string;
  /** `_25._tcp.<host>` (the SMTP port the check probes). */
  tlsaName: string;
  /** Undefined in wait mode (the address is given). */
  a: SecureLookup<string> | undefined;
  tlsa: SecureLookup<TlsaRecord>;
  /** Whether an MX record of the mail domain points at the host. */
  mx: boolean;
  /** The SMTP probe whose certificate the TLSA records are matched against. */
  smtp: StarttlsObservation | undefined;
}

/** What DANE needs to know about the mail domain and its hosts. */
export interface DaneObservation {
  /** `ADDRESS:PORT` of the resolver asked. */
  resolver: string;
  /** Undefined in wait mode (no MX record exists yet). */
  mx: SecureLookup<MxObservation> | undefined;
  hosts: DaneHostObservation[];
}

/** How one host fares under DANE, for `--json`. */
export type DaneHostStatus =
  | "match"
  | "out-of-date"
  | "mismatch"
  | "no-tlsa"
  | "unusable"
  | "not-validated"
  | "bogus"
  | "error"
  | "no-certificate";

/** One host's DANE result in the report. */
export interface DaneHostReport {
  hostname: string;
  /** An MX record of the mail domain points here. */
  mx: boolean;
  tlsaName: string;
  /** The TLSA records as published: `3 1 1 <hex>`. */
  tlsa: string[];
  /** The resolver set the AD bit on the TLSA answer. */
  authenticated: boolean;
  status: DaneHostStatus;
  /** The record that matched the certificate, as `3 1 1 <hex>`; null when none did. */
  matched: string | null;
}

/** The DANE part of the report (present unless `--dane off`). */
export interface DaneReport {
  mode: "auto" | "require";
  resolver: string;
  /** The AD bit on the mail domain's MX answer; null in wait mode (not looked up). */
  mxAuthenticated: boolean | null;
  hosts: DaneHostReport[];
  /** MX hosts with DNSSEC-validated, usable TLSA records, and those without. */
  covered: string[];
  uncovered: string[];
}

/** The whole check's result; the JSON output of `msgw check --json` (shape in docs/mail-path.md). */
export interface CheckReport {
  /** Version of this shape: 1. Fields are only ever added within a version. */
  schemaVersion: 1;
  mailDomain: string;
  /** `system` or `ADDRESS:PORT`. */
  resolver: string;
  checkedAt: string;
  /** Findings about the mail domain as a whole (e.g. MX records pointing at unknown hosts). */
  pool: Finding[];
  gateways: GatewayReport[];
  /** DANE per host (absent with `--dane off`). */
  dane?: DaneReport;
  /** Number of findings that are problems. */
  problems: number;
  /** Number of findings that are warnings. */
  warnings: number;
  ok: boolean;
}
