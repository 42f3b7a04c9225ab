/** Stand-in for AWS CloudWatch metric alarms; hand-written, no AWS is reachable here. */
import type { Failure } from "../framework";
import { UNKNOWN } from "../framework";
import { arn, awsError, lengthBetween, partitionOf, required, storedType } from "./shared";

const COMPARISON = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
];
const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

export const metricAlarm = storedType({
  token: "aws:cloudwatch/metricAlarm:MetricAlarm",
  kind: "alarm",
  // internal/service/cloudwatch/metric_alarm.go: alarm_name ForceNew.
  replaceOn: { name: "metric_alarm.go: alarm_name ForceNew" },
  computed: ["arn", "treatMissingData", "actionsEnabled"],
  autoName: { property: "name", maxLength: 255 },
  defaults: { treatMissingData: "missing", actionsEnabled: true },
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "comparisonOperator", "evaluationPeriods");
    lengthBetween(p, failures, "alarmDescription", 0, 1024);
    if (
      p.comparisonOperator !== undefined &&
      p.comparisonOperator !== UNKNOWN &&
      !COMPARISON.includes(p.comparisonOperator as string)
    ) {
      failures.push({
        property: "comparisonOperator",
        reason: `expected comparison_operator to be one of ${JSON.stringify(COMPARISON)}, got ${String(p.comparisonOperator)}`,
      });
    }
    if (
      p.statistic !== undefined &&
      p.statistic !== UNKNOWN &&
      !STATISTICS.includes(p.statistic as string)
    ) {
      failures.push({
        property: "statistic",
        reason: `expected statistic to be one of ${JSON.stringify(STATISTICS)}, got ${String(p.statistic)}`,
      });
    }
    if (typeof p.evaluationPeriods === "number" && p.evaluationPeriods < 1) {
      failures.push({
        property: "evaluationPeriods",
        reason: `expected evaluation_periods to be at least (1), got ${p.evaluationPeriods}`,
      });
    }
    // CloudWatch API PutMetricAlarm, Period: 10, 20, 30 or a multiple of 60.
    const period = p.period;
    if (typeof period === "number" && ![10, 20, 30].includes(period) && period % 60 !== 0) {
      failures.push({
        property: "period",
        reason: `must be 10, 20, 30 or a multiple of 60 seconds, got ${period}`,
      });
    }
    for (const k of ["alarmActions", "okActions", "insufficientDataActions"]) {
      const list = p[k];
      if (Array.isArray(list) && list.length > 5) {
        failures.push({
          property: k,
          reason: `at most 5 actions (CloudWatch API PutMetricAlarm), got ${list.length}`,
        });
      }
    }
    return failures;
  },
  make(p, _ctx, region) {
    const name = p.name as string;
    const refuse = (message: string) =>
      awsError(
        `creating CloudWatch Metric Alarm (${name})`,
        "CloudWatch",
        "PutMetricAlarm",
        400,
        "ValidationError",
        message,
      );
    for (const action of [
      ...((p.alarmActions as string[]) ?? []),
      ...((p.okActions as string[]) ?? []),
    ]) {
      const m = /^arn:([a-z-]+):automate:([a-z0-9-]+):ec2:(recover|stop|terminate|reboot)$/.exec(
        action,
      );
      if (m && m[1] !== partitionOf(region)) {
        throw refuse(
          `Invalid partition ${m[1]} specified. Only ${partitionOf(region)} is supported.`,
        );
      }
      if (m && m[2] !== region) {
        throw refuse(`Invalid region ${m[2]} specified. Only ${region} is supported.`);
      }
      if (m && m[3] === "recover" && p.metricName !== "StatusCheckFailed_System") {
        throw refuse(
          "The EC2 recover action is only supported on the StatusCheckFailed_System metric.",
        );
      }
      if (action.startsWith("arn:aws:sns:") && action.split(":")[3] !== region) {
        throw refuse(
          `Invalid region ${action.split(":")[3]} specified. Only ${region} is supported.`,
        );
      }
    }
    return { id: name, outs: { arn: arn("cloudwatch", region, `alarm:${name}`) } };
  },
});
