import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import zonefile from "dns-zonefile";
import { X509Certificate } from "node:crypto";
import {
  planGatewayPool,
  planIngressRules,
  renderZoneFile,
  validateGatewayPoolArgs,
  type GatewayHostArgs,
  type GatewayPoolArgs,
} from "../../components";
import { criticalPath, ofType, runPool } from "../helpers/pool-harness";

const ZONE = "example.com";

/**
 * Random valid pools: 1–12 hosts, mixed states (standby included), strategies, explicit priorities,
 * placements, legacy; an apex mail domain carries its opt-in.
 */
const poolArb: fc.Arbitrary<GatewayPoolArgs> = fc
  .record({
    mailDomain: fc.constantFrom("msgw.example.com", "example.com", "journal.mail.example.com"),
    labels: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), {
      minLength: 1,
      maxLength: 12,
    }),
    deep: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    states: fc.array(fc.constantFrom("active" as const, "draining" as const, "standby" as const), {
      minLength: 12,
      maxLength: 12,
    }),
    explicit: fc.array(fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }), {
      minLength: 12,
      maxLength: 12,
    }),
    existing: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    strategy: fc.constantFrom("balanced" as const, "tiered" as const),
    priority: fc.integer({ min: 0, max: 100 }),
    step: fc.integer({ min: 1, max: 100 }),
    ttl: fc.constantFrom(1, 60, 300, 3600, 86400),
    mode: fc.constantFrom(
      "self-signed" as const,
      "pool-ca" as const,
      "gateway-lets-encrypt" as const,
    ),
    legacy: fc.constantFrom(undefined, "migrating" as const, "retired" as const),
  })
  .map((r) => {
    const hosts: GatewayHostArgs[] = r.labels
      .filter((l) => l !== "msgw" && l !== "journal" && l !== "legacy")
      .map((label, i) => ({
        hostname: r.deep[i] ? `${label}.dc${i}.${ZONE}` : `${label}.${ZONE}`,
        state: r.states[i],
        mxPriority: r.explicit[i],
        ...(r.existing[i] ? { existing: { address: `192.0.2.${i + 1}` } } : {}),
      }));
    if (hosts.length === 0) hosts.push({ hostname: `gw.${ZONE}` });
    // A draining host needs an active one to take over its mail; a pool of standby hosts alone is valid.
    if (hosts.some((h) => h.state === "draining") && !hosts.some((h) => h.state === "active")) {
      hosts[0].state = "active";
    }
    const args: GatewayPoolArgs = {
      zone: { name: ZONE, id: "zone-1" },
      mailDomain: r.mailDomain,
      hosts,
      mx: {
        strategy: r.strategy,
        priority: r.priority,
        step: r.step,
        ttl: r.ttl,
        ...(r.mailDomain === ZONE ? { allowZoneApex: true } : {}),
      },
      certificates: { mode: r.mode },
      access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.0/24"] },
      ...(r.legacy
        ? { legacy: { hostname: `legacy.${ZONE}`, address: "198.51.100.5", phase: r.legacy } }
        : {}),
    };
    return args;
  });

const addressesFor = (args: GatewayPoolArgs): Record<string, string> => {
  const plan = planGatewayPool(args);
  const entries = plan.hosts.map((h, i) => [h.hostname, `203.0.113.${i + 1}`]);
  if (plan.legacy) entries.push([plan.legacy.hostname, "198.51.100.5"]);
  return Object.fromEntries(entries);
};

test("property: every generated pool is valid and its plan keeps the MX and naming invariants", () => {
  fc.assert(
    fc.property(poolArb, (args) => {
      assert.deepEqual(validateGatewayPoolArgs(args), []);
      const plan = planGatewayPool(args);
      const active = plan.hosts.filter((h) => h.state === "active");
      if (plan.hosts.some((h) => h.state === "draining")) assert.ok(active.length >= 1);
      for (const [i, h] of plan.hosts.entries()) {
        const explicit = args.hosts[i].mxPriority;
        if (h.state !== "active") assert.equal(h.mxPreference, undefined);
        else if (explicit !== undefined) assert.equal(h.mxPreference, explicit);
        else if (plan.strategy === "balanced") assert.equal(h.mxPreference, args.mx?.priority);
        else assert.equal(h.mxPreference, (args.mx?.priority ?? 0) + i * (args.mx?.step ?? 10));
        if (h.mxPreference !== undefined) assert.ok(h.mxPreference >= 0 && h.mxPreference <= 65535);
        assert.notEqual(h.hostname, plan.mailDomain);
      }
      assert.equal(new Set(plan.hosts.map((h) => h.key)).size, plan.hosts.length);
      // No rule other than SMTP and the Let's Encrypt challenge is open to the world.
      for (const rule of planIngressRules(plan, { ssh: true })) {
        if (rule.cidr === "0.0.0.0/0" || rule.cidr === "::/0")
          assert.ok(rule.service === "smtp" || rule.service === "http", rule.key);
      }
    }),
    { numRuns: 300, seed: 20261128 },
  );
});

test("property: the zone file parses back to exactly the planned A and MX records", () => {
  fc.assert(
    fc.property(poolArb, (args) => {
      const plan = planGatewayPool(args);
      const addresses = addressesFor(args);
      const parsed = zonefile.parse(renderZoneFile(plan, addresses)) as {
        a?: Array<{ name: string; ip: string }>;
        mx?: Array<{ name: string; preference: number; host: string }>;
      };
      const fqdn = (n: string) => (n === "@" ? ZONE : `${n}.${ZONE}`);
      const expectedA = plan.hosts.map((h) => [h.hostname, addresses[h.hostname]]);
      if (plan.legacy?.phase === "migrating")
        expectedA.push([plan.legacy.hostname, "198.51.100.5"]);
      assert.deepEqual(
        (parsed.a ?? []).map((r) => [fqdn(r.name), r.ip]),
        expectedA,
      );
      const mx = (parsed.mx ?? []).map((r) => [fqdn(r.name), r.preference, r.host]);
      assert.equal(mx.length, plan.hosts.filter((h) => h.state === "active").length);
      for (const [owner, pref, host] of mx) {
        assert.equal(owner, plan.mailDomain);
        assert.equal(plan.hosts.find((h) => `${h.hostname}.` === host)?.mxPreference, pref);
      }
      const prefs = mx.map((m) => m[1] as number);
      assert.deepEqual(
        prefs,
        [...prefs].sort((x, y) => x - y),
      );
    }),
    { numRuns: 300, seed: 7 },
  );
});

test("property: under mocks, resources match the plan and the critical path stays constant", async () => {
  const depths = new Set<number>();
  await fc.assert(
    fc.asyncProperty(poolArb, async (args) => {
      const plan = planGatewayPool(args);
      const result = await runPool(args, { realCertificates: false });
      const dns = ofType(result, "cloudflare:index/dnsRecord:DnsRecord");
      const a = dns.filter((r) => r.inputs.type === "A");
      const mx = dns.filter((r) => r.inputs.type === "MX");
      assert.equal(a.length, plan.hosts.length + (plan.legacy?.phase === "migrating" ? 1 : 0));
      assert.ok(a.every((r) => r.inputs.proxied === false));
      assert.equal(mx.length, plan.hosts.filter((h) => h.state === "active").length);
      assert.ok(
        mx.every((r) => r.inputs.name === plan.mailDomain && typeof r.inputs.priority === "number"),
      );
      const awsHosts = plan.hosts.filter((h) => h.placement === "aws").length;
      assert.equal(ofType(result, "aws:ec2/instance:Instance").length, awsHosts);
      assert.equal(ofType(result, "aws:ec2/eip:Eip").length, awsHosts);
      const names = result.resources.map((r) => `${r.type}::${r.name}`);
      assert.equal(new Set(names).size, names.length);
      assert.ok(
        result.resources.every(
          (r) => r.type === "msgw:index:GatewayPool" || r.name.startsWith("pool-"),
        ),
      );
      for (const r of ofType(result, "tls:index/certRequest:CertRequest").concat(
        ofType(result, "tls:index/selfSignedCert:SelfSignedCert"),
      )) {
        if (r.inputs.isCaCertificate) continue;
        const cn = (r.inputs.subject as { commonName: string }).commonName;
        assert.notEqual(cn, plan.mailDomain);
        assert.deepEqual(r.inputs.dnsNames, [cn]);
      }
      const gateways = result.outputs.gateways as Array<{ certificatePem: string | null }>;
      if (plan.certificates.mode !== "gateway-lets-encrypt") {
        assert.ok(
          gateways.every(
            (g) => new X509Certificate(g.certificatePem as string).fingerprint256.length === 95,
          ),
        );
      }
      depths.add(criticalPath(result));
    }),
    { numRuns: 40, seed: 42 },
  );
  // Depth depends on placement and certificate mode, never on how many hosts there are. The longest
  // chain is an AWS host's: role -> host-key KMS key -> parameter -> read policy -> instance -> data
  // attachment -> settings association or configuration restore.
  assert.ok(Math.max(...depths) <= 7, `critical paths seen: ${[...depths].join(",")}`);
});
