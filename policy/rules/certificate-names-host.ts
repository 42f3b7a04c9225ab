import {
  CERT_REQUEST,
  SELF_SIGNED_CERT,
  mxOwnerNames,
  normalizeName,
  type StackResource,
  type Violation,
} from "./resources";

/** The certificate types whose subject and SANs are checked. */
export const CERTIFICATE_TYPES: readonly string[] = [SELF_SIGNED_CERT, CERT_REQUEST];

import { hostCertificateNameProblem } from "../../components/schema/certificate-names";

function commonName(props: Record<string, unknown>): string | undefined {
  const subject = props.subject;
  if (typeof subject !== "object" || subject === null) return undefined;
  const cn = (subject as Record<string, unknown>).commonName;
  return typeof cn === "string" && cn.trim() !== "" ? cn : undefined;
}

function dnsNames(props: Record<string, unknown>): string[] {
  const names = props.dnsNames;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
}

/** A CA certificate (`isCaCertificate: true`) signs host certificates and names no host itself. */
export function isCaCertificate(props: Record<string, unknown>): boolean {
  return props.isCaCertificate === true;
}

/**
 * A certificate names its host by the component's own rule (`hostCertificateNameProblem`): the
 * `subject.commonName` is one of `dnsNames` (clients match the SAN, not the CN) and fits 64 characters,
 * and is left out only for a host name too long for it. Applies to tls SelfSignedCert and CertRequest;
 * other types and CA certificates pass.
 *
 * @returns violation messages for the certificate's properties (empty when it complies)
 */
export function checkCertificateNamesHost(type: string, props: Record<string, unknown>): string[] {
  if (!CERTIFICATE_TYPES.includes(type) || isCaCertificate(props)) return [];
  const problem = hostCertificateNameProblem({
    commonName: commonName(props),
    dnsNames: dnsNames(props),
  });
  return problem === undefined ? [] : [problem];
}

/**
 * No certificate is issued for a mail domain: neither its common name nor any of its DNS names equals
 * the owner name of an MX record in the stack. Each gateway gets a certificate for its own name.
 *
 * @returns one violation per certificate name that equals an MX owner name
 */
export function checkCertificatesAvoidMailDomain(resources: readonly StackResource[]): Violation[] {
  const owners = mxOwnerNames(resources);
  const out: Violation[] = [];
  for (const r of resources) {
    if (!CERTIFICATE_TYPES.includes(r.type)) continue;
    const cn = commonName(r.props);
    if (cn !== undefined && owners.has(normalizeName(cn))) {
      out.push({
        urn: r.urn,
        message:
          `certificate subject.commonName "${cn}" is a mail domain (it owns MX records); ` +
          "issue each gateway's certificate for its own host name (msgw1.example.com)",
      });
    }
    for (const san of dnsNames(r.props)) {
      if (owners.has(normalizeName(san))) {
        out.push({
          urn: r.urn,
          message:
            `certificate dnsNames entry "${san}" is a mail domain (it owns MX records); ` +
            "issue each gateway's certificate for its own host name (msgw1.example.com)",
        });
      }
    }
  }
  return out;
}
