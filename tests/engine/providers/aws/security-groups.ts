/** Stand-in for AWS EC2 security groups and VPC security group rules; hand-written, no AWS here. */
import type { Failure, Props, ResourceType } from "../framework";
import { hex, UNKNOWN } from "../framework";
import { defaultVpcId } from "./network";
import type { Stored } from "./shared";
import {
  ACCOUNT_ID,
  arn,
  awsError,
  checkTags,
  claimName,
  lengthBetween,
  load,
  readStored,
  REGION_SOURCE,
  regionOf,
  releaseName,
  required,
  store,
  tagsAll,
} from "./shared";

/**
 * EC2 API reference, IpRange.Description / SecurityGroupRule description and CreateSecurityGroup
 * GroupDescription: up to 255 characters; a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*
 */
const EC2_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

function validEc2Description(v: unknown): boolean {
  return typeof v !== "string" || (v.length <= 255 && EC2_DESCRIPTION.test(v));
}

export const securityGroup: ResourceType = {
  token: "aws:ec2/securityGroup:SecurityGroup",
  // internal/service/ec2/vpc_security_group.go
  replaceOn: {
    name: "vpc_security_group.go: name ForceNew",
    namePrefix: "vpc_security_group.go: name_prefix ForceNew",
    description: "vpc_security_group.go: description ForceNew",
    vpcId: "vpc_security_group.go: vpc_id ForceNew",
    region: REGION_SOURCE,
  },
  computed: [
    "arn",
    "ownerId",
    "tagsAll",
    "ingress",
    "egress",
    "vpcId",
    "region",
    "revokeRulesOnDelete",
    "namePrefix",
  ],
  autoName: { property: "name", maxLength: 255 },
  defaults: { description: "Managed by Pulumi", revokeRulesOnDelete: false },
  check(p) {
    const failures: Failure[] = [];
    lengthBetween(p, failures, "description", 0, 255);
    lengthBetween(p, failures, "name", 0, 255);
    if (typeof p.name === "string" && p.name.startsWith("sg-")) {
      failures.push({ property: "name", reason: `cannot begin with sg-, got ${p.name}` });
    }
    checkTags(p, failures);
    return failures;
  },
  async create(p, ctx) {
    const region = regionOf(p, ctx);
    const vpcId = (p.vpcId as string | undefined) ?? defaultVpcId(region);
    if (!validEc2Description(p.description)) {
      throw awsError(
        "creating Security Group",
        "EC2",
        "CreateSecurityGroup",
        400,
        "InvalidParameterValue",
        "Invalid security group description. Valid descriptions are strings less than 256 characters " +
          "from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
      );
    }
    const id = `sg-${hex(17)}`;
    if (!claimName(ctx.cloud, `sg/${vpcId}`, p.name as string, id)) {
      throw awsError(
        `creating Security Group (${String(p.name)})`,
        "EC2",
        "CreateSecurityGroup",
        400,
        "InvalidGroup.Duplicate",
        `The security group '${String(p.name)}' already exists for VPC '${vpcId}'`,
      );
    }
    const outs = {
      vpcId,
      region,
      arn: arn("ec2", region, `security-group/${id}`),
      ownerId: ACCOUNT_ID,
      ingress: [],
      egress: [],
      tagsAll: tagsAll(p),
    };
    store(ctx, "sg", id, { ...p, ...outs }, undefined, p);
    return { id, outs };
  },
  read: readStored("sg", ["name", "description", "vpcId", "region", "tags"]),
  async update(id, olds, news, ctx) {
    const outs = { ...olds, ...news, tagsAll: tagsAll(news) };
    store(ctx, "sg", id, outs, undefined, news);
    return { tagsAll: outs.tagsAll };
  },
  async delete(id, state, ctx) {
    const dependents = [
      ...[...ctx.cloud.list<Stored>("aws-sgrule").entries()]
        .filter(([, r]) => r.outs.securityGroupId === id)
        .map(([k]) => k),
      ...[...ctx.cloud.list<Stored>("aws-instance").entries()]
        .filter(([, r]) => ((r.outs.vpcSecurityGroupIds as string[]) ?? []).includes(id))
        .map(([k]) => k),
    ];
    if (dependents.length) {
      throw awsError(
        `deleting Security Group (${id})`,
        "EC2",
        "DeleteSecurityGroup",
        400,
        "DependencyViolation",
        `resource ${id} has a dependent object`,
      );
    }
    ctx.cloud.remove("aws-sg", id);
    releaseName(ctx.cloud, `sg/${state.vpcId as string}`, state.name as string);
  },
};

export function sgRule(direction: "ingress" | "egress"): ResourceType {
  const Direction = direction === "ingress" ? "Ingress" : "Egress";
  const file = `vpc_security_group_${direction}_rule.go`;
  const ruleText = (p: Props) => {
    const peer = p.cidrIpv4 ?? p.cidrIpv6 ?? p.prefixListId ?? p.referencedSecurityGroupId;
    const proto = p.ipProtocol === "-1" ? "ALL" : String(p.ipProtocol).toUpperCase();
    const ports =
      p.ipProtocol === "-1"
        ? ""
        : `, from port: ${String(p.fromPort)}, to port: ${String(p.toPort)}`;
    return `peer: ${String(peer)}, ${proto}${ports}, ALLOW`;
  };
  const checkDescription = (p: Props, action: string, operation: string) => {
    if (!validEc2Description(p.description)) {
      // EC2 API reference, IpRange.Description: up to 255 characters from a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*
      throw awsError(
        action,
        "EC2",
        operation,
        400,
        "InvalidParameterValue",
        "Invalid rule description. Valid descriptions are strings less than 256 characters from the " +
          "following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
      );
    }
  };
  return {
    token: `aws:vpc/securityGroup${Direction}Rule:SecurityGroup${Direction}Rule`,
    // internal/service/ec2/vpc_security_group_{ingress,egress}_rule.go: RequiresReplace on
    // security_group_id only; every other attribute is modified in place (ModifySecurityGroupRules).
    replaceOn: {
      securityGroupId: `${file}: security_group_id RequiresReplace`,
      region: REGION_SOURCE,
    },
    computed: ["arn", "securityGroupRuleId", "tagsAll", "region"],
    check(p) {
      const failures: Failure[] = [];
      required(p, failures, "securityGroupId", "ipProtocol");
      const peers = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"].filter(
        (k) => p[k] !== undefined,
      );
      if (peers.length !== 1) {
        failures.push({
          property: "cidrIpv4",
          reason:
            "exactly one of cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId must be set " +
            `(${file}: ExactlyOneOf)`,
        });
      }
      const proto = p.ipProtocol;
      if (proto !== "-1" && proto !== "icmp" && proto !== "icmpv6" && proto !== UNKNOWN) {
        for (const k of ["fromPort", "toPort"]) {
          const v = p[k];
          if (v === undefined)
            failures.push({
              property: k,
              reason: `${k} is required for protocol ${String(proto)}`,
            });
          else if (typeof v === "number" && (v < 0 || v > 65535)) {
            failures.push({
              property: k,
              reason: `expected ${k} to be in the range (0 - 65535), got ${v}`,
            });
          }
        }
      }
      checkTags(p, failures);
      return failures;
    },
    async create(p, ctx) {
      const region = regionOf(p, ctx);
      const operation = `Authorize SecurityGroup${Direction}`.replace(" ", "");
      const action = `authorizing Security Group (${String(p.securityGroupId)}) ${direction} rule`;
      checkDescription(p, action, operation);
      const sg = load(ctx, "sg", p.securityGroupId as string);
      if (!sg) {
        throw awsError(
          action,
          "EC2",
          operation,
          400,
          "InvalidGroup.NotFound",
          `The security group '${String(p.securityGroupId)}' does not exist`,
        );
      }
      return await ctx.cloud.withLock(`sg-${String(p.securityGroupId)}`, async () => {
        const key = `${direction}|${ruleText(p)}`;
        for (const [, r] of ctx.cloud.list<Stored>("aws-sgrule")) {
          if (r.outs.securityGroupId === p.securityGroupId && r.meta?.ruleKey === key) {
            throw awsError(
              action,
              "EC2",
              operation,
              400,
              "InvalidPermission.Duplicate",
              `the specified rule "${ruleText(p)}" already exists`,
            );
          }
        }
        const id = `sgr-${hex(17)}`;
        const outs = {
          region,
          arn: arn("ec2", region, `security-group-rule/${id}`),
          securityGroupRuleId: id,
          tagsAll: tagsAll(p),
        };
        store(ctx, "sgrule", id, { ...p, ...outs }, undefined, p, { ruleKey: key });
        return { id, outs };
      });
    },
    read: readStored("sgrule", [
      "securityGroupId",
      "ipProtocol",
      "fromPort",
      "toPort",
      "cidrIpv4",
      "cidrIpv6",
      "description",
      "tags",
      "region",
    ]),
    async update(id, olds, news, ctx) {
      checkDescription(
        news,
        `updating VPC Security Group Rule (${id})`,
        "ModifySecurityGroupRules",
      );
      const outs = { ...olds, ...news, tagsAll: tagsAll(news) };
      store(ctx, "sgrule", id, outs, undefined, news, {
        ruleKey: `${direction}|${ruleText(news)}`,
      });
      return { arn: olds.arn, securityGroupRuleId: id, tagsAll: outs.tagsAll, region: olds.region };
    },
    async delete(id, _state, ctx) {
      ctx.cloud.remove("aws-sgrule", id);
    },
  };
}
