/** Data shapes of the operator health check (`msgw check`). Plain values only. */

/** One gateway to check, as the stack published it (or as given on the command line). */
export interface GatewayTarget {
  /** The host's own name (its A record, certificate subject and SAN). */
  hostname: string;
  /** The address the stack assigned; undefined when only the name is known (`--gateway NAME`). */
  address: string | undefined;
  /** `draining` hosts must have no MX record. */
  state: "active" | "draining";
  /** Expected MX preference; undefined when unknown or draining. */
  mxPreference: number | undefined;
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

/** Result of a DNS lookup: the records, or the resolver's error code (`ENOTFOUND`, `ENODATA`, ...). */
export type Lookup<T> = { ok: true; records: T[] } | { ok: false; error: string };

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
  /** Whether the certificate is valid for the host name (SAN, or CN without SANs), per RFC 6125. */
  matchesHostname: boolean;
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
}

/** Everything observed for one gateway. */
export interface GatewayObservation {
  target: GatewayTarget;
  a: Lookup<string>;
  smtp: StarttlsObservation;
  pop3: StarttlsObservation;
}

/** One verdict line of the report. */
export interface Finding {
  /** Short check name: `A`, `MX`, `SMTP`, `POP3`, `SMTP certificate`, ... */
  check: string;
  ok: boolean;
  /** What was seen and, for a problem, what is wrong. */
  message: string;
}

/** The check's result for one gateway. */
export interface GatewayReport {
  hostname: string;
  state: "active" | "draining";
  findings: Finding[];
}

/** The whole check's result. */
export interface CheckReport {
  mailDomain: string;
  /** `system` or `ADDRESS:PORT`. */
  resolver: string;
  checkedAt: string;
  /** Findings about the mail domain as a whole (e.g. MX records pointing at unknown hosts). */
  pool: Finding[];
  gateways: GatewayReport[];
  /** Number of findings that are problems. */
  problems: number;
  ok: boolean;
}
