/**
 * Balanced pools: every host has the same MX preference, so a real MTA spreads journal mail
 * over all of them. All messages must arrive, each exactly once, each over verified TLS, and
 * every host must carry a substantial share.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MailWorld } from "./lib/world";
import { gatewayHost, poolArgs } from "./lib/pools";
import { formatTally, tally } from "./lib/tally";
import { verifiedSessions, type PostfixSender } from "./lib/postfix";

const MESSAGES = 240;

for (const size of [2, 3]) {
  test(
    `balanced pool of ${size}: ${MESSAGES} journal messages all arrive, spread over every host`,
    { timeout: 120_000 },
    async () => {
      const hosts = Array.from({ length: size }, (_, i) => gatewayHost(i + 1));
      const world = await MailWorld.create({
        prefix: `mp-bal${size}`,
        args: poolArgs(hosts, "balanced"),
      });
      try {
        assert.deepEqual(
          world.plan.hosts.map((h) => h.mxPreference),
          Array.from({ length: size }, () => 0),
        );
        const begin = Date.now();
        const sent = await world.inject(MESSAGES, `bal${size}`);
        assert.equal(sent.length, MESSAGES);
        await world.waitDelivered(sent, 90_000);
        const elapsed = Date.now() - begin;
        await world.settle();
        const received = world.received();
        const t = tally(sent, received, [...world.gateways.keys()]);
        console.log(formatTally(`balanced x${size}`, t, ` in ${elapsed} ms`));
        assert.deepEqual(t.lost, []);
        assert.deepEqual(t.duplicated, []);
        assert.deepEqual(t.unexpected, []);
        assert.ok(
          received.every((m) => m.tls),
          "every message arrived over TLS",
        );
        // One connection per message: every delivery was a verified TLS session to that host.
        assert.deepEqual(verifiedSessions(world.sender as PostfixSender), t.perHost);
        // A fair share is MESSAGES/size; demand at least 40 % of it from every host.
        const floor = Math.floor((0.4 * MESSAGES) / size);
        for (const [host, n] of Object.entries(t.perHost)) {
          assert.ok(n >= floor, `${host} received ${n} of ${MESSAGES}, less than ${floor}`);
        }
      } finally {
        await world.destroy();
      }
    },
  );
}

test(
  "self-signed certificates (no pool CA): the sender trusts each host's own certificate",
  { timeout: 120_000 },
  async () => {
    const args = poolArgs([gatewayHost(1), gatewayHost(2)], "balanced", {
      certificates: { mode: "self-signed" },
    });
    const world = await MailWorld.create({ prefix: "mp-self", args });
    try {
      assert.equal(world.certPlan.ca, undefined);
      assert.deepEqual(
        world.certPlan.hosts.map((h) => [h.hostname, h.issuer]),
        [
          ["msgw1.example.test", "self"],
          ["msgw2.example.test", "self"],
        ],
      );
      const sent = await world.inject(60, "self");
      await world.waitDelivered(sent, 60_000);
      await world.settle();
      const t = tally(sent, world.received(), [...world.gateways.keys()]);
      console.log(formatTally("balanced x2, self-signed", t));
      assert.deepEqual(t.lost, []);
      assert.deepEqual(t.duplicated, []);
      assert.deepEqual(verifiedSessions(world.sender as PostfixSender), t.perHost);
      for (const [host, n] of Object.entries(t.perHost))
        assert.ok(n > 0, `${host} received nothing`);
    } finally {
      await world.destroy();
    }
  },
);
