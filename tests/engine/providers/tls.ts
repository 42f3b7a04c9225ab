/**
 * Stand-in for the `tls` provider (@pulumi/tls 5.x, a bridge of hashicorp/terraform-provider-tls 4.x): real
 * keys from `node:crypto`, real certificates and requests built with @peculiar/x509. Every input of every
 * type replaces the resource, except `earlyRenewalHours` (terraform-provider-tls
 * internal/provider/resource_private_key.go, resource_self_signed_cert.go, resource_cert_request.go,
 * resource_locally_signed_cert.go: `RequiresReplace()` plan modifiers on every attribute but
 * `early_renewal_hours`); a certificate inside its renewal window (`readyForRenewal`) is replaced too.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  webcrypto,
  type KeyObject,
} from "node:crypto";
// @peculiar/x509 (through tsyringe) needs a Reflect metadata polyfill loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import type { StandInContext } from "./context";
import type { Failure, Props, ResourceType, StandInPackage } from "./framework";
import { ApiError, UNKNOWN, containsUnknown, sdkVersion } from "./framework";
import { fingerprintMd5, fingerprintSha256, privateKeyOpenssh, publicKeyOpenssh } from "./openssh";

x509.cryptoProvider.set(webcrypto as unknown as webcrypto.Crypto);

const REPLACE_SOURCE =
  "terraform-provider-tls: RequiresReplace() on every input but early_renewal_hours";

const CURVE_NAMES: Record<string, string> = {
  P224: "P-224",
  P256: "P-256",
  P384: "P-384",
  P521: "P-521",
};

/** terraform-provider-tls `allowed_uses` values (internal/provider/types.go, x509KeyUsages / ExtKeyUsages). */
const KEY_USAGES: Record<string, number> = {
  digital_signature: x509.KeyUsageFlags.digitalSignature,
  content_commitment: x509.KeyUsageFlags.nonRepudiation,
  key_encipherment: x509.KeyUsageFlags.keyEncipherment,
  data_encipherment: x509.KeyUsageFlags.dataEncipherment,
  key_agreement: x509.KeyUsageFlags.keyAgreement,
  cert_signing: x509.KeyUsageFlags.keyCertSign,
  crl_signing: x509.KeyUsageFlags.cRLSign,
  encipher_only: x509.KeyUsageFlags.encipherOnly,
  decipher_only: x509.KeyUsageFlags.decipherOnly,
};
const EXT_KEY_USAGES: Record<string, string> = {
  any_extended: "2.5.29.37.0",
  server_auth: x509.ExtendedKeyUsage.serverAuth,
  client_auth: x509.ExtendedKeyUsage.clientAuth,
  code_signing: x509.ExtendedKeyUsage.codeSigning,
  email_protection: x509.ExtendedKeyUsage.emailProtection,
  ipsec_end_system: "1.3.6.1.5.5.7.3.5",
  ipsec_tunnel: "1.3.6.1.5.5.7.3.6",
  ipsec_user: "1.3.6.1.5.5.7.3.7",
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  ocsp_signing: x509.ExtendedKeyUsage.ocspSigning,
  microsoft_server_gated_crypto: "1.3.6.1.4.1.311.10.3.3",
  netscape_server_gated_crypto: "2.16.840.1.113730.4.1",
};

/** RFC 5280 Appendix A.1 upper bounds of the subject attributes the provider sets. */
const SUBJECT_BOUNDS: Record<string, { attr: string; max: number }> = {
  commonName: { attr: "CN", max: 64 }, // ub-common-name
  organization: { attr: "O", max: 64 }, // ub-organization-name
  organizationalUnit: { attr: "OU", max: 64 }, // ub-organizational-unit-name
  locality: { attr: "L", max: 128 }, // ub-locality-name
  province: { attr: "ST", max: 128 }, // ub-state-name
  country: { attr: "C", max: 2 }, // PrintableString (SIZE (2)), ISO 3166
  postalCode: { attr: "postalCode", max: 40 }, // ub-postal-code
  serialNumber: { attr: "serialNumber", max: 64 }, // ub-serial-number
};

function checkEnum(failures: Failure[], property: string, value: unknown, allowed: string[]): void {
  if (value === undefined || value === UNKNOWN) return;
  if (!allowed.includes(value as string)) {
    failures.push({
      property,
      reason: `value must be one of: ${allowed.map((a) => `"${a}"`).join(", ")}; got "${String(value)}"`,
    });
  }
}

function checkCertInputs(p: Props, failures: Failure[]): void {
  const uses = p.allowedUses;
  if (Array.isArray(uses)) {
    uses.forEach((u, i) =>
      checkEnum(failures, `allowedUses[${i}]`, u, [
        ...Object.keys(KEY_USAGES),
        ...Object.keys(EXT_KEY_USAGES),
      ]),
    );
  }
  for (const k of ["validityPeriodHours", "earlyRenewalHours"]) {
    const v = p[k];
    if (typeof v === "number" && v < 0) {
      failures.push({ property: k, reason: `value must be at least 0, got: ${v}` });
    }
  }
}

function checkSubject(p: Props, failures: Failure[]): void {
  const subject = p.subject as Props | undefined;
  if (!subject || containsUnknown(subject)) return;
  for (const [k, { max }] of Object.entries(SUBJECT_BOUNDS)) {
    const v = subject[k];
    if (typeof v === "string" && v.length > max) {
      failures.push({
        property: `subject.${k}`,
        reason:
          `"${v}" is ${v.length} characters; X.509 allows at most ${max} ` +
          `(RFC 5280 Appendix A.1 upper bounds); put long host names in dnsNames only`,
      });
    }
  }
}

function subjectName(subject: Props | undefined): x509.JsonName {
  const name: x509.JsonName = [];
  if (!subject) return name;
  for (const [k, { attr }] of Object.entries(SUBJECT_BOUNDS)) {
    const v = subject[k];
    if (typeof v === "string" && v !== "") name.push({ [attr]: [v] });
  }
  for (const street of (subject.streetAddresses as string[] | undefined) ?? []) {
    name.push({ street: [street] });
  }
  return name;
}

/** The key's WebCrypto algorithm, signature algorithm and the provider's `keyAlgorithm` name. */
function algorithmsOf(key: KeyObject): {
  importAlg: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
  signAlg: webcrypto.Algorithm | webcrypto.EcdsaParams;
  name: string;
} {
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "secp224r1") {
    throw new ApiError(
      "the stand-in tls provider cannot sign with ECDSA P224 keys (WebCrypto has no P-224); use P256",
    );
  }
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty === "RSA") {
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    return { importAlg: alg, signAlg: alg, name: "RSA" };
  }
  if (jwk.kty === "EC") {
    const hash = { "P-384": "SHA-384", "P-521": "SHA-512" }[jwk.crv as string] ?? "SHA-256";
    return {
      importAlg: { name: "ECDSA", namedCurve: jwk.crv as string },
      signAlg: { name: "ECDSA", hash },
      name: "ECDSA",
    };
  }
  return { importAlg: { name: "Ed25519" }, signAlg: { name: "Ed25519" }, name: "ED25519" };
}

async function keyPair(
  pem: string,
): Promise<{ keys: webcrypto.CryptoKeyPair; signAlg: webcrypto.Algorithm; name: string }> {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new ApiError(`failed to decode private key PEM: ${(e as Error).message}`);
  }
  const { importAlg, signAlg, name } = algorithmsOf(key);
  const subtle = webcrypto.subtle;
  const der = key.export({ type: "pkcs8", format: "der" });
  const spki = createPublicKeyDer(key);
  const privateKey = await subtle.importKey("pkcs8", der, importAlg, true, ["sign"]);
  const publicKey = await subtle.importKey("spki", spki, importAlg, true, ["verify"]);
  return {
    keys: { privateKey, publicKey } as unknown as webcrypto.CryptoKeyPair,
    signAlg: signAlg as webcrypto.Algorithm,
    name,
  };
}

function createPublicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: "spki", format: "der" });
}

function usageExtensions(p: Props): x509.Extension[] {
  const uses = (p.allowedUses as string[] | undefined) ?? [];
  const exts: x509.Extension[] = [];
  const flags = uses.reduce((acc, u) => acc | (KEY_USAGES[u] ?? 0), 0);
  if (flags) exts.push(new x509.KeyUsagesExtension(flags, true));
  const ext = uses.filter((u) => u in EXT_KEY_USAGES).map((u) => EXT_KEY_USAGES[u]);
  if (ext.length) exts.push(new x509.ExtendedKeyUsageExtension(ext, false));
  if (p.isCaCertificate) exts.push(new x509.BasicConstraintsExtension(true, undefined, true));
  return exts;
}

function sanExtension(p: Props): x509.Extension[] {
  const names: x509.JsonGeneralNames = [
    ...((p.dnsNames as string[] | undefined) ?? []).map((value) => ({
      type: "dns" as const,
      value,
    })),
    ...((p.ipAddresses as string[] | undefined) ?? []).map((value) => ({
      type: "ip" as const,
      value,
    })),
    ...((p.uris as string[] | undefined) ?? []).map((value) => ({ type: "url" as const, value })),
  ];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : [];
}

function serial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  return Buffer.from(b).toString("hex");
}

function validity(p: Props, ctx: StandInContext): { start: Date; end: Date } {
  const start = ctx.now();
  const end = new Date(start.getTime() + (p.validityPeriodHours as number) * 3600_000);
  return { start, end };
}

function readyForRenewal(state: Props, news: Props, now: Date): boolean {
  const end = Date.parse(state.validityEndTime as string);
  if (Number.isNaN(end)) return false;
  const early = ((news.earlyRenewalHours ?? state.earlyRenewalHours ?? 0) as number) * 3600_000;
  return now.getTime() >= end - early;
}

const renewal: Pick<ResourceType, "replaceIf" | "update"> = {
  // terraform-provider-tls: ready_for_renewal becomes true inside the window and forces a replacement.
  replaceIf: (olds, news, ctx) =>
    readyForRenewal(olds, news, ctx.now()) ? ["readyForRenewal"] : [],
  update: async (_id, olds, news, ctx) => ({
    certPem: olds.certPem,
    validityStartTime: olds.validityStartTime,
    validityEndTime: olds.validityEndTime,
    keyAlgorithm: olds.keyAlgorithm,
    caKeyAlgorithm: olds.caKeyAlgorithm,
    readyForRenewal: readyForRenewal(olds, news, ctx.now()),
  }),
};

const privateKey: ResourceType = {
  token: "tls:index/privateKey:PrivateKey",
  replaceOn: { algorithm: REPLACE_SOURCE, ecdsaCurve: REPLACE_SOURCE, rsaBits: REPLACE_SOURCE },
  computed: [
    "ecdsaCurve",
    "rsaBits",
    "privateKeyPem",
    "privateKeyPemPkcs8",
    "privateKeyOpenssh",
    "publicKeyPem",
    "publicKeyOpenssh",
    "publicKeyFingerprintMd5",
    "publicKeyFingerprintSha256",
  ],
  defaults: { ecdsaCurve: "P224", rsaBits: 2048 },
  check(p) {
    const failures: Failure[] = [];
    checkEnum(failures, "algorithm", p.algorithm, ["RSA", "ECDSA", "ED25519"]);
    checkEnum(failures, "ecdsaCurve", p.ecdsaCurve, Object.keys(CURVE_NAMES));
    return failures;
  },
  async create(p) {
    let key: KeyObject;
    if (p.algorithm === "RSA") {
      key = generateKeyPairSync("rsa", { modulusLength: p.rsaBits as number }).privateKey;
    } else if (p.algorithm === "ECDSA") {
      const namedCurve = CURVE_NAMES[p.ecdsaCurve as string];
      key = generateKeyPairSync("ec", { namedCurve }).privateKey;
    } else {
      key = generateKeyPairSync("ed25519").privateKey;
    }
    const pemType = p.algorithm === "RSA" ? "pkcs1" : p.algorithm === "ECDSA" ? "sec1" : "pkcs8";
    const pub = createPublicKey(key);
    return {
      // The TLS provider's id: SHA-1 of the public key (hashForState of the PEM).
      id: createHash("sha1")
        .update(pub.export({ type: "spki", format: "pem" }))
        .digest("hex"),
      outs: {
        privateKeyPem: key.export({ type: pemType, format: "pem" }) as string,
        privateKeyPemPkcs8: key.export({ type: "pkcs8", format: "pem" }) as string,
        privateKeyOpenssh: privateKeyOpenssh(key),
        publicKeyPem: pub.export({ type: "spki", format: "pem" }) as string,
        publicKeyOpenssh: publicKeyOpenssh(key),
        publicKeyFingerprintMd5: fingerprintMd5(key),
        publicKeyFingerprintSha256: fingerprintSha256(key),
      },
    };
  },
};

const CERT_COMPUTED = [
  "certPem",
  "validityStartTime",
  "validityEndTime",
  "readyForRenewal",
  "keyAlgorithm",
  "caKeyAlgorithm",
  "earlyRenewalHours",
  "isCaCertificate",
  "setSubjectKeyId",
  "setAuthorityKeyId",
];

const replaceAllBut = (props: string[]) =>
  Object.fromEntries(props.map((k) => [k, REPLACE_SOURCE] as const));

const selfSignedCert: ResourceType = {
  token: "tls:index/selfSignedCert:SelfSignedCert",
  replaceOn: replaceAllBut([
    "privateKeyPem",
    "subject",
    "validityPeriodHours",
    "allowedUses",
    "dnsNames",
    "ipAddresses",
    "uris",
    "isCaCertificate",
    "setSubjectKeyId",
    "setAuthorityKeyId",
  ]),
  computed: CERT_COMPUTED,
  defaults: { earlyRenewalHours: 0, isCaCertificate: false, setSubjectKeyId: false },
  check(p) {
    const failures: Failure[] = [];
    for (const k of ["privateKeyPem", "validityPeriodHours", "allowedUses"]) {
      if (p[k] === undefined)
        failures.push({ property: k, reason: `Missing required argument "${k}"` });
    }
    checkCertInputs(p, failures);
    checkSubject(p, failures);
    return failures;
  },
  ...renewal,
  async create(p, ctx) {
    const { keys, signAlg, name } = await keyPair(p.privateKeyPem as string);
    const { start, end } = validity(p, ctx);
    const extensions = [...usageExtensions(p), ...sanExtension(p)];
    if (p.setSubjectKeyId || p.isCaCertificate) {
      extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
    }
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: subjectName(p.subject as Props),
      notBefore: start,
      notAfter: end,
      keys,
      signingAlgorithm: signAlg,
      extensions,
    });
    return {
      id: BigInt(`0x${cert.serialNumber}`).toString(),
      outs: {
        certPem: `${cert.toString("pem")}\n`,
        validityStartTime: start.toISOString(),
        validityEndTime: end.toISOString(),
        readyForRenewal: false,
        keyAlgorithm: name,
      },
    };
  },
};

const certRequest: ResourceType = {
  token: "tls:index/certRequest:CertRequest",
  replaceOn: replaceAllBut(["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"]),
  computed: ["certRequestPem", "keyAlgorithm"],
  check(p) {
    const failures: Failure[] = [];
    if (p.privateKeyPem === undefined) {
      failures.push({
        property: "privateKeyPem",
        reason: 'Missing required argument "privateKeyPem"',
      });
    }
    checkSubject(p, failures);
    return failures;
  },
  async create(p) {
    const { keys, signAlg, name } = await keyPair(p.privateKeyPem as string);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: subjectName(p.subject as Props),
      keys,
      signingAlgorithm: signAlg,
      extensions: sanExtension(p),
    });
    const pem = `${csr.toString("pem")}\n`;
    return {
      id: createHash("sha1").update(pem).digest("hex"),
      outs: { certRequestPem: pem, keyAlgorithm: name },
    };
  },
};

const locallySignedCert: ResourceType = {
  token: "tls:index/locallySignedCert:LocallySignedCert",
  replaceOn: replaceAllBut([
    "certRequestPem",
    "caPrivateKeyPem",
    "caCertPem",
    "validityPeriodHours",
    "allowedUses",
    "isCaCertificate",
    "setSubjectKeyId",
  ]),
  computed: CERT_COMPUTED,
  defaults: { earlyRenewalHours: 0, isCaCertificate: false, setSubjectKeyId: false },
  check(p) {
    const failures: Failure[] = [];
    for (const k of [
      "certRequestPem",
      "caPrivateKeyPem",
      "caCertPem",
      "validityPeriodHours",
      "allowedUses",
    ]) {
      if (p[k] === undefined)
        failures.push({ property: k, reason: `Missing required argument "${k}"` });
    }
    checkCertInputs(p, failures);
    return failures;
  },
  ...renewal,
  async create(p, ctx) {
    let csr: x509.Pkcs10CertificateRequest;
    let caCert: x509.X509Certificate;
    try {
      csr = new x509.Pkcs10CertificateRequest(p.certRequestPem as string);
    } catch (e) {
      throw new ApiError(`failed to decode certificate request PEM: ${(e as Error).message}`);
    }
    try {
      caCert = new x509.X509Certificate(p.caCertPem as string);
    } catch (e) {
      throw new ApiError(`failed to decode CA certificate PEM: ${(e as Error).message}`);
    }
    if (!(await csr.verify())) throw new ApiError("certificate request signature is invalid");
    const ca = await keyPair(p.caPrivateKeyPem as string);
    const caSpki = Buffer.from(await webcrypto.subtle.exportKey("spki", ca.keys.publicKey));
    if (!caSpki.equals(Buffer.from(caCert.publicKey.rawData))) {
      throw new ApiError("the CA private key does not match the CA certificate's public key");
    }
    const { start, end } = validity(p, ctx);
    const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension);
    const extensions: x509.Extension[] = [...usageExtensions(p)];
    if (san) extensions.push(san);
    const publicKey = await csr.publicKey.export();
    if (p.setSubjectKeyId)
      extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
    const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
    if (caSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(caSki.keyId));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: csr.subjectName,
      issuer: caCert.subjectName,
      notBefore: start,
      notAfter: end,
      publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: ca.signAlg,
      extensions,
    });
    return {
      id: BigInt(`0x${cert.serialNumber}`).toString(),
      outs: {
        certPem: `${cert.toString("pem")}\n`,
        validityStartTime: start.toISOString(),
        validityEndTime: end.toISOString(),
        readyForRenewal: false,
        caKeyAlgorithm: ca.name,
      },
    };
  },
};

/** The tls stand-in package. */
export const tlsPackage: StandInPackage = {
  name: "tls",
  version: sdkVersion("tls"),
  resources: [privateKey, selfSignedCert, certRequest, locallySignedCert],
  functions: [],
};
