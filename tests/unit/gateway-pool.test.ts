import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { baseArgs, criticalPath, namesOf, ofType, runPool } from "../helpers/pool-harness";
import * as os from "node:os";
import * as path from "node:path";
import type { GatewayOutput } from "../../components";
import { validateInventory } from "../../components/config-sync";
import { ED25519_KEY_A } from "../lab/fixtures";

const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const INSTANCE = "aws:ec2/instance:Instance";
const EIP = "aws:ec2/eip:Eip";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const COMMAND = "command:local:Command";

test("two balanced AWS hosts: exact resources, records and hardening", async () => {
  const plan = await runPool(baseArgs());
  const counts: Record<string, number> = {};
  for (const r of plan.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  assert.deepEqual(counts, {
    "msgw:index:GatewayPool": 1,
    "aws:ec2/securityGroup:SecurityGroup": 2,
    [INGRESS]: 6,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,
    [INSTANCE]: 2,
    [EIP]: 2,
    // Per host: instance role with Session Manager, data volume and its attachment, settings
    // association, recovery and status alarms. Per pool: alarm topic, snapshot policy and its role.
    "aws:iam/role:Role": 3,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
    "aws:iam/instanceProfile:InstanceProfile": 2,
    "aws:ebs/volume:Volume": 2,
    "aws:ec2/volumeAttachment:VolumeAttachment": 2,
    "aws:ssm/association:Association": 2,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 4,
    "aws:sns/topic:Topic": 1,
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": 1,
    "tls:index/privateKey:PrivateKey": 3,
    "tls:index/selfSignedCert:SelfSignedCert": 1,
    "tls:index/certRequest:CertRequest": 2,
    "tls:index/locallySignedCert:LocallySignedCert": 2,
    [DNS]: 4,
    // The readiness gate of each active AWS host (before its MX record).
    [COMMAND]: 2,
  });
  // Every child is named after the pool and parented to it.
  const poolUrn = ofType(plan, "msgw:index:GatewayPool")[0].urn;
  for (const r of plan.resources.filter((r) => r.type !== "msgw:index:GatewayPool")) {
    assert.ok(r.name.startsWith("pool-"), r.name);
    assert.equal(r.parent, poolUrn, r.name);
  }

  const records = ofType(plan, DNS).map((r) => ({
    name: r.inputs.name,
    type: r.inputs.type,
    content: r.inputs.content,
    priority: r.inputs.priority,
    ttl: r.inputs.ttl,
    proxied: r.inputs.proxied,
    zoneId: r.inputs.zoneId,
  }));
  assert.deepEqual(
    records.sort((x, y) => `${x.type}${x.content}`.localeCompare(`${y.type}${y.content}`)),
    [
      {
        name: "msgw1.example.com",
        type: "A",
        content: "203.0.113.1",
        priority: undefined,
        ttl: 300,
        proxied: false,
        zoneId: "zone-123",
      },
      {
        name: "msgw2.example.com",
        type: "A",
        content: "203.0.113.2",
        priority: undefined,
        ttl: 300,
        proxied: false,
        zoneId: "zone-123",
      },
      {
        name: "msgw.example.com",
        type: "MX",
        content: "msgw1.example.com",
        priority: 0,
        ttl: 300,
        proxied: undefined,
        zoneId: "zone-123",
      },
      {
        name: "msgw.example.com",
        type: "MX",
        content: "msgw2.example.com",
        priority: 0,
        ttl: 300,
        proxied: undefined,
        zoneId: "zone-123",
      },
    ],
  );

  for (const instance of ofType(plan, INSTANCE)) {
    assert.deepEqual(instance.inputs.metadataOptions, {
      httpEndpoint: "enabled",
      httpPutResponseHopLimit: 1,
      httpTokens: "required",
    });
    const root = instance.inputs.rootBlockDevice as Record<string, unknown>;
    assert.equal(root.encrypted, true);
    assert.equal(root.volumeSize, 60);
    assert.equal(instance.inputs.instanceType, "t3.medium");
    assert.doesNotMatch(String(instance.inputs.userData), /PRIVATE KEY|BEGIN OPENSSH/);
  }
  for (const eip of ofType(plan, EIP)) assert.equal(eip.inputs.domain, "vpc");

  const ingress = ofType(plan, INGRESS)
    .filter((r) => r.name.startsWith("pool-msgw1-"))
    .map(
      (r) =>
        `${r.inputs.fromPort}-${r.inputs.toPort}/${r.inputs.ipProtocol} from ${r.inputs.cidrIpv4}`,
    )
    .sort();
  assert.deepEqual(ingress, [
    "110-110/tcp from 198.51.100.10/32",
    "25-25/tcp from 0.0.0.0/0",
    "8450-8450/tcp from 198.51.100.0/24",
  ]);

  assert.deepEqual(plan.outputs.mxRecords, [
    { preference: 0, target: "msgw1.example.com" },
    { preference: 0, target: "msgw2.example.com" },
  ]);
  assert.equal(
    plan.outputs.zoneFile,
    [
      "; Records owned by the MailStore Gateway pool for msgw.example.com (generated; do not edit by hand)",
      "$ORIGIN example.com.",
      "msgw1   300 IN A  203.0.113.1",
      "msgw2   300 IN A  203.0.113.2",
      "msgw    300 IN MX 0 msgw1.example.com.",
      "msgw    300 IN MX 0 msgw2.example.com.",
      "",
    ].join("\n"),
  );
  assert.deepEqual(plan.secretOutputs, ["certificatePrivateKeys"]);
});

test("gateway outputs carry the certificate for the host's own name and its SHA-256 fingerprint", async () => {
  const plan = await runPool(baseArgs());
  const gateways = plan.outputs.gateways as GatewayOutput[];
  assert.equal(gateways.length, 2);
  for (const [i, g] of gateways.entries()) {
    assert.equal(g.hostname, `msgw${i + 1}.example.com`);
    assert.equal(g.address, `203.0.113.${i + 1}`);
    assert.equal(g.state, "active");
    assert.equal(g.mxPreference, 0);
    const cert = new X509Certificate(g.certificatePem as string);
    assert.equal(cert.subject, `CN=msgw${i + 1}.example.com`);
    assert.equal(g.certificateSha256, cert.fingerprint256);
    assert.deepEqual(g.archivingProfile, {
      server: `msgw${i + 1}.example.com`,
      protocol: "POP3",
      port: 110,
      security: "STARTTLS",
      userName: "mbx-<32 hex> of the journal mailbox (same on every host after replication)",
      trust:
        'the pool CA "msgw.example.com gateway pool CA" (import it once on the MailStore Server machine)',
      ignoreCertificateErrors: false,
    });
  }
  const csr = ofType(plan, "tls:index/certRequest:CertRequest").map((r) => [
    (r.inputs.subject as { commonName: string }).commonName,
    r.inputs.dnsNames,
  ]);
  assert.deepEqual(csr.sort(), [
    ["msgw1.example.com", ["msgw1.example.com"]],
    ["msgw2.example.com", ["msgw2.example.com"]],
  ]);
});

test("tiered, explicit priority 0 and a draining host: MX only for active hosts, priorities kept", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", state: "draining" },
        { hostname: "msgw2.example.com" },
        { hostname: "msgw3.example.com", mxPriority: 0 },
      ],
      mx: { strategy: "tiered", priority: 5, step: 20, ttl: 120 },
    }),
  );
  assert.deepEqual(plan.outputs.mxRecords, [
    { preference: 0, target: "msgw3.example.com" },
    { preference: 25, target: "msgw2.example.com" },
  ]);
  assert.deepEqual(namesOf(plan, DNS), [
    "pool-msgw1-a",
    "pool-msgw2-a",
    "pool-msgw3-a",
    "pool-mx-msgw2",
    "pool-mx-msgw3",
  ]);
  const mx3 = ofType(plan, DNS).find((r) => r.name === "pool-mx-msgw3");
  assert.equal(mx3?.inputs.priority, 0);
  assert.equal(mx3?.inputs.ttl, 120);
  // The draining host keeps its instance, address and certificate.
  assert.deepEqual(namesOf(plan, INSTANCE), ["pool-msgw1", "pool-msgw2", "pool-msgw3"]);
  const gateways = plan.outputs.gateways as GatewayOutput[];
  assert.equal(gateways[0].state, "draining");
  assert.equal(gateways[0].mxPreference, null);
  assert.notEqual(gateways[0].certificatePem, null);
  assert.match(
    String(plan.outputs.runbook),
    /### msgw1\.example\.com \(draining\)\n\n1\. Install MailStore Gateway[^\n]*\n2\. Install this host's certificate[^\n]*\n3\. Draining: no MX record points here any more/,
  );
});

test("existing hosts in another facility: no AWS resources, A records point at the given addresses", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", existing: { address: "192.0.2.10" } },
        { hostname: "msgw2.dc2.example.com", existing: { address: "192.0.2.20" } },
      ],
      certificates: { mode: "self-signed" },
    }),
  );
  assert.deepEqual(ofType(plan, INSTANCE), []);
  assert.deepEqual(ofType(plan, "aws:ec2/securityGroup:SecurityGroup"), []);
  assert.deepEqual(namesOf(plan, "tls:index/selfSignedCert:SelfSignedCert"), [
    "pool-msgw1-cert",
    "pool-msgw2-dc2-cert",
  ]);
  const a = ofType(plan, DNS)
    .filter((r) => r.inputs.type === "A")
    .map((r) => [r.inputs.name, r.inputs.content]);
  assert.deepEqual(a.sort(), [
    ["msgw1.example.com", "192.0.2.10"],
    ["msgw2.dc2.example.com", "192.0.2.20"],
  ]);
});

test("gateway Let's Encrypt: no certificate resources, 80/tcp open to the world and nothing else added", async () => {
  const plan = await runPool(baseArgs({ certificates: { mode: "gateway-lets-encrypt" } }));
  assert.equal(plan.resources.filter((r) => r.type.startsWith("tls:")).length, 0);
  const http = ofType(plan, INGRESS)
    .filter((r) => r.inputs.fromPort === 80)
    .map((r) => [r.name, r.inputs.cidrIpv4]);
  assert.deepEqual(http.sort(), [
    ["pool-msgw1-in-http-0-0-0-0-0", "0.0.0.0/0"],
    ["pool-msgw2-in-http-0-0-0-0-0", "0.0.0.0/0"],
  ]);
  const gateways = plan.outputs.gateways as GatewayOutput[];
  assert.equal(gateways[0].certificatePem, null);
  assert.equal(gateways[0].certificateSha256, null);
  assert.equal(plan.outputs.caCertificatePem, undefined);
});

test("legacy gateway: migrating keeps its A record and is the replication source; retired removes it", async () => {
  const sshHostKey = ED25519_KEY_A;
  const migrating = await runPool(
    baseArgs({
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        sshHostKey,
      },
      configSync: { revision: 7, sshPublicKey: sshHostKey },
    }),
  );
  const legacyA = ofType(migrating, DNS).find((r) => r.name === "pool-legacy-msgw-a");
  assert.deepEqual(
    [legacyA?.inputs.name, legacyA?.inputs.type, legacyA?.inputs.content, legacyA?.inputs.proxied],
    ["msgw.example.com", "A", "198.51.100.5", false],
  );
  const commands = ofType(migrating, COMMAND)
    .filter((r) => !r.name.endsWith("-ready"))
    .map((r) => [r.name, r.inputs.create])
    .sort();
  assert.deepEqual(commands, [
    [
      "pool-config-snapshot",
      "npx --no-install msgw config snapshot --source msgw.example.com --revision 7 --first-up",
    ],
    [
      "pool-msgw1-config-restore",
      "npx --no-install msgw config restore --target msgw1.example.com --revision 7 --wait-for-snapshot",
    ],
    [
      "pool-msgw2-config-restore",
      "npx --no-install msgw config restore --target msgw2.example.com --revision 7 --wait-for-snapshot",
    ],
  ]);
  assert.match(
    String(migrating.outputs.runbook),
    /## Legacy gateway msgw\.example\.com \(migrating\)/,
  );
  assert.match(String(migrating.outputs.zoneFile), /\nmsgw    300 IN A  198\.51\.100\.5\n/);

  const retired = await runPool(
    baseArgs({
      legacy: { hostname: "msgw.example.com", address: "198.51.100.5", phase: "retired" },
    }),
  );
  assert.equal(
    ofType(retired, DNS).find((r) => r.name === "pool-legacy-msgw-a"),
    undefined,
  );
  assert.doesNotMatch(String(retired.outputs.zoneFile), /198\.51\.100\.5/);
  assert.match(
    String(retired.outputs.runbook),
    /## Legacy gateway msgw\.example\.com \(retired\)\n\n1\. The pool no longer manages its A record and never deletes it: the record stays in Cloudflare/,
  );
});

test("replication: SSH opened to admins only, pinned host keys via SSM, restores wait for their host", async () => {
  const plan = await runPool(
    baseArgs({
      configSync: {
        revision: "2026-11-28",
        sshPublicKey: `${ED25519_KEY_A} ops`,
      },
    }),
  );
  const ssh = ofType(plan, INGRESS)
    .filter((r) => r.inputs.fromPort === 22)
    .map((r) => r.inputs.cidrIpv4);
  assert.deepEqual(ssh, ["198.51.100.0/24", "198.51.100.0/24"]);
  const parameters = ofType(plan, "aws:ssm/parameter:Parameter").map((r) => [
    r.inputs.name,
    r.inputs.type,
    r.inputs.value,
  ]);
  assert.deepEqual(parameters.sort(), [
    ["/msgw/unit/pool/msgw1/ssh-host-key", "SecureString", "[secret]"],
    ["/msgw/unit/pool/msgw2/ssh-host-key", "SecureString", "[secret]"],
  ]);
  const restore = ofType(plan, COMMAND).find((r) => r.name === "pool-msgw2-config-restore");
  assert.ok(restore);
  const deps = restore.dependencies.map((u) => u.split("::").pop()).sort();
  assert.deepEqual(deps, [
    "pool-config-snapshot",
    // The pool's own store: the bucket (its name is in the inventory) and the settings the engine checks.
    "pool-config-store",
    "pool-config-store-encryption",
    "pool-config-store-public-access",
    "pool-config-store-tls-only",
    "pool-config-store-versioning",
    "pool-msgw2",
    "pool-msgw2-data-attachment",
    "pool-msgw2-eip",
    "pool-msgw2-ssh-host-key",
  ]);
  const env = restore.inputs.environment as Record<string, string>;
  const inventory = JSON.parse(env.MSGW_INVENTORY);
  assert.deepEqual(inventory.hosts["msgw2.example.com"], {
    address: "203.0.113.2",
    port: 22,
    username: "Administrator",
    privateKeyPath: "~/.ssh/id_ed25519",
    hostKey: inventory.hosts["msgw2.example.com"].hostKey,
    platform: "windows",
    dataDir: "C:\\ProgramData\\MailStore\\Gateway",
    serviceName: "MailStoreGateway",
    // A host the pool creates: waited for while it boots and installs the gateway (configSync.bootWaitSeconds).
    bootWaitSeconds: 2040,
    serviceWaitSeconds: 1800,
    // The instance id: the boot wait ends once the store has seen this instance answer.
    generation: inventory.hosts["msgw2.example.com"].generation,
    // Where a timed-out boot wait reads the host's first-boot step (SSM Run Command).
    bootStep: {
      instanceArn: inventory.hosts["msgw2.example.com"].bootStep.instanceArn,
      file: "C:\\ProgramData\\msgw\\bootstrap.step",
    },
  });
  assert.match(inventory.hosts["msgw2.example.com"].generation, /^i-[0-9a-f]{17}$/);
  assert.equal(
    inventory.hosts["msgw2.example.com"].bootStep.instanceArn,
    `arn:aws:ec2:eu-central-1:123456789012:instance/${inventory.hosts["msgw2.example.com"].generation}`,
  );
  assert.match(
    inventory.hosts["msgw2.example.com"].hostKey,
    /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA[0-9a-f]{40}$/,
  );
  assert.deepEqual(Object.keys(inventory.hosts), ["msgw2.example.com"]);
  // The replication engine accepts exactly this inventory (the contract between wiring and CLI).
  const accepted = validateInventory(inventory, "/work");
  assert.equal(accepted.hosts["msgw2.example.com"].bootWaitSeconds, 2040);
  assert.equal(accepted.hosts["msgw2.example.com"].connectTimeoutSeconds, 20);
  assert.equal(
    accepted.hosts["msgw2.example.com"].privateKeyPath,
    path.join(os.homedir(), ".ssh/id_ed25519"),
  );
  // With AWS hosts the snapshots live in the pool's own bucket, not on the machine running pulumi up.
  assert.deepEqual(accepted.store, {
    kind: "s3",
    bucket: inventory.store.bucket,
    region: "us-east-1",
    prefix: "",
  });
  assert.match(inventory.store.bucket, /^pool-msgw-config-[0-9a-f]{26}$/);
  const triggers = restore.inputs.triggers as string[];
  assert.equal(triggers.length, 3);
  assert.equal(triggers[0], "2026-11-28");
  // The snapshot's stdout (its manifest; the mocks echo the command) re-triggers every restore.
  assert.equal(
    triggers[1],
    '{"mock":true,"command":"npx --no-install msgw config snapshot --source msgw1.example.com --revision 2026-11-28 --first-up"}',
  );
  assert.match(triggers[2], /^i-[0-9a-f]{17}$/);
  assert.equal(restore.inputs.logging, "stderr");
  // Only the source's manifest enters state, never content or keys.
  assert.doesNotMatch(JSON.stringify(restore.inputs), /PRIVATE KEY|mock OpenSSH private key/);
});

test("child names are keyed by host name: removing or reordering hosts leaves the others untouched", async () => {
  const three = baseArgs({
    hosts: [
      { hostname: "msgw1.example.com" },
      { hostname: "msgw2.example.com" },
      { hostname: "msgw3.example.com" },
    ],
  });
  const before = new Set((await runPool(three)).resources.map((r) => `${r.type}::${r.name}`));
  const reordered = new Set(
    (
      await runPool({ ...three, hosts: [three.hosts[2], three.hosts[0], three.hosts[1]] })
    ).resources.map((r) => `${r.type}::${r.name}`),
  );
  assert.deepEqual([...reordered].sort(), [...before].sort());
  const removed = new Set(
    (await runPool({ ...three, hosts: [three.hosts[0], three.hosts[2]] })).resources.map(
      (r) => `${r.type}::${r.name}`,
    ),
  );
  const gone = [...before].filter((n) => !removed.has(n)).map((n) => n.split("::")[1]);
  assert.ok(gone.length > 0);
  assert.ok(
    gone.every((n) => n.startsWith("pool-msgw2-") || n === "pool-msgw2" || n === "pool-mx-msgw2"),
    gone.join(","),
  );
  assert.deepEqual(
    [...removed].filter((n) => !before.has(n)),
    [],
  );
});

test("the deployment graph is wide: the critical path does not grow with the number of hosts", async () => {
  const hosts = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ hostname: `msgw${i + 1}.example.com` }));
  const sync = {
    revision: 1,
    sshPublicKey: ED25519_KEY_A,
  };
  const two = criticalPath(
    await runPool(baseArgs({ hosts: hosts(2), configSync: sync }), { realCertificates: false }),
  );
  const eight = criticalPath(
    await runPool(baseArgs({ hosts: hosts(8), configSync: sync }), { realCertificates: false }),
  );
  assert.equal(two, eight);
  // Instance, attachment, restore, readiness gate, MX record: the gate adds two links to the path.
  assert.ok(two <= 10, `critical path ${two}`);
});

test("bad arguments fail before any child resource is registered, naming the argument", async () => {
  await assert.rejects(
    runPool(baseArgs({ hosts: [{ hostname: "msgw.example.com" }] })),
    (err: Error) => {
      assert.equal(
        err.message.split("\n").slice(0, 2).join("\n"),
        'GatewayPool "pool": invalid arguments:\nhosts[0].hostname "msgw.example.com" equals mailDomain; give each gateway its own name (msgw1.example.com) and let MX records carry the mail domain',
      );
      return true;
    },
  );
});
