// I/O (Pulumi resources): the pool CA and each host's key and certificate, with DANE's keys and TLSA records first.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { CertificatePlan } from "../plan/certificates-plan";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import { createDane, createHostKeys, type DaneResources } from "./dane";

/** Issued material for one host. */
export interface HostCertificate {
  certificatePem: pulumi.Output<string>;
  /** Secret. */
  privateKeyPem: pulumi.Output<string>;
}

/** Result of {@link createCertificates}. */
export interface PoolCertificates {
  /** The pool CA certificate (pool-ca mode). */
  caCertificatePem: pulumi.Output<string> | undefined;
  /** Keyed by host name. */
  hosts: Map<string, HostCertificate>;
  /** Validity of every certificate issued (CA first), for the expiry outputs. */
  expiry: Array<{
    name: string;
    notBefore: pulumi.Output<string>;
    notAfter: pulumi.Output<string>;
    earlyRenewalHours: number;
  }>;
}

/**
 * Creates the CA (pool-ca) and one key and certificate per host, exactly as planned. Child names:
 * `<pool>-ca-key`, `<pool>-ca`, `<pool>-<host>-tls-key`, `<pool>-<host>-csr`, `<pool>-<host>-cert`.
 */
export function createCertificates(
  name: string,
  plan: CertificatePlan,
  parent: pulumi.Resource,
  served?: {
    /** The key each host's certificate is issued on (the served key generation), by host name. */
    keys: Map<string, tls.PrivateKey>;
    /** What each host's certificate waits for (the DANE serve gate), by host name. */
    dependsOn: Map<string, pulumi.Resource[]>;
  },
): PoolCertificates {
  const opts = { parent };
  const expiry: PoolCertificates["expiry"] = [];
  let ca: { key: tls.PrivateKey; cert: tls.SelfSignedCert } | undefined;
  if (plan.ca) {
    const key = new tls.PrivateKey(
      `${name}-ca-key`,
      { algorithm: plan.ca.keyAlgorithm, ecdsaCurve: plan.ca.ecdsaCurve },
      opts,
    );
    const cert = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: key.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: plan.ca.commonName, organization: plan.ca.organization },
        validityPeriodHours: plan.ca.validityHours,
        earlyRenewalHours: plan.ca.earlyRenewalHours,
        allowedUses: plan.ca.allowedUses,
      },
      opts,
    );
    ca = { key, cert };
    expiry.push({
      name: "pool CA",
      notBefore: cert.validityStartTime,
      notAfter: cert.validityEndTime,
      earlyRenewalHours: plan.ca.earlyRenewalHours,
    });
  }
  const hosts = new Map<string, HostCertificate>();
  for (const h of plan.hosts) {
    const k = h.key;
    const key =
      served?.keys.get(h.hostname) ??
      new tls.PrivateKey(
        `${name}-${k}-tls-key`,
        { algorithm: h.keyAlgorithm, ecdsaCurve: h.ecdsaCurve },
        opts,
      );
    const certOpts = { parent, dependsOn: served?.dependsOn.get(h.hostname) ?? [] };
    const subject = { commonName: h.commonName, organization: h.organization };
    let issued: tls.LocallySignedCert | tls.SelfSignedCert;
    if (h.issuer === "pool-ca" && ca) {
      const csr = new tls.CertRequest(
        `${name}-${k}-csr`,
        { privateKeyPem: key.privateKeyPem, subject, dnsNames: h.dnsNames },
        certOpts,
      );
      issued = new tls.LocallySignedCert(
        `${name}-${k}-cert`,
        {
          certRequestPem: csr.certRequestPem,
          caPrivateKeyPem: ca.key.privateKeyPem,
          caCertPem: ca.cert.certPem,
          validityPeriodHours: h.validityHours,
          earlyRenewalHours: h.earlyRenewalHours,
          allowedUses: h.allowedUses,
        },
        certOpts,
      );
    } else {
      issued = new tls.SelfSignedCert(
        `${name}-${k}-cert`,
        {
          privateKeyPem: key.privateKeyPem,
          subject,
          dnsNames: h.dnsNames,
          validityPeriodHours: h.validityHours,
          earlyRenewalHours: h.earlyRenewalHours,
          allowedUses: h.allowedUses,
        },
        certOpts,
      );
    }
    hosts.set(h.hostname, {
      certificatePem: issued.certPem,
      privateKeyPem: pulumi.secret(key.privateKeyPem),
    });
    expiry.push({
      name: h.hostname,
      notBefore: issued.validityStartTime,
      notAfter: issued.validityEndTime,
      earlyRenewalHours: h.earlyRenewalHours,
    });
  }
  return { caCertificatePem: ca?.cert.certPem, hosts, expiry };
}

/**
 * Keys, DANE and certificates, in the order DANE needs: every key generation of each host, the TLSA
 * records of those keys (published before the key is served), then each host's certificate on its
 * served key, after the serve gate.
 */
export function createKeysAndCertificates(input: {
  name: string;
  plan: GatewayPoolPlan;
  zoneId: pulumi.Input<string>;
  parent: pulumi.Resource;
}): { certificates: PoolCertificates; dane: DaneResources } {
  const { name, plan, zoneId, parent } = input;
  const hostKeys = createHostKeys(name, plan.dane, plan.certificateIssue, parent);
  const dane = createDane({ name, plan: plan.dane, zoneId, keys: hostKeys, parent });
  const served = new Map(
    plan.dane.keys.flatMap((k) => {
      const key = hostKeys.get(k.hostname)?.get(k.serving);
      return key === undefined ? [] : [[k.hostname, key] as const];
    }),
  );
  const certificates = createCertificates(name, plan.certificateIssue, parent, {
    keys: served,
    dependsOn: dane.certificateDependsOn,
  });
  return { certificates, dane };
}
