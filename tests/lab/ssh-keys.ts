/**
 * Lab SSH keys: fixed public keys for tests that only need a well-formed one, and real key pairs
 * from `ssh-keygen` where `sshd` reads them (its own file format, which no library here writes).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Well-formed ed25519 public keys (type and base64, no comment); no test holds their private halves. */
export const ED25519_KEY_A =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv";
export const ED25519_KEY_B =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICyi78bUwUFxOEmd16poKINJIe5kkMcNU+rJOdcSrmNp";
export const ED25519_KEY_C =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBeGabOArVWnyyiBEdWmhYcM1LTf0yEHSG4viNA0hzuf";
export const ED25519_KEY_D =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAGixMupZ1PKAjayLL7N7SyDESDfsLLlUuU2tWfIYyTe";

/** A key pair written by {@link makeSshKey}. */
export interface SshKeyPair {
  /** The private key file (OpenSSH format, no passphrase). */
  privateKeyFile: string;
  /** `<privateKeyFile>.pub`. */
  publicKeyFile: string;
  /** The public key as `TYPE BASE64`, without the comment (as a pinned host key is written). */
  publicKey: string;
}

/**
 * Writes a new key pair to `file` and `file.pub` with `ssh-keygen` (no passphrase).
 * `type` defaults to ed25519; `comment` to ssh-keygen's own (user@host). Throws if ssh-keygen fails
 * (for one, when `file` exists already).
 */
export function makeSshKey(
  file: string,
  options: { type?: "ed25519" | "ecdsa"; comment?: string } = {},
): SshKeyPair {
  const comment = options.comment === undefined ? [] : ["-C", options.comment];
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    options.type ?? "ed25519",
    "-N",
    "",
    ...comment,
    "-f",
    file,
  ]);
  const publicKeyFile = `${file}.pub`;
  const publicKey = readFileSync(publicKeyFile, "utf8").trim().split(" ").slice(0, 2).join(" ");
  return { privateKeyFile: file, publicKeyFile, publicKey };
}
