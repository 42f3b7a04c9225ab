/**
 * Legacy migration: the old single gateway `msgw.example.test` keeps its A record (and keeps
 * running) while the pool's MX records for that same name exist. Senders follow MX, so the
 * legacy host receives nothing and the pool receives everything.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MailWorld } from "./lib/world";
import { gatewayHost, poolArgs } from "./lib/pools";
import { formatTally, tally } from "./lib/tally";

const MESSAGES = 150;
const LEGACY = "msgw.example.test";

test(
  "legacy migration: with the legacy A record and MX records both published, mail follows MX",
  { timeout: 120_000 },
  async () => {
    const args = poolArgs([gatewayHost(1), gatewayHost(2)], "balanced", {
      legacy: {
        hostname: LEGACY,
        address: "10.232.1.10",
        allowPrivateAddress: true,
        phase: "migrating",
      },
    });
    const world = await MailWorld.create({ prefix: "mp-legacy", args });
    try {
      assert.deepEqual(world.plan.legacy && [world.plan.legacy.hostname, world.plan.legacy.phase], [
        LEGACY,
        "migrating",
      ]);
      // The legacy name still resolves to the old gateway, which is up and accepting mail.
      assert.deepEqual(await world.resolveFromSender(LEGACY), ["10.232.1.10"]);
      assert.ok(world.receivers.has(LEGACY), "the legacy gateway's SMTP service is running");

      // Before the migration the zone has only the legacy A record: mail goes to the old gateway
      // (this also shows that the legacy receiver works, so its zero below means something).
      await world.serveFragment(`$ORIGIN example.test.\nmsgw 300 IN A 10.232.1.10\n`);
      const premigration = await world.inject(50, "legacy-before");
      await world.waitDelivered(premigration, 60_000);
      const t0 = tally(premigration, world.received(), [
        "msgw1.example.test",
        "msgw2.example.test",
        LEGACY,
      ]);
      console.log(formatTally("legacy before migration (A record only)", t0));
      assert.deepEqual(t0.perHost, {
        "msgw1.example.test": 0,
        "msgw2.example.test": 0,
        [LEGACY]: 50,
      });

      // Migration: the pool's own zone (legacy A record kept, MX records added).
      await world.replan(args);
      const sent = await world.inject(MESSAGES, "legacy");
      await world.waitDelivered(sent, 60_000);
      await world.settle();
      const t = tally(sent, world.received(), ["msgw1.example.test", "msgw2.example.test", LEGACY]);
      console.log(formatTally("legacy migrating (A record + MX records)", t));
      assert.equal(t.perHost[LEGACY], 0);
      assert.equal(
        (t.perHost["msgw1.example.test"] ?? 0) + (t.perHost["msgw2.example.test"] ?? 0),
        MESSAGES,
      );
      assert.deepEqual(t.lost, []);
      assert.deepEqual(t.duplicated, []);
    } finally {
      await world.destroy();
    }
  },
);
