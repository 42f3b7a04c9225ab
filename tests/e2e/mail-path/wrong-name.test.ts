/**
 * Negative control for certificate verification: a host whose certificate is issued by the pool
 * CA but for the mail domain (msgw.example.test) instead of its own name must be refused by the
 * verifying sender. If this test passed with mail delivered, the verification would be fake.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MailWorld } from "./lib/world";
import { gatewayHost, poolArgs } from "./lib/pools";
import { formatTally, tally } from "./lib/tally";
import { mailLog, queuedMessages, verifiedSessions, type PostfixSender } from "./lib/postfix";
import { waitFor } from "./lib/netns";

const MESSAGES = 20;
const WRONG = { commonName: "msgw.example.test", dnsNames: ["msgw.example.test"] };

test(
  "a host whose certificate names the mail domain instead of the host is refused",
  { timeout: 120_000 },
  async () => {
    const world = await MailWorld.create({
      prefix: "mp-wrong1",
      args: poolArgs([gatewayHost(1)], "balanced"),
      certDeviations: { "msgw1.example.test": WRONG },
    });
    try {
      const sender = world.sender as PostfixSender;
      const sent = await world.inject(MESSAGES, "wrong1");
      const refusal = /status=deferred \(Server certificate not verified\)/g;
      await waitFor(
        `${MESSAGES} deliveries deferred for an unverified certificate`,
        () => ((mailLog(sender).match(refusal) ?? []).length >= MESSAGES ? true : undefined),
        30_000,
      );
      const t = tally(sent, world.received(), ["msgw1.example.test"]);
      console.log(
        formatTally(
          "wrong-name certificate (single host)",
          t,
          ` (undelivered, held in the sender's queue: ${queuedMessages(sender)})`,
        ),
      );
      assert.deepEqual(t.perHost, { "msgw1.example.test": 0 });
      assert.equal(queuedMessages(sender), MESSAGES, "refused mail stays queued, nothing is lost");
      assert.match(
        mailLog(sender),
        /certificate verification failed for msgw1\.example\.test\[10\.232\.1\.11\]:25/,
      );
      assert.deepEqual(verifiedSessions(sender), {});
    } finally {
      await world.destroy();
    }
  },
);

test(
  "in a balanced pool, the wrong-name host gets nothing and its peer takes all the mail",
  { timeout: 120_000 },
  async () => {
    const world = await MailWorld.create({
      prefix: "mp-wrong2",
      args: poolArgs([gatewayHost(1), gatewayHost(2)], "balanced"),
      certDeviations: { "msgw2.example.test": WRONG },
    });
    try {
      const sent = await world.inject(100, "wrong2");
      await world.waitDelivered(sent, 60_000);
      await world.settle();
      const t = tally(sent, world.received(), ["msgw1.example.test", "msgw2.example.test"]);
      console.log(formatTally("wrong-name certificate (pool of 2)", t));
      assert.deepEqual(t.perHost, { "msgw1.example.test": 100, "msgw2.example.test": 0 });
      assert.deepEqual(t.duplicated, []);
      assert.match(
        mailLog(world.sender as PostfixSender),
        /certificate verification failed for msgw2\.example\.test\[10\.232\.1\.12\]:25/,
      );
    } finally {
      await world.destroy();
    }
  },
);
