/**
 * Test-only certificate factory for the certificate class of `msgw check`: CAs, intermediates and
 * server certificates with exactly the flaw a test needs (dates at any depth, names only in the
 * CN, wildcards, IP SANs, extended key usage, CA:TRUE leaves, SHA-1 signatures, RSA 1024 keys),
 * made in-process with @peculiar/x509 over node's WebCrypto.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as never);
const subtle = webcrypto.subtle;

const DAY = 86_400_000;

/** A certificate with its private key, as PEM. */
export interface LabCert {
  readonly certPem: string;
  readonly keyPem: string;
  readonly subject: string;
  /** For issuing: the WebCrypto private key and its algorithm. */
  readonly key: webcrypto.CryptoKeyPair;
  readonly algorithm: "ec" | "rsa-sha256" | "rsa-sha1";
  readonly cert: x509.X509Certificate;
}

/** What a certificate looks like; every field has a sound default. */
export interface LabSpec {
  commonName: string;
  /** SAN DNS names; default [commonName] for leaves, none for CAs. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Days relative to now. */
  notBeforeDays?: number;
  notAfterDays?: number;
  ca?: boolean;
  /** Extended key usage OIDs; default serverAuth for leaves; null: no extension. */
  eku?: string[] | null;
  /** Key: EC P-256 (default), RSA 2048 or RSA 1024; `rsa-sha1` signs what it issues with SHA-1. */
  key?: "ec" | "rsa2048" | "rsa1024" | "rsa-sha1";
}

async function keyPair(
  kind: LabSpec["key"],
): Promise<{ key: webcrypto.CryptoKeyPair; algorithm: LabCert["algorithm"] }> {
  if (kind === undefined || kind === "ec") {
    const key = (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    return { key, algorithm: "ec" };
  }
  const sha1 = kind === "rsa-sha1";
  const key = (await subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: kind === "rsa1024" ? 1024 : 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: sha1 ? "SHA-1" : "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as webcrypto.CryptoKeyPair;
  return { key, algorithm: sha1 ? "rsa-sha1" : "rsa-sha256" };
}

function signing(algorithm: LabCert["algorithm"]): webcrypto.Algorithm | webcrypto.EcdsaParams {
  if (algorithm === "ec") return { name: "ECDSA", hash: "SHA-256" } as webcrypto.EcdsaParams;
  return {
    name: "RSASSA-PKCS1-v1_5",
    hash: algorithm === "rsa-sha1" ? "SHA-1" : "SHA-256",
  } as webcrypto.Algorithm;
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey("pkcs8", key));
  const b64 = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

/** Issues `spec`, signed by `issuer` (self-signed without one). */
export async function labCert(spec: LabSpec, issuer?: LabCert): Promise<LabCert> {
  const { key, algorithm } = await keyPair(spec.key);
  const subject = `CN=${spec.commonName}`;
  const ca = spec.ca === true;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(
      ca
        ? x509.KeyUsageFlags.keyCertSign |
            x509.KeyUsageFlags.cRLSign |
            x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(key.publicKey),
  ];
  if (issuer !== undefined) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.cert));
  }
  const eku = spec.eku === undefined ? (ca ? null : ["1.3.6.1.5.5.7.3.1"]) : spec.eku;
  if (eku !== null) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  const dns = spec.dnsNames ?? (ca ? [] : [spec.commonName]);
  const names = [
    ...dns.map((value) => ({ type: "dns" as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const signer = issuer ?? { key, algorithm, subject };
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
      .toString("hex")
      .replace(/^[89a-f]/, "1"),
    subject,
    issuer: signer.subject,
    notBefore: new Date(Date.now() + (spec.notBeforeDays ?? -1) * DAY),
    notAfter: new Date(Date.now() + (spec.notAfterDays ?? 365) * DAY),
    signingAlgorithm: signing(signer.algorithm),
    publicKey: key.publicKey,
    signingKey: signer.key.privateKey,
    extensions,
  });
  return {
    certPem: cert.toString("pem") + "\n",
    keyPem: await pkcs8Pem(key.privateKey),
    subject,
    key,
    algorithm,
    cert,
  };
}
