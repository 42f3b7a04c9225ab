import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { after, describe, it } from "node:test";
import { utils as sshUtils } from "ssh2";
import { checkFailures, testProvider, type TestProvider } from "./harness";
import { tlsPackage } from "./tls";

const KEY = "tls:index/privateKey:PrivateKey";
const SELF = "tls:index/selfSignedCert:SelfSignedCert";
const CSR = "tls:index/certRequest:CertRequest";
const SIGNED = "tls:index/locallySignedCert:LocallySignedCert";

const providers: TestProvider[] = [];
function tls(): TestProvider {
  const t = testProvider(tlsPackage);
  providers.push(t);
  return t;
}
after(() => providers.forEach((t) => t.cleanup()));

describe("tls stand-in: private keys", () => {
  const cases = [
    { inputs: { algorithm: "ED25519" }, pem: "PRIVATE KEY", ssh: "ssh-ed25519" },
    {
      inputs: { algorithm: "ECDSA", ecdsaCurve: "P256" },
      pem: "EC PRIVATE KEY",
      ssh: "ecdsa-sha2-nistp256",
    },
    { inputs: { algorithm: "RSA", rsaBits: 2048 }, pem: "RSA PRIVATE KEY", ssh: "ssh-rsa" },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.inputs)}: PEM, PKCS#8 and OpenSSH forms of one key`, async () => {
      const t = tls();
      const k = await t.create(KEY, "k", c.inputs);
      const pem = k.outs.privateKeyPem as string;
      assert.match(pem, new RegExp(`^-----BEGIN ${c.pem}-----\\n`));
      const pub = createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "pem" });
      assert.equal(k.outs.publicKeyPem, pub);
      const openssh = k.outs.publicKeyOpenssh as string;
      assert.ok(openssh.startsWith(`${c.ssh} `) && openssh.endsWith("\n"));
      const parsedPub = sshUtils.parseKey(openssh.trim());
      const parsedPriv = sshUtils.parseKey(k.outs.privateKeyOpenssh as string);
      assert.ok(!(parsedPub instanceof Error) && !(parsedPriv instanceof Error));
      const pubKey = Array.isArray(parsedPub) ? parsedPub[0] : parsedPub;
      const privKey = Array.isArray(parsedPriv) ? parsedPriv[0] : parsedPriv;
      assert.equal(privKey.type, c.ssh);
      assert.ok(
        privKey.getPublicSSH().equals(pubKey.getPublicSSH()),
        "private OpenSSH key matches the public one",
      );
      const data = Buffer.from("sign me");
      assert.ok(
        pubKey.verify(data, privKey.sign(data)),
        "the OpenSSH private key signs for the public key",
      );
      assert.match(k.outs.publicKeyFingerprintSha256 as string, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.match(k.outs.publicKeyFingerprintMd5 as string, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
      assert.equal((await t.diff(k, c.inputs)).changes, false);
    });
  }

  it("the P224 default has no OpenSSH form (empty, as the provider gives it)", async () => {
    const t = tls();
    const k = await t.create(KEY, "k", { algorithm: "ECDSA" });
    assert.equal(k.inputs.ecdsaCurve, "P224");
    assert.equal(k.outs.publicKeyOpenssh, "");
    assert.equal(k.outs.privateKeyOpenssh, "");
  });

  it("every input replaces; unknown algorithms and curves fail at check", async () => {
    const t = tls();
    const k = await t.create(KEY, "k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
    assert.deepEqual((await t.diff(k, { algorithm: "ECDSA", ecdsaCurve: "P384" })).replaces, [
      "ecdsaCurve",
    ]);
    assert.deepEqual((await t.diff(k, { algorithm: "ED25519", ecdsaCurve: "P256" })).replaces, [
      "algorithm",
    ]);
    assert.deepEqual(await checkFailures(t, KEY, { algorithm: "DSA", ecdsaCurve: "P999" }), [
      'algorithm: value must be one of: "RSA", "ECDSA", "ED25519"; got "DSA"',
      'ecdsaCurve: value must be one of: "P224", "P256", "P384", "P521"; got "P999"',
    ]);
  });
});

async function pool(t: TestProvider) {
  const caKey = await t.create(KEY, "ca-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
  const ca = await t.create(SELF, "ca", {
    privateKeyPem: caKey.outs.privateKeyPem,
    isCaCertificate: true,
    subject: {
      commonName: "msgw.example.com gateway pool CA",
      organization: "MailStore Gateway pool",
    },
    validityPeriodHours: 87600,
    allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
  });
  const hostKey = await t.create(KEY, "h-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
  const csr = await t.create(CSR, "h-csr", {
    privateKeyPem: hostKey.outs.privateKeyPem,
    subject: { commonName: "msgw1.example.com", organization: "MailStore Gateway pool" },
    dnsNames: ["msgw1.example.com"],
  });
  const certInputs = {
    certRequestPem: csr.outs.certRequestPem,
    caPrivateKeyPem: caKey.outs.privateKeyPem,
    caCertPem: ca.outs.certPem,
    validityPeriodHours: 9528,
    earlyRenewalHours: 720,
    allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
  };
  const cert = await t.create(SIGNED, "h-cert", certInputs);
  return { caKey, ca, hostKey, csr, cert, certInputs };
}

describe("tls stand-in: certificates", () => {
  it("a pool CA signs a host certificate that verifies, with the CSR's subject and SANs", async () => {
    const t = tls();
    const { ca, cert, hostKey } = await pool(t);
    const caX = new X509Certificate(ca.outs.certPem as string);
    const x = new X509Certificate(cert.outs.certPem as string);
    assert.ok(caX.ca);
    assert.ok(caX.verify(caX.publicKey), "self-signed");
    assert.ok(x.verify(caX.publicKey), "signed by the CA key");
    assert.ok(x.checkIssued(caX));
    assert.equal(x.subject, "CN=msgw1.example.com\nO=MailStore Gateway pool");
    assert.equal(x.subjectAltName, "DNS:msgw1.example.com");
    assert.equal(x.ca, false);
    assert.deepEqual(x.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
    assert.ok(x.checkPrivateKey(createPrivateKey(hostKey.outs.privateKeyPem as string)));
    assert.equal(
      new Date(x.validTo).getTime() - new Date(x.validFrom).getTime(),
      Math.floor((9528 * 3600_000) / 1000) * 1000,
    );
    assert.equal(cert.outs.readyForRenewal, false);
    assert.equal(
      cert.outs.validityEndTime,
      new Date(t.clock.now.getTime() + 9528 * 3600_000).toISOString(),
    );
  });

  it("refuses a subject CN over 64 characters (RFC 5280 ub-common-name); 64 is fine", async () => {
    const t = tls();
    const long = "msgw1-frankfurt-primary-gateway.journal-archive.eu-central.example.com";
    assert.equal(long.length, 70);
    assert.deepEqual(
      await checkFailures(t, CSR, { privateKeyPem: "x", subject: { commonName: long } }),
      [
        `subject.commonName: "${long}" is 70 characters; X.509 allows at most 64 (RFC 5280 Appendix A.1 upper bounds); put long host names in dnsNames only`,
      ],
    );
    assert.deepEqual(
      await checkFailures(t, SELF, {
        privateKeyPem: "x",
        validityPeriodHours: 1,
        allowedUses: [],
        subject: { organization: "o".repeat(65), country: "DEU" },
      }),
      [
        `subject.organization: "${"o".repeat(65)}" is 65 characters; X.509 allows at most 64 (RFC 5280 Appendix A.1 upper bounds); put long host names in dnsNames only`,
        'subject.country: "DEU" is 3 characters; X.509 allows at most 2 (RFC 5280 Appendix A.1 upper bounds); put long host names in dnsNames only',
      ],
    );
    const key = await t.create(KEY, "k", { algorithm: "ED25519" });
    await t.create(CSR, "ok", {
      privateKeyPem: key.outs.privateKeyPem,
      subject: { commonName: "c".repeat(64) },
    });
  });

  it("refuses unknown allowed uses and missing required inputs at check", async () => {
    const t = tls();
    assert.deepEqual(
      await checkFailures(t, SIGNED, { allowedUses: ["server-auth"], validityPeriodHours: -1 }),
      [
        'certRequestPem: Missing required argument "certRequestPem"',
        'caPrivateKeyPem: Missing required argument "caPrivateKeyPem"',
        'caCertPem: Missing required argument "caCertPem"',
        `allowedUses[0]: value must be one of: "digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "cert_signing", "crl_signing", "encipher_only", "decipher_only", "any_extended", "server_auth", "client_auth", "code_signing", "email_protection", "ipsec_end_system", "ipsec_tunnel", "ipsec_user", "timestamping", "ocsp_signing", "microsoft_server_gated_crypto", "netscape_server_gated_crypto"; got "server-auth"`,
        "validityPeriodHours: value must be at least 0, got: -1",
      ],
    );
  });

  it("a CA key that does not match the CA certificate is refused", async () => {
    const t = tls();
    const { certInputs } = await pool(t);
    const other = await t.create(KEY, "other", { algorithm: "ECDSA", ecdsaCurve: "P256" });
    await assert.rejects(
      t.create(SIGNED, "bad", { ...certInputs, caPrivateKeyPem: other.outs.privateKeyPem }),
      {
        message: "the CA private key does not match the CA certificate's public key",
      },
    );
  });

  it("every certificate input replaces but earlyRenewalHours; inside the renewal window it is replaced", async () => {
    const t = tls();
    const { cert, certInputs, ca } = await pool(t);
    assert.equal((await t.diff(cert, certInputs)).changes, false);
    assert.deepEqual((await t.diff(cert, { ...certInputs, validityPeriodHours: 100 })).replaces, [
      "validityPeriodHours",
    ]);
    assert.deepEqual(
      (await t.diff(cert, { ...certInputs, allowedUses: ["server_auth"] })).replaces,
      ["allowedUses"],
    );
    assert.deepEqual((await t.diff(cert, { ...certInputs, caCertPem: "changed" })).replaces, [
      "caCertPem",
    ]);
    const early = await t.diff(cert, { ...certInputs, earlyRenewalHours: 24 });
    assert.deepEqual([early.changes, early.replaces], [true, []]);
    assert.deepEqual(
      (await t.diff(ca, { ...ca.inputs, subject: { commonName: "other" } })).replaces,
      ["subject"],
    );
    // 720 hours before the end of 9528 hours: ready for renewal → replaced.
    t.clock.now = new Date(t.clock.now.getTime() + (9528 - 720) * 3600_000);
    assert.deepEqual((await t.diff(cert, certInputs)).replaces, ["readyForRenewal"]);
    t.clock.now = new Date(t.clock.now.getTime() - 1000);
    assert.equal((await t.diff(cert, certInputs)).changes, false);
  });
});
