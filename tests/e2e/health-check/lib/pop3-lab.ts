/**
 * A Dovecot POP3 server (110, STLS) that picks its certificate by the SNI name the client sends
 * (`local_name` blocks), so one address serves every certificate variant of the fault tests.
 * Security level 0 lets it load the weak-key and SHA-1 variants at all.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetHost, Started, TestNetwork } from "../../mail-path/lib/netns";

const run = promisify(execFile);

/** Starts Dovecot in `host` with a default certificate and one per SNI name. */
export async function startSniDovecot(
  net: TestNetwork,
  host: NetHost,
  dir: string,
  defaultCert: { cert: string; key: string },
  byName: Record<string, { cert: string; key: string }>,
): Promise<Started> {
  for (const sub of ["run", "state", "mail"]) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, "users"), "");
  const blocks = Object.entries(byName).map(
    ([name, files]) =>
      `local_name ${name} {\n  ssl_cert = <${files.cert}\n  ssl_key = <${files.key}\n}`,
  );
  const conf = join(dir, "dovecot.conf");
  writeFileSync(
    conf,
    `base_dir = ${join(dir, "run")}
state_dir = ${join(dir, "state")}
log_path = ${join(dir, "dovecot.log")}
protocols = pop3
listen = ${host.address}
ssl = yes
ssl_cert = <${defaultCert.cert}
ssl_key = <${defaultCert.key}
ssl_min_protocol = TLSv1.2
ssl_cipher_list = DEFAULT:@SECLEVEL=0
disable_plaintext_auth = yes
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
${blocks.join("\n")}
`,
  );
  await run("doveconf", ["-c", conf, "-n"], { timeout: 15_000 });
  const started = net.start(host, `dovecot-sni-${host.role}`, "dovecot", ["-F", "-c", conf]);
  await net.waitListening(host, 110);
  return started;
}
