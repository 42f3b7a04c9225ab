/**
 * OpenSSH encodings of a private key, as the TLS provider's `publicKeyOpenssh`, `privateKeyOpenssh` and
 * fingerprint outputs give them. Formats: RFC 4253 6.6 (ssh-rsa), RFC 5656 3.1 (ecdsa-sha2-*), RFC 8709
 * (ssh-ed25519), and OpenSSH's PROTOCOL.key (unencrypted `openssh-key-v1` private keys).
 */
import { createHash, randomBytes, type KeyObject } from "node:crypto";

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** SSH `string`: length-prefixed bytes. */
function str(b: Buffer | string): Buffer {
  const buf = typeof b === "string" ? Buffer.from(b) : b;
  return Buffer.concat([u32(buf.length), buf]);
}

/** SSH `mpint` from unsigned big-endian bytes. */
function mpint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return str(v);
}

const b64u = (s: string) => Buffer.from(s, "base64url");

/** Curves OpenSSH has a form for (node:crypto names of P-256, P-384, P-521). */
const NODE_CURVES = ["prime256v1", "secp384r1", "secp521r1"];
const CURVES: Record<string, string> = {
  "P-256": "nistp256",
  "P-384": "nistp384",
  "P-521": "nistp521",
};

/** Public blob and private fields of a key; undefined for keys OpenSSH has no form for (ECDSA P-224). */
function parts(key: KeyObject): { type: string; pub: Buffer; priv: Buffer } | undefined {
  if (
    key.asymmetricKeyType === "ec" &&
    !NODE_CURVES.includes(key.asymmetricKeyDetails?.namedCurve ?? "")
  ) {
    return undefined;
  }
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    const pk = b64u(jwk.x as string);
    const seed = b64u(jwk.d as string);
    return {
      type: "ssh-ed25519",
      pub: Buffer.concat([str("ssh-ed25519"), str(pk)]),
      priv: Buffer.concat([str(pk), str(Buffer.concat([seed, pk]))]),
    };
  }
  if (jwk.kty === "EC") {
    const curve = CURVES[jwk.crv as string];
    if (!curve) return undefined;
    const type = `ecdsa-sha2-${curve}`;
    const point = Buffer.concat([Buffer.from([4]), b64u(jwk.x as string), b64u(jwk.y as string)]);
    return {
      type,
      pub: Buffer.concat([str(type), str(curve), str(point)]),
      priv: Buffer.concat([str(curve), str(point), mpint(b64u(jwk.d as string))]),
    };
  }
  if (jwk.kty === "RSA") {
    const [n, e, d, p, q, qi] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.qi].map((x) =>
      b64u(x as string),
    );
    return {
      type: "ssh-rsa",
      pub: Buffer.concat([str("ssh-rsa"), mpint(e), mpint(n)]),
      priv: Buffer.concat([mpint(n), mpint(e), mpint(d), mpint(qi), mpint(p), mpint(q)]),
    };
  }
  return undefined;
}

/** `<type> <base64>\n`, or "" when OpenSSH has no form for the key (as the TLS provider does). */
export function publicKeyOpenssh(key: KeyObject): string {
  const p = parts(key);
  return p ? `${p.type} ${p.pub.toString("base64")}\n` : "";
}

/** `SHA256:<unpadded base64>` of the public blob, or "". */
export function fingerprintSha256(key: KeyObject): string {
  const p = parts(key);
  if (!p) return "";
  return `SHA256:${createHash("sha256").update(p.pub).digest("base64").replace(/=+$/, "")}`;
}

/** Colon-separated MD5 of the public blob, or "". */
export function fingerprintMd5(key: KeyObject): string {
  const p = parts(key);
  if (!p) return "";
  return (createHash("md5").update(p.pub).digest("hex").match(/../g) as string[]).join(":");
}

/** Unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` document, or "". */
export function privateKeyOpenssh(key: KeyObject): string {
  const p = parts(key);
  if (!p) return "";
  const check = randomBytes(4);
  let body = Buffer.concat([check, check, str(p.type), p.priv, str("")]);
  const pad: number[] = [];
  for (let i = 1; (body.length + pad.length) % 8 !== 0; i++) pad.push(i);
  body = Buffer.concat([body, Buffer.from(pad)]);
  const blob = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    str("none"),
    str("none"),
    str(""),
    u32(1),
    str(p.pub),
    str(body),
  ]);
  const lines = blob.toString("base64").match(/.{1,70}/g) as string[];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
