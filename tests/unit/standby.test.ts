// A `standby` host: host, A record, certificate and archiving profile, but no MX record, so a new host can
// be prepared and checked before it takes mail. Tiered positions count it, so activating it later never
// renumbers the other hosts' records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { archivingProfile, mxTable, planGatewayPool, renderRunbook } from "../../components";
import { baseArgs, ofType, runPool } from "../helpers/pool-harness";

const args = baseArgs({
  hosts: [
    { hostname: "msgw1.example.com" },
    { hostname: "msgw2.example.com", state: "standby" },
    { hostname: "msgw3.example.com" },
  ],
  mx: { strategy: "tiered" },
});

test("standby: plan and MX table leave the host out of the MX records and keep tier positions", () => {
  const plan = planGatewayPool(args);
  assert.deepEqual(
    plan.hosts.map((h) => [h.hostname, h.state, h.mxPreference]),
    [
      ["msgw1.example.com", "active", 0],
      ["msgw2.example.com", "standby", undefined],
      ["msgw3.example.com", "active", 20],
    ],
  );
  assert.deepEqual(mxTable(plan), [
    { preference: 0, target: "msgw1.example.com" },
    { preference: 20, target: "msgw3.example.com" },
  ]);
});

test("standby: under mocks the host, its A record and certificate exist; no MX record; outputs say standby", async () => {
  const result = await runPool(args, { realCertificates: false });
  const dns = ofType(result, "cloudflare:index/dnsRecord:DnsRecord");
  assert.deepEqual(dns.map((r) => [r.name, r.inputs.type, r.inputs.name]).sort(), [
    ["pool-msgw1-a", "A", "msgw1.example.com"],
    ["pool-msgw2-a", "A", "msgw2.example.com"],
    ["pool-msgw3-a", "A", "msgw3.example.com"],
    ["pool-mx-msgw1", "MX", "msgw.example.com"],
    ["pool-mx-msgw3", "MX", "msgw.example.com"],
  ]);
  assert.ok(ofType(result, "aws:ec2/instance:Instance").some((r) => r.name === "pool-msgw2"));
  assert.ok(
    ofType(result, "tls:index/certRequest:CertRequest").some(
      (r) => (r.inputs.subject as { commonName: string }).commonName === "msgw2.example.com",
    ),
  );
  const gateways = result.outputs.gateways as Array<Record<string, unknown>>;
  const standby = gateways.find((g) => g.hostname === "msgw2.example.com");
  assert.equal(standby?.state, "standby");
  assert.equal(standby?.mxPreference, null);
  assert.equal((standby?.archivingProfile as { server: string }).server, "msgw2.example.com");
  assert.deepEqual(result.outputs.mxRecords, [
    { preference: 0, target: "msgw1.example.com" },
    { preference: 20, target: "msgw3.example.com" },
  ]);
  const zone = String(result.outputs.zoneFile);
  assert.match(zone, /\nmsgw2 +300 IN A  \d+\.\d+\.\d+\.\d+\n/);
  assert.doesNotMatch(zone, /MX \d+ msgw2\.example\.com\./);
});

test("standby: the runbook says to add the archiving profile now and how to publish the host", () => {
  const plan = planGatewayPool(args);
  const text = renderRunbook({
    poolName: "pool",
    stack: "dev",
    plan,
    legacyAddress: undefined,
    gateways: plan.hosts.map((h, i) => ({
      hostname: h.hostname,
      address: `203.0.113.${i + 1}`,
      state: h.state,
      mxPreference: h.mxPreference,
      placement: h.placement,
      certificateSha256: `AA:0${i}`,
      archivingProfile: archivingProfile(plan, h),
    })),
  });
  assert.ok(
    text.includes(
      "| msgw2.example.com | 203.0.113.2 | standby | none (standby) | AWS EC2 | AA:01 |",
    ),
  );
  const section = text.slice(
    text.indexOf("### msgw2.example.com (standby)"),
    text.indexOf("### msgw3"),
  );
  assert.equal(
    section,
    [
      "### msgw2.example.com (standby)",
      "",
      "1. Install MailStore Gateway on msgw2.example.com if it is not installed (the pool did not install it).",
      "2. Install this host's certificate: `pulumi stack output --stack dev gateways` gives its certificate and `pulumi stack output --stack dev --show-secrets certificatePrivateKeys` its key; convert them to PFX (`openssl pkcs12 -export -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -in msgw2.example.com.crt -inkey msgw2.example.com.key -out msgw2.example.com.pfx`, which every Windows Server version imports), import it in the Management Console and check the fingerprint AA:01.",
      '3. In MailStore Server, add an archiving profile per journal mailbox for this host now, as for an active host: server `msgw2.example.com`, POP3 port 110 with STARTTLS, user `mbx-<32 hex> of the journal mailbox (same on every host after replication)`, trust the pool CA "msgw.example.com gateway pool CA" (import it once on the MailStore Server machine).',
      "4. Standby: no MX record points here yet, so the host takes no mail. When the gateway is installed, has the configuration and its certificate, and `msgw check --wait 900 --gateway msgw2.example.com=203.0.113.2 --ca pool-ca.pem` passes for it (pool-ca.pem: the exported pool CA; a plain `msgw check` follows the MX records, which leave this host out), set its `state` to `active` and run `pulumi up --stack dev` to publish its MX record.",
      "",
      "",
    ].join("\n"),
  );
});

test("standby: a pool of standby hosts only is valid (prepare, check, then publish) and has no MX record", () => {
  const plan = planGatewayPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", state: "standby" },
        { hostname: "msgw2.example.com", state: "standby" },
      ],
    }),
  );
  assert.deepEqual(mxTable(plan), []);
});
