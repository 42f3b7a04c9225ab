// The runbook's stage list: a migration from a legacy gateway and a new pool go through different
// stages; each names its configuration change and its check, and the list marks where the pool is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planGatewayPool } from "../../components";
import { renderStages } from "../../components/gateway-pool/plan/stages";
import { baseArgs } from "../helpers/pool-harness";
import type { HostState } from "../../components";
import { ED25519_KEY_A as KEY } from "../lab/fixtures";

const legacy = (phase: "migrating" | "retired") => ({
  hostname: "msgw.example.com",
  address: "198.51.100.5",
  phase,
  sshHostKey: KEY,
});

function stages(states: HostState[], more: Parameters<typeof baseArgs>[0] = {}): string[] {
  const plan = planGatewayPool(
    baseArgs({
      hosts: states.map((state, i) => ({ hostname: `msgw${i + 1}.example.com`, state })),
      configSync: { revision: 1, sshPublicKey: KEY },
      ...more,
    }),
  );
  return renderStages({
    stack: "prod",
    plan,
    gateways: plan.hosts.map((h, i) => ({
      hostname: h.hostname,
      address: `203.0.113.${i + 1}`,
      state: h.state,
    })),
  });
}

test("migration, every host standby: stage 2 is now; each stage's change and check", () => {
  assert.deepEqual(stages(["standby", "standby"], { legacy: legacy("migrating") }), [
    "## Stages (migration from msgw.example.com)",
    "",
    "The journal mailboxes and the journal rule already exist on msgw.example.com: they are not created again. Mail keeps reaching msgw.example.com through its A record until the first MX record of msgw.example.com is published (stage 3); from then on senders use the MX records.",
    "",
    "1. **Pool hosts created, in standby** (done)",
    "   - change: every host with `state: standby`, `legacy.phase: migrating`; `pulumi up --stack prod`",
    "   - check: `pulumi stack output --stack prod mxRecords` is `[]` (no MX record yet); `msgw config status --stack prod`",
    "2. **Each host completed by hand (host steps below)** (now)",
    "   - change: none; the configuration of msgw.example.com (its mailboxes included) reaches the hosts with each `configSync.revision` bump",
    "   - check: passes for each host: `msgw check --wait 900 --gateway msgw1.example.com=203.0.113.1 --ca pool-ca.pem`; `msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca pool-ca.pem`",
    "3. **Hosts promoted, one at a time**",
    "   - change: `hosts[0].state: active`, then `hosts[1].state: active`; `pulumi up --stack prod` after each: its readiness gate runs the host's check, then its MX record is published",
    "   - check: `msgw check --stack prod` (follows the MX records)",
    "4. **Legacy gateway msgw.example.com retired**",
    "   - change: `legacy.phase: retired` and `configSync.source: msgw1.example.com`; `pulumi up --stack prod`",
    "   - check: before the change: the mailbox folders of msgw.example.com stay empty (`msgw config status --stack prod`), its archiving profile has archived everything, and more than its A record's TTL (300 s; at least 24 hours is safe) has passed since the first MX record was published",
    "5. **Legacy gateway msgw.example.com removed**",
    "   - change: remove its archiving profile, shut it down, delete its A record in Cloudflare by hand, then remove `legacy`; `pulumi up --stack prod`",
    "   - check: `pulumi stack output --stack prod zoneFile` no longer lists msgw.example.com",
    "",
  ]);
});

test("migration: one host active is stage 3 (the other to promote), all active is stage 4, retired is stage 5", () => {
  const oneActive = stages(["active", "standby"], { legacy: legacy("migrating") });
  assert.equal(oneActive[10], "3. **Hosts promoted, one at a time** (now)");
  assert.equal(
    oneActive[11],
    "   - change: `hosts[1].state: active`; `pulumi up --stack prod` after each: its readiness gate runs the host's check, then its MX record is published",
  );
  assert.equal(
    oneActive[9],
    "   - check: passes for each host: `msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca pool-ca.pem`",
  );
  const allActive = stages(["active", "active"], { legacy: legacy("migrating") });
  assert.equal(allActive[13], "4. **Legacy gateway msgw.example.com retired** (now)");
  const retired = stages(["active", "active"], {
    legacy: legacy("retired"),
    configSync: { revision: 1, sshPublicKey: KEY, source: "msgw1.example.com" },
  });
  assert.equal(retired[16], "5. **Legacy gateway msgw.example.com removed** (now)");
});

test("new pool: mailboxes on the source, then promotion, then the journal rule", () => {
  const text = stages(["standby", "standby"]);
  assert.equal(text[0], "## Stages (new pool)");
  assert.deepEqual(text.slice(7, 10), [
    "2. **Mailboxes created, each host completed by hand (host steps below)** (now)",
    "   - change: the journal mailbox(es) on msgw1.example.com, then a `configSync.revision` bump; `pulumi up --stack prod`",
    "   - check: passes for each host: `msgw check --wait 900 --gateway msgw1.example.com=203.0.113.1 --ca pool-ca.pem`; `msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca pool-ca.pem`",
  ]);
  assert.deepEqual(text.slice(13, 16), [
    "4. **Journal rule pointed at the pool**",
    "   - change: the journal rule delivers to `mbx-…@msgw.example.com` (only now: before the first MX record the mail domain takes no mail)",
    "   - check: `msgw check --stack prod`; the journal mailbox folders fill and empty as MailStore Server archives",
  ]);
  assert.ok(!text.some((l) => l.includes("legacy")));
});
