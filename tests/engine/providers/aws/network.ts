/** Stand-in for AWS default VPC, subnet and zone lookups; hand-written, no AWS is reachable here. */
import type { FunctionType } from "../framework";
import { ApiError, stableHex } from "../framework";
import { ACCOUNT_ID, arn, regionOf } from "./shared";

export function defaultVpcId(region: string): string {
  return `vpc-${stableHex(`vpc/${region}`, 17)}`;
}

/** The default subnet of a zone (`zone` = region + letter; default: the region's first zone). */
export function defaultSubnetId(region: string, zone = `${region}a`): string {
  return `subnet-${stableHex(`subnet/${zone}`, 17)}`;
}

/** Zone of a subnet: a default subnet's own zone; any other subnet id is in the region's first zone. */
export function subnetZone(subnetId: string, region: string): string {
  for (const letter of "abcdef") {
    if (defaultSubnetId(region, `${region}${letter}`) === subnetId) return `${region}${letter}`;
  }
  return `${region}a`;
}

/** Whether `zone` is one of the fake region's zones (a–f). */
export function validZone(zone: string, region: string): boolean {
  return zone.startsWith(region) && /^[a-f]$/.test(zone.slice(region.length));
}

export function subnetVpc(subnetId: string, region: string): string {
  // Every subnet of the fake account is in the region's default VPC.
  void subnetId;
  return defaultVpcId(region);
}

const SUBNET_ID = /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/;

/**
 * Zones of the fake region (a–f, as `validZone`), all `available` and `opt-in-not-required`.
 * internal/service/ec2/ec2_availability_zones_data_source.go: DescribeAvailabilityZones with the
 * `state` argument as a filter, `filter` blocks passed through, names and zone ids sorted, id = region.
 */
export const getAvailabilityZones: FunctionType = {
  token: "aws:index/getAvailabilityZones:getAvailabilityZones",
  async invoke(args, ctx) {
    const region = regionOf(args, ctx);
    const zones = [..."abcdef"].map((letter) => ({
      name: `${region}${letter}`,
      zoneId: `${region.slice(0, 3)}${stableHex(region, 2)}-az${"abcdef".indexOf(letter) + 1}`,
      state: "available",
      "opt-in-status": "opt-in-not-required",
      "group-name": region,
    }));
    const filters = (args.filters as { name: string; values: string[] }[] | undefined) ?? [];
    if (args.state !== undefined) filters.push({ name: "state", values: [args.state as string] });
    let found = zones;
    for (const f of filters) {
      if (f.name !== "state" && f.name !== "opt-in-status" && f.name !== "group-name") {
        throw new ApiError(
          `stand-in aws provider: getAvailabilityZones filter "${f.name}" is not implemented`,
        );
      }
      const key = f.name as "state" | "opt-in-status" | "group-name";
      found = found.filter((z) => f.values.includes(z[key]));
    }
    const excluded = (args.excludeNames as string[] | undefined) ?? [];
    const excludedIds = (args.excludeZoneIds as string[] | undefined) ?? [];
    found = found.filter((z) => !excluded.includes(z.name) && !excludedIds.includes(z.zoneId));
    return {
      ...args,
      region,
      id: region,
      names: found.map((z) => z.name).sort(),
      zoneIds: found.map((z) => z.zoneId).sort(),
      groupNames: [...new Set(found.map((z) => z["group-name"]))].sort(),
    };
  },
};

export const getVpc: FunctionType = {
  token: "aws:ec2/getVpc:getVpc",
  async invoke(args, ctx) {
    const region = regionOf(args, ctx);
    if (args.id !== undefined && args.id !== defaultVpcId(region)) {
      throw new ApiError("no matching EC2 VPC found");
    }
    const id = defaultVpcId(region);
    return {
      ...args,
      region,
      id,
      arn: arn("ec2", region, `vpc/${id}`),
      cidrBlock: "172.31.0.0/16",
      default: true,
      ownerId: ACCOUNT_ID,
      state: "available",
      tags: {},
    };
  },
};

export const getSubnet: FunctionType = {
  token: "aws:ec2/getSubnet:getSubnet",
  async invoke(args, ctx) {
    const region = regionOf(args, ctx);
    const id = (args.id as string | undefined) ?? defaultSubnetId(region);
    if (!SUBNET_ID.test(id)) throw new ApiError("no matching EC2 Subnet found");
    return {
      ...args,
      region,
      id,
      arn: arn("ec2", region, `subnet/${id}`),
      vpcId: subnetVpc(id, region),
      availabilityZone: subnetZone(id, region),
      cidrBlock: `172.31.${parseInt(stableHex(id, 2), 16) % 240}.0/20`,
      ownerId: ACCOUNT_ID,
      state: "available",
      tags: {},
    };
  },
};
