// I/O (Pulumi resources): the data volumes' snapshot policies (Data Lifecycle Manager) and their service role.
import * as pulumi from "@pulumi/pulumi";
import * as dlm from "@pulumi/aws/dlm";
import * as iam from "@pulumi/aws/iam";
import { BACKUP_TAG } from "./data-volume";
import { backupTagValue, type BackupPlan } from "../plan/backup";
import { serviceAssumeRolePolicy } from "../plan/iam-policies";
import { IAM_ROLE_NAME_MAX, iamNaming } from "../plan/aws-rules";

/**
 * One Data Lifecycle Manager policy per region with AWS hosts, snapshotting every volume tagged
 * `msgw:backup=<stack>/<pool>`, and the service role it runs as. Child names: `<pool>-backup-role`,
 * `<pool>-backup-role-policy`, `<pool>-backup` (provider region) or `<pool>-backup-<region>`.
 */
export function createBackups(input: {
  name: string;
  stack: string;
  plan: BackupPlan;
  /** Distinct host regions; `undefined` is the provider's region. */
  regions: Array<string | undefined>;
  tags: Record<string, string>;
  /** Partition of the pool's regions, for the managed policy's ARN. */
  partition: pulumi.Input<string>;
  parent: pulumi.Resource;
}): Map<string | undefined, dlm.LifecyclePolicy> {
  const opts = { parent: input.parent };
  const role = new iam.Role(
    `${input.name}-backup-role`,
    {
      ...iamNaming(`${input.name}-backup-role`, IAM_ROLE_NAME_MAX),
      assumeRolePolicy: serviceAssumeRolePolicy("dlm.amazonaws.com"),
      tags: input.tags,
    },
    opts,
  );
  const attachment = new iam.RolePolicyAttachment(
    `${input.name}-backup-role-policy`,
    {
      role: role.name,
      policyArn: pulumi.interpolate`arn:${input.partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole`,
    },
    opts,
  );
  const policies = new Map<string | undefined, dlm.LifecyclePolicy>();
  for (const region of input.regions) {
    policies.set(
      region,
      new dlm.LifecyclePolicy(
        region === undefined ? `${input.name}-backup` : `${input.name}-backup-${region}`,
        {
          // DLM API, CreateLifecyclePolicy: Description and schedule Name allow only [0-9A-Za-z _-].
          description: "MailStore Gateway pool mail data volumes",
          executionRoleArn: role.arn,
          state: "ENABLED",
          region,
          policyDetails: {
            resourceTypes: ["VOLUME"],
            targetTags: { [BACKUP_TAG]: backupTagValue(input.stack, input.name) },
            schedules: [
              {
                name: `every ${input.plan.intervalHours} hours`,
                createRule: {
                  interval: input.plan.intervalHours,
                  intervalUnit: "HOURS",
                  times: input.plan.startTime,
                },
                retainRule: { count: input.plan.retainCount },
                copyTags: true,
              },
            ],
          },
          tags: input.tags,
        },
        { parent: input.parent, dependsOn: [attachment] },
      ),
    );
  }
  return policies;
}
