/**
 * Pure: what a server certificate and its chain say about themselves, read with node:crypto's
 * X509Certificate (names, validity, key, basic constraints, extended key usage) and
 * @peculiar/asn1-x509 (the signature algorithm, which node:crypto does not expose).
 */
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import type { CertificateFacts, ChainCertificate } from "./types";

const DAY_MS = 86_400_000;

/** OID 1.3.6.1.5.5.7.3.1, id-kp-serverAuth (RFC 5280 4.2.1.12). */
export const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
/** OID 2.5.29.37.0, anyExtendedKeyUsage (RFC 5280 4.2.1.12). */
export const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

/** Signature algorithm OIDs (RFC 3279, RFC 4055, RFC 5758, RFC 8410) by the hash they use. */
const SIGNATURE_HASH: Record<string, string> = {
  "1.2.840.113549.1.1.2": "MD2",
  "1.2.840.113549.1.1.4": "MD5",
  "1.2.840.113549.1.1.5": "SHA-1",
  "1.2.840.10045.4.1": "SHA-1",
  "1.2.840.10040.4.3": "SHA-1",
  "1.2.840.113549.1.1.14": "SHA-224",
  "1.2.840.113549.1.1.11": "SHA-256",
  "1.2.840.113549.1.1.12": "SHA-384",
  "1.2.840.113549.1.1.13": "SHA-512",
  "1.2.840.10045.4.3.1": "SHA-224",
  "1.2.840.10045.4.3.2": "SHA-256",
  "1.2.840.10045.4.3.3": "SHA-384",
  "1.2.840.10045.4.3.4": "SHA-512",
  "1.2.840.113549.1.1.10": "RSASSA-PSS",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
};

/** Hashes no current TLS client accepts in a certificate signature (CA/Browser Forum BR 7.1.3). */
export const WEAK_HASHES = new Set(["MD2", "MD5", "SHA-1"]);

/** DNS names in a subjectAltName string as node prints it (`DNS:a.example, IP Address:1.2.3.4`). */
export function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4).replace(/^"|"$/g, "").toLowerCase());
}

/** IP addresses in a subjectAltName string as node prints it. */
export function ipAddressesOf(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((entry) => entry.startsWith("IP Address:"))
    .map((entry) => entry.slice("IP Address:".length).toLowerCase());
}

/** Subject CN values of a subject as node prints it (one `KEY=value` per line). */
function commonNamesOf(subject: string): string[] {
  return subject
    .split("\n")
    .filter((line) => line.startsWith("CN="))
    .map((line) => line.slice(3).toLowerCase());
}

/**
 * Why a SAN DNS name cannot match any host, per RFC 6125 6.4.3 as current clients apply it
 * (CA/Browser Forum BR 7.1.4.2.1, Chromium, Go, OpenSSL with partial wildcards off); undefined
 * for a usable name.
 */
export function unusableSanReason(pattern: string): string | undefined {
  const name = pattern.toLowerCase().replace(/\.$/, "");
  if (isIP(name) !== 0) return "is an IP address written as a DNS name";
  if (!name.includes("*")) return undefined;
  const labels = name.split(".");
  if (labels.slice(1).some((l) => l.includes("*")))
    return "has a wildcard outside the left-most label";
  if (labels[0] !== "*")
    return "is a partial wildcard (only a whole left-most label * is honoured)";
  if (labels.length < 3) return "is a wildcard directly under a top-level domain";
  return undefined;
}

/**
 * Whether SAN DNS name `pattern` covers `hostname`: equal (case-insensitive, trailing dot
 * ignored), or `*.rest` where `hostname` is exactly one label followed by `.rest`.
 */
export function sanMatches(pattern: string, hostname: string): boolean {
  const name = pattern.toLowerCase().replace(/\.$/, "");
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (unusableSanReason(name) !== undefined) return false;
  if (!name.startsWith("*.")) return name === host;
  const dot = host.indexOf(".");
  return dot > 0 && host.slice(dot + 1) === name.slice(2);
}

function signatureHashOf(raw: Buffer): string {
  try {
    const oid = AsnConvert.parse(raw, Certificate).signatureAlgorithm.algorithm;
    return SIGNATURE_HASH[oid] ?? oid;
  } catch {
    return "unknown";
  }
}

function keyOf(x509: X509Certificate): { key: string; rsaBits: number | undefined } {
  const type = x509.publicKey.asymmetricKeyType ?? "unknown";
  const details = x509.publicKey.asymmetricKeyDetails ?? {};
  if (type === "rsa" || type === "rsa-pss") {
    const bits = details.modulusLength;
    return { key: `RSA ${bits ?? "?"}`, rsaBits: bits };
  }
  if (type === "ec") {
    const curve = {
      prime192v1: "P-192",
      secp224r1: "P-224",
      prime256v1: "P-256",
      secp384r1: "P-384",
      secp521r1: "P-521",
    }[details.namedCurve ?? ""];
    return { key: `EC ${curve ?? details.namedCurve ?? "?"}`, rsaBits: undefined };
  }
  if (type === "ed25519") return { key: "Ed25519", rsaBits: undefined };
  if (type === "ed448") return { key: "Ed448", rsaBits: undefined };
  return { key: type.toUpperCase(), rsaBits: undefined };
}

function oneLine(dn: string): string {
  return dn.replace(/\n/g, ", ");
}

/** Facts of one chain member. */
export function chainCertificate(certificate: Buffer | string, depth: number): ChainCertificate {
  const x509 = new X509Certificate(certificate);
  let selfSigned = false;
  try {
    // Not checkIssued: it also demands keyCertSign, which a self-signed server certificate lacks.
    selfSigned = x509.subject === x509.issuer && x509.verify(x509.publicKey);
  } catch {
    selfSigned = false;
  }
  return {
    depth,
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    selfSigned,
    isCa: x509.ca,
    ...keyOf(x509),
    signatureHash: signatureHashOf(x509.raw),
    fingerprint256: x509.fingerprint256,
  };
}

/**
 * Reads a server certificate (DER bytes or PEM) and checks it against the host name it was
 * served for. `chain` is the rest of the chain as the TLS client built it (issuer first, the
 * trust anchor last); the leaf is added at depth 0.
 */
export function certificateFacts(
  certificate: Buffer | string,
  hostname: string,
  chain: ReadonlyArray<Buffer | string> = [],
): CertificateFacts {
  const x509 = new X509Certificate(certificate);
  const dnsNames = dnsNamesOf(x509.subjectAltName);
  return {
    subject: oneLine(x509.subject),
    dnsNames,
    issuer: oneLine(x509.issuer),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    fingerprint256: x509.fingerprint256,
    matchesHostname: dnsNames.some((name) => sanMatches(name, hostname)),
    ipAddresses: ipAddressesOf(x509.subjectAltName),
    commonNames: commonNamesOf(x509.subject),
    extendedKeyUsage: x509.keyUsage,
    isCa: x509.ca,
    chain: [certificate, ...chain].map((c, depth) => chainCertificate(c, depth)),
  };
}

/** Whole days from `now` until `validTo` (negative once expired; -1 on the first day after). */
export function daysLeft(validTo: string, now: Date): number {
  return Math.floor((Date.parse(validTo) - now.getTime()) / DAY_MS);
}
