// Pure: the OpenSSL command the runbook gives for turning a host's certificate and key into a PFX.

/**
 * Encryption of the PFX a host's certificate is imported from: SHA-1/3DES for the certificate bag
 * and the key bag, and a SHA-1 MAC. OpenSSL 3's default (`-export` alone) is PBES2 with AES-256-CBC
 * and an HMAC-SHA256 MAC, which Windows imports only from Windows Server 2019 / Windows 10 1709 on;
 * Windows Server 2016 refuses it ("The password you entered is incorrect"). The legacy algorithms
 * below import on every Windows version. They need no `-legacy` flag (PBE-SHA1-3DES is in OpenSSL
 * 3's default provider), so the same command works with OpenSSL 1.1.1, 3.x and LibreSSL.
 */
export const PFX_ALGORITHMS = {
  certpbe: "PBE-SHA1-3DES",
  keypbe: "PBE-SHA1-3DES",
  macalg: "sha1",
} as const;

/**
 * `openssl pkcs12 -export` for `hostname`: reads `<hostname>.crt` and `<hostname>.key` from the
 * working directory, writes `<hostname>.pfx` with {@link PFX_ALGORITHMS}, and asks for the export
 * password on the terminal (a password on the command line would stay in the shell's history).
 */
export function pfxExportCommand(hostname: string): string {
  const a = PFX_ALGORITHMS;
  return `openssl pkcs12 -export -certpbe ${a.certpbe} -keypbe ${a.keypbe} -macalg ${a.macalg} -in ${hostname}.crt -inkey ${hostname}.key -out ${hostname}.pfx`;
}
