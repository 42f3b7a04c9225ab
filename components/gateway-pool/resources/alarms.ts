// I/O (Pulumi resources): the alarm topics and each AWS host's recovery and status alarms.
import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sns from "@pulumi/aws/sns";
import { recoverActionSupported } from "../plan/aws-rules";
import type { PoolLookups } from "./lookups";

/**
 * One SNS topic per region with AWS hosts (alarm actions must be in the alarm's region); operators
 * subscribe to it. Child names: `<pool>-alarms` (provider region) or `<pool>-alarms-<region>`.
 */
export function createAlarmTopics(input: {
  name: string;
  regions: Array<string | undefined>;
  tags: Record<string, string>;
  parent: pulumi.Resource;
}): Map<string | undefined, sns.Topic> {
  const topics = new Map<string | undefined, sns.Topic>();
  for (const region of input.regions) {
    topics.set(
      region,
      new sns.Topic(
        region === undefined ? `${input.name}-alarms` : `${input.name}-alarms-${region}`,
        { region, tags: input.tags },
        { parent: input.parent },
      ),
    );
  }
  return topics;
}

/**
 * Per host: `<base>-recover`, the system status check (hardware, network, power of the underlying host)
 * failing for 2 minutes triggers EC2 automatic recovery (same instance id, addresses and EBS volumes,
 * moved to healthy hardware) and notifies the topic (only notifies for a type EC2 cannot recover,
 * see `recoverActionSupported`); `<base>-instance-check`, the instance status check
 * (the Windows guest itself) failing for 5 minutes notifies the topic, since only an administrator can
 * tell a hung guest from a long update.
 */
export function createHostAlarms(input: {
  base: string;
  hostname: string;
  instanceId: pulumi.Input<string>;
  /** Decides whether EC2 can recover the instance (`recoverActionSupported`). */
  instanceType: pulumi.Input<string>;
  topic: sns.Topic;
  region: string | undefined;
  tags: Record<string, string>;
  /** Partition and name of the host's region (the recover action's ARN), looked up once per pool. */
  lookups: PoolLookups;
  parent: pulumi.Resource;
}): cloudwatch.MetricAlarm[] {
  const opts = { parent: input.parent };
  // EC2 refuses the recover action for instance types it cannot recover (instance store, bare metal):
  // such a host's alarm only notifies.
  const recoverable = pulumi.output(input.instanceType).apply(recoverActionSupported);
  const partition = input.lookups.partition(input.region);
  const regionName = input.lookups.regionName(input.region);
  const common = {
    namespace: "AWS/EC2",
    statistic: "Maximum",
    period: 60,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    dimensions: { InstanceId: input.instanceId },
    region: input.region,
    tags: input.tags,
  };
  return [
    new cloudwatch.MetricAlarm(
      `${input.base}-recover`,
      {
        ...common,
        alarmDescription: recoverable.apply((yes) =>
          yes
            ? `${input.hostname}: system status check failed; EC2 recovers the instance onto healthy hardware`
            : `${input.hostname}: system status check failed; EC2 cannot recover this instance type (instance store or bare metal): stop and start it`,
        ),
        metricName: "StatusCheckFailed_System",
        evaluationPeriods: 2,
        alarmActions: pulumi
          .all([recoverable, partition, regionName, input.topic.arn])
          .apply(([yes, p, r, topic]) =>
            yes ? [`arn:${p}:automate:${r}:ec2:recover`, topic] : [topic],
          ),
        okActions: [input.topic.arn],
      },
      opts,
    ),
    new cloudwatch.MetricAlarm(
      `${input.base}-instance-check`,
      {
        ...common,
        alarmDescription: `${input.hostname}: instance status check failed (Windows itself); see the runbook`,
        metricName: "StatusCheckFailed_Instance",
        evaluationPeriods: 5,
        alarmActions: [input.topic.arn],
        okActions: [input.topic.arn],
      },
      opts,
    ),
  ];
}
