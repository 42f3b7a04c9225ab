// Pure: IAM and KMS policy documents and the names they refer to.
import type * as iam from "@pulumi/aws/iam";
import { arnAccount, arnPartition } from "../../schema";

/** The trust policy of a role a service assumes (`ec2.amazonaws.com`, `dlm.amazonaws.com`). */
export function serviceAssumeRolePolicy(service: string): string {
  const policy: iam.PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  };
  return JSON.stringify(policy);
}

/**
 * Managed policy that lets Session Manager (shell, Fleet Manager RDP, Run Command, associations) reach a
 * host, in the partition of the host's region (an `arn:aws:` policy does not exist in GovCloud or China).
 */
export const ssmCorePolicyArn = (partition: string): string =>
  `arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`;

/**
 * SSM parameter name of a host's pinned SSH host key. Stack, pool and host are all part of it: parameter
 * names are unique per account and region, so `dev` and `prod` of one pool in one account must differ
 * (else the second stack fails with ParameterAlreadyExists).
 */
export function sshHostKeyParameterName(stack: string, pool: string, hostKey: string): string {
  return `/msgw/${stack}/${pool}/${hostKey}/ssh-host-key`;
}

/**
 * Key administration, listed action by action (KMS API reference): no `kms:Create*` (it holds
 * `kms:CreateGrant`, a way to hand out decryption), no use of the key (`Encrypt`, `Decrypt`,
 * `ReEncrypt*`, `GenerateDataKey*`). `PutKeyPolicy` stays: KMS refuses a policy that nobody may change
 * again, and the account must be able to repair the policy if every deployer role is gone.
 */
export const KEY_ADMIN_ACTIONS = [
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

/** What the deployers and the host do with the key, only through SSM. */
const DEPLOYER_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"];

/**
 * The KMS key policy of a host key. Partition and account come from the host's role ARN (the key lives
 * beside it), never from whoever runs `pulumi up`, so the policy is the same for every deployer:
 * - the account administers the key ({@link KEY_ADMIN_ACTIONS}) but can neither use it nor grant its
 *   use, so no IAM policy in the account can open the parameter to anyone else;
 * - the deployer roles administer it too (a role in another account gets nothing from the account
 *   statement) and encrypt and decrypt through SSM (the AWS provider reads the SecureString back
 *   decrypted on create, refresh, import and preview);
 * - the host's instance role decrypts through SSM only.
 * Throws when `instanceRoleArn` is not an IAM role ARN.
 */
export function hostKeyPolicy(input: {
  instanceRoleArn: string;
  deployerRoleArns: string[];
  /** Partition of the host's region; default: the role ARN's. */
  partition?: string;
}): string {
  const partition = input.partition ?? arnPartition(input.instanceRoleArn);
  const accountId = arnAccount(input.instanceRoleArn);
  if (partition === undefined || accountId === undefined)
    throw new Error(`${JSON.stringify(input.instanceRoleArn)} is not an IAM role ARN`);
  // Service endpoints in China end in amazonaws.com.cn.
  const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  const viaSsm = { StringLike: { "kms:ViaService": `ssm.*.${dnsSuffix}` } };
  const deployers = [...input.deployerRoleArns].sort();
  const policy: iam.PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersButDoesNotUse",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: KEY_ADMIN_ACTIONS,
        Resource: "*",
      },
      {
        Sid: "DeployersAdminister",
        Effect: "Allow",
        Principal: { AWS: deployers },
        Action: KEY_ADMIN_ACTIONS,
        Resource: "*",
      },
      {
        Sid: "DeployersWriteAndReadThroughSsm",
        Effect: "Allow",
        Principal: { AWS: deployers },
        Action: DEPLOYER_USE,
        Resource: "*",
        Condition: viaSsm,
      },
      {
        Sid: "InstanceRoleReadsThroughSsm",
        Effect: "Allow",
        Principal: { AWS: input.instanceRoleArn },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: viaSsm,
      },
    ],
  };
  return JSON.stringify(policy);
}
