/**
 * Draining: a host whose state becomes `draining` loses its MX record but keeps its A record
 * (so MailStore Server can still collect from it). Once the zone without its MX is served, it
 * receives no new mail, even though its SMTP service stays up.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MailWorld } from "./lib/world";
import { gatewayHost, poolArgs } from "./lib/pools";
import { formatTally, tally } from "./lib/tally";

const MESSAGES = 150;
const STAYING = "msgw1.example.test";
const DRAINING = "msgw2.example.test";

test(
  "draining host receives nothing once its MX record is gone from the zone",
  { timeout: 120_000 },
  async () => {
    const world = await MailWorld.create({
      prefix: "mp-drain",
      args: poolArgs([gatewayHost(1), gatewayHost(2)], "balanced"),
    });
    try {
      // Both active: both carry mail.
      const before = await world.inject(MESSAGES, "drain-before");
      await world.waitDelivered(before, 60_000);
      const t1 = tally(before, world.received(), [STAYING, DRAINING]);
      console.log(formatTally("draining, both active", t1));
      assert.ok((t1.perHost[DRAINING] ?? 0) > 0, "msgw2 carried mail while active");

      // msgw2 drains: its MX record disappears, its A record stays.
      await world.replan(poolArgs([gatewayHost(1), gatewayHost(2, "draining")], "balanced"));
      assert.deepEqual(
        world.plan.hosts.map((h) => [h.hostname, h.state, h.mxPreference]),
        [
          [STAYING, "active", 0],
          [DRAINING, "draining", undefined],
        ],
      );
      assert.deepEqual(await world.resolveFromSender(DRAINING), ["10.232.1.12"]);

      const after = await world.inject(MESSAGES, "drain-after");
      await world.waitDelivered(after, 60_000);
      await world.settle();
      const t2 = tally(after, world.received(), [STAYING, DRAINING]);
      console.log(formatTally("draining, msgw2 draining", t2));
      assert.deepEqual(t2.perHost, { [STAYING]: MESSAGES, [DRAINING]: 0 });
      assert.deepEqual(t2.lost, []);
      assert.deepEqual(t2.duplicated, []);
    } finally {
      await world.destroy();
    }
  },
);
