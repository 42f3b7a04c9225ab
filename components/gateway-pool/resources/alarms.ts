import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sns from "@pulumi/aws/sns";
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
 * moved to healthy hardware) and notifies the topic; `<base>-instance-check`, the instance status check
 * (the Windows guest itself) failing for 5 minutes notifies the topic, since only an administrator can
 * tell a hung guest from a long update.
 */
export function createHostAlarms(input: {
  base: string;
  hostname: string;
  instanceId: pulumi.Input<string>;
  topic: sns.Topic;
  region: string | undefined;
  tags: Record<string, string>;
  lookups: PoolLookups;
  parent: pulumi.Resource;
}): cloudwatch.MetricAlarm[] {
  const opts = { parent: input.parent };
  const partition = input.lookups.partition();
  const region = input.lookups.regionName(input.region);
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
        alarmDescription: `${input.hostname}: system status check failed; EC2 recovers the instance onto healthy hardware`,
        metricName: "StatusCheckFailed_System",
        evaluationPeriods: 2,
        alarmActions: [
          pulumi.interpolate`arn:${partition}:automate:${region}:ec2:recover`,
          input.topic.arn,
        ],
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
