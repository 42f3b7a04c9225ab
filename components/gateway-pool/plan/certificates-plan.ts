// Pure: the certificates the pool issues (CA and per host) and their fingerprints.
import type { CertificateMode } from "../args";
import type { SettingsPlan } from "./settings";
import { hostCommonName } from "../../schema/certificate-names";
import { X509Certificate } from "node:crypto";

/** The certificate one host gets. Subject and SAN are the host's own name, never the mail domain. */
export interface HostCertificatePlan {
  hostname: string;
  /** Resource-name key of the host (`msgw1`). */
  key: string;
  /**
   * Subject CN: the host name when it fits the 64-character ub-common-name (RFC 5280, Appendix A.1),
   * else omitted. The host name is always in the SAN, which is what TLS clients check (RFC 6125).
   */
  commonName: string | undefined;
  dnsNames: string[];
  organization: string;
  issuer: "self" | "pool-ca";
  validityHours: number;
  earlyRenewalHours: number;
  keyAlgorithm: "ECDSA";
  ecdsaCurve: "P256";
  allowedUses: string[];
}

/** The pool's certificates: a CA (pool-ca mode) and one certificate per host (none with Let's Encrypt). */
export interface CertificatePlan {
  mode: CertificateMode;
  ca?: {
    commonName: string;
    organization: string;
    validityHours: number;
    /**
     * The CA is replaced once less than a host certificate's validity (plus a day) remains, and every host
     * certificate is re-signed in the same update: no host certificate ever outlives its CA.
     */
    earlyRenewalHours: number;
    keyAlgorithm: "ECDSA";
    ecdsaCurve: "P256";
    allowedUses: string[];
  };
  hosts: HostCertificatePlan[];
}

/** TLS server usages; ECDSA keys need no key_encipherment, but some Windows stacks ask for it. */
export const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth"];
/** CA usages. */
export const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];

/** Decides every certificate from the plan (pure). */
export function planCertificates(plan: SettingsPlan): CertificatePlan {
  const c = plan.certificates;
  if (c.mode === "gateway-lets-encrypt") return { mode: c.mode, hosts: [] };
  const issuer = c.mode === "pool-ca" ? "pool-ca" : "self";
  return {
    mode: c.mode,
    ca: c.ca && {
      commonName: c.ca.commonName,
      organization: c.organization,
      validityHours: c.ca.validityDays * 24,
      earlyRenewalHours: (c.validityDays + 1) * 24,
      keyAlgorithm: "ECDSA",
      ecdsaCurve: "P256",
      allowedUses: [...CA_USES],
    },
    hosts: plan.hosts.map((h) => ({
      hostname: h.hostname,
      key: h.key,
      commonName: hostCommonName(h.hostname),
      dnsNames: [h.hostname],
      organization: c.organization,
      issuer,
      validityHours: c.validityDays * 24,
      earlyRenewalHours: c.earlyRenewalDays * 24,
      keyAlgorithm: "ECDSA",
      ecdsaCurve: "P256",
      allowedUses: [...SERVER_USES],
    })),
  };
}

/** SHA-256 fingerprint of a PEM certificate as colon-separated hex (`AB:CD:…`), the form admins compare. */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
