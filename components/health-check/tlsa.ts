/**
 * Pure: TLSA records (RFC 6698) matched against the certificate chain an SMTP server presents, the
 * way DANE senders do (RFC 7672 3, RFC 7671): DANE-EE (usage 3) matches the server certificate,
 * its name and dates unchecked; DANE-TA (usage 2) matches a CA certificate of the chain, to which
 * the server certificate must chain and which must name the host. PKIX usages 0 and 1 are unusable
 * for SMTP (RFC 7672 3.1.3). Selectors 0 (whole certificate) and 1 (SubjectPublicKeyInfo);
 * matching types 0 (exact), 1 (SHA-256), 2 (SHA-512). Read with node:crypto's X509Certificate.
 */
import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";
import { dnsNamesOf, sanMatches } from "./certificate-facts";
import type { TlsaRecord } from "./types";

/** RFC 7218 mnemonics. */
export const TLSA_USAGE_NAMES: Record<number, string> = {
  0: "PKIX-TA",
  1: "PKIX-EE",
  2: "DANE-TA",
  3: "DANE-EE",
};

/** Digest lengths of the matching types, in bytes (RFC 6698 2.1.3). */
const DIGEST_BYTES: Record<number, number> = { 1: 32, 2: 64 };

/** `3 1 1 <hex>`: the record as a zone file writes it. */
export function formatTlsa(record: TlsaRecord): string {
  return `${record.usage} ${record.selector} ${record.matchingType} ${record.data}`;
}

/**
 * The record for messages: whole for digests, shortened for exact matches (matching type 0
 * carries a whole certificate or key).
 */
export function showTlsa(record: TlsaRecord): string {
  if (record.matchingType !== 0 || record.data.length <= 32) return formatTlsa(record);
  return `${record.usage} ${record.selector} ${record.matchingType} ${record.data.slice(0, 32)}... (${record.data.length / 2} bytes)`;
}

/** The bytes a selector picks from a certificate: the whole DER (0) or its SubjectPublicKeyInfo (1). */
export function selectedBytes(certificate: X509Certificate, selector: number): Buffer {
  if (selector === 0) return certificate.raw;
  return certificate.publicKey.export({ type: "spki", format: "der" });
}

/** The association data of `certificate` for a selector and matching type, in lower-case hex. */
export function associationData(
  certificate: X509Certificate,
  selector: number,
  matchingType: number,
): string {
  const bytes = selectedBytes(certificate, selector);
  if (matchingType === 1) return createHash("sha256").update(bytes).digest("hex");
  if (matchingType === 2) return createHash("sha512").update(bytes).digest("hex");
  return bytes.toString("hex");
}

/** The `3 1 1` record that a certificate matches (the form Exchange Online recommends). */
export function daneEeRecord(certificate: X509Certificate): TlsaRecord {
  return { usage: 3, selector: 1, matchingType: 1, data: associationData(certificate, 1, 1) };
}

/**
 * Why a record can never authenticate an SMTP server, or undefined when it can: unknown usage,
 * selector or matching type (RFC 6698 says to ignore those), a digest of the wrong length, or a
 * PKIX usage (RFC 7672 3.1.3).
 */
export function unusableReason(record: TlsaRecord): string | undefined {
  if (record.usage === 0 || record.usage === 1) {
    return `usage ${record.usage} (${TLSA_USAGE_NAMES[record.usage]}) is unusable for SMTP (RFC 7672 3.1.3)`;
  }
  if (record.usage !== 2 && record.usage !== 3) return `usage ${record.usage} is not defined`;
  if (record.selector !== 0 && record.selector !== 1)
    return `selector ${record.selector} is not defined`;
  if (record.matchingType < 0 || record.matchingType > 2)
    return `matching type ${record.matchingType} is not defined`;
  const bytes = DIGEST_BYTES[record.matchingType];
  if (bytes !== undefined && record.data.length !== bytes * 2) {
    return `a ${record.matchingType === 1 ? "SHA-256" : "SHA-512"} digest has ${bytes} bytes, this one ${record.data.length / 2}`;
  }
  if (!/^([0-9a-f]{2})+$/.test(record.data)) return "the association data is empty";
  return undefined;
}

/** Whether `record` (selector and matching type) matches `certificate`. */
export function recordMatches(record: TlsaRecord, certificate: X509Certificate): boolean {
  if (record.selector !== 0 && record.selector !== 1) return false;
  if (record.matchingType < 0 || record.matchingType > 2) return false;
  return associationData(certificate, record.selector, record.matchingType) === record.data;
}

function issued(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function outOfDate(certificate: X509Certificate, now: Date): string | undefined {
  if (Date.parse(certificate.validFrom) > now.getTime()) {
    return `is not valid before ${new Date(certificate.validFrom).toISOString()}`;
  }
  if (Date.parse(certificate.validTo) < now.getTime()) {
    return `expired at ${new Date(certificate.validTo).toISOString()}`;
  }
  return undefined;
}

/** How a DANE-TA record that matched a CA of the chain fails to authenticate the server. */
export interface TrustAnchorFailure {
  record: TlsaRecord;
  reason: string;
}

/** The outcome of matching a TLSA RRset against a presented chain. */
export interface TlsaMatch {
  /** The first usable record that authenticates the server; undefined when none does. */
  matched: TlsaRecord | undefined;
  /** Depth of the certificate it matched: 0 for DANE-EE; the trust anchor's for DANE-TA. */
  depth: number | undefined;
  /** Certificates that are out of date at `now` among those the match relies on, in words. */
  outOfDate: string[];
  /** Records that cannot authenticate an SMTP server, with why. */
  unusable: Array<{ record: TlsaRecord; reason: string }>;
  /** DANE-TA records that matched a CA certificate whose chain or name does not hold. */
  trustAnchorFailures: TrustAnchorFailure[];
}

function taPath(
  chain: readonly X509Certificate[],
  record: TlsaRecord,
  hostname: string,
): { depth: number; reason: string | undefined } | undefined {
  const leaf = chain[0] as X509Certificate;
  const nameOk = dnsNamesOf(leaf.subjectAltName).some((n) => sanMatches(n, hostname));
  const why = (depth: number): string | undefined => {
    for (let i = 0; i < depth; i += 1) {
      if (!issued(chain[i] as X509Certificate, chain[i + 1] as X509Certificate)) {
        return `the certificate at depth ${i} is not signed by the one at depth ${i + 1}`;
      }
    }
    if (!nameOk) {
      return `DANE-TA requires the server certificate to name ${hostname} (RFC 7672 3.2.2), and its DNS names are ${dnsNamesOf(leaf.subjectAltName).join(", ") || "none"}`;
    }
    return undefined;
  };
  for (let depth = 1; depth < chain.length; depth += 1) {
    if (recordMatches(record, chain[depth] as X509Certificate))
      return { depth, reason: why(depth) };
  }
  // `2 1 0` carries the trust anchor's whole public key, so the anchor need not be sent
  // (RFC 7671 5.2.3): the last certificate sent must be signed by that key.
  if (record.selector === 1 && record.matchingType === 0) {
    try {
      const key = createPublicKey({
        key: Buffer.from(record.data, "hex"),
        format: "der",
        type: "spki",
      });
      const top = chain.length - 1;
      if ((chain[top] as X509Certificate).verify(key)) {
        const reason = why(top);
        return { depth: chain.length, reason };
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Matches every record of a TLSA RRset against `chainDer` (the leaf first), as of `now`.
 * @param hostname the MX host name: the reference identifier DANE-TA checks (RFC 7672 3.2.2)
 */
export function matchTlsa(
  records: readonly TlsaRecord[],
  chainDer: ReadonlyArray<Buffer | string>,
  hostname: string,
  now: Date,
): TlsaMatch {
  const chain = chainDer.map((c) => new X509Certificate(c));
  const result: TlsaMatch = {
    matched: undefined,
    depth: undefined,
    outOfDate: [],
    unusable: [],
    trustAnchorFailures: [],
  };
  const leaf = chain[0];
  for (const record of records) {
    const reason = unusableReason(record);
    if (reason !== undefined) {
      result.unusable.push({ record, reason });
      continue;
    }
    if (leaf === undefined || result.matched !== undefined) continue;
    if (record.usage === 3) {
      if (recordMatches(record, leaf)) {
        result.matched = record;
        result.depth = 0;
      }
      continue;
    }
    const path = taPath(chain, record, hostname);
    if (path === undefined) continue;
    if (path.reason !== undefined) {
      result.trustAnchorFailures.push({ record, reason: path.reason });
      continue;
    }
    result.matched = record;
    result.depth = path.depth;
  }
  if (result.matched !== undefined && result.depth !== undefined) {
    // DANE-EE relies on the server certificate alone; DANE-TA on every certificate below the
    // anchor. Exchange Online checks the dates under both (NDR 5.7.322), unlike RFC 7672 3.1.1.
    const relied =
      result.depth === 0 ? [0] : [...Array(Math.min(result.depth, chain.length)).keys()];
    for (const depth of relied) {
      const why = outOfDate(chain[depth] as X509Certificate, now);
      if (why !== undefined) {
        result.outOfDate.push(
          `${depth === 0 ? "the server certificate" : `the CA certificate at depth ${depth}`} ${why}`,
        );
      }
    }
  }
  return result;
}

let publicRoots: X509Certificate[] | undefined;

/**
 * Whether the chain ends in (or is issued by) one of the public root CAs bundled with Node.js;
 * false for a private CA or a self-signed certificate.
 */
export function chainsToPublicRoot(chainDer: ReadonlyArray<Buffer | string>): boolean {
  const last = chainDer[chainDer.length - 1];
  if (last === undefined) return false;
  const top = new X509Certificate(last);
  publicRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return publicRoots.some(
    (root) => root.fingerprint256 === top.fingerprint256 || issued(top, root),
  );
}
