// Pure: the monthly cost of a pool's AWS resources at the code's defaults: quantities from the defaults
// table and from what the representative pool registers per AWS host, times list prices stated here with
// their source. Prices vary by region and change: the table says which ones it assumed.
import { GATEWAY_DEFAULTS } from "../../components/gateway-pool/plan/pool-plan";
import type { PlannedResource } from "../offline-plan";
import { table } from "./markdown";

/** Hours in the month AWS bills by (730 = 8760 / 12). */
export const HOURS_PER_MONTH = 730;

/** List prices assumed (USD, region us-east-1), each with where it is published. */
export const PRICES = {
  region: "us-east-1",
  /** t3.medium, Windows (license included), On-Demand, per hour. */
  instanceHour: { "t3.medium": 0.06 } as Record<string, number>,
  instanceSource:
    "Amazon EC2 On-Demand Pricing, Windows, https://aws.amazon.com/ec2/pricing/on-demand/",
  /** gp3 storage, per GiB-month (3000 IOPS and 125 MB/s included). */
  gp3GiBMonth: 0.08,
  ebsSource: "Amazon EBS pricing, https://aws.amazon.com/ebs/pricing/",
  /** EBS snapshot storage (standard tier), per GiB-month of stored blocks. */
  snapshotGiBMonth: 0.05,
  /** Public IPv4 address (an Elastic IP in use included), per hour. */
  publicIpv4Hour: 0.005,
  ipv4Source: "Amazon VPC pricing, public IPv4 addresses, https://aws.amazon.com/vpc/pricing/",
  /** Customer managed KMS key, per month. */
  kmsKeyMonth: 1.0,
  kmsSource: "AWS KMS pricing, https://aws.amazon.com/kms/pricing/",
  /** Standard-resolution metric alarm, per month. */
  alarmMonth: 0.1,
  alarmSource: "Amazon CloudWatch pricing, alarms, https://aws.amazon.com/cloudwatch/pricing/",
} as const;

/** One line of the cost table. */
export interface CostLine {
  item: string;
  perHost: number;
  unit: string;
  monthlyPerHost: number;
  note: string;
}

const count = (resources: readonly PlannedResource[], type: string, awsHosts: number) =>
  resources.filter((r) => r.type === type).length / awsHosts;

/**
 * The cost lines per AWS host at the defaults. `resources` is what the representative pool registered
 * (with `awsHosts` AWS hosts and replication on), so the number of keys and alarms per host is the code's.
 */
export function costLines(resources: readonly PlannedResource[], awsHosts: number): CostLine[] {
  const d = GATEWAY_DEFAULTS;
  const hourly = PRICES.instanceHour[d.instanceType];
  const snapshots = d.backup.retainCount;
  return [
    {
      item: `EC2 instance ${d.instanceType}, Windows`,
      perHost: count(resources, "aws:ec2/instance:Instance", awsHosts),
      unit: `$${hourly}/hour × ${HOURS_PER_MONTH} h`,
      monthlyPerHost:
        hourly * HOURS_PER_MONTH * count(resources, "aws:ec2/instance:Instance", awsHosts),
      note: "On-Demand; a Savings Plan or reserved instance costs less",
    },
    {
      item: `root volume, gp3 ${d.rootVolumeGiB} GiB`,
      perHost: 1,
      unit: `$${PRICES.gp3GiBMonth}/GiB-month`,
      monthlyPerHost: d.rootVolumeGiB * PRICES.gp3GiBMonth,
      note: "`aws.rootVolumeGiB`",
    },
    {
      item: `mail data volume, gp3 ${d.dataVolumeGiB} GiB`,
      perHost: count(resources, "aws:ebs/volume:Volume", awsHosts),
      unit: `$${PRICES.gp3GiBMonth}/GiB-month`,
      monthlyPerHost:
        d.dataVolumeGiB * PRICES.gp3GiBMonth * count(resources, "aws:ebs/volume:Volume", awsHosts),
      note: "`aws.dataVolumeGiB`; kept after the host is removed until you delete it",
    },
    {
      item: `data volume snapshots (${snapshots} kept, every ${d.backup.intervalHours} h)`,
      perHost: snapshots,
      unit: `$${PRICES.snapshotGiBMonth}/GiB-month stored`,
      monthlyPerHost: d.dataVolumeGiB * PRICES.snapshotGiBMonth,
      note: `at most: snapshots are incremental, the first stores the blocks written (≤ ${d.dataVolumeGiB} GiB), later ones the changed blocks; a drained, empty volume stores little`,
    },
    {
      item: "Elastic IP (public IPv4)",
      perHost: count(resources, "aws:ec2/eip:Eip", awsHosts),
      unit: `$${PRICES.publicIpv4Hour}/hour × ${HOURS_PER_MONTH} h`,
      monthlyPerHost:
        PRICES.publicIpv4Hour * HOURS_PER_MONTH * count(resources, "aws:ec2/eip:Eip", awsHosts),
      note: "charged whether attached or not",
    },
    {
      item: "KMS key (SSH host key parameter)",
      perHost: count(resources, "aws:kms/key:Key", awsHosts),
      unit: `$${PRICES.kmsKeyMonth}/key-month`,
      monthlyPerHost: PRICES.kmsKeyMonth * count(resources, "aws:kms/key:Key", awsHosts),
      note: "with `configSync`; a deleted key is billed until its deletion window ends",
    },
    {
      item: "CloudWatch alarms",
      perHost: count(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", awsHosts),
      unit: `$${PRICES.alarmMonth}/alarm-month`,
      monthlyPerHost:
        PRICES.alarmMonth * count(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", awsHosts),
      note: "system and instance status checks",
    },
  ];
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The cost table as Markdown: per AWS host and for a pool of `poolHosts` AWS hosts. */
export function renderCost(lines: readonly CostLine[], poolHosts = 2): string {
  const total = lines.reduce((s, l) => s + l.monthlyPerHost, 0);
  const rows = lines.map((l) => [
    l.item,
    String(l.perHost),
    l.unit,
    usd(l.monthlyPerHost),
    usd(l.monthlyPerHost * poolHosts),
    l.note,
  ]);
  rows.push(["**total**", "", "", `**${usd(total)}**`, `**${usd(total * poolHosts)}**`, ""]);
  return table(
    [
      "item",
      "per AWS host",
      "price assumed",
      "per host / month",
      `${poolHosts} hosts / month`,
      "note",
    ],
    rows,
  );
}
