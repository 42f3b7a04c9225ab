/**
 * Tiered pool: msgw1 is primary (MX 0), msgw2 the fallback (MX 10). While journal mail is being
 * submitted, the primary's SMTP service is stopped and later started again. Everything must
 * arrive exactly once: at the primary while it is up, at the fallback while it is down.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MailWorld } from "./lib/world";
import { gatewayHost, poolArgs } from "./lib/pools";
import { formatTally, tally } from "./lib/tally";
import { waitFor } from "./lib/netns";

const MESSAGES = 300;
const PRIMARY = "msgw1.example.test";
const FALLBACK = "msgw2.example.test";

test(
  `tiered pool: primary takes all mail, fallback carries the outage, nothing lost or duplicated`,
  { timeout: 120_000 },
  async () => {
    const world = await MailWorld.create({
      prefix: "mp-tier",
      args: poolArgs([gatewayHost(1), gatewayHost(2)], "tiered"),
    });
    try {
      assert.deepEqual(
        world.plan.hosts.map((h) => [h.hostname, h.mxPreference]),
        [
          [PRIMARY, 0],
          [FALLBACK, 10],
        ],
      );
      const injection = world.startInjection(MESSAGES, "tier", 20);

      // Phase 1: primary up. Let a third of the run reach it, then stop its SMTP service.
      await waitFor(
        "primary to receive 100 messages",
        () => (world.countAt(PRIMARY) >= 100 ? true : undefined),
        60_000,
      );
      assert.equal(
        world.countAt(FALLBACK),
        0,
        "the fallback received mail while the primary was up",
      );
      const stoppedAt = Date.now();
      await world.stopReceiver(PRIMARY);
      const primaryBeforeStop = world.countAt(PRIMARY);

      // Phase 2: primary down. Mail must move to the fallback.
      await waitFor(
        "fallback to receive 80 messages",
        () => (world.countAt(FALLBACK) >= 80 ? true : undefined),
        60_000,
      );
      const firstAtFallback = world.firstArrivalAt(FALLBACK);
      const restartedAt = Date.now();
      await world.startReceiver(PRIMARY);

      // Phase 3: primary back. The rest of the run goes to it again.
      const sent = await injection.done;
      assert.equal(sent.length, MESSAGES);
      await world.waitDelivered(sent, 60_000);
      const drainedAt = Date.now();
      await world.settle();

      const received = world.received();
      const t = tally(sent, received, [PRIMARY, FALLBACK]);
      const afterRestart = received.filter((m) => m.at >= restartedAt);
      const failoverMs = firstAtFallback - stoppedAt;
      console.log(
        formatTally(
          "tiered failover",
          t,
          ` primary-before-stop=${primaryBeforeStop} fallback-during-outage=${t.perHost[FALLBACK]}` +
            ` primary-after-restart=${afterRestart.filter((m) => m.host === PRIMARY).length}` +
            ` first-delivery-after-failure=${failoverMs} ms all-delivered=${drainedAt - stoppedAt} ms after the stop`,
        ),
      );
      assert.deepEqual(t.lost, []);
      assert.deepEqual(t.duplicated, []);
      assert.deepEqual(t.unexpected, []);
      assert.ok(
        received.every((m) => m.tls),
        "every message arrived over TLS",
      );
      // Fallback mail only between the stop and shortly after the restart (in-flight deliveries).
      for (const m of received.filter((r) => r.host === FALLBACK)) {
        assert.ok(m.at >= stoppedAt, `fallback received ${m.messageId} before the primary stopped`);
        assert.ok(
          m.at < restartedAt + 3_000,
          `fallback received ${m.messageId} long after the restart`,
        );
      }
      assert.ok(
        afterRestart.filter((m) => m.host === PRIMARY).length >= 50,
        "primary took mail again",
      );
      assert.ok(failoverMs < 5_000, `first delivery after the failure took ${failoverMs} ms`);
    } finally {
      await world.destroy();
    }
  },
);
