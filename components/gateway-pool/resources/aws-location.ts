// I/O: the partition and region names the pool's ARNs are built from, with at most one lookup each per pool.
import * as pulumi from "@pulumi/pulumi";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import { partitionOfRegion } from "../plan/aws-rules";

/** Where the pool's AWS resources live, for the ARNs it writes (managed policies, recover actions). */
export interface AwsLocation {
  /** `aws`, `aws-us-gov`, `aws-cn`, …: the partition of every AWS host (a pool spans one partition). */
  partition: pulumi.Output<string>;
  /** The region name of a host region (`undefined`: the provider's region). */
  regionName(region: string | undefined): pulumi.Output<string>;
}

/**
 * The partition comes from the hosts' explicit regions when there is one (pure, see `partitionOfRegion`;
 * validation keeps them in one partition), else from the AWS provider (one `getPartition` per pool). The
 * provider's region name is looked up once per pool, and only when a host uses it.
 */
export function awsLocation(plan: GatewayPoolPlan, parent: pulumi.Resource): AwsLocation {
  const opts = { parent };
  const explicit = plan.hosts.find((h) => h.placement === "aws" && h.region !== undefined)?.region;
  let providerRegion: pulumi.Output<string> | undefined;
  return {
    partition:
      explicit !== undefined
        ? pulumi.output(partitionOfRegion(explicit))
        : getPartitionOutput({}, opts).partition,
    regionName(region) {
      if (region !== undefined) return pulumi.output(region);
      providerRegion ??= getRegionOutput({}, opts).region;
      return providerRegion;
    },
  };
}
