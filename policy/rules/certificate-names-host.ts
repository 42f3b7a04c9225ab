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
 * A certificate names its host: `subject.commonName` is set and is one of `dnsNames` (clients match
 * the SAN, not the CN). Applies to tls SelfSignedCert and CertRequest; other types and CA
 * certificates pass.
 *
 * @returns violation messages for the certificate's properties (empty when it complies)
 */
export function checkCertificateNamesHost(type: string, props: Record<string, unknown>): string[] {
  if (!CERTIFICATE_TYPES.includes(type) || isCaCertificate(props)) return [];
  const cn = commonName(props);
  if (cn === undefined) {
    return [
      "certificate has no subject.commonName; set it to the gateway host's own name " +
        "(msgw1.example.com) and list that name in dnsNames",
    ];
  }
  const sans = dnsNames(props).map(normalizeName);
  if (!sans.includes(normalizeName(cn))) {
    return [
      `certificate subject.commonName "${cn}" is not in dnsNames [${dnsNames(props).join(", ")}]; ` +
        "add it, because clients check the subject alternative names",
    ];
  }
  return [];
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
