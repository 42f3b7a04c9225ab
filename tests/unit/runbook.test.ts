import { test } from "node:test";
import assert from "node:assert/strict";
import {
  archivingProfile,
  planGatewayPool,
  renderRunbook,
  type RunbookGateway,
} from "../../components";
import { baseArgs } from "../helpers/pool-harness";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv";

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
  // The configuration source is the legacy gateway while migrating.
  assert.ok(
    lines.includes(
      "1. On msgw.example.com, create the journal mailbox(es) in the Management Console (https://msgw.example.com:8450/). The password is shown once: store it in your password manager.",
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
    /## Legacy gateway msgw-old\.example\.com \(retired\)\n\n1\. Its A record is removed by the pool\./,
  );
});
