/**
 * A private Dovecot instance serving POP3 on 110 with STARTTLS (STLS) and the host's
 * certificate: the POP3 side MailStore Server collects from. Plaintext logins are refused,
 * like the gateway, which never accepts credentials unencrypted.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetHost, Started, TestNetwork } from "./netns";

const run = promisify(execFile);

function dovecotConf(dir: string, address: string, certFile: string, keyFile: string): string {
  return `
base_dir = ${join(dir, "run")}
state_dir = ${join(dir, "state")}
log_path = ${join(dir, "dovecot.log")}
protocols = pop3
listen = ${address}
ssl = yes
ssl_cert = <${certFile}
ssl_key = <${keyFile}
ssl_min_protocol = TLSv1.2
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
`;
}

/** Starts Dovecot in the foreground (`-F`) inside `host`'s namespace and waits for port 110. */
export async function startDovecot(
  net: TestNetwork,
  host: NetHost,
  dir: string,
  certFile: string,
  keyFile: string,
): Promise<Started> {
  mkdirSync(join(dir, "run"), { recursive: true });
  mkdirSync(join(dir, "state"), { recursive: true });
  mkdirSync(join(dir, "mail"), { recursive: true });
  writeFileSync(join(dir, "users"), "");
  const conf = join(dir, "dovecot.conf");
  writeFileSync(conf, dovecotConf(dir, host.address, certFile, keyFile));
  // Fails fast with Dovecot's own message if the configuration is wrong.
  await run("doveconf", ["-c", conf, "-n"], { timeout: 15_000 });
  const started = net.start(host, `dovecot-${host.role}`, "dovecot", ["-F", "-c", conf]);
  await net.waitListening(host, 110);
  return started;
}
