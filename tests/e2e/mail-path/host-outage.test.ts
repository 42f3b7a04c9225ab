/**
 * Tiered pool, hard outage: the primary host drops off the network mid-run (its link goes down,
 * no goodbye), then comes back. Senders notice only through connect timeouts, so this measures
 * the time to deliver after a real failure. SMTP is at-least-once: a message whose final "250"
 * was lost in the outage is sent again, so duplicates are counted and bounded by the sessions
 * that can be in flight (the sender's concurrency limit), while losses must be zero.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MailWorld } from "./lib/world";
import { gatewayHost, poolArgs } from "./lib/pools";
import { formatTally, tally } from "./lib/tally";
import { waitFor } from "./lib/netns";

const MESSAGES = 200;
const PRIMARY = "msgw1.example.test";
const FALLBACK = "msgw2.example.test";
/** default_destination_concurrency_limit of the test sender. */
const MAX_IN_FLIGHT = 10;

test(
  "tiered pool: primary host unreachable mid-run, mail moves to the fallback after the connect timeout",
  { timeout: 120_000 },
  async () => {
    const world = await MailWorld.create({
      prefix: "mp-outage",
      args: poolArgs([gatewayHost(1), gatewayHost(2)], "tiered"),
    });
    try {
      const injection = world.startInjection(MESSAGES, "outage", 20);
      await waitFor(
        "primary to receive 60 messages",
        () => (world.countAt(PRIMARY) >= 60 ? true : undefined),
        60_000,
      );
      const downAt = Date.now();
      await world.setLink(PRIMARY, false);
      await waitFor(
        "fallback to receive 60 messages",
        () => (world.countAt(FALLBACK) >= 60 ? true : undefined),
        60_000,
      );
      const firstAtFallback = world.firstArrivalAt(FALLBACK);
      const upAt = Date.now();
      await world.setLink(PRIMARY, true);
      const sent = await injection.done;
      await world.waitDelivered(sent, 60_000);
      const drainedAt = Date.now();
      await world.settle(3_000);

      const received = world.received();
      const t = tally(sent, received, [PRIMARY, FALLBACK]);
      const failoverMs = firstAtFallback - downAt;
      console.log(
        formatTally(
          "tiered, primary host unreachable",
          t,
          ` first-delivery-after-failure=${failoverMs} ms all-delivered=${drainedAt - downAt} ms after the outage` +
            ` primary-after-recovery=${received.filter((m) => m.host === PRIMARY && m.at > upAt).length}`,
        ),
      );
      assert.deepEqual(t.lost, []);
      assert.deepEqual(t.unexpected, []);
      assert.ok(
        t.duplicated.length <= MAX_IN_FLIGHT,
        `${t.duplicated.length} duplicates, more than the ${MAX_IN_FLIGHT} sessions that can be in flight`,
      );
      assert.ok(
        received.every((m) => m.host === PRIMARY || m.at >= downAt),
        "the fallback received mail before the outage",
      );
      assert.ok(failoverMs < 15_000, `first delivery after the failure took ${failoverMs} ms`);
    } finally {
      await world.destroy();
    }
  },
);
