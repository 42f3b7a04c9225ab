/**
 * Stand-in for the `aws` provider (@pulumi/aws 7.x, a bridge of hashicorp/terraform-provider-aws 6.x),
 * hand-written because no AWS account is reachable from the tests; one file per service under aws/. One
 * fake account (id {@link ACCOUNT_ID}) lives in the cloud directory, shared by every plugin process, so names
 * that are unique per account or region collide between stacks as they do in AWS.
 *
 * Rules are of two kinds, as in the real provider: schema validation (`check`, fails `pulumi preview`) and API
 * refusals (create/update, fail `pulumi up`). Each rule names its source. `replaceOn` lists the Terraform
 * `ForceNew`/`RequiresReplace` attributes of each resource (files under internal/service/ of
 * terraform-provider-aws); every per-resource `region` replaces (provider 6.x enhanced region support).
 */
import type { StandInPackage } from "./framework";
import { sdkVersion } from "./framework";
import { metricAlarm } from "./aws/cloudwatch";
import { lifecyclePolicy } from "./aws/dlm";
import { volume, volumeAttachment } from "./aws/ebs";
import { eip, instance } from "./aws/ec2";
import { identityFunctions } from "./aws/identity";
import { instanceProfile, role, rolePolicy, rolePolicyAttachment } from "./aws/iam";
import { getAmi } from "./aws/images";
import { kmsKey } from "./aws/kms";
import { getAvailabilityZones, getSubnet, getVpc } from "./aws/network";
import { bucket, bucketParts } from "./aws/s3";
import { securityGroup, sgRule } from "./aws/security-groups";
import { topic } from "./aws/sns";
import { association, parameter } from "./aws/ssm";

// The helpers tests and the engine tests use (engine.test.ts loads this file by path).
export { DEFAULT_EIP_QUOTA, instanceEvents } from "./aws/ec2";
export { CALLER_ROLE_ARN } from "./aws/identity";
export { publishImage, regionImages, type FakeImage } from "./aws/images";
export { putBucketObjects } from "./aws/s3";
export { ACCOUNT_ID, awsError, partitionOf } from "./aws/shared";
export { clearAssociationRunFailure, failAssociationRuns } from "./aws/ssm";

/** The aws stand-in package. */
export const awsPackage: StandInPackage = {
  name: "aws",
  version: sdkVersion("aws"),
  resources: [
    securityGroup,
    sgRule("ingress"),
    sgRule("egress"),
    role,
    rolePolicy,
    instanceProfile,
    parameter,
    instance,
    eip,
    volume,
    volumeAttachment,
    lifecyclePolicy,
    rolePolicyAttachment,
    association,
    metricAlarm,
    topic,
    kmsKey,
    bucket,
    ...bucketParts,
  ],
  functions: [getAmi, getAvailabilityZones, getVpc, getSubnet, ...identityFunctions],
};
