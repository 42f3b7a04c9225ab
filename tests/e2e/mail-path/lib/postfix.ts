/**
 * A private Postfix instance used as the journal sender: its own config, queue and log under a
 * test directory, accepting submissions on 127.0.0.1:25 in its namespace, and relaying to the
 * mail domain's MX hosts with mandatory, verified TLS (`smtp_tls_security_level = verify`:
 * the certificate must chain to the pool CA and name the MX host). Timers are tuned down so a
 * failover is visible in seconds instead of minutes.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetHost, Started, TestNetwork } from "./netns";

const run = promisify(execFile);

/** Where the Debian package installs Postfix's daemons. */
const DAEMON_DIRECTORY = "/usr/lib/postfix/sbin";

/** The master.cf services a relay-only sender needs; no chroot so nothing is copied into one. */
const MASTER_CF = `
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

/** A running sender instance. */
export interface PostfixSender {
  readonly dir: string;
  readonly process: Started;
  /** The instance's mail log (all Postfix daemons write here). */
  readonly logFile: string;
}

function mainCf(dir: string, caFile: string): string {
  return `
compatibility_level = 3.6
queue_directory = ${join(dir, "queue")}
data_directory = ${join(dir, "data")}
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = ${dir}
maillog_file = ${join(dir, "maillog")}
myhostname = sender.example.test
mydomain = example.test
myorigin = $myhostname
mydestination =
relay_domains =
local_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtputf8_enable = no
biff = no

# Mandatory TLS, certificate must chain to the pool CA and match the MX host name.
smtp_tls_security_level = verify
smtp_tls_verify_cert_match = hostname
smtp_tls_CAfile = ${caFile}
smtp_tls_loglevel = 1
smtp_host_lookup = dns
smtp_address_preference = ipv4

# One message per connection, so equal-preference MX hosts are chosen per message.
smtp_connection_cache_on_demand = no

# Short timers: a dead MX is given up in seconds and deferred mail is retried every second.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 2s
smtp_helo_timeout = 10s
smtp_starttls_timeout = 10s
smtp_mail_timeout = 10s
smtp_rcpt_timeout = 10s
smtp_data_init_timeout = 10s
smtp_data_xfer_timeout = 10s
smtp_data_done_timeout = 10s
smtp_quit_timeout = 5s
default_destination_concurrency_limit = 10
`;
}

/**
 * Writes the instance's configuration, lets `postfix check` create the queue with the right
 * owners, and starts the master daemon in the foreground (`-d`) so its PID is the one we stop.
 */
export async function startPostfixSender(
  net: TestNetwork,
  host: NetHost,
  dir: string,
  caFile: string,
  /** main.cf lines appended after the defaults (a later line wins), e.g. the DANE settings. */
  extraMainCf = "",
): Promise<PostfixSender> {
  mkdirSync(join(dir, "queue"), { recursive: true });
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "main.cf"), mainCf(dir, caFile) + extraMainCf);
  writeFileSync(join(dir, "master.cf"), MASTER_CF);
  await run("chown", ["postfix", join(dir, "data")]);
  await run("postfix", ["-c", dir, "check"], { timeout: 30_000 });
  const started = net.start(host, "postfix-master", `${DAEMON_DIRECTORY}/master`, [
    "-c",
    dir,
    "-d",
  ]);
  await net.waitListening(host, 25);
  return { dir, process: started, logFile: join(dir, "maillog") };
}

/** Number of messages still in the instance's queue (any state). */
export function queuedMessages(sender: PostfixSender): number {
  let count = 0;
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path)) {
      const child = join(path, entry);
      if (statSync(child).isDirectory()) walk(child);
      else count += 1;
    }
  };
  for (const queue of ["maildrop", "incoming", "active", "deferred", "hold"]) {
    walk(join(sender.dir, "queue", queue));
  }
  return count;
}

/** The instance's mail log so far ("" before the first line is written). */
export function mailLog(sender: PostfixSender): string {
  return existsSync(sender.logFile) ? readFileSync(sender.logFile, "utf8") : "";
}

/**
 * Host name -> number of TLS sessions Postfix logged as verified ("Verified TLS connection
 * established to <host>[...]"), i.e. chain to the pool CA and name match both checked.
 */
export function verifiedSessions(sender: PostfixSender): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of mailLog(sender).matchAll(
    /Verified TLS connection established to ([^\[\s]+)\[/g,
  )) {
    const host = match[1] as string;
    counts[host] = (counts[host] ?? 0) + 1;
  }
  return counts;
}
