import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  activeZoneDs,
  cloudflarePackage,
  publish,
  zones,
  type FakeZone,
  seedDnsRecord,
  zoneFileText,
  zoneIdOf,
  zoneRecords,
} from "./cloudflare";
import { startDnsServer } from "./dns-server";
import type { ResolverAnswer } from "./unbound";
import { checkFailures, readMatches, testProvider, type TestProvider } from "./harness";

const exec = promisify(execFile);
const RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const ZONE_ID = zoneIdOf("example.com");
const PATH = `/zones/${ZONE_ID}/dns_records`;

const providers: TestProvider[] = [];
function cf(settings = {}, cloudDir?: string): TestProvider {
  const t = testProvider(cloudflarePackage, settings, cloudDir);
  providers.push(t);
  return t;
}
const dirs: string[] = [];
after(() => {
  providers.forEach((t) => t.cleanup());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const a = (name: string, content: string, extra = {}) => ({
  zoneId: ZONE_ID,
  name,
  type: "A",
  content,
  ttl: 300,
  proxied: false,
  comment: "MailStore Gateway host (pool msgw)",
  ...extra,
});
const mx = (content: string, priority: number, extra = {}) => ({
  zoneId: ZONE_ID,
  name: "msgw.example.com",
  type: "MX",
  content,
  priority,
  ttl: 300,
  ...extra,
});

/** The API error the provider prints for a DNS validation rule. */
function validationError(method: string, path: string, code: number, message: string): string {
  return (
    `failed to make http request: ${method} "https://api.cloudflare.com/client/v4${path}": 400 Bad Request ` +
    JSON.stringify({
      errors: [{ code: 1004, message: "DNS Validation Error", error_chain: [{ code, message }] }],
      messages: [],
      success: false,
      result: null,
    })
  );
}

describe("cloudflare stand-in: DnsRecord limits (Cloudflare DNS records API)", () => {
  for (const ttl of [0, 2, 30, 59, 86401]) {
    it(`refuses ttl ${ttl} on a Free zone`, async () => {
      const t = cf();
      await assert.rejects(t.create(RECORD, "r", a("h.example.com", "198.51.100.7", { ttl })), {
        message: validationError(
          "POST",
          PATH,
          9021,
          "TTL must be between 60 and 86400 seconds, or 1 for Automatic.",
        ),
      });
    });
  }

  it("accepts ttl 1 (automatic), 60 and 86400", async () => {
    const t = cf();
    for (const [i, ttl] of [1, 60, 86400].entries()) {
      await t.create(RECORD, `r${i}`, a(`h${i}.example.com`, "198.51.100.7", { ttl }));
    }
  });

  it("refuses a comment over 100 characters on a Free zone, accepts exactly 100", async () => {
    const t = cf();
    const long =
      "MailStore Gateway pool journal-gateway-pool-production: msgw1-frankfurt-primary.journal-archive.example.com";
    assert.equal(long.length, 107);
    await assert.rejects(
      t.create(RECORD, "r", a("h.example.com", "198.51.100.7", { comment: long })),
      {
        message: validationError(
          "POST",
          PATH,
          9101,
          "DNS record comment has 107 characters; the zone's Free plan allows 100.",
        ),
      },
    );
    await t.create(RECORD, "ok", a("h.example.com", "198.51.100.7", { comment: "c".repeat(100) }));
  });

  it("MX priority 0..65535: 0 is kept, 65536 and a missing priority are refused", async () => {
    const t = cf();
    const zero = await t.create(RECORD, "mx0", mx("msgw1.example.com", 0));
    assert.equal(zero.outs.priority, 0);
    await t.create(RECORD, "mxmax", mx("msgw2.example.com", 65535));
    assert.deepEqual(await checkFailures(t, RECORD, mx("msgw3.example.com", 65536)), [
      "priority: value must be between 0 and 65535, got 65536",
    ]);
    await assert.rejects(
      t.create(RECORD, "nopri", { ...mx("msgw3.example.com", 1), priority: undefined }),
      {
        message: validationError(
          "POST",
          PATH,
          9102,
          "MX priority must be an integer between 0 and 65535, got undefined.",
        ),
      },
    );
  });

  it("refuses an A record without an IPv4 address, a proxied MX, and an MX target that is no host name", async () => {
    const t = cf();
    await assert.rejects(t.create(RECORD, "a", a("h.example.com", "msgw1.example.com")), {
      message: validationError(
        "POST",
        PATH,
        9005,
        "Content for A record must be a valid IPv4 address.",
      ),
    });
    await assert.rejects(t.create(RECORD, "p", mx("msgw1.example.com", 10, { proxied: true })), {
      message: validationError("POST", PATH, 9004, "This record type cannot be proxied."),
    });
    await assert.rejects(t.create(RECORD, "m", mx("198.51.100.7 x", 10)), {
      message: validationError(
        "POST",
        PATH,
        9008,
        "Content for MX record must be a valid hostname.",
      ),
    });
  });

  it("an identical record fails with 81058, in the same and in another stack; a different address is fine", async () => {
    const dev = cf();
    const prod = cf({}, dev.cloud.dir);
    await dev.create(RECORD, "legacy", a("msgw.example.com", "198.51.100.5"));
    const dup =
      `failed to make http request: POST "https://api.cloudflare.com/client/v4${PATH}": 400 Bad Request ` +
      '{"errors":[{"code":81058,"message":"An identical record already exists."}],"messages":[],"success":false,"result":null}';
    await assert.rejects(
      prod.create(RECORD, "legacy", a("msgw.example.com", "198.51.100.5", { comment: "other" })),
      {
        message: dup,
      },
    );
    await assert.rejects(
      dev
        .create(RECORD, "mx-dup", mx("msgw1.example.com", 0))
        .then(() => dev.create(RECORD, "mx-dup2", mx("msgw1.example.com", 0))),
      {
        message: dup,
      },
    );
    await dev.create(RECORD, "mx-other-pref", mx("msgw1.example.com", 10));
    await prod.create(RECORD, "second", a("msgw.example.com", "198.51.100.6"));
  });

  it("a name outside the zone is stored under the zone, and then never matches the program (perpetual diff)", async () => {
    const t = cf();
    const r = await t.create(RECORD, "r", a("msgw1.example.org", "198.51.100.7"));
    assert.equal(r.outs.name, "msgw1.example.org.example.com");
    assert.equal(
      t.logs[0].message,
      "record name msgw1.example.org is outside zone example.com; Cloudflare stores it as msgw1.example.org.example.com",
    );
    const d = await t.diff(r, a("msgw1.example.org", "198.51.100.7"));
    assert.deepEqual([d.changes, d.replaces], [true, []]);
  });

  it("only zoneId replaces; content, ttl, comment and priority update in place", async () => {
    const t = cf({ zones: ["example.com", "example.net"] });
    const r = await t.create(RECORD, "r", a("h.example.com", "198.51.100.7"));
    assert.match(r.id, /^[0-9a-f]{32}$/);
    assert.equal((await t.diff(r, a("h.example.com", "198.51.100.7"))).changes, false);
    await readMatches(t, r);
    await readMatches(t, await t.create(RECORD, "mx", mx("h.example.com", 0)));
    assert.deepEqual(
      (await t.diff(r, a("h.example.com", "198.51.100.7", { zoneId: zoneIdOf("example.net") })))
        .replaces,
      ["zoneId"],
    );
    for (const change of [
      { content: "198.51.100.8" },
      { ttl: 60 },
      { comment: "x" },
      { name: "g.example.com" },
    ]) {
      const d = await t.diff(r, a("h.example.com", "198.51.100.7", change));
      assert.deepEqual([d.changes, d.replaces], [true, []], JSON.stringify(change));
    }
    const d = await t.diff(r, a("h.example.com", "198.51.100.8"));
    const outs = await t.provider.update!(r.id, r.urn, r.outs, d.inputs);
    assert.equal((outs.outs as Record<string, unknown>).content, "198.51.100.8");
    await assert.rejects(
      t.provider.update!(r.id, r.urn, r.outs, a("h.example.com", "198.51.100.8", { ttl: 10 })),
      {
        message: validationError(
          "PATCH",
          `${PATH}/${r.id}`,
          9021,
          "TTL must be between 60 and 86400 seconds, or 1 for Automatic.",
        ),
      },
    );
  });

  it("import by <zoneId>/<recordId> reads the live record and the inputs that reproduce it", async () => {
    const t = cf();
    const legacy = await seedDnsRecord(t.cloud, t.settings, {
      zone: "example.com",
      name: "msgw.example.com",
      type: "A",
      content: "198.51.100.5",
      ttl: 300,
      comment: "Legacy MailStore Gateway, kept while migrating (pool msgw)",
    });
    const urn = t.urn(RECORD, "msgw-legacy-a");
    const read = await t.provider.read!(`${ZONE_ID}/${legacy.id}`, urn, {});
    assert.equal(read.id, legacy.id);
    assert.deepEqual(read.inputs, {
      zoneId: ZONE_ID,
      name: "msgw.example.com",
      type: "A",
      content: "198.51.100.5",
      ttl: 300,
      proxied: false,
      comment: "Legacy MailStore Gateway, kept while migrating (pool msgw)",
    });
    const same = await t.provider.diff!(legacy.id, urn, read.props, read.inputs);
    assert.equal(same.changes, false, "the program's inputs match: the import goes through");
    await assert.rejects(
      t.provider.read!(`${ZONE_ID}/${"0".repeat(32)}`, urn, {})
        .then((r) => assert.equal(r.id, ""))
        .then(() => {
          throw new Error("missing");
        }),
      { message: "missing" },
    );
    // Refresh after an out-of-band deletion: gone.
    await t.provider.delete!(legacy.id, urn, read.props);
    assert.equal((await t.provider.read!(legacy.id, urn, read.props)).id, "");
  });

  it("getZone finds zones of the account by name and refuses others", async () => {
    const t = cf();
    const z = await t.provider.invoke!("cloudflare:index/getZone:getZone", {
      filter: { name: "example.com" },
    });
    assert.equal(z.outputs.zoneId, ZONE_ID);
    await assert.rejects(
      t.provider.invoke!("cloudflare:index/getZone:getZone", { filter: { name: "example.org" } }),
      {
        message:
          "failed to find exactly one result: no zone example.org in this account (zones: example.com); the API " +
          "token needs Zone Read on it",
      },
    );
  });

  it("renders the zone file NSD serves (TTL 1 as 300, MX with a trailing dot)", () => {
    const text = zoneFileText(
      { id: ZONE_ID, name: "example.com", plan: "Free", serial: 7 },
      [
        {
          id: "1",
          zoneId: ZONE_ID,
          name: "msgw.example.com",
          type: "MX",
          content: "msgw1.example.com",
          priority: 0,
          ttl: 1,
          proxied: false,
          tags: [],
          createdOn: "",
          modifiedOn: "",
        },
        {
          id: "2",
          zoneId: ZONE_ID,
          name: "msgw1.example.com",
          type: "A",
          content: "203.0.113.1",
          ttl: 300,
          proxied: false,
          tags: [],
          createdOn: "",
          modifiedOn: "",
        },
      ],
      "127.0.0.1",
    );
    assert.equal(
      text,
      [
        "$ORIGIN example.com.",
        "$TTL 300",
        "@ IN SOA ns1.example.com. hostmaster.example.com. 7 3600 600 86400 60",
        "@ IN NS ns1.example.com.",
        "ns1.example.com. IN A 127.0.0.1",
        "msgw.example.com. 300 IN MX 0 msgw1.example.com.",
        "msgw1.example.com. 300 IN A 203.0.113.1",
        "",
      ].join("\n"),
    );
  });
});

describe("cloudflare stand-in: records served by NSD", () => {
  it("create, update and delete show up in real DNS answers; a seeded record is served from the start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pv-nsd-"));
    dirs.push(dir);
    const cloudDir = join(dir, "cloud");
    const seedProvider = cf({}, cloudDir);
    await seedDnsRecord(
      seedProvider.cloud,
      {},
      {
        zone: "example.com",
        name: "msgw.example.com",
        type: "A",
        content: "198.51.100.5",
        ttl: 300,
      },
    );
    const dns = await startDnsServer({ dir: join(dir, "nsd"), cloudDir });
    try {
      assert.deepEqual(await dns.query("msgw.example.com", "A"), ["198.51.100.5"]);
      const t = cf(dns.standInOptions, cloudDir);
      const host = await t.create(RECORD, "a", a("msgw1.example.com", "203.0.113.1"));
      const pref = await t.create(RECORD, "mx", mx("msgw1.example.com", 0));
      await dns.waitForAnswer("msgw1.example.com", "A", ["203.0.113.1"]);
      await dns.waitForAnswer("msgw.example.com", "MX", ["0 msgw1.example.com"]);
      const d = await t.diff(host, a("msgw1.example.com", "203.0.113.2"));
      await t.provider.update!(host.id, host.urn, host.outs, d.inputs);
      await dns.waitForAnswer("msgw1.example.com", "A", ["203.0.113.2"]);
      await t.provider.delete!(pref.id, pref.urn, pref.outs);
      await dns.waitForAnswer("msgw.example.com", "MX", []);
      assert.deepEqual(
        zoneRecords(t.cloud, t.settings, "example.com")
          .map((r) => `${r.name} ${r.type} ${r.content}`)
          .sort(),
        ["msgw.example.com A 198.51.100.5", "msgw1.example.com A 203.0.113.2"],
      );
    } finally {
      await dns.stop();
    }
  });

  it("NSD in a network namespace (lab): records reach it and are answered inside the namespace", async () => {
    const netns = `pv-dns-${process.pid}`;
    await exec("ip", ["netns", "add", netns]);
    try {
      await exec("ip", ["-n", netns, "link", "set", "lo", "up"]);
      const dir = mkdtempSync(join(tmpdir(), "pv-nsd-ns-"));
      dirs.push(dir);
      const cloudDir = join(dir, "cloud");
      const dns = await startDnsServer({
        dir: join(dir, "nsd"),
        cloudDir,
        netns,
        address: "127.0.0.53",
      });
      try {
        const t = cf(dns.standInOptions, cloudDir);
        await t.create(RECORD, "a", a("msgw1.example.com", "203.0.113.9"));
        await dns.waitForAnswer("msgw1.example.com", "A", ["203.0.113.9"]);
        assert.deepEqual(await dns.query("ns1.example.com", "A"), ["127.0.0.53"]);
      } finally {
        await dns.stop();
      }
    } finally {
      await exec("ip", ["netns", "del", netns]);
    }
  });

  it("a failed reload says what state the record is in", async () => {
    const t = cf({ dnsZoneDir: mkdtempSync(join(tmpdir(), "pv-zones-")), nsdControl: ["false"] });
    dirs.push(t.settings.dnsZoneDir as string);
    await assert.rejects(t.create(RECORD, "r", a("h.example.com", "198.51.100.7")), {
      message:
        "stand-in DNS: the change is saved in the fake Cloudflare account, but reloading NSD failed (false " +
        "reload example.com): Command failed: false reload example.com. Check that the test's NSD is running, " +
        "then run pulumi up again.",
    });
  });
});

const tlsa = (name: string, data: Record<string, unknown>, extra = {}) => ({
  zoneId: ZONE_ID,
  name,
  type: "TLSA",
  ttl: 300,
  data,
  ...extra,
});
const DNSSEC = "cloudflare:index/zoneDnssec:ZoneDnssec";
const HASH = "a".repeat(64);

describe("cloudflare stand-in: TLSA records (DNS records API, TLSA data)", () => {
  it("content is derived from data: 3 1 1 <hex>, lower case; an update of data changes it", async () => {
    const t = cf();
    const r = await t.create(
      RECORD,
      "t",
      tlsa("_25._tcp.msgw1.example.com", {
        usage: 3,
        selector: 1,
        matchingType: 1,
        certificate: HASH.toUpperCase(),
      }),
    );
    assert.equal(r.outs.content, `3 1 1 ${HASH}`);
    assert.deepEqual(r.outs.data, { usage: 3, selector: 1, matchingType: 1, certificate: HASH });
    const next = tlsa("_25._tcp.msgw1.example.com", {
      usage: 3,
      selector: 1,
      matchingType: 1,
      certificate: "b".repeat(64),
    });
    const d = await t.diff(r, next);
    assert.deepEqual(d.replaces, []);
    const outs = await t.provider.update!(r.id, r.urn, r.outs, d.inputs);
    assert.equal(outs.outs?.content, `3 1 1 ${"b".repeat(64)}`);
    assert.deepEqual(
      zoneRecords(t.cloud, t.settings, "example.com").map(
        (x) => `${x.name} ${x.type} ${x.content}`,
      ),
      [`_25._tcp.msgw1.example.com TLSA 3 1 1 ${"b".repeat(64)}`],
    );
  });

  const bad: Array<[string, Record<string, unknown>, number, string]> = [
    [
      "no data",
      tlsa("_25._tcp.h.example.com", undefined as never),
      9201,
      "TLSA record requires data (usage, selector, matching_type, certificate).",
    ],
    [
      "content instead of data",
      tlsa(
        "_25._tcp.h.example.com",
        { usage: 3, selector: 1, matchingType: 1, certificate: HASH },
        { content: `3 1 1 ${HASH}` },
      ),
      9202,
      "Content for TLSA record is read-only; set data instead.",
    ],
    [
      "usage 256",
      tlsa("_25._tcp.h.example.com", {
        usage: 256,
        selector: 1,
        matchingType: 1,
        certificate: HASH,
      }),
      9203,
      "TLSA data.usage must be an integer between 0 and 255, got 256.",
    ],
    [
      "matching type -1",
      tlsa("_25._tcp.h.example.com", {
        usage: 3,
        selector: 1,
        matchingType: -1,
        certificate: HASH,
      }),
      9203,
      "TLSA data.matching_type must be an integer between 0 and 255, got -1.",
    ],
    [
      "certificate not hex",
      tlsa("_25._tcp.h.example.com", {
        usage: 3,
        selector: 1,
        matchingType: 1,
        certificate: "xyz",
      }),
      9204,
      "TLSA data.certificate must be a hexadecimal string.",
    ],
  ];
  for (const [what, inputs, code, message] of bad) {
    it(`refuses a TLSA record with ${what} (${code})`, async () => {
      const t = cf();
      await assert.rejects(t.create(RECORD, "t", inputs), {
        message: validationError("POST", PATH, code, message),
      });
    });
  }
});

describe("cloudflare stand-in: ZoneDnssec signs the zone NSD serves; Unbound validates it", () => {
  it("TLSA answers validate (AD) with the DS as trust anchor; an expired signature is bogus (SERVFAIL); deleting ZoneDnssec unsigns the zone", async () => {
    const { startValidatingResolver } = await import("./unbound");
    const { freePort } = await import("./dns-server");
    const dir = mkdtempSync(join(tmpdir(), "pv-dnssec-"));
    dirs.push(dir);
    const cloudDir = join(dir, "cloud");
    const dns = await startDnsServer({ dir: join(dir, "nsd"), cloudDir });
    try {
      const t = cf(dns.standInOptions, cloudDir);
      await t.create(
        RECORD,
        "t",
        tlsa("_25._tcp.msgw1.example.com", {
          usage: 3,
          selector: 1,
          matchingType: 1,
          certificate: HASH,
        }),
      );
      assert.deepEqual(await checkFailures(t, DNSSEC, { zoneId: ZONE_ID, status: "on" }), [
        'status: value must be one of: "active", "disabled"; got "on"',
      ]);
      const signed = await t.create(DNSSEC, "dnssec", { zoneId: ZONE_ID, status: "active" });
      assert.equal(signed.id, ZONE_ID);
      assert.equal(signed.outs.status, "active");
      assert.equal(signed.outs.algorithm, "13");
      assert.equal(signed.outs.digestType, "2");
      assert.match(
        String(signed.outs.ds),
        new RegExp(
          `^example\\.com\\. \\d+ IN DS ${String(signed.outs.keyTag)} 13 2 [0-9a-f]{64}$`,
          "i",
        ),
      );
      const ds = activeZoneDs(t.cloud, t.settings, "example.com") as string;
      assert.equal(ds, signed.outs.ds);

      const port = await freePort("127.0.0.1");
      const resolver = await startValidatingResolver({
        dir: join(dir, "unbound"),
        zone: "example.com",
        trustAnchor: ds,
        stubAddress: `127.0.0.1@${dns.port}`,
        port,
      });
      /** NSD reloads in the background: flush and ask again until the answer is bogus (at most 5 s). */
      const settled = async (ask: () => Promise<ResolverAnswer>): Promise<ResolverAnswer> => {
        const until = Date.now() + 5_000;
        for (;;) {
          await resolver.flush("example.com");
          const answer = await ask();
          if (answer.rcode === "SERVFAIL" || Date.now() > until) return answer;
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      try {
        assert.deepEqual(await resolver.query("_25._tcp.msgw1.example.com", "TLSA"), {
          rcode: "NOERROR",
          ad: true,
          records: [`3 1 1 ${HASH}`],
        });
        // A new record appears signed too (the zone is re-signed on every change).
        await t.create(RECORD, "a", a("msgw1.example.com", "203.0.113.1"));
        await dns.waitForAnswer("msgw1.example.com", "A", ["203.0.113.1"]);
        assert.deepEqual(await resolver.query("msgw1.example.com", "A"), {
          rcode: "NOERROR",
          ad: true,
          records: ["203.0.113.1"],
        });

        // Expired signatures: the validating resolver refuses every answer (bogus).
        const zone = zones(t.cloud, t.settings).find((z) => z.name === "example.com") as FakeZone;
        const expired = {
          ...zone,
          signatureWindow: {
            inception: "2020-01-01T00:00:00Z",
            expiration: "2020-02-01T00:00:00Z",
          },
        };
        t.cloud.put("cf-zones", zone.id, expired);
        await publish({ cloud: t.cloud, settings: t.settings }, expired);
        assert.deepEqual(
          await settled(() => resolver.query("_25._tcp.msgw1.example.com", "TLSA")),
          {
            rcode: "SERVFAIL",
            ad: false,
            records: [],
          },
        );
        t.cloud.put("cf-zones", zone.id, { ...expired, signatureWindow: undefined });

        // Turning DNSSEC off (delete) unsigns the zone: with the DS still trusted, the zone is bogus.
        await t.provider.delete!(signed.id, signed.urn, signed.outs);
        assert.equal(activeZoneDs(t.cloud, t.settings, "example.com"), undefined);
        assert.deepEqual(await settled(() => resolver.query("msgw1.example.com", "A")), {
          rcode: "SERVFAIL",
          ad: false,
          records: [],
        });
      } finally {
        await resolver.stop();
      }
    } finally {
      await dns.stop();
    }
  });
});
