/** Stand-in for AWS EC2 instances and Elastic IPs; hand-written, no AWS is reachable here. */
import type { Cloud } from "../context";
import type { Failure, Props, ResourceType } from "../framework";
import { ApiError, containsUnknown, hex, stableHex, UNKNOWN } from "../framework";
import { regionImages } from "./images";
import { defaultSubnetId, subnetVpc, subnetZone, validZone } from "./network";
import type { Stored } from "./shared";
import {
  arn,
  awsError,
  checkTags,
  forceNew,
  load,
  readStored,
  regionOf,
  required,
  store,
  tagsAll,
} from "./shared";

/** Default Elastic IP quota per region (EC2 quotas: "EC2-VPC Elastic IPs", default 5, adjustable). */
export const DEFAULT_EIP_QUOTA = 5;
/** Elastic IPs come from this documentation range (RFC 5737 TEST-NET-3). */
const EIP_PREFIX = "203.0.113.";

/** EC2 User Guide, "Instance user data": at most 16 KB in raw form, before base64 encoding. */
const USER_DATA_MAX = 16 * 1024;
/** Changes the EC2 provider applies by stopping and starting the instance (ec2_instance.go update). */
const STOP_START = ["instanceType", "userData", "userDataBase64", "ebsOptimized"];

export const instance: ResourceType = {
  token: "aws:ec2/instance:Instance",
  // internal/service/ec2/ec2_instance.go: ForceNew attributes (user_data/user_data_base64 only with
  // user_data_replace_on_change, via CustomizeDiff; root_block_device encrypted/kms_key_id ForceNew).
  replaceOn: forceNew("ec2_instance.go", [
    "ami",
    "associatePublicIpAddress",
    "availabilityZone",
    "cpuOptions",
    "ebsBlockDevices",
    "enclaveOptions",
    "ephemeralBlockDevices",
    "hibernation",
    "hostId",
    "hostResourceGroupArn",
    "ipv6AddressCount",
    "ipv6Addresses",
    "keyName",
    "launchTemplate",
    "networkInterfaces",
    "placementGroup",
    "placementPartitionNumber",
    "privateIp",
    "securityGroups",
    "subnetId",
    "tenancy",
  ]),
  computed: [
    "arn",
    "instanceState",
    "privateIp",
    "publicIp",
    "publicDns",
    "privateDns",
    "primaryNetworkInterfaceId",
    "availabilityZone",
    "subnetId",
    "securityGroups",
    "vpcSecurityGroupIds",
    "tagsAll",
    "region",
    "keyName",
    "tenancy",
    "outpostArn",
    "passwordData",
    "userDataReplaceOnChange",
    "ipv6Addresses",
    "hostId",
  ],
  defaults: { userDataReplaceOnChange: false },
  replaceIf(olds, news) {
    const replaces: string[] = [];
    if (news.userDataReplaceOnChange) {
      for (const k of ["userData", "userDataBase64"]) {
        if (containsUnknown(news[k]) || (olds[k] ?? null) !== (news[k] ?? null)) replaces.push(k);
      }
    }
    const o = (olds.rootBlockDevice as Props | undefined) ?? {};
    const n = (news.rootBlockDevice as Props | undefined) ?? {};
    for (const k of ["encrypted", "kmsKeyId"]) {
      if (n[k] !== undefined && (containsUnknown(n[k]) || o[k] !== n[k])) {
        if (!replaces.includes("rootBlockDevice")) replaces.push("rootBlockDevice");
      }
    }
    return replaces;
  },
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "ami");
    const hop = (p.metadataOptions as Props | undefined)?.httpPutResponseHopLimit;
    if (typeof hop === "number" && (hop < 1 || hop > 64)) {
      failures.push({
        property: "metadataOptions.httpPutResponseHopLimit",
        reason: `expected metadata_options.0.http_put_response_hop_limit to be in the range (1 - 64), got ${hop}`,
      });
    }
    checkTags(p, failures);
    return failures;
  },
  async create(p, ctx) {
    const region = regionOf(p, ctx);
    const action = "creating EC2 Instance";
    const refuse = (code: string, message: string) =>
      awsError(action, "EC2", "RunInstances", 400, code, message);
    const userData = (p.userData as string | undefined) ?? "";
    if (Buffer.byteLength(userData) > USER_DATA_MAX) {
      throw refuse("InvalidParameterValue", `User data is limited to 16384 bytes`);
    }
    const image = regionImages(ctx.cloud, region).find((i) => i.imageId === p.ami);
    if (!image)
      throw refuse("InvalidAMIID.NotFound", `The image id '[${String(p.ami)}]' does not exist`);
    const root = (p.rootBlockDevice as Props | undefined) ?? {};
    const size = root.volumeSize as number | undefined;
    if (size !== undefined && size < image.rootSnapshotGiB) {
      throw refuse(
        "InvalidBlockDeviceMapping",
        `Volume of size ${size}GB is smaller than snapshot 'snap-${stableHex(image.imageId, 17)}', expect size >= ${image.rootSnapshotGiB}GB`,
      );
    }
    // EBS volume types: gp3 1–16,384 GiB.
    if (size !== undefined && size > 16384) {
      throw refuse(
        "InvalidParameterValue",
        `Volume size ${size} exceeds the maximum of 16384 GiB for gp3`,
      );
    }
    const zoneWanted = p.availabilityZone as string | undefined;
    if (zoneWanted !== undefined && !validZone(zoneWanted, region)) {
      throw refuse("InvalidParameterValue", `Invalid availability zone: [${zoneWanted}]`);
    }
    const subnetId = (p.subnetId as string | undefined) ?? defaultSubnetId(region, zoneWanted);
    const zone = subnetZone(subnetId, region);
    if (zoneWanted !== undefined && zoneWanted !== zone) {
      throw refuse(
        "InvalidParameterValue",
        `Value (${zoneWanted}) for parameter availabilityZone is invalid. Subnet '${subnetId}' is in the availability zone ${zone}`,
      );
    }
    const vpcId = subnetVpc(subnetId, region);
    const sgIds = (p.vpcSecurityGroupIds as string[] | undefined) ?? [];
    for (const sgId of sgIds) {
      const sg = load(ctx, "sg", sgId);
      if (!sg)
        throw refuse(
          "InvalidGroup.NotFound",
          `The security group '${sgId}' does not exist in VPC '${vpcId}'`,
        );
      if (sg.outs.vpcId !== vpcId) {
        throw refuse(
          "InvalidParameter",
          `Security group ${sgId} and subnet ${subnetId} belong to different networks.`,
        );
      }
    }
    const profile = p.iamInstanceProfile as string | undefined;
    if (profile !== undefined && !load(ctx, "profile", profile)) {
      throw refuse(
        "InvalidParameterValue",
        `Value (${profile}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
      );
    }
    const id = `i-${hex(17)}`;
    const octets = [parseInt(hex(2), 16) % 16, (parseInt(hex(2), 16) % 250) + 2];
    const outs = {
      region,
      subnetId,
      availabilityZone: zone,
      vpcSecurityGroupIds: sgIds,
      securityGroups: [],
      arn: arn("ec2", region, `instance/${id}`),
      instanceState: "running",
      privateIp: `172.31.${octets[0]}.${octets[1]}`,
      privateDns: `ip-172-31-${octets[0]}-${octets[1]}.${region}.compute.internal`,
      publicIp: "",
      publicDns: "",
      primaryNetworkInterfaceId: `eni-${hex(17)}`,
      tenancy: "default",
      tagsAll: tagsAll(p),
    };
    store(
      ctx,
      "instance",
      id,
      { ...p, ...outs },
      [{ at: ctx.now().toISOString(), event: "start", reason: "RunInstances" }],
      p,
    );
    return { id, outs };
  },
  read: readStored("instance", [
    "ami",
    "instanceType",
    "subnetId",
    "vpcSecurityGroupIds",
    "iamInstanceProfile",
    "userData",
    "rootBlockDevice",
    "metadataOptions",
    "tags",
    "region",
  ]),
  async update(id, olds, news, ctx) {
    const found = load(ctx, "instance", id);
    const events = found?.events ?? [];
    const restartFor = STOP_START.filter((k) => (olds[k] ?? null) !== (news[k] ?? null));
    if (Buffer.byteLength((news.userData as string | undefined) ?? "") > USER_DATA_MAX) {
      throw awsError(
        `updating EC2 Instance (${id})`,
        "EC2",
        "ModifyInstanceAttribute",
        400,
        "InvalidParameterValue",
        "User data is limited to 16384 bytes",
      );
    }
    if (restartFor.length) {
      const reason = `changed ${restartFor.join(", ")}`;
      ctx.log("info", `stopping EC2 Instance (${id}) to apply ${reason}`);
      events.push({ at: ctx.now().toISOString(), event: "stop", reason });
      events.push({ at: ctx.now().toISOString(), event: "start", reason });
    }
    const keep: Props = {};
    for (const k of instance.computed ?? []) if (olds[k] !== undefined) keep[k] = olds[k];
    const outs = {
      ...keep,
      vpcSecurityGroupIds: news.vpcSecurityGroupIds ?? olds.vpcSecurityGroupIds,
      tagsAll: tagsAll(news),
    };
    store(ctx, "instance", id, { ...(found?.outs ?? olds), ...news, ...outs }, events, news);
    return outs;
  },
  async delete(id, _state, ctx) {
    const eips = [...ctx.cloud.list<Stored>("aws-eip").entries()].filter(
      ([, e]) => e.outs.instance === id,
    );
    for (const [eipId, e] of eips) {
      store(ctx, "eip", eipId, { ...e.outs, instance: "", associationId: "" }, undefined, e.inputs);
    }
    ctx.cloud.remove("aws-instance", id);
  },
};

/** Instance state transitions recorded by the stand-in (start on create, stop/start on such updates). */
export function instanceEvents(
  cloud: Cloud,
  id: string,
): { at: string; event: string; reason: string }[] {
  return cloud.get<Stored>("aws-instance", id)?.events ?? [];
}

export const eip: ResourceType = {
  token: "aws:ec2/eip:Eip",
  // internal/service/ec2/vpc_eip.go
  replaceOn: forceNew("vpc_eip.go", [
    "address",
    "customerOwnedIpv4Pool",
    "domain",
    "ipamPoolId",
    "networkBorderGroup",
    "publicIpv4Pool",
    "vpc",
  ]),
  computed: [
    "allocationId",
    "associationId",
    "publicIp",
    "publicDns",
    "privateIp",
    "privateDns",
    "networkInterface",
    "domain",
    "networkBorderGroup",
    "publicIpv4Pool",
    "arn",
    "tagsAll",
    "region",
    "carrierIp",
    "customerOwnedIp",
    "ptrRecord",
  ],
  check(p) {
    const failures: Failure[] = [];
    if (
      p.domain !== undefined &&
      p.domain !== UNKNOWN &&
      p.domain !== "vpc" &&
      p.domain !== "standard"
    ) {
      failures.push({
        property: "domain",
        reason: `expected domain to be one of ["standard" "vpc"], got ${String(p.domain)}`,
      });
    }
    checkTags(p, failures);
    return failures;
  },
  async create(p, ctx) {
    const region = regionOf(p, ctx);
    const quota = ctx.settings.eipQuotaPerRegion ?? DEFAULT_EIP_QUOTA;
    return await ctx.cloud.withLock("eip-pool", async () => {
      const all = [...ctx.cloud.list<Stored>("aws-eip").values()];
      if (all.filter((e) => e.outs.region === region).length >= quota) {
        throw awsError(
          "creating EC2 EIP",
          "EC2",
          "AllocateAddress",
          400,
          "AddressLimitExceeded",
          "The maximum number of addresses has been reached.",
        );
      }
      const used = new Set(all.map((e) => e.outs.publicIp));
      let publicIp = "";
      for (let i = 1; i < 255 && !publicIp; i++)
        if (!used.has(`${EIP_PREFIX}${i}`)) publicIp = `${EIP_PREFIX}${i}`;
      if (!publicIp)
        throw new ApiError(
          `stand-in aws provider: the Elastic IP pool ${EIP_PREFIX}0/24 is exhausted`,
        );
      const id = `eipalloc-${hex(17)}`;
      const instanceId = p.instance as string | undefined;
      if (instanceId && !load(ctx, "instance", instanceId)) {
        throw awsError(
          `associating EC2 EIP (${id})`,
          "EC2",
          "AssociateAddress",
          400,
          "InvalidInstanceID.NotFound",
          `The instance ID '${instanceId}' does not exist`,
        );
      }
      const outs = {
        region,
        domain: "vpc",
        allocationId: id,
        associationId: instanceId ? `eipassoc-${hex(17)}` : "",
        publicIp,
        publicDns: `ec2-${publicIp.replace(/\./g, "-")}.${region}.compute.amazonaws.com`,
        networkBorderGroup: region,
        publicIpv4Pool: "amazon",
        arn: arn("ec2", region, `elastic-ip/${id}`),
        tagsAll: tagsAll(p),
      };
      store(ctx, "eip", id, { ...p, ...outs }, undefined, p);
      return { id, outs };
    });
  },
  read: readStored("eip", ["domain", "instance", "tags", "region"]),
  async update(id, olds, news, ctx) {
    const instanceId = news.instance as string | undefined;
    if (instanceId && !load(ctx, "instance", instanceId)) {
      throw awsError(
        `associating EC2 EIP (${id})`,
        "EC2",
        "AssociateAddress",
        400,
        "InvalidInstanceID.NotFound",
        `The instance ID '${instanceId}' does not exist`,
      );
    }
    const keep: Props = {};
    for (const k of eip.computed ?? []) if (olds[k] !== undefined) keep[k] = olds[k];
    const outs = {
      ...keep,
      associationId: instanceId
        ? olds.instance === instanceId
          ? olds.associationId
          : `eipassoc-${hex(17)}`
        : "",
      tagsAll: tagsAll(news),
    };
    store(ctx, "eip", id, { ...olds, ...news, ...outs }, undefined, news);
    return outs;
  },
  async delete(id, _state, ctx) {
    ctx.cloud.remove("aws-eip", id);
  },
};
