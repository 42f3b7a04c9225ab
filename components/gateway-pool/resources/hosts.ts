// I/O (Pulumi resources): every host's machine (an EC2 instance the pool creates, or an existing one), the alarm topic
// of each region with AWS hosts, and the data volumes' snapshot policies.
import type * as pulumi from "@pulumi/pulumi";
import type * as dlm from "@pulumi/aws/dlm";
import type * as sns from "@pulumi/aws/sns";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import { backupTagValue } from "../plan/backup";
import { createAlarmTopics } from "./alarms";
import { createAwsHost } from "./aws-host";
import { createBackups } from "./backup";
import { existingHost } from "./existing-host";
import { PoolLookups } from "./lookups";
import type { WiredHost } from "./wired-host";

/** What {@link createHosts} gives back. */
export interface PoolMachines {
  /** One per planned host, in plan order. */
  hosts: WiredHost[];
  /** SNS topic per region with AWS hosts (`undefined`: the provider's region). */
  topics: Map<string | undefined, sns.Topic>;
  /** Snapshot policy per region; undefined with backups off or without AWS hosts. */
  backupPolicies: Map<string | undefined, dlm.LifecyclePolicy> | undefined;
}

/**
 * The hosts, in parallel: nothing in one host waits for another. Lookups (image, default VPC, zones,
 * partition) run once per pool and region.
 */
export function createHosts(input: {
  name: string;
  stack: string;
  plan: GatewayPoolPlan;
  parent: pulumi.Resource;
}): PoolMachines {
  const { name, stack, plan, parent } = input;
  const awsRegions = [
    ...new Set(plan.hosts.filter((h) => h.placement === "aws").map((h) => h.region)),
  ];
  const awsTags = { ...plan.aws.tags, "msgw:pool": name };
  const topics = createAlarmTopics({ name, regions: awsRegions, tags: awsTags, parent });
  const backupTag = plan.backup ? backupTagValue(stack, name) : undefined;
  const lookups = new PoolLookups(parent);
  const hosts: WiredHost[] = plan.hosts.map((host) => {
    if (host.placement === "existing") return { plan: host, machine: existingHost(host) };
    const alarmTopic = topics.get(host.region);
    if (alarmTopic === undefined) throw new Error(`no alarm topic for region ${host.region}`);
    return {
      plan: host,
      machine: createAwsHost({
        name,
        stack,
        host,
        plan,
        backupTag,
        alarmTopic,
        lookups,
        parent,
      }),
    };
  });
  const backupPolicies =
    plan.backup && awsRegions.length > 0
      ? createBackups({
          name,
          stack,
          plan: plan.backup,
          regions: awsRegions,
          tags: awsTags,
          // IAM is global per partition: that of the hosts' regions (one partition per pool).
          partition: lookups.partition(awsRegions.find((r) => r !== undefined)),
          parent,
        })
      : undefined;
  return { hosts, topics, backupPolicies };
}
