import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { baseArgs, ofType, runPool } from "../helpers/pool-harness";
import { readStackConfig } from "../../tools/plan";
import { validateGatewayPoolArgs, type GatewayPoolArgs } from "../../components";
import {
  PUBLISH_MARKER_COMMAND,
  SERVE_GATE_ENV,
  serveGateCommand,
  tlsaSha256,
} from "../../components/gateway-pool/plan/dane";
import type { OfflinePlan, PlannedResource } from "../../tools/offline-plan";

const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const DNSSEC = "cloudflare:index/zoneDnssec:ZoneDnssec";
const COMMAND = "command:local:Command";

/** SHA-256 of a certificate's SubjectPublicKeyInfo, computed by openssl (independently of the pool). */
function opensslSpkiSha256(pem: string): string {
  const spki = execFileSync("openssl", ["x509", "-noout", "-pubkey"], { input: pem });
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "DER"], { input: spki });
  return createHash("sha256").update(der).digest("hex");
}

function devPool(dane: GatewayPoolArgs["dane"]): GatewayPoolArgs {
  const pool = JSON.parse(readStackConfig("dev").config["msgw:pool"]) as GatewayPoolArgs;
  // The dev stack ships its hosts standby (no MX yet): promoted, as after the runbook's stages.
  return { ...pool, hosts: pool.hosts.map((h) => ({ ...h, state: "active" })), dane };
}

const certificateOf = (plan: OfflinePlan, hostname: string): string =>
  (plan.outputs.gateways as Array<{ hostname: string; certificatePem: string }>).find(
    (g) => g.hostname === hostname,
  )?.certificatePem as string;

const tlsaRecords = (plan: OfflinePlan): PlannedResource[] =>
  ofType(plan, DNS).filter((r) => r.inputs.type === "TLSA");

test("dev stack with dane.enabled: TLSA 3 1 1 = SHA-256 of each host certificate's SPKI; MX depends on it", async () => {
  const plan = await runPool(devPool({ enabled: true }), { name: "msgw" });
  const tlsa = tlsaRecords(plan);
  assert.deepEqual(tlsa.map((r) => [r.name, r.inputs.name, r.inputs.ttl]).sort(), [
    ["msgw-msgw1-tlsa-g1", "_25._tcp.msgw1.example.com", 300],
    ["msgw-msgw2-tlsa-g1", "_25._tcp.msgw2.example.com", 300],
  ]);
  for (const host of ["msgw1", "msgw2"]) {
    const record = tlsa.find((r) => r.name === `msgw-${host}-tlsa-g1`) as PlannedResource;
    const pem = certificateOf(plan, `${host}.example.com`);
    assert.deepEqual(record.inputs.data, {
      usage: 3,
      selector: 1,
      matchingType: 1,
      certificate: opensslSpkiSha256(pem),
    });
    assert.match(
      String((record.inputs.data as { certificate: string }).certificate),
      /^[0-9a-f]{64}$/,
    );
    const mx = ofType(plan, DNS).find(
      (r) => r.inputs.type === "MX" && r.inputs.content === `${host}.example.com`,
    ) as PlannedResource;
    assert.ok(mx.dependencies.includes(record.urn), `${mx.name} depends on ${record.name}`);
  }
  // Signing is the pool's by default, kept on destroy (never turned off by the pool).
  const dnssec = ofType(plan, DNSSEC);
  assert.equal(dnssec.length, 1);
  assert.equal(dnssec[0].name, "msgw-dnssec");
  assert.equal(dnssec[0].inputs.status, "active");
  assert.deepEqual(dnssec[0].options, { retainOnDelete: true });
  for (const r of tlsa) assert.ok(r.dependencies.includes(dnssec[0].urn), r.name);
  const out = plan.outputs.dane as {
    dnssec: string;
    hosts: Array<{ hostname: string; rdata?: string; records: Array<{ rdata: string }> }>;
  };
  assert.equal(out.dnssec, "pool");
  assert.deepEqual(
    out.hosts.map((h) => [h.hostname, h.records.map((r) => r.rdata)]),
    ["msgw1", "msgw2"].map((h) => [
      `${h}.example.com`,
      [`3 1 1 ${opensslSpkiSha256(certificateOf(plan, `${h}.example.com`))}`],
    ]),
  );
  // The zone-file fragment carries the TLSA records too.
  const zoneLines = String(plan.outputs.zoneFile).split("\n").slice(-3);
  assert.deepEqual(zoneLines, [
    `_25._tcp.msgw1   300 IN TLSA 3 1 1 ${opensslSpkiSha256(certificateOf(plan, "msgw1.example.com"))}`,
    `_25._tcp.msgw2   300 IN TLSA 3 1 1 ${opensslSpkiSha256(certificateOf(plan, "msgw2.example.com"))}`,
    "",
  ]);
  assert.match(String(plan.outputs.runbook), /## DANE \(DNSSEC \+ TLSA\)/);
  assert.match(String(plan.outputs.runbook), /-SmtpDaneMode Mandatory/);
  assert.match(String(plan.outputs.runbook), /This fails closed/);
});

test("DANE off: no TLSA, DNSSEC or DANE command; the host keys keep their names", async () => {
  const plan = await runPool(baseArgs());
  assert.equal(tlsaRecords(plan).length, 0);
  assert.equal(ofType(plan, DNSSEC).length, 0);
  // Only the readiness gates of the active hosts: no DANE publish or serve command.
  assert.deepEqual(
    ofType(plan, COMMAND)
      .map((r) => r.name)
      .sort(),
    ["pool-msgw1-ready", "pool-msgw2-ready"],
  );
  assert.deepEqual(
    ofType(plan, "tls:index/privateKey:PrivateKey")
      .map((r) => r.name)
      .sort(),
    ["pool-ca-key", "pool-msgw1-tls-key", "pool-msgw2-tls-key"],
  );
  assert.equal(plan.outputs.dane, undefined);
});

test("every receiving host gets TLSA (standby and draining too), on the configured SMTP port; TLS reporting", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", state: "standby" },
        { hostname: "msgw3.example.com", state: "draining" },
      ],
      gateway: { ports: { smtp: 2525 } },
      dane: {
        enabled: true,
        dnssec: "operator",
        ttl: 600,
        tlsReportingRua: ["mailto:tls@example.com", "https://r.example.com/v1"],
      },
    }),
  );
  assert.deepEqual(
    tlsaRecords(plan)
      .map((r) => [r.inputs.name, r.inputs.ttl])
      .sort(),
    [
      ["_2525._tcp.msgw1.example.com", 600],
      ["_2525._tcp.msgw2.example.com", 600],
      ["_2525._tcp.msgw3.example.com", 600],
    ],
  );
  assert.equal(ofType(plan, DNSSEC).length, 0);
  const txt = ofType(plan, DNS).filter((r) => r.inputs.type === "TXT");
  assert.deepEqual(
    txt.map((r) => [r.inputs.name, r.inputs.content]),
    [
      [
        "_smtp._tls.msgw.example.com",
        "v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example.com/v1",
      ],
    ],
  );
  assert.equal((plan.outputs.dane as { ds: unknown }).ds, null);
  assert.match(
    String(plan.outputs.zoneFile),
    /\n_smtp\._tls\.msgw   600 IN TXT "v=TLSRPTv1; rua=mailto:tls@example\.com,https:\/\/r\.example\.com\/v1"\n$/,
  );
});

test("key rollover: publish adds the next key's record beside the current; serve moves the certificate after the gate", async () => {
  const args = (rollover: "publish" | "serve" | undefined, generation = 1) =>
    baseArgs({
      dane: { enabled: true, keys: { "msgw1.example.com": { generation, rollover } } },
    });
  const publish = await runPool(args("publish"));
  const tlsa = tlsaRecords(publish).filter((r) => r.name.startsWith("pool-msgw1-"));
  assert.deepEqual(tlsa.map((r) => r.name).sort(), ["pool-msgw1-tlsa-g1", "pool-msgw1-tlsa-g2"]);
  const keyNames = ofType(publish, "tls:index/privateKey:PrivateKey")
    .map((r) => r.name)
    .sort();
  assert.deepEqual(keyNames, [
    "pool-ca-key",
    "pool-msgw1-tls-key",
    "pool-msgw1-tls-key-g2",
    "pool-msgw2-tls-key",
  ]);
  const hashOf = (plan: OfflinePlan, name: string) =>
    (
      (tlsaRecords(plan).find((r) => r.name === name) as PlannedResource).inputs.data as {
        certificate: string;
      }
    ).certificate;
  const pem1 = certificateOf(publish, "msgw1.example.com");
  assert.equal(opensslSpkiSha256(pem1), hashOf(publish, "pool-msgw1-tlsa-g1"));
  assert.notEqual(hashOf(publish, "pool-msgw1-tlsa-g1"), hashOf(publish, "pool-msgw1-tlsa-g2"));
  const hostOut = (plan: OfflinePlan) =>
    (
      plan.outputs.dane as {
        hosts: Array<{
          hostname: string;
          servingGeneration: number;
          rollover: string;
          records: Array<{ generation: number; role: string }>;
        }>;
      }
    ).hosts[0];
  assert.deepEqual(
    { ...hostOut(publish), records: hostOut(publish).records.map((r) => [r.generation, r.role]) },
    {
      ...hostOut(publish),
      servingGeneration: 1,
      rollover: "publish",
      records: [
        [1, "current"],
        [2, "next"],
      ],
    },
  );

  const serve = await runPool(args("serve"));
  const pem2 = certificateOf(serve, "msgw1.example.com");
  assert.equal(opensslSpkiSha256(pem2), hashOf(serve, "pool-msgw1-tlsa-g2"));
  assert.deepEqual(
    hostOut(serve).records.map((r) => [r.generation, r.role]),
    [
      [2, "current"],
      [1, "previous"],
    ],
  );
  // The certificate (and its request) wait for the serve gate, which reads the publication time.
  const gate = ofType(serve, COMMAND).find(
    (r) => r.name === "pool-msgw1-dane-serve",
  ) as PlannedResource;
  for (const name of ["pool-msgw1-csr", "pool-msgw1-cert"]) {
    const r = serve.resources.find((x) => x.name === name) as PlannedResource;
    assert.ok(r.dependencies.includes(gate.urn), `${name} waits for the gate`);
  }
  assert.deepEqual(gate.inputs.environment, {
    [SERVE_GATE_ENV.generation]: "2",
    [SERVE_GATE_ENV.publishedAt]: JSON.stringify({ mock: true, command: PUBLISH_MARKER_COMMAND }),
    [SERVE_GATE_ENV.waitSeconds]: "600",
    [SERVE_GATE_ENV.hostname]: "msgw1.example.com",
  });

  const done = await runPool(args(undefined, 2));
  assert.deepEqual(
    tlsaRecords(done)
      .filter((r) => r.name.startsWith("pool-msgw1-"))
      .map((r) => r.name),
    ["pool-msgw1-tlsa-g2"],
  );
  assert.equal(
    opensslSpkiSha256(certificateOf(done, "msgw1.example.com")),
    hashOf(done, "pool-msgw1-tlsa-g2"),
  );
});

test("legacy gateway: TLSA from its certificate while migrating", async () => {
  const pem = execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "/dev/null",
      "-days",
      "1",
      "-subj",
      "/CN=msgw.example.com",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  const plan = await runPool(
    baseArgs({
      legacy: { hostname: "msgw-old.example.com", address: "198.51.100.7", phase: "migrating" },
      dane: { enabled: true, legacyPublicKeyPem: pem },
    }),
  );
  const legacy = tlsaRecords(plan).find(
    (r) => r.name === "pool-legacy-msgw-old-tlsa",
  ) as PlannedResource;
  assert.equal(legacy.inputs.name, "_25._tcp.msgw-old.example.com");
  assert.equal((legacy.inputs.data as { certificate: string }).certificate, opensslSpkiSha256(pem));
  assert.equal(
    tlsaSha256(
      new X509Certificate(pem).publicKey.export({ type: "spki", format: "pem" }) as string,
    ),
    opensslSpkiSha256(pem),
  );
  const without = await runPool(
    baseArgs({
      legacy: { hostname: "msgw-old.example.com", address: "198.51.100.7", phase: "migrating" },
      dane: { enabled: true },
    }),
  );
  assert.match(
    String(without.outputs.runbook),
    /The legacy gateway msgw-old\.example\.com has no TLSA record: mail that still reaches it is not protected by DANE/,
  );
});

// Each row: a configuration DANE cannot protect and the exact error.
const refused: Array<[string, GatewayPoolArgs, string[]]> = [
  [
    "gateway-lets-encrypt",
    baseArgs({ certificates: { mode: "gateway-lets-encrypt" }, dane: { enabled: true } }),
    [
      'dane.enabled is true but certificates.mode is "gateway-lets-encrypt": the gateway creates that key itself and renews it with a new key, so the pool cannot publish or roll its TLSA record. Use certificates.mode "pool-ca" or "self-signed" with DANE',
    ],
  ],
  [
    "host outside the signed zone",
    baseArgs({ hosts: [{ hostname: "msgw1.example.org" }], dane: { enabled: true } }),
    [
      'hosts[0].hostname "msgw1.example.org" is outside zone "example.com"; use a name ending in .example.com',
      'hosts[0].hostname "msgw1.example.org" is outside the signed zone "example.com": a sender validates its TLSA answer only in a signed zone, so DANE would not protect it. Use a name ending in .example.com, or turn dane off',
    ],
  ],
  [
    "mail domain outside the signed zone",
    baseArgs({ mailDomain: "journal.example.net", dane: { enabled: true } }),
    [
      'mailDomain "journal.example.net" is outside zone "example.com"; use a name ending in .example.com',
      'mailDomain "journal.example.net" is outside the signed zone "example.com": a sender validates its MX answer only in a signed zone, so DANE would not protect it. Use a name ending in .example.com, or turn dane off',
    ],
  ],
  [
    "TTL longer than the renewal window allows",
    baseArgs({ certificates: { earlyRenewalDays: 1 }, dane: { enabled: true, ttl: 86400 } }),
    [
      "dane.ttl 86400 makes a key rollover wait 172800 s (twice the TTL), longer than certificates.earlyRenewalDays (1 days): a rollover begun when the certificate falls due for renewal would outlast it. Lower dane.ttl or raise certificates.earlyRenewalDays",
    ],
  ],
  [
    "keys for an unknown host",
    baseArgs({ dane: { enabled: true, keys: { "msgw9.example.com": { generation: 2 } } } }),
    [
      'dane.keys.msgw9.example.com names no host of the pool; key generations are kept per host, so use one of "msgw1.example.com", "msgw2.example.com"',
    ],
  ],
  [
    "legacy key without a legacy gateway",
    baseArgs({
      dane: {
        enabled: true,
        legacyPublicKeyPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      },
    }),
    [
      "dane.legacyPublicKeyPem is set but there is no legacy gateway; remove it, or describe the old gateway in legacy",
    ],
  ],
  [
    "bad reporting address, bad generation, bad rollover step, unknown key",
    baseArgs({
      dane: {
        enabled: true,
        tlsReportingRua: ["tls@example.com"],
        keys: { "msgw1.example.com": { generation: 0, rollover: "now" as "serve" } },
        signing: "pool",
      } as GatewayPoolArgs["dane"],
    }),
    [
      'dane.tlsReportingRua[0] "tls@example.com" is not a TLS reporting address; give "mailto:tlsrpt@example.com" or an "https://" URL (RFC 8460 3), without "," or ";" or spaces',
      "dane.keys.msgw1.example.com.generation 0 is not a key generation; use a whole number from 1 (the first key) to 1000000",
      'dane.keys.msgw1.example.com.rollover "now" is not a rollover step; use "publish" or "serve"',
      "dane.signing is not an argument; the arguments here are enabled, dnssec, ttl, tlsReportingRua, legacyPublicKeyPem, keys",
    ],
  ],
];
for (const [what, args, problems] of refused) {
  test(`DANE refused at plan time: ${what}`, () => {
    assert.deepEqual(validateGatewayPoolArgs(args), problems);
  });
}

test("TLSA hash of a certificate equals openssl's SPKI SHA-256", () => {
  const pem = execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "/dev/null",
      "-days",
      "1",
      "-subj",
      "/CN=x.example.com",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  assert.equal(tlsaSha256(pem), opensslSpkiSha256(pem));
});

function sh(command: string, env: Record<string, string>) {
  const r = spawnSync("/bin/sh", ["-c", command], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("publish marker: records the time once and keeps it on every later run", () => {
  const first = sh(PUBLISH_MARKER_COMMAND, {});
  assert.equal(first.status, 0);
  assert.match(first.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  assert.ok(Math.abs(Date.parse(first.stdout.trim()) - Date.now()) < 5_000);
  const later = sh(PUBLISH_MARKER_COMMAND, { PULUMI_COMMAND_STDOUT: "2026-01-02T03:04:05Z" });
  assert.deepEqual(later, { status: 0, stdout: "2026-01-02T03:04:05Z", stderr: "" });
});

test("serve gate: passes when DANE starts or the key is unchanged; a new key waits 2 x TTL from its record's publication", () => {
  const env = (generation: string, publishedAt: string, previous?: string) => ({
    [SERVE_GATE_ENV.generation]: generation,
    [SERVE_GATE_ENV.publishedAt]: publishedAt,
    [SERVE_GATE_ENV.waitSeconds]: "600",
    [SERVE_GATE_ENV.hostname]: "msgw1.example.com",
    ...(previous === undefined ? {} : { PULUMI_COMMAND_STDOUT: previous }),
  });
  const just = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  assert.deepEqual(sh(serveGateCommand(), env("1", just)), { status: 0, stdout: "1", stderr: "" });
  assert.deepEqual(sh(serveGateCommand(), env("1", just, "1")), {
    status: 0,
    stdout: "1",
    stderr: "",
  });
  const early = sh(serveGateCommand(), env("2", just, "1"));
  assert.equal(early.status, 1);
  assert.equal(early.stdout, "");
  assert.equal(
    early.stderr,
    `DANE: msgw1.example.com may serve key generation 2 only once its TLSA record (published ${just}) has been cached by every sender, twice its TTL (600 s): wait until ${new Date(Date.parse(just) + 600_000).toISOString()}, then run pulumi up again\n`,
  );
  const old = new Date(Date.now() - 601_000).toISOString();
  assert.deepEqual(sh(serveGateCommand(), env("2", old, "1")), {
    status: 0,
    stdout: "2",
    stderr: "",
  });
  const unknown = sh(serveGateCommand(), env("2", "not a time", "1"));
  assert.equal(unknown.status, 1);
  assert.match(
    unknown.stderr,
    /no publication time for the TLSA record of key generation 2 of msgw1\.example\.com/,
  );
});

test("readinessGate.resolver: a DANE pool's gate asks that validating resolver; a bad address is refused", async () => {
  const plan = await runPool(
    baseArgs({ dane: { enabled: true }, readinessGate: { resolver: "10.0.0.53:5353" } }),
  );
  assert.deepEqual(
    ofType(plan, COMMAND)
      .filter((c) => c.name.endsWith("-ready"))
      .map((c) => /--dane require --resolver \S+/.exec(String(c.inputs.create))?.[0]),
    ["--dane require --resolver 10.0.0.53:5353", "--dane require --resolver 10.0.0.53:5353"],
  );
  assert.deepEqual(
    validateGatewayPoolArgs(baseArgs({ readinessGate: { resolver: "resolver.example" } })),
    [
      'readinessGate.resolver "resolver.example" must be an IP address with an optional port: "10.0.0.53", "10.0.0.53:5353" or "[2001:db8::53]:5353"',
    ],
  );
});
