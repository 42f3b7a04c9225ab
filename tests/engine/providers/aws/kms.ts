/** Stand-in for AWS KMS keys; hand-written, no AWS is reachable here. */
import type { Failure, Props } from "../framework";
import { hex, UNKNOWN } from "../framework";
import { CALLER_ARN, CALLER_ROLE_ARN } from "./identity";
import { ACCOUNT_ID, arn, awsError, forceNew, lengthBetween, regionOf, storedType } from "./shared";

/** Whether a key policy still lets the account (or the caller) change it (KMS lockout safety check). */
function keepsPolicyAdmin(policy: string, region: string): boolean {
  void region;
  let doc: { Statement?: Props[] | Props };
  try {
    doc = JSON.parse(policy);
  } catch {
    return false;
  }
  const statements = Array.isArray(doc.Statement)
    ? doc.Statement
    : doc.Statement
      ? [doc.Statement]
      : [];
  const admins = [`arn:aws:iam::${ACCOUNT_ID}:root`, ACCOUNT_ID, CALLER_ROLE_ARN, CALLER_ARN];
  return statements.some((st) => {
    if (st.Effect !== "Allow") return false;
    const actions = ([] as unknown[]).concat(st.Action ?? []) as string[];
    const allows = actions.some(
      (a) =>
        a === "*" ||
        a === "kms:*" ||
        a === "kms:PutKeyPolicy" ||
        (a.endsWith("*") && "kms:PutKeyPolicy".startsWith(a.slice(0, -1))),
    );
    const principal = st.Principal as Props | string | undefined;
    const aws =
      typeof principal === "string"
        ? [principal]
        : ([] as unknown[]).concat((principal as Props | undefined)?.AWS ?? []);
    return allows && (aws as string[]).some((x) => x === "*" || admins.includes(x));
  });
}

export const kmsKey = storedType({
  token: "aws:kms/key:Key",
  kind: "kms",
  // internal/service/kms/key.go: customer_master_key_spec, key_usage, multi_region, custom_key_store_id,
  // xks_key_id ForceNew.
  replaceOn: forceNew("kms/key.go", [
    "customerMasterKeySpec",
    "keyUsage",
    "multiRegion",
    "customKeyStoreId",
    "xksKeyId",
  ]),
  computed: [
    "arn",
    "keyId",
    "policy",
    "customerMasterKeySpec",
    "keyUsage",
    "multiRegion",
    "rotationPeriodInDays",
    "description",
  ],
  defaults: { isEnabled: true },
  check(p) {
    const failures: Failure[] = [];
    const w = p.deletionWindowInDays;
    if (typeof w === "number" && (w < 7 || w > 30)) {
      failures.push({
        property: "deletionWindowInDays",
        reason: `expected deletion_window_in_days to be in the range (7 - 30), got ${w}`,
      });
    }
    lengthBetween(p, failures, "description", 0, 8192);
    const policy = p.policy;
    if (typeof policy === "string" && policy !== UNKNOWN && policy.length > 32768) {
      failures.push({
        property: "policy",
        reason: `a key policy is at most 32 KB (KMS quotas), got ${policy.length} characters`,
      });
    }
    return failures;
  },
  make(p, _ctx, region) {
    const policy = p.policy as string | undefined;
    if (
      policy !== undefined &&
      !p.bypassPolicyLockoutSafetyCheck &&
      !keepsPolicyAdmin(policy, region)
    ) {
      throw awsError(
        "creating KMS Key",
        "KMS",
        "CreateKey",
        400,
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
      );
    }
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`;
    return {
      id,
      outs: {
        arn: arn("kms", region, `key/${id}`),
        keyId: id,
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        multiRegion: false,
        rotationPeriodInDays: p.enableKeyRotation ? 365 : undefined,
        policy:
          policy ??
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "Enable IAM User Permissions",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
                Action: "kms:*",
                Resource: "*",
              },
            ],
          }),
      },
    };
  },
  modify(id, _olds, news, ctx) {
    const policy = news.policy as string | undefined;
    if (
      policy !== undefined &&
      !news.bypassPolicyLockoutSafetyCheck &&
      !keepsPolicyAdmin(policy, regionOf(news, ctx))
    ) {
      throw awsError(
        `updating KMS Key (${id}) policy`,
        "KMS",
        "PutKeyPolicy",
        400,
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
      );
    }
    return policy !== undefined ? { policy } : {};
  },
});
