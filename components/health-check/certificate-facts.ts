/** Pure: what a server certificate says about itself, read with node:crypto's X509Certificate. */
import { X509Certificate } from "node:crypto";
import type { CertificateFacts } from "./types";

const DAY_MS = 86_400_000;

/** DNS names in a subjectAltName string as node prints it (`DNS:a.example, IP Address:1.2.3.4`). */
export function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4).replace(/^"|"$/g, "").toLowerCase());
}

/**
 * Reads a certificate (DER bytes or PEM) and checks it against the host name it was served for.
 * Name matching is node's `checkHost` (RFC 6125: SAN DNS names; the subject CN only when there
 * are none).
 */
export function certificateFacts(certificate: Buffer | string, hostname: string): CertificateFacts {
  const x509 = new X509Certificate(certificate);
  return {
    subject: x509.subject.replace(/\n/g, ", "),
    dnsNames: dnsNamesOf(x509.subjectAltName),
    issuer: x509.issuer.replace(/\n/g, ", "),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    fingerprint256: x509.fingerprint256,
    matchesHostname: x509.checkHost(hostname) !== undefined,
  };
}

/** Whole days from `now` until `validTo` (negative once expired; -1 on the first day after). */
export function daysLeft(validTo: string, now: Date): number {
  return Math.floor((Date.parse(validTo) - now.getTime()) / DAY_MS);
}
