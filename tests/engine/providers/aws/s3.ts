/** Stand-in for AWS S3 buckets and their configuration parts; hand-written, no AWS reachable here. */
import type { Cloud } from "../context";
import type { Failure, Props, ResourceType } from "../framework";
import { hex, UNKNOWN } from "../framework";
import { checkPolicyJson } from "./iam";
import { awsError, claimName, forceNew, load, releaseName, required, storedType } from "./shared";

// S3: bucket names are global across all of AWS (S3 User Guide, "Bucket naming rules").
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (!BUCKET_NAME.test(name))
    problems.push(
      "3 to 63 characters of a-z, 0-9, . and -, beginning and ending with a letter or digit",
    );
  if (/\.\./.test(name)) problems.push("no two adjacent periods");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push("not formatted as an IP address");
  if (
    /^(xn--|sthree-|amzn-s3-demo-)/.test(name) ||
    /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)
  ) {
    problems.push("no reserved prefix or suffix");
  }
  return problems;
}

export const bucket = storedType({
  token: "aws:s3/bucket:Bucket",
  kind: "bucket",
  // internal/service/s3/bucket.go: bucket, bucket_prefix, object_lock_enabled ForceNew.
  replaceOn: forceNew("s3/bucket.go", ["bucket", "bucketPrefix", "objectLockEnabled"]),
  computed: [
    "arn",
    "bucketDomainName",
    "bucketRegionalDomainName",
    "hostedZoneId",
    "region",
    "bucketPrefix",
    "objectLockEnabled",
    "forceDestroy",
    "bucket",
  ],
  defaults: { forceDestroy: false },
  check(p) {
    const failures: Failure[] = [];
    const name = p.bucket;
    if (typeof name === "string" && name !== UNKNOWN) {
      for (const problem of bucketNameProblems(name)) {
        failures.push({
          property: "bucket",
          reason: `invalid bucket name ${JSON.stringify(name)}: ${problem} (S3 bucket naming rules)`,
        });
      }
    }
    return failures;
  },
  make(p, ctx, region) {
    // Pulumi auto-names buckets in lower case: `<name>-<7 hex>`.
    const name =
      (p.bucket as string | undefined) ??
      `${ctx.urn.split("::").pop()?.toLowerCase().slice(0, 55)}-${hex(7)}`;
    const problems = bucketNameProblems(name);
    if (problems.length) {
      throw awsError(
        `creating S3 Bucket (${name})`,
        "S3",
        "CreateBucket",
        400,
        "InvalidBucketName",
        "The specified bucket is not valid.",
      );
    }
    if (!claimName(ctx.cloud, "s3", name, name)) {
      throw awsError(
        `creating S3 Bucket (${name})`,
        "S3",
        "CreateBucket",
        409,
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
      );
    }
    return {
      id: name,
      outs: {
        bucket: name,
        arn: `arn:aws:s3:::${name}`,
        bucketDomainName: `${name}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        hostedZoneId: "Z21DNDUVLTQW6Q",
        region,
      },
    };
  },
  remove(id, state, ctx) {
    const objects = ctx.cloud.get<{ count: number }>("aws-bucket-objects", id)?.count ?? 0;
    if (objects > 0 && !state.forceDestroy) {
      throw awsError(
        `deleting S3 Bucket (${id})`,
        "S3",
        "DeleteBucket",
        409,
        "BucketNotEmpty",
        "The bucket you tried to delete is not empty. You must delete all versions in the bucket.",
      );
    }
    releaseName(ctx.cloud, "s3", id);
  },
});

/** Marks a bucket as holding `count` objects (what a backup run wrote), for BucketNotEmpty tests. */
export function putBucketObjects(cloud: Cloud, bucketName: string, count: number): void {
  cloud.put("aws-bucket-objects", bucketName, { count });
}

/** A bucket sub-resource (versioning, policy, ...): needs the bucket; `bucket` replaces. */
function bucketPart(
  token: string,
  kind: string,
  file: string,
  check?: ResourceType["check"],
): ResourceType {
  return storedType({
    token,
    kind,
    replaceOn: forceNew(file, ["bucket", "expectedBucketOwner"]),
    computed: [],
    check(p, ctx) {
      const failures: Failure[] = [];
      required(p, failures, "bucket");
      failures.push(...(check?.(p, ctx) ?? []));
      return failures;
    },
    make(p, ctx) {
      const name = p.bucket as string;
      if (!load(ctx, "bucket", name)) {
        throw awsError(
          `creating S3 ${kind} (${name})`,
          "S3",
          "Put",
          404,
          "NoSuchBucket",
          "The specified bucket does not exist",
        );
      }
      return { id: name, outs: {} };
    },
  });
}

export const bucketParts: ResourceType[] = [
  bucketPart(
    "aws:s3/bucketVersioning:BucketVersioning",
    "bucket-versioning",
    "s3/bucket_versioning.go",
    (p) => {
      const status = (p.versioningConfiguration as Props | undefined)?.status;
      return status !== undefined &&
        status !== UNKNOWN &&
        !["Enabled", "Suspended", "Disabled"].includes(status as string)
        ? [
            {
              property: "versioningConfiguration.status",
              reason: `expected status to be one of ["Enabled" "Suspended" "Disabled"], got ${String(status)}`,
            },
          ]
        : [];
    },
  ),
  bucketPart("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy", "s3/bucket_policy.go", (p) => {
    const failures: Failure[] = [];
    // S3 quotas: a bucket policy is at most 20 KB.
    checkPolicyJson(p, failures, "policy", 20480);
    return failures;
  }),
  bucketPart(
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "bucket-pab",
    "s3/bucket_public_access_block.go",
  ),
  bucketPart(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "bucket-encryption",
    "s3/bucket_server_side_encryption_configuration.go",
    (p) => {
      // The provider's schema: sse_algorithm is one of AES256, aws:kms, aws:kms:dsse.
      const allowed = ["AES256", "aws:kms", "aws:kms:dsse"];
      const rules = Array.isArray(p.rules) ? (p.rules as Props[]) : [];
      const failures: Failure[] = [];
      if (p.rules !== UNKNOWN && rules.length === 0)
        failures.push({ property: "rules", reason: "at least 1 rule is required" });
      rules.forEach((r, i) => {
        const alg = (r?.applyServerSideEncryptionByDefault as Props | undefined)?.sseAlgorithm;
        if (alg !== undefined && alg !== UNKNOWN && !allowed.includes(alg as string))
          failures.push({
            property: `rules[${i}].applyServerSideEncryptionByDefault.sseAlgorithm`,
            reason: `expected sse_algorithm to be one of ${JSON.stringify(allowed)}, got ${String(alg)}`,
          });
      });
      return failures;
    },
  ),
  bucketPart(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "bucket-lifecycle",
    "s3/bucket_lifecycle_configuration.go",
    (p) => {
      // S3 API, PutBucketLifecycleConfiguration: 1-1000 rules, ids at most 255 characters, status
      // Enabled or Disabled, day counts positive.
      const rules = Array.isArray(p.rules) ? (p.rules as Props[]) : [];
      const failures: Failure[] = [];
      if (p.rules !== UNKNOWN && (rules.length === 0 || rules.length > 1000))
        failures.push({ property: "rules", reason: "between 1 and 1000 rules are required" });
      rules.forEach((r, i) => {
        if (typeof r?.id === "string" && (r.id.length === 0 || r.id.length > 255))
          failures.push({ property: `rules[${i}].id`, reason: "must be 1 to 255 characters" });
        if (r?.status !== UNKNOWN && !["Enabled", "Disabled"].includes(r?.status as string))
          failures.push({
            property: `rules[${i}].status`,
            reason: `expected status to be one of ["Enabled" "Disabled"], got ${String(r?.status)}`,
          });
        const days = [
          (r?.expiration as Props | undefined)?.days,
          (r?.noncurrentVersionExpiration as Props | undefined)?.noncurrentDays,
          (r?.abortIncompleteMultipartUpload as Props | undefined)?.daysAfterInitiation,
        ];
        for (const d of days)
          if (typeof d === "number" && (!Number.isInteger(d) || d < 1))
            failures.push({
              property: `rules[${i}]`,
              reason: `day counts must be positive whole numbers, got ${d}`,
            });
      });
      return failures;
    },
  ),
  bucketPart(
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "bucket-ownership",
    "s3/bucket_ownership_controls.go",
    (p) => {
      const v = (p.rule as Props | undefined)?.objectOwnership;
      const allowed = ["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"];
      return v !== undefined && v !== UNKNOWN && !allowed.includes(v as string)
        ? [
            {
              property: "rule.objectOwnership",
              reason: `expected object_ownership to be one of ${JSON.stringify(allowed)}, got ${String(v)}`,
            },
          ]
        : [];
    },
  ),
  bucketPart(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "bucket-sse",
    "s3/bucket_server_side_encryption_configuration.go",
  ),
  bucketPart(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "bucket-lifecycle",
    "s3/bucket_lifecycle_configuration.go",
    (p) => {
      const failures: Failure[] = [];
      const rules = (p.rules as Props[] | undefined) ?? [];
      // S3 API PutBucketLifecycleConfiguration: at most 1,000 rules; rule ID up to 255 characters.
      if (rules.length > 1000)
        failures.push({ property: "rules", reason: `at most 1000 rules, got ${rules.length}` });
      rules.forEach((r, i) => {
        if (typeof r.id === "string" && r.id.length > 255)
          failures.push({
            property: `rules[${i}].id`,
            reason: `at most 255 characters, got ${r.id.length}`,
          });
        if (
          r.status !== undefined &&
          r.status !== UNKNOWN &&
          !["Enabled", "Disabled"].includes(r.status as string)
        ) {
          failures.push({
            property: `rules[${i}].status`,
            reason: `expected status to be one of ["Enabled" "Disabled"], got ${String(r.status)}`,
          });
        }
      });
      return failures;
    },
  ),
];
