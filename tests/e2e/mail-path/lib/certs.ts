/**
 * Issues real certificates with the openssl CLI exactly as a certificate plan describes them:
 * the same subject common name, organization, SANs, issuer structure, key type and validity.
 * `openssl ca` is used for every signature because it takes exact start and end times, which
 * also lets a test issue a certificate that has already expired.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The key parameters of one certificate (names as in @pulumi/tls). */
export interface KeySpec {
  readonly keyAlgorithm: string;
  readonly ecdsaCurve?: string;
}

/** What one certificate must look like. */
export interface CertSpec extends KeySpec {
  readonly commonName: string;
  readonly organization?: string;
  readonly dnsNames: readonly string[];
  readonly isCa: boolean;
  /** Validity start; defaults to five minutes ago so clock skew between steps does not matter. */
  readonly notBefore?: Date;
  /** Validity end. */
  readonly notAfter: Date;
}

/** A certificate and its private key as PEM files on disk. */
export interface IssuedCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

/** `openssl ca` wants UTC times as YYYYMMDDHHMMSSZ. */
function asnTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args, { timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim()}`);
  }
}

async function generateKey(spec: KeySpec, keyFile: string): Promise<void> {
  const algorithm = spec.keyAlgorithm.toUpperCase();
  if (algorithm === "ECDSA") {
    const curve = { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" }[
      spec.ecdsaCurve ?? "P256"
    ];
    if (curve === undefined) throw new Error(`unsupported ECDSA curve "${spec.ecdsaCurve}"`);
    await openssl([
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      `ec_paramgen_curve:${curve}`,
      "-out",
      keyFile,
    ]);
  } else if (algorithm === "RSA") {
    await openssl([
      "genpkey",
      "-algorithm",
      "RSA",
      "-pkeyopt",
      "rsa_keygen_bits:2048",
      "-out",
      keyFile,
    ]);
  } else if (algorithm === "ED25519") {
    await openssl(["genpkey", "-algorithm", "ED25519", "-out", keyFile]);
  } else {
    throw new Error(`unsupported key algorithm "${spec.keyAlgorithm}"`);
  }
}

function subject(spec: CertSpec): string {
  const escape = (value: string) => value.replace(/[/\\=]/g, (c) => `\\${c}`);
  const org = spec.organization === undefined ? "" : `/O=${escape(spec.organization)}`;
  return `/CN=${escape(spec.commonName)}${org}`;
}

function extensions(spec: CertSpec): string {
  if (spec.isCa) {
    return [
      "basicConstraints = critical,CA:true",
      "keyUsage = critical,keyCertSign,cRLSign,digitalSignature",
      "subjectKeyIdentifier = hash",
    ].join("\n");
  }
  const sans = spec.dnsNames.map((name) => `DNS:${name}`).join(",");
  return [
    "basicConstraints = critical,CA:false",
    "keyUsage = critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage = serverAuth",
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid",
    ...(sans.length > 0 ? [`subjectAltName = ${sans}`] : []),
  ].join("\n");
}

/**
 * Issues `spec` into `dir/<name>.{crt,key}`. Without `issuer` the certificate is self-signed
 * (a CA or a "self" host certificate); with `issuer` it is signed by that certificate's key.
 */
export async function issueCertificate(
  dir: string,
  name: string,
  spec: CertSpec,
  issuer?: IssuedCert,
): Promise<IssuedCert> {
  const work = join(dir, `${name}.ca-db`);
  mkdirSync(join(work, "new"), { recursive: true });
  writeFileSync(join(work, "index.txt"), "");
  writeFileSync(join(work, "serial"), `${(Date.now() % 1e12).toString(16).padStart(12, "0")}\n`);
  const config = join(work, "openssl.cnf");
  writeFileSync(
    config,
    [
      "[ ca ]",
      "default_ca = this",
      "[ this ]",
      `database = ${join(work, "index.txt")}`,
      `new_certs_dir = ${join(work, "new")}`,
      `serial = ${join(work, "serial")}`,
      "default_md = sha256",
      "policy = any",
      "unique_subject = no",
      "email_in_dn = no",
      "[ any ]",
      "commonName = supplied",
      "organizationName = optional",
      "[ req ]",
      "distinguished_name = dn",
      "[ dn ]",
      "",
    ].join("\n"),
  );
  const extFile = join(work, "ext.cnf");
  writeFileSync(extFile, `${extensions(spec)}\n`);
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  const csrFile = join(work, "req.csr");
  await generateKey(spec, keyFile);
  await openssl([
    "req",
    "-new",
    "-config",
    config,
    "-key",
    keyFile,
    "-subj",
    subject(spec),
    "-out",
    csrFile,
  ]);
  const notBefore = spec.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const signer =
    issuer === undefined
      ? ["-selfsign", "-keyfile", keyFile]
      : ["-cert", issuer.certFile, "-keyfile", issuer.keyFile];
  await openssl([
    "ca",
    "-batch",
    "-notext",
    "-config",
    config,
    "-in",
    csrFile,
    "-out",
    certFile,
    "-subj",
    subject(spec),
    "-extfile",
    extFile,
    "-startdate",
    asnTime(notBefore),
    "-enddate",
    asnTime(spec.notAfter),
    ...signer,
  ]);
  return { certFile, keyFile, certPem: readFileSync(certFile, "utf8") };
}
