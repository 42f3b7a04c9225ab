// The replication store as the GatewayPool component builds it (under mocks): with AWS hosts a private,
// versioned, encrypted bucket of its own; a named bucket or a local folder only when asked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateInventory } from "../../../components/config-sync";
import { validateGatewayPoolArgs } from "../../../components/gateway-pool/validate";
import { baseArgs, ofType, runPool } from "../../helpers/pool-harness";
import { ED25519_KEY_A as KEY } from "../../lab/fixtures";

const sync = { revision: 3, sshPublicKey: KEY };
const names = (plan: Awaited<ReturnType<typeof runPool>>, prefix: string) =>
  plan.resources
    .filter((r) => r.type.startsWith(prefix))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
const one = (plan: Awaited<ReturnType<typeof runPool>>, type: string) => {
  const r = ofType(plan, type);
  assert.equal(r.length, 1, type);
  return r[0].inputs;
};

test("AWS hosts with configSync: the pool's own bucket is private, versioned, encrypted, TLS-only, with lifecycle rules", async () => {
  const plan = await runPool(baseArgs({ configSync: sync }), { realCertificates: false });
  assert.deepEqual(names(plan, "aws:s3/"), [
    "aws:s3/bucket:Bucket pool-config-store",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration pool-config-store-lifecycle",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls pool-config-store-ownership",
    "aws:s3/bucketPolicy:BucketPolicy pool-config-store-tls-only",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock pool-config-store-public-access",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration pool-config-store-encryption",
    "aws:s3/bucketVersioning:BucketVersioning pool-config-store-versioning",
  ]);
  const bucket = one(plan, "aws:s3/bucket:Bucket");
  assert.equal(bucket.bucketPrefix, "pool-msgw-config-");
  assert.equal(bucket.forceDestroy, false);
  assert.deepEqual(
    { ...one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"), bucket: undefined },
    {
      bucket: undefined,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
  );
  assert.deepEqual(one(plan, "aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration, {
    status: "Enabled",
  });
  assert.deepEqual(
    one(
      plan,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ).rules,
    [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
  );
  assert.deepEqual(one(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule, {
    objectOwnership: "BucketOwnerEnforced",
  });
  assert.deepEqual(
    one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules,
    [
      {
        id: "expire-backups",
        status: "Enabled",
        filter: { prefix: "backups/" },
        expiration: { days: 365 },
      },
      {
        id: "expire-old-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 90 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ],
  );
  const policy = JSON.parse(String(one(plan, "aws:s3/bucketPolicy:BucketPolicy").policy));
  assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
  assert.equal(policy.Statement[0].Effect, "Deny");

  // The operator's inventory (a stack output): the same store, host keys of AWS hosts, no boot wait.
  const inv = plan.outputs.configSyncInventory as {
    store: Record<string, unknown>;
    hosts: Record<string, Record<string, unknown>>;
  };
  assert.deepEqual(inv.store, {
    kind: "s3",
    bucket: inv.store.bucket,
    region: "us-east-1",
    prefix: "",
  });
  assert.match(String(inv.store.bucket), /^pool-msgw-config-[0-9a-f]{26}$/);
  assert.deepEqual(Object.keys(inv.hosts), ["msgw1.example.com", "msgw2.example.com"]);
  for (const h of Object.values(inv.hosts)) {
    assert.match(String(h.hostKey), /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA[0-9a-f]{40}$/);
    assert.equal(h.bootWaitSeconds, undefined, "an operator's status fails fast");
  }
  const accepted = validateInventory(inv, "/");
  assert.equal(accepted.hosts["msgw1.example.com"].bootWaitSeconds, 0);
});

test("store: a named bucket is used as given (no bucket created); a local folder only when asked", async () => {
  const named = await runPool(
    baseArgs({
      configSync: {
        ...sync,
        store: { kind: "s3", bucket: "ops-msgw", region: "eu-west-1", prefix: "prod/" },
      },
    }),
    { realCertificates: false },
  );
  assert.deepEqual(names(named, "aws:s3/"), []);
  assert.deepEqual((named.outputs.configSyncInventory as { store: unknown }).store, {
    kind: "s3",
    bucket: "ops-msgw",
    region: "eu-west-1",
    prefix: "prod/",
  });

  const local = await runPool(
    baseArgs({ configSync: { ...sync, store: { kind: "local" }, backupDirectory: "/srv/msgw" } }),
    { realCertificates: false },
  );
  assert.deepEqual(names(local, "aws:s3/"), []);
  assert.deepEqual((local.outputs.configSyncInventory as { store: unknown }).store, {
    kind: "local",
    path: "/srv/msgw",
  });

  // A pool of existing machines has no AWS provider to make a bucket: the local folder stays the default.
  const existing = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", existing: { address: "192.0.2.10", sshHostKey: KEY } },
        { hostname: "msgw2.example.com", existing: { address: "192.0.2.20", sshHostKey: KEY } },
      ],
      certificates: { mode: "self-signed" },
      configSync: sync,
    }),
    { realCertificates: false },
  );
  assert.deepEqual(names(existing, "aws:s3/"), []);
  assert.deepEqual((existing.outputs.configSyncInventory as { store: unknown }).store, {
    kind: "local",
    path: ".msgw/backups",
  });
});

test("bad store arguments name the field, the value and the fix", () => {
  const problems = (store: unknown, hosts?: unknown) =>
    validateGatewayPoolArgs(
      baseArgs({
        ...(hosts ? { hosts: hosts as never } : {}),
        configSync: { ...sync, store: store as never },
      }),
    ).filter((p) => p.startsWith("configSync.store"));
  assert.deepEqual(problems({ kind: "ftp" }), [
    'configSync.store.kind "ftp" must be "s3" (a bucket: the pool\'s own, or {kind:"s3",bucket,region}) or "local" (a folder on the machine running pulumi up)',
  ]);
  assert.deepEqual(problems({ kind: "s3", bucket: "b" }), [
    "configSync.store.region is required with store.bucket; give the bucket's region",
  ]);
  assert.deepEqual(problems({ kind: "s3", prefix: "prod" }), [
    'configSync.store.prefix "prod" must be empty or folder names ending in "/", e.g. "prod/"',
  ]);
  assert.deepEqual(problems({ kind: "local", path: "" }), [
    'configSync.store.path "" must be a folder path',
  ]);
  assert.deepEqual(
    problems({ kind: "s3" }, [
      { hostname: "msgw1.example.com", existing: { address: "192.0.2.10", sshHostKey: KEY } },
    ]),
    [
      'configSync.store: the pool has no AWS host, so it creates no bucket; name one (store.bucket and store.region) or use {kind:"local"}',
    ],
  );
});
