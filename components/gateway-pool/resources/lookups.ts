// I/O: data-source lookups (invokes), each made once per pool and region instead of once per host.
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { GATEWAY_DEFAULTS } from "../plan/pool-plan";
import { partitionOfRegion } from "../plan/aws-rules";

/**
 * The pool's lookups. Every host of a region gets the same default VPC, first zone, Windows image,
 * partition and region name, so each is asked once per region (keyed by the region, `undefined` = the
 * provider's): a 16-host pool made 129 lookups when each host asked for itself. Results are the same
 * values the per-host lookups returned; only their number changes.
 */
export class PoolLookups {
  private readonly memo = new Map<string, unknown>();

  constructor(private readonly parent: pulumi.Resource) {}

  private once<T>(key: string, make: (opts: pulumi.InvokeOutputOptions) => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make({ parent: this.parent }));
    return this.memo.get(key) as T;
  }

  /** Id of the region's default VPC. */
  defaultVpcId(region: string | undefined): pulumi.Output<string> {
    return this.once(
      `vpc:${region}`,
      (opts) => ec2.getVpcOutput({ default: true, region }, opts).id,
    );
  }

  /** First available zone that needs no opt-in. */
  firstZone(region: string | undefined): pulumi.Output<string> {
    return this.once(`zone:${region}`, (opts) =>
      getAvailabilityZonesOutput(
        {
          state: "available",
          filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
          region,
        },
        opts,
      ).names.apply((names) => names[0]),
    );
  }

  /** Newest Amazon Windows Server image matching the gateway's name pattern. */
  windowsAmi(region: string | undefined): pulumi.Output<string> {
    return this.once(
      `ami:${region}`,
      (opts) =>
        ec2.getAmiOutput(
          {
            owners: ["amazon"],
            mostRecent: true,
            filters: [{ name: "name", values: [GATEWAY_DEFAULTS.windowsAmiNamePattern] }],
            region,
          },
          opts,
        ).id,
    );
  }

  /**
   * The AWS partition (`aws`, `aws-us-gov`, `aws-cn`, …) of a region, for the ARNs the pool writes: from
   * the region's name when it is given (`partitionOfRegion`, no lookup), else the provider's.
   */
  partition(region?: string): pulumi.Output<string> {
    if (region !== undefined) return pulumi.output(partitionOfRegion(region));
    return this.once("partition", (opts) => getPartitionOutput({}, opts).partition);
  }

  /** The region's name as the provider resolves it. */
  regionName(region: string | undefined): pulumi.Output<string> {
    return this.once(`region:${region}`, (opts) => getRegionOutput({ region }, opts).region);
  }
}
