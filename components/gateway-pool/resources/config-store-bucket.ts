// I/O (Pulumi resources): the pool's own S3 bucket for configuration snapshots.
import * as pulumi from "@pulumi/pulumi";
import type * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { configBucketPrefix } from "../plan/aws-rules";

/** The S3 bucket that keeps configuration snapshots and pre-restore backups. */
export interface ConfigStoreBucket {
  bucket: pulumi.Output<string>;
  region: pulumi.Output<string>;
  /** Versioning, encryption, public-access block and policy: what replication waits for before first use. */
  ready: pulumi.Resource[];
}

/** How long the lifecycle rules keep things (days). */
export const CONFIG_STORE_RETENTION = {
  /** Pre-restore backups (`backups/`) expire after this many days; snapshots never expire. */
  backupDays: 365,
  /** Overwritten or deleted object versions are kept this long (versioning is the undo). */
  noncurrentVersionDays: 90,
  /** Incomplete multipart uploads are aborted after this many days. */
  abortMultipartDays: 7,
} as const;

/**
 * A private, versioned, encrypted bucket for `msgw config` snapshots and backups: public access blocked
 * (all four settings), object ownership enforced (no ACLs), SSE-KMS by default with a bucket key, a
 * policy that refuses plain-HTTP requests, and lifecycle rules (backups expire, old versions expire,
 * stale multipart uploads are aborted). Snapshots are kept: a replaced source host gets its
 * configuration back from them. Child names: `<pool>-config-store*`. The bucket is retained when the
 * pool is destroyed (`retainOnDelete`): its backups outlive the hosts they came from.
 */
export function createConfigStoreBucket(
  name: string,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): ConfigStoreBucket {
  const opts = { parent };
  const base = `${name}-config-store`;
  const bucket = new s3.Bucket(
    base,
    {
      // A legal bucket-name prefix whatever the pool name (S3 bucket naming rules; see configBucketPrefix).
      bucketPrefix: configBucketPrefix(name),
      forceDestroy: false,
      tags: { ...tags, "msgw:pool": name, "msgw:purpose": "config-sync snapshots and backups" },
    },
    { ...opts, retainOnDelete: true },
  );
  new s3.BucketOwnershipControls(
    `${base}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  const publicAccess = new s3.BucketPublicAccessBlock(
    `${base}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  const versioning = new s3.BucketVersioning(
    `${base}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    opts,
  );
  const encryption = new s3.BucketServerSideEncryptionConfiguration(
    `${base}-encryption`,
    {
      bucket: bucket.id,
      rules: [
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true },
      ],
    },
    opts,
  );
  new s3.BucketLifecycleConfiguration(
    `${base}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-backups",
          status: "Enabled",
          filter: { prefix: "backups/" },
          expiration: { days: CONFIG_STORE_RETENTION.backupDays },
        },
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: {
            noncurrentDays: CONFIG_STORE_RETENTION.noncurrentVersionDays,
          },
          abortIncompleteMultipartUpload: {
            daysAfterInitiation: CONFIG_STORE_RETENTION.abortMultipartDays,
          },
        },
      ],
    },
    opts,
  );
  const policy = new s3.BucketPolicy(
    `${base}-tls-only`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyPlainHttp",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      } satisfies iam.PolicyDocument),
    },
    // The public-access block must exist first: S3 evaluates a new policy against it.
    { ...opts, dependsOn: [publicAccess] },
  );
  return {
    bucket: bucket.id,
    region: bucket.region,
    ready: [versioning, encryption, publicAccess, policy],
  };
}
