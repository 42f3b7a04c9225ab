// The KMS key policy of the SSH host-key parameters: deployers named in config (aws.deployerRoleArns),
// the account limited to key administration, decryption for the host role and the deployers only, and
// nothing that depends on who runs `pulumi up` (no caller lookup, so previews plan no policy change).
import { test } from "node:test";
import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { GatewayPool, validateGatewayPoolArgs } from "../../components";
import { hostKeyPolicy, KEY_ADMIN_ACTIONS } from "../../components/gateway-pool/plan/iam-policies";
import { PoolMocks } from "../../tools/mocks";
import { planOffline } from "../../tools/offline-plan";
import { baseArgs } from "../helpers/pool-harness";

const DEPLOYERS = [
  "arn:aws:iam::123456789012:role/msgw-deployer",
  "arn:aws:iam::210987654321:role/ci/github-actions-deploy",
];
const VIA_SSM = { StringLike: { "kms:ViaService": "ssm.*.amazonaws.com" } };
const ADMIN = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/** Mocks that answer identity lookups as `caller` and record every function the program calls. */
class CallerMocks extends PoolMocks {
  readonly calls: string[] = [];
  constructor(private readonly caller: string) {
    super();
  }
  override call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    this.calls.push(args.token);
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity")
      return { accountId: "123456789012", arn: this.caller, userId: "X", id: "123456789012" };
    if (args.token === "aws:iam/getSessionContext:getSessionContext")
      return {
        arn: this.caller,
        issuerArn: this.caller.replace(/:sts::(\d+):assumed-role\/([^/]+)\/.*/, ":iam::$1:role/$2"),
        id: "s",
      };
    return super.call(args);
  }
}

async function keyPolicyAs(caller: string) {
  const mocks = new CallerMocks(caller);
  const plan = await planOffline(
    () => {
      new GatewayPool(
        "pool",
        baseArgs({
          hosts: [{ hostname: "msgw1.example.com" }],
          configSync: { revision: 1 },
          aws: { deployerRoleArns: DEPLOYERS },
        }),
      );
      return {};
    },
    { project: "test", stack: "unit", mocks },
  );
  const key = plan.resources.find((r) => r.name === "pool-msgw1-host-key-kms");
  assert.ok(key);
  return { policy: JSON.parse(String(key.inputs.policy)) as unknown, calls: mocks.calls };
}

test("host-key KMS policy: exact document; the account administers without using or granting", async () => {
  const { policy } = await keyPolicyAs("arn:aws:sts::123456789012:assumed-role/alice/alice");
  assert.deepEqual(KEY_ADMIN_ACTIONS, ADMIN);
  assert.deepEqual(policy, {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersButDoesNotUse",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: ADMIN,
        Resource: "*",
      },
      {
        Sid: "DeployersAdminister",
        Effect: "Allow",
        Principal: { AWS: DEPLOYERS },
        Action: ADMIN,
        Resource: "*",
      },
      {
        Sid: "DeployersWriteAndReadThroughSsm",
        Effect: "Allow",
        Principal: { AWS: DEPLOYERS },
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: VIA_SSM,
      },
      {
        Sid: "InstanceRoleReadsThroughSsm",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:role/pool-msgw1-role" },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: VIA_SSM,
      },
    ],
  });
});

test("host-key KMS policy: the same whoever deploys (no caller lookup at all)", async () => {
  const alice = await keyPolicyAs("arn:aws:sts::123456789012:assumed-role/alice/alice");
  const ci = await keyPolicyAs("arn:aws:sts::123456789012:assumed-role/ci-preview/run-42");
  assert.deepEqual(alice.policy, ci.policy);
  assert.deepEqual(
    alice.calls.filter((t) => /getCallerIdentity|getSessionContext/.test(t)),
    [],
  );
});

test("host-key KMS policy: partition and account come from the host's role (GovCloud, China)", () => {
  for (const [partition, account] of [
    ["aws-us-gov", "111122223333"],
    ["aws-cn", "444455556666"],
  ]) {
    const doc = JSON.parse(
      hostKeyPolicy({
        instanceRoleArn: `arn:${partition}:iam::${account}:role/pool-msgw1-role`,
        deployerRoleArns: [`arn:${partition}:iam::${account}:role/deployer`],
      }),
    ) as { Statement: Array<{ Principal: { AWS: unknown }; Condition?: unknown }> };
    // SSM's endpoints in China end in amazonaws.com.cn: the condition must name them.
    assert.deepEqual(
      [
        ...new Set(
          doc.Statement.flatMap((s) => (s.Condition ? [JSON.stringify(s.Condition)] : [])),
        ),
      ],
      [
        JSON.stringify({
          StringLike: {
            "kms:ViaService":
              partition === "aws-cn" ? "ssm.*.amazonaws.com.cn" : "ssm.*.amazonaws.com",
          },
        }),
      ],
    );
    assert.deepEqual(
      doc.Statement.map((s) => s.Principal.AWS),
      [
        `arn:${partition}:iam::${account}:root`,
        [`arn:${partition}:iam::${account}:role/deployer`],
        [`arn:${partition}:iam::${account}:role/deployer`],
        `arn:${partition}:iam::${account}:role/pool-msgw1-role`,
      ],
    );
  }
});

test("aws.deployerRoleArns: required with configSync and an AWS host; bad values refused with the fix", () => {
  const withSync = (aws: Record<string, unknown> | undefined) => {
    const args = { ...baseArgs({ configSync: { revision: 1 } }), aws } as never;
    return validateGatewayPoolArgs(args);
  };
  assert.deepEqual(withSync(undefined), [
    'aws.deployerRoleArns is missing; with configSync, each AWS host\'s SSH host key is an SSM parameter under a KMS key that only the host and the deployers may use (the AWS provider decrypts it on every refresh and preview): give the IAM role(s) that run pulumi up, preview and refresh, e.g. ["arn:aws:iam::123456789012:role/msgw-deployer"]',
  ]);
  // Not needed without configSync (no host keys), nor for a pool of existing machines.
  assert.deepEqual(validateGatewayPoolArgs({ ...baseArgs(), aws: undefined }), []);
  assert.deepEqual(
    withSync({
      deployerRoleArns: [
        "arn:aws:sts::123456789012:assumed-role/msgw-deployer/alice",
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam::123456789012:role/ok",
        "arn:aws:iam::123456789012:role/ok",
        "arn:aws-cn:iam::123456789012:role/china",
      ],
    }),
    [
      'aws.deployerRoleArns[0] "arn:aws:sts::123456789012:assumed-role/msgw-deployer/alice" is an STS session, which expires; a key policy names the role itself: "arn:aws:iam::123456789012:role/msgw-deployer" (with its path, if it has one)',
      'aws.deployerRoleArns[1] "arn:aws:iam::123456789012:user/alice" is an IAM user, not a role; give the role your deployments assume (a person or CI job assumes it)',
      'aws.deployerRoleArns[2] "arn:aws:iam::12345:role/x" is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>, name 1-64 of A-Za-z0-9+=,.@_- per IAM); give one such as "arn:aws:iam::123456789012:role/msgw-deployer"',
      'aws.deployerRoleArns[4] "arn:aws:iam::123456789012:role/ok" is listed twice',
      "aws.deployerRoleArns mixes partitions (aws, aws-cn); a KMS key lives in one partition and only roles of that partition can use it",
    ],
  );
  assert.deepEqual(withSync({ deployerRoleArns: [] }), [
    'aws.deployerRoleArns is empty; name at least one role that deploys, e.g. ["arn:aws:iam::123456789012:role/msgw-deployer"]',
  ]);
  assert.deepEqual(withSync({ deployerRoleArns: "arn:aws:iam::123456789012:role/ok" }), [
    'aws.deployerRoleArns "arn:aws:iam::123456789012:role/ok" is not a list of IAM role ARNs; give e.g. ["arn:aws:iam::123456789012:role/msgw-deployer"]',
  ]);
});
