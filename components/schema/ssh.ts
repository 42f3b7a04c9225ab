// Pure: SSH public key and key path rules.
import * as z from "zod";
import { show } from "./format";
import { POWERSHELL_SAFE, firstUnsafeChar, showChar } from "./powershell-safe";

/** Key types OpenSSH prints in `.pub` files and known_hosts lines. */
export const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
] as const;

/**
 * Parses the `"type base64 [comment]"` form of a public key; undefined when it is not one. The blob's own
 * type name (RFC 4253 6.6) must match the type in front of it.
 */
export function parseHostKey(text: string): { type: string; blob: Buffer } | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 2 || !(SSH_KEY_TYPES as readonly string[]).includes(parts[0]))
    return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1])) return undefined;
  const blob = Buffer.from(parts[1], "base64");
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  const embedded = blob.subarray(4, 4 + len).toString("latin1");
  const expected = parts[0].startsWith("rsa-sha2") ? "ssh-rsa" : parts[0];
  if (embedded !== expected) return undefined;
  return { type: expected, blob };
}

const PRIVATE = /PRIVATE KEY/;

/** Why `value` is not a one-line OpenSSH public key (message tail, value included), or undefined. */
export function publicKeyProblem(value: unknown): string | undefined {
  if (typeof value === "string" && PRIVATE.test(value)) {
    // Never echo key material.
    return "holds a private key; give only the public key (the one-line .pub file), never a private key";
  }
  const shown = typeof value === "string" && value.length > 60 ? `${value.slice(0, 60)}…` : value;
  const notKey = `${show(shown)} is not an OpenSSH public key; paste the one-line key "TYPE BASE64 [comment]" as in a .pub file or a known_hosts line without the host name, e.g. "ssh-ed25519 AAAAC3Nza…"`;
  if (typeof value !== "string" || /[\r\n]/.test(value.trim())) return notKey;
  if (parseHostKey(value) === undefined) return notKey;
  const comment = value.trim().split(/\s+/).slice(2).join(" ");
  const bad = firstUnsafeChar(comment, POWERSHELL_SAFE.keyComment.chars);
  if (bad !== undefined) {
    return `${show(shown)} has ${showChar(bad)} in its comment; a key comment may hold only ${POWERSHELL_SAFE.keyComment.describe} (the key is written into PowerShell)`;
  }
  return undefined;
}

/** A one-line OpenSSH public key, checked by {@link publicKeyProblem}.
 * @internal A zod schema: left out of the published declarations.
 */
export function sshPublicKey() {
  const message = (input: unknown) => publicKeyProblem(input) ?? "is not an OpenSSH public key";
  return z
    .string({ error: (iss) => message(iss.input) })
    .refine((v) => publicKeyProblem(v) === undefined, { error: (iss) => message(iss.input) });
}

/** A path to a private key file on the operator's machine; never the key itself.
 * @internal A zod schema: left out of the published declarations.
 */
export function sshKeyPath() {
  const message = (input: unknown) =>
    typeof input === "string" && PRIVATE.test(input)
      ? "holds a private key; give the path of the key file, never the key itself"
      : `${show(input)} is not a file path; give the private key file, e.g. "~/.ssh/id_ed25519"`;
  return z
    .string({ error: (iss) => message(iss.input) })
    .refine((v) => v.trim() !== "" && !PRIVATE.test(v) && !/[\r\n\0]/.test(v), {
      error: (iss) => message(iss.input),
    });
}

/** An SSH user name: `Administrator`, `msgw-sync`, `CORP\svc-msgw`.
 * @internal A zod schema: left out of the published declarations.
 */
export function sshUser() {
  const message = (input: unknown) =>
    `${show(input)} is not an SSH user name; give the account replication logs in as, e.g. "Administrator" (letters, digits and . _ @ \\ - only)`;
  return z
    .string({ error: (iss) => message(iss.input) })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@\\-]{0,103}$/, { error: (iss) => message(iss.input) });
}

/** The NAME of an environment variable (e.g. `MSGW_SSH_KEY`), never its value.
 * @internal A zod schema: left out of the published declarations.
 */
export function envVarName() {
  const message = (input: unknown) =>
    `${show(typeof input === "string" && PRIVATE.test(input) ? "-----BEGIN…" : input)} must be the NAME of an environment variable (e.g. MSGW_SSH_KEY), not its value`;
  return z
    .string({ error: (iss) => message(iss.input) })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (iss) => message(iss.input) });
}
