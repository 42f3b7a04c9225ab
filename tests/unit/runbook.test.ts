import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  archivingProfile,
  planGatewayPool,
  renderRunbook,
  type RunbookGateway,
} from "../../components";
import { baseArgs } from "../helpers/pool-harness";
import { ED25519_KEY_A as KEY } from "../lab/fixtures";

function gatewaysOf(plan: ReturnType<typeof planGatewayPool>): RunbookGateway[] {
  return plan.hosts.map((h, i) => ({
    hostname: h.hostname,
    address: `203.0.113.${i + 1}`,
    state: h.state,
    mxPreference: h.mxPreference,
    placement: h.placement,
    certificateSha256: plan.certificates.mode === "gateway-lets-encrypt" ? undefined : `AA:0${i}`,
    archivingProfile: archivingProfile(plan, h),
  }));
}

test("runbook: summary table, once-per-pool steps and per-host steps for a migrating pool", () => {
  const plan = planGatewayPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          state: "draining",
          existing: { address: "192.0.2.2", sshHostKey: KEY },
        },
      ],
      mx: { strategy: "tiered" },
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        sshHostKey: KEY,
      },
      configSync: { revision: 3 },
      gateway: { installerUrl: "https://downloads.example.com/setup.exe" },
    }),
  );
  const text = renderRunbook({
    poolName: "msgw",
    stack: "prod",
    plan,
    gateways: gatewaysOf(plan),
    legacyAddress: "198.51.100.5",
  });
  const lines = text.split("\n");
  assert.equal(lines[0], "# Runbook: MailStore Gateway pool for msgw.example.com");
  assert.deepEqual(lines.slice(4, 8), [
    "| host | address | state | MX preference | runs on | certificate SHA-256 |",
    "| --- | --- | --- | --- | --- | --- |",
    "| msgw1.example.com | 203.0.113.1 | active | 0 | AWS EC2 | AA:00 |",
    "| msgw2.example.com | 203.0.113.2 | draining | none (draining) | existing machine | AA:01 |",
  ]);
  // The configuration source is the legacy gateway while migrating: its mailboxes and journal rule exist.
  assert.ok(
    lines.includes(
      "1. The journal mailbox(es) already exist on msgw.example.com, the legacy gateway: do not create new ones; they reach the pool hosts with its configuration.",
    ),
  );
  assert.ok(
    lines.includes(
      "3. Copy the configuration to the other hosts by bumping `configSync.revision` (now 3) and running `pulumi up --stack prod`; every target is backed up first. Check with `msgw config status --stack prod`. On the first `pulumi up` of a new pool the source has no configuration yet: `pulumi stack output --stack prod configManifest` shows `waiting-for-source-configuration` and nothing is copied; configure the source, then bump the revision.",
    ),
  );
  // An AWS host with an installer URL needs no manual installation; the existing one does.
  const host1 = lines.slice(
    lines.indexOf("### msgw1.example.com (active)"),
    lines.indexOf("### msgw2.example.com (draining)"),
  );
  assert.equal(host1.filter((l) => /^\d\. /.test(l)).length, 2);
  assert.match(host1[2], /^1\. Install this host's certificate: /);
  assert.equal(
    host1[3],
    '2. In MailStore Server, add an archiving profile per journal mailbox for this host: server `msgw1.example.com`, POP3 port 110 with STARTTLS, user `mbx-<32 hex> of the journal mailbox (same on every host after replication)`, trust the pool CA "msgw.example.com gateway pool CA" (import it once on the MailStore Server machine); never ignore certificate errors.',
  );
  const host2 = lines.slice(
    lines.indexOf("### msgw2.example.com (draining)"),
    lines.indexOf("## Legacy gateway msgw.example.com (migrating)"),
  );
  assert.match(host2[2], /^1\. Make sure msgw2\.example\.com has the firewall rules/);
  assert.match(host2[3], /^2\. Install MailStore Gateway on msgw2\.example\.com/);
  assert.match(host2[5], /^4\. Draining: no MX record points here any more\./);
  assert.ok(
    lines.includes(
      "1. Keep msgw.example.com running, its A record (198.51.100.5) and its archiving profile: senders with cached records still deliver to it for hours.",
    ),
  );
});

test("runbook: a migrating legacy gateway's step 3 says whether MX records point at the pool yet", () => {
  const legacy = {
    hostname: "msgw.example.com",
    address: "198.51.100.5",
    phase: "migrating" as const,
    sshHostKey: KEY,
  };
  const render = (states: ("active" | "standby")[]) => {
    const plan = planGatewayPool(
      baseArgs({
        hosts: states.map((state, i) => ({ hostname: `msgw${i + 1}.example.com`, state })),
        legacy,
      }),
    );
    return renderRunbook({
      poolName: "msgw",
      stack: "prod",
      plan,
      gateways: gatewaysOf(plan),
      legacyAddress: "198.51.100.5",
    }).split("\n");
  };
  const allStandby = render(["standby", "standby"]);
  assert.ok(
    allStandby.includes(
      "3. No pool host is active yet, so msgw.example.com has no MX record and senders still deliver to msgw.example.com through its A record. Once a pool host is `active`, its MX record takes the mail; then watch this host's mailbox folders empty out (`msgw config status`).",
    ),
  );
  assert.ok(!allStandby.some((l) => /point at the (pool|active)/.test(l)));
  // Each standby host is checked by name and address: no MX record leads a plain `msgw check` to it.
  assert.ok(
    allStandby.some((l) =>
      l.includes(
        "`msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca pool-ca.pem` passes for it",
      ),
    ),
  );
  const oneActive = render(["active", "standby"]);
  assert.ok(
    oneActive.includes(
      "3. The MX records of msgw.example.com point at the active pool host(s) (msgw1.example.com), so senders deliver there once their cached records expire; watch this host's mailbox folders empty out (`msgw config status`).",
    ),
  );
  assert.ok(!oneActive.some((l) => l.startsWith("3. No pool host is active yet")));
});

test("runbook: Let's Encrypt and manual replication when configSync is absent; retired legacy", () => {
  const plan = planGatewayPool(
    baseArgs({
      certificates: { mode: "gateway-lets-encrypt" },
      legacy: { hostname: "msgw-old.example.com", address: "198.51.100.5", phase: "retired" },
    }),
  );
  const text = renderRunbook({
    poolName: "msgw",
    stack: "dev",
    plan,
    gateways: gatewaysOf(plan),
    legacyAddress: "198.51.100.5",
  });
  assert.match(
    text,
    /\n3\. Copy the configuration to every other host by hand: stop the gateway service \(MailStoreGateway\), copy the top-level files of C:\\ProgramData\\MailStore\\Gateway \(never its sub-folders: those are mailboxes\), start the service\.\n/,
  );
  assert.match(
    text,
    /\n2\. In the Management Console, enable Let's Encrypt for the host name `msgw1\.example\.com` \(80\/tcp is open for the challenge\)\.\n/,
  );
  assert.doesNotMatch(text, /pool CA/);
  assert.match(
    text,
    /## Legacy gateway msgw-old\.example\.com \(retired\)\n\n1\. The pool no longer manages its A record and never deletes it: the record stays in Cloudflare, pointing at/,
  );
});

test("runbook: a way onto each AWS host, the rolling image update, snapshots, alarms and renewals", () => {
  const plan = planGatewayPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", aws: { region: "eu-west-1" } },
        { hostname: "msgw3.dc2.example.com", existing: { address: "192.0.2.30" } },
      ],
    }),
  );
  const gateways = gatewaysOf(plan).map((g, i) =>
    g.placement === "aws"
      ? {
          ...g,
          aws: {
            instanceId: `i-0${i}`,
            dataVolumeId: `vol-0${i}`,
            region: i === 1 ? "eu-west-1" : undefined,
          },
        }
      : g,
  );
  const text = renderRunbook({
    poolName: "msgw",
    stack: "prod",
    plan,
    gateways,
    legacyAddress: undefined,
    backupSchedule: "EBS snapshots daily from 03:00 UTC, newest 14 kept per volume",
    alarmTopicArns: {
      default: "arn:aws:sns:eu-central-1:123456789012:msgw-alarms",
      "eu-west-1": "arn:aws:sns:eu-west-1:123456789012:msgw-alarms-eu-west-1",
    },
    certificateRenewals: ["pool CA", "msgw1.example.com"],
  });
  const lines = text.split("\n");
  const section = (title: string): string[] => {
    const start = lines.indexOf(title);
    assert.ok(start >= 0, title);
    const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
    return lines.slice(start, end < 0 ? undefined : end);
  };
  const access = section("## Getting onto an AWS host");
  assert.deepEqual(access.slice(4, 8), [
    "| host | instance | shell (Session Manager) | data volume |",
    "| --- | --- | --- | --- |",
    "| msgw1.example.com | i-00 | `aws ssm start-session --target i-00` | vol-00 |",
    "| msgw2.example.com | i-01 | `aws ssm start-session --target i-01 --region eu-west-1` | vol-01 |",
  ]);
  // The existing machine is not listed: the pool cannot give a way onto it.
  assert.ok(!access.some((l) => l.includes("msgw3.dc2.example.com")));
  assert.ok(access.some((l) => l.includes("`C:\\ProgramData\\msgw\\bootstrap.log`")));
  assert.ok(access.some((l) => l.includes("Fleet Manager")));

  const images = section("## Windows images: a rolling update");
  assert.ok(images.some((l) => l.startsWith("1. Set the host's `state` to `standby`")));
  assert.ok(images.some((l) => l.startsWith("2. Set the host's `aws.ami` to the new image id")));
  assert.ok(
    images.some((l) => l.includes("An active host's instance and Elastic IP are protected")),
  );
  assert.ok(!images.some((l) => l.includes("all at once")));

  const data = section("## Mail data, snapshots and the restore drill");
  assert.ok(
    data.includes(
      "Snapshots: EBS snapshots daily from 03:00 UTC, newest 14 kept per volume, for every data volume above (Data Lifecycle Manager).",
    ),
  );
  assert.ok(data.some((l) => l.includes("`aws.dataVolumeSnapshotId: <snapshot id>`")));

  assert.deepEqual(
    section("## Alarms").filter((l) => l.startsWith("- Subscribe")),
    [
      "- Subscribe to the alarm topic (default): `aws sns subscribe --topic-arn arn:aws:sns:eu-central-1:123456789012:msgw-alarms --protocol email --notification-endpoint ops@example.com`",
      "- Subscribe to the alarm topic (eu-west-1): `aws sns subscribe --topic-arn arn:aws:sns:eu-west-1:123456789012:msgw-alarms-eu-west-1 --protocol email --notification-endpoint ops@example.com`",
    ],
  );
  const renewal = section("## After a certificate renewal");
  assert.equal(renewal[2], "This update issued or renewed: pool CA, msgw1.example.com.");
});

test("runbook: no AWS sections for a pool of existing machines only", () => {
  const plan = planGatewayPool(
    baseArgs({
      hosts: [{ hostname: "msgw1.example.com", existing: { address: "192.0.2.10" } }],
    }),
  );
  const text = renderRunbook({
    poolName: "msgw",
    stack: "prod",
    plan,
    gateways: gatewaysOf(plan),
    legacyAddress: undefined,
    certificateRenewals: [],
  });
  assert.doesNotMatch(text, /Getting onto an AWS host|rolling update|restore drill|## Alarms/);
  assert.match(text, /## After a certificate renewal\n\nThis update renewed no certificate\./);
});

test("runbook: the PFX command, run with this machine's OpenSSL, writes SHA-1/3DES bags and a SHA-1 MAC (Windows Server 2016 imports nothing newer)", () => {
  const plan = planGatewayPool(baseArgs({ hosts: [{ hostname: "msgw1.example.com" }] }));
  const text = renderRunbook({
    poolName: "msgw",
    stack: "prod",
    plan,
    gateways: gatewaysOf(plan),
    legacyAddress: undefined,
  });
  const commands = [...text.matchAll(/`(openssl pkcs12 [^`]*)`/g)].map((m) => m[1]);
  assert.deepEqual(commands, [
    "openssl pkcs12 -export -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -in msgw1.example.com.crt -inkey msgw1.example.com.key -out msgw1.example.com.pfx",
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-pfx-"));
  try {
    // OpenSSL prints `-info` on stderr: both streams are read.
    const openssl = (args: string[]) => {
      const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
      assert.equal(r.status, 0, `openssl ${args.join(" ")}: ${r.stderr}`);
      return `${r.stdout}${r.stderr}`;
    };
    openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "msgw1.example.com.key",
      "-out",
      "msgw1.example.com.crt",
      "-subj",
      "/CN=msgw1.example.com",
      "-days",
      "1",
    ]);
    // The runbook's command as written; the password comes from the terminal there, from here in the test.
    const [, ...args] = commands[0].split(" ");
    openssl([...args, "-passout", "pass:test-only"]);
    const info = openssl([
      "pkcs12",
      "-info",
      "-noout",
      "-in",
      "msgw1.example.com.pfx",
      "-passin",
      "pass:test-only",
    ]);
    assert.deepEqual(
      info
        .trim()
        .split("\n")
        .filter((l) => /^(MAC|PKCS7 Encrypted data|Shrouded Keybag):/.test(l)),
      [
        "MAC: sha1, Iteration 2048",
        "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048",
        "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048",
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
