// Pure, dependency-free: how a gateway's certificate names its host. The component builds its
// certificates with it (certificates-plan.ts) and the policy pack judges certificates with it
// (policy/rules/certificate-names-host.ts), so the pack never refuses what the component issues.

/**
 * X.509 subject attributes: ub-common-name and ub-organization-name are 64 characters (RFC 5280,
 * Appendix A.1). Longer host names go in the subjectAltName only.
 */
export const X509_NAME_MAX = 64;

/** The subject common name of a host certificate: the host name, or none when it is over 64 characters. */
export function hostCommonName(hostname: string): string | undefined {
  return hostname.length <= X509_NAME_MAX ? hostname : undefined;
}

/** DNS names compare case-insensitively and without a trailing dot. */
const normalize = (name: string): string => name.trim().toLowerCase().replace(/\.$/, "");

/**
 * Whether a host certificate names its host: clients match the subjectAltName, so the common name,
 * when there is one, is one of the DNS names and fits 64 characters; it may be left out only when
 * the host name (the first DNS name) is too long for it.
 * @returns the problem, or undefined when the certificate complies
 */
export function hostCertificateNameProblem(cert: {
  commonName: string | undefined;
  dnsNames: readonly string[];
}): string | undefined {
  const cn = cert.commonName?.trim() === "" ? undefined : cert.commonName;
  const first = cert.dnsNames[0];
  if (cn === undefined) {
    if (first !== undefined && hostCommonName(first) === undefined) return undefined;
    return (
      "certificate has no subject.commonName; set it to the gateway host's own name " +
      "(msgw1.example.com) and list that name in dnsNames"
    );
  }
  if (cn.length > X509_NAME_MAX) {
    return `certificate subject.commonName "${cn}" is ${cn.length} characters, above the ${X509_NAME_MAX} RFC 5280 allows (ub-common-name); leave it out and name the host in dnsNames only`;
  }
  if (!cert.dnsNames.map(normalize).includes(normalize(cn))) {
    return (
      `certificate subject.commonName "${cn}" is not in dnsNames [${cert.dnsNames.join(", ")}]; ` +
      "add it, because clients check the subject alternative names"
    );
  }
  return undefined;
}
