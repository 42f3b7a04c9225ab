// Pure: the IAM policy `pulumi up` needs for a pool, from the AWS resource types the representative pool
// registers: each type maps to the API actions its provider calls to create, read, update, tag and delete
// it (Service Authorization Reference, "Actions defined by <service>"). A type missing here fails the
// reference test, so a new kind of child cannot ship without its permissions.
import type { PlannedResource } from "../offline-plan";

const tagged = (service: string, ...actions: string[]) => actions.map((a) => `${service}:${a}`);

/** Actions per resource type token. */
export const ACTIONS_BY_TYPE: Record<string, string[]> = {
  "aws:ec2/instance:Instance": tagged(
    "ec2",
    "RunInstances",
    "TerminateInstances",
    "StartInstances",
    "StopInstances",
    "ModifyInstanceAttribute",
    "ModifyInstanceMetadataOptions",
    "DescribeInstances",
    "DescribeInstanceAttribute",
    "DescribeInstanceTypes",
    "DescribeInstanceCreditSpecifications",
    "DescribeVolumes",
    "DescribeTags",
    "CreateTags",
    "DeleteTags",
  ),
  "aws:ec2/eip:Eip": tagged(
    "ec2",
    "AllocateAddress",
    "ReleaseAddress",
    "AssociateAddress",
    "DisassociateAddress",
    "DescribeAddresses",
    "DescribeAddressesAttribute",
  ),
  "aws:ebs/volume:Volume": tagged(
    "ec2",
    "CreateVolume",
    "DeleteVolume",
    "ModifyVolume",
    "DescribeVolumes",
  ),
  "aws:ec2/volumeAttachment:VolumeAttachment": tagged("ec2", "AttachVolume", "DetachVolume"),
  "aws:ec2/securityGroup:SecurityGroup": tagged(
    "ec2",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "DescribeSecurityGroups",
    "RevokeSecurityGroupEgress",
  ),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": tagged(
    "ec2",
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
    "ModifySecurityGroupRules",
    "DescribeSecurityGroupRules",
  ),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": tagged(
    "ec2",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupEgress",
    "ModifySecurityGroupRules",
    "DescribeSecurityGroupRules",
  ),
  "aws:iam/role:Role": tagged(
    "iam",
    "CreateRole",
    "DeleteRole",
    "GetRole",
    "UpdateRole",
    "UpdateAssumeRolePolicy",
    "TagRole",
    "UntagRole",
    "ListRolePolicies",
    "ListAttachedRolePolicies",
    "ListInstanceProfilesForRole",
    "PassRole",
  ),
  "aws:iam/rolePolicy:RolePolicy": tagged(
    "iam",
    "PutRolePolicy",
    "GetRolePolicy",
    "DeleteRolePolicy",
  ),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": tagged(
    "iam",
    "AttachRolePolicy",
    "DetachRolePolicy",
  ),
  "aws:iam/instanceProfile:InstanceProfile": tagged(
    "iam",
    "CreateInstanceProfile",
    "DeleteInstanceProfile",
    "GetInstanceProfile",
    "AddRoleToInstanceProfile",
    "RemoveRoleFromInstanceProfile",
    "TagInstanceProfile",
    "UntagInstanceProfile",
  ),
  "aws:kms/key:Key": tagged(
    "kms",
    "CreateKey",
    "DescribeKey",
    "GetKeyPolicy",
    "PutKeyPolicy",
    "GetKeyRotationStatus",
    "EnableKeyRotation",
    "ListResourceTags",
    "TagResource",
    "UntagResource",
    "ScheduleKeyDeletion",
    // The provider reads the SecureString back decrypted (the key policy names the deploying principal).
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
  ),
  "aws:ssm/parameter:Parameter": tagged(
    "ssm",
    "PutParameter",
    "GetParameter",
    "GetParameters",
    "DeleteParameter",
    "DescribeParameters",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "ListTagsForResource",
  ),
  "aws:ssm/association:Association": tagged(
    "ssm",
    "CreateAssociation",
    "DescribeAssociation",
    "UpdateAssociation",
    "DeleteAssociation",
    "ListAssociations",
    "DescribeAssociationExecutions",
    "DescribeAssociationExecutionTargets",
    "DescribeInstanceInformation",
  ),
  "aws:cloudwatch/metricAlarm:MetricAlarm": tagged(
    "cloudwatch",
    "PutMetricAlarm",
    "DescribeAlarms",
    "DeleteAlarms",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
  ),
  "aws:sns/topic:Topic": tagged(
    "sns",
    "CreateTopic",
    "DeleteTopic",
    "GetTopicAttributes",
    "SetTopicAttributes",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
  ),
  "aws:dlm/lifecyclePolicy:LifecyclePolicy": tagged(
    "dlm",
    "CreateLifecyclePolicy",
    "GetLifecyclePolicy",
    "UpdateLifecyclePolicy",
    "DeleteLifecyclePolicy",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
  ),
  // The provider reads every sub-configuration of a bucket on refresh.
  "aws:s3/bucket:Bucket": tagged(
    "s3",
    "CreateBucket",
    "DeleteBucket",
    "ListBucket",
    "GetBucket*",
    "Get*Configuration",
    "PutBucketTagging",
  ),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": tagged(
    "s3",
    "PutBucketOwnershipControls",
  ),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": tagged(
    "s3",
    "PutBucketPublicAccessBlock",
  ),
  "aws:s3/bucketVersioning:BucketVersioning": tagged("s3", "PutBucketVersioning"),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": tagged(
    "s3",
    "PutEncryptionConfiguration",
  ),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": tagged(
    "s3",
    "PutLifecycleConfiguration",
  ),
  "aws:s3/bucketPolicy:BucketPolicy": tagged("s3", "PutBucketPolicy", "DeleteBucketPolicy"),
};

/** Actions of the data sources the pool reads (AMI, subnet, VPC, zones, caller identity, role). */
export const LOOKUP_ACTIONS = [
  "ec2:DescribeImages",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcs",
  "ec2:DescribeAvailabilityZones",
  "sts:GetCallerIdentity",
  "iam:GetRole",
];

/** Replication (`msgw config`, run by `pulumi up`) writes snapshots to the pool's bucket. */
export const REPLICATION_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:ListBucket",
  "s3:GetObjectVersion",
];

/** AWS resource types of the plan that have no entry in {@link ACTIONS_BY_TYPE}. */
export function unmappedTypes(resources: readonly PlannedResource[]): string[] {
  return [...new Set(resources.map((r) => r.type))].filter(
    (t) => t.startsWith("aws:") && ACTIONS_BY_TYPE[t] === undefined,
  );
}

/** The policy document: one statement per service, actions sorted, on all resources of the account. */
export function iamPolicy(resources: readonly PlannedResource[]): Record<string, unknown> {
  const actions = new Set<string>([...LOOKUP_ACTIONS, ...REPLICATION_ACTIONS]);
  for (const r of resources) for (const a of ACTIONS_BY_TYPE[r.type] ?? []) actions.add(a);
  const byService = new Map<string, string[]>();
  for (const a of [...actions].sort()) {
    const service = a.split(":")[0];
    byService.set(service, [...(byService.get(service) ?? []), a]);
  }
  return {
    Version: "2012-10-17",
    Statement: [...byService.entries()].map(([service, list]) => ({
      Sid: `Msgw${service.charAt(0).toUpperCase()}${service.slice(1)}`,
      Effect: "Allow",
      Action: list,
      Resource: "*",
    })),
  };
}
