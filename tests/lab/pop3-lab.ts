/**
 * A private Dovecot POP3 server (110, STARTTLS as STLS) in a lab namespace: real Dovecot rather
 * than a library's server, because the tests check our POP3 probe and MailStore's collection path
 * against the server software they meet. Plaintext logins are refused, like the gateway's.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetHost, Started, TestNetwork } from "../e2e/mail-path/lib/netns";

const run = promisify(execFile);

/** A certificate and its key, as PEM files. */
export interface Pop3Cert {
  cert: string;
  key: string;
}

/** What the server offers beyond the default certificate. */
export interface Pop3LabOptions {
  /** Certificates chosen by the SNI name the client sends (`local_name` blocks); default none. */
  byName?: Record<string, Pop3Cert>;
  /** OpenSSL security level 0, so weak-key and SHA-1 certificates load at all; default false. */
  weakCertificates?: boolean;
}

function dovecotConf(dir: string, address: string, cert: Pop3Cert, o: Pop3LabOptions): string {
  const blocks = Object.entries(o.byName ?? {}).map(
    ([name, files]) =>
      `local_name ${name} {\n  ssl_cert = <${files.cert}\n  ssl_key = <${files.key}\n}\n`,
  );
  return `base_dir = ${join(dir, "run")}
state_dir = ${join(dir, "state")}
log_path = ${join(dir, "dovecot.log")}
protocols = pop3
listen = ${address}
ssl = yes
ssl_cert = <${cert.cert}
ssl_key = <${cert.key}
ssl_min_protocol = TLSv1.2
${o.weakCertificates === true ? "ssl_cipher_list = DEFAULT:@SECLEVEL=0\n" : ""}disable_plaintext_auth = yes
auth_mechanisms = plain
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:${join(dir, "mail")}/%u
passdb {
  driver = passwd-file
  args = ${join(dir, "users")}
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${join(dir, "mail")}/%u
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 0
  }
}
${blocks.join("")}`;
}

/**
 * Starts Dovecot in the foreground (`-F`) inside `host`'s namespace with its files under `dir`,
 * serving `cert` by default, and waits for port 110. Throws Dovecot's own message (`doveconf -n`)
 * when the configuration is wrong.
 */
export async function startPop3Lab(
  net: TestNetwork,
  host: NetHost,
  dir: string,
  cert: Pop3Cert,
  options: Pop3LabOptions = {},
): Promise<Started> {
  for (const sub of ["run", "state", "mail"]) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, "users"), "");
  const conf = join(dir, "dovecot.conf");
  writeFileSync(conf, dovecotConf(dir, host.address, cert, options));
  await run("doveconf", ["-c", conf, "-n"], { timeout: 15_000 });
  const name = options.byName === undefined ? "dovecot" : "dovecot-sni";
  const started = net.start(host, `${name}-${host.role}`, "dovecot", ["-F", "-c", conf]);
  await net.waitListening(host, 110);
  return started;
}
