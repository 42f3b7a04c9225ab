import { test } from "node:test";
import assert from "node:assert/strict";
import zonefile from "dns-zonefile";
import { planGatewayPool, planMxPreferences, renderZoneFile } from "../../components";
import { baseArgs } from "../helpers/pool-harness";
import { ED25519_KEY_A as KEY } from "../lab/fixtures";

test("MX preferences: balanced, tiered by list position, explicit 0 wins, draining gets none", () => {
  const hosts = [
    { state: "active" as const },
    { state: "draining" as const },
    { state: "active" as const, mxPriority: 0 },
    { state: "active" as const },
  ];
  assert.deepEqual(planMxPreferences(hosts, { strategy: "balanced", priority: 10, step: 10 }), [
    10,
    undefined,
    0,
    10,
  ]);
  assert.deepEqual(planMxPreferences(hosts, { strategy: "tiered", priority: 0, step: 10 }), [
    0,
    undefined,
    0,
    30,
  ]);
});

test("zone file: exact text for a migrating legacy gateway, a draining host and a deeper host name", () => {
  const plan = planGatewayPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.dc2.example.com", state: "draining" },
        { hostname: "msgw3.example.com" },
      ],
      mx: { strategy: "tiered", ttl: 1 },
      dns: { addressTtl: 3600 },
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        sshHostKey: KEY,
      },
    }),
  );
  const text = renderZoneFile(plan, {
    "msgw1.example.com": "203.0.113.1",
    "msgw2.dc2.example.com": "203.0.113.2",
    "msgw3.example.com": "203.0.113.3",
    "msgw.example.com": "198.51.100.5",
  });
  assert.equal(
    text,
    [
      "; Records owned by the MailStore Gateway pool for msgw.example.com (generated; do not edit by hand)",
      "$ORIGIN example.com.",
      "msgw1      3600 IN A  203.0.113.1",
      "msgw2.dc2  3600 IN A  203.0.113.2",
      "msgw3      3600 IN A  203.0.113.3",
      "msgw       3600 IN A  198.51.100.5",
      "msgw        300 IN MX 0 msgw1.example.com.",
      "msgw        300 IN MX 20 msgw3.example.com.",
      "",
    ].join("\n"),
  );
  // A real zone-file parser reads it back to the same records.
  const parsed = zonefile.parse(text) as {
    $origin: string;
    a: Array<{ name: string; ttl: number; ip: string }>;
    mx: Array<{ name: string; ttl: number; preference: number; host: string }>;
  };
  assert.equal(parsed.$origin, "example.com.");
  assert.deepEqual(
    parsed.a.map((r) => [r.name, r.ttl, r.ip]),
    [
      ["msgw1", 3600, "203.0.113.1"],
      ["msgw2.dc2", 3600, "203.0.113.2"],
      ["msgw3", 3600, "203.0.113.3"],
      ["msgw", 3600, "198.51.100.5"],
    ],
  );
  assert.deepEqual(
    parsed.mx.map((r) => [r.name, r.ttl, r.preference, r.host]),
    [
      ["msgw", 300, 0, "msgw1.example.com."],
      ["msgw", 300, 20, "msgw3.example.com."],
    ],
  );
});

test("zone file: apex mail domain is written as @, and a missing address is an error naming the host", () => {
  const plan = planGatewayPool(
    baseArgs({
      mailDomain: "example.com",
      hosts: [{ hostname: "msgw1.example.com" }],
      mx: { allowZoneApex: true },
    }),
  );
  assert.match(
    renderZoneFile(plan, { "msgw1.example.com": "203.0.113.1" }),
    /\n@ +300 IN MX 0 msgw1\.example\.com\.\n$/,
  );
  assert.throws(
    () => renderZoneFile(plan, {}),
    /^Error: no address given for "msgw1.example.com"; pass every host's address to render its A record$/,
  );
});
