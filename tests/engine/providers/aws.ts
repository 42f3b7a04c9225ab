/**
 * Stand-in for the `aws` provider (@pulumi/aws 7.x, a bridge of hashicorp/terraform-provider-aws 6.x). One
 * fake account (id {@link ACCOUNT_ID}) lives in the cloud directory, shared by every plugin process, so names
 * that are unique per account or region collide between stacks as they do in AWS.
 *
 * Rules are of two kinds, as in the real provider: schema validation (`check`, fails `pulumi preview`) and API
 * refusals (create/update, fail `pulumi up`). Each rule names its source. `replaceOn` lists the Terraform
 * `ForceNew`/`RequiresReplace` attributes of each resource (files under internal/service/ of
 * terraform-provider-aws); every per-resource `region` replaces (provider 6.x enhanced region support).
 */
import type { Cloud, StandInContext } from "./context";
import type {
  Failure,
  Props,
  ResourceType,
  StandInPackage,
  FunctionType,
  ReadFound,
} from "./framework";
import { ApiError, UNKNOWN, containsUnknown, hex, sdkVersion, stableHex } from "./framework";

/** The fake account's id (the documentation example account). */
export const ACCOUNT_ID = "123456789012";
/** Owner id of Amazon's public Windows images. */
const AMAZON_WINDOWS_OWNER = "801119661308";
/** Default Elastic IP quota per region (EC2 quotas: "EC2-VPC Elastic IPs", default 5, adjustable). */
export const DEFAULT_EIP_QUOTA = 5;
/** Elastic IPs come from this documentation range (RFC 5737 TEST-NET-3). */
const EIP_PREFIX = "203.0.113.";

const REGION_SOURCE = "terraform-provider-aws 6.x: region is ForceNew on every regional resource";

/** `replaceOn` entries for Terraform ForceNew attributes of one source file, plus `region`. */
function forceNew(file: string, keys: string[]): Record<string, string> {
  const out: Record<string, string> = { region: REGION_SOURCE };
  for (const k of keys) out[k] = `${file}: ${k} ForceNew`;
  return out;
}

/**
 * The partition a region belongs to (AWS General Reference, "ARNs"): an ARN of another partition names
 * nothing there. Written here apart from the component's own map, as AWS's side of the contract.
 */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("eusc-")) return "aws-eusc";
  return "aws";
}

/** The resource's `region`, else the provider's (configuration `region`, then AWS_REGION/AWS_DEFAULT_REGION). */
function regionOf(p: Props, ctx: StandInContext): string {
  const configured = ctx.config.region as string | undefined;
  const fallback = configured ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const region = (p.region as string | undefined) ?? fallback;
  if (!region) {
    // The provider's own error when no region is configured anywhere.
    throw new ApiError(
      'missing required configuration key "aws:region": The region where AWS operations will take place.',
    );
  }
  return region;
}

/** A request id in AWS's format, derived from the request so error texts are reproducible in tests. */
function requestId(seed: string): string {
  const h = stableHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The text the bridged provider prints for an AWS API error (aws-sdk-go-v2 OperationError, smithy API error). */
export function awsError(
  action: string,
  service: string,
  operation: string,
  status: number,
  code: string,
  message: string,
): ApiError {
  return new ApiError(
    `${action}: operation error ${service}: ${operation}, https response error StatusCode: ${status}, ` +
      `RequestID: ${requestId(`${action}/${operation}/${code}/${message}`)}, api error ${code}: ${message}`,
  );
}

// --- Shared validation -------------------------------------------------------------------------------------

/**
 * EC2 API reference, IpRange.Description / SecurityGroupRule description and CreateSecurityGroup
 * GroupDescription: up to 255 characters; a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*
 */
const EC2_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

function validEc2Description(v: unknown): boolean {
  return typeof v !== "string" || (v.length <= 255 && EC2_DESCRIPTION.test(v));
}

/**
 * Tag limits (AWS General Reference, "Tagging your AWS resources", tag restrictions): at most 50 tags, keys
 * 1–128 and values 0–256 Unicode characters, the `aws:` prefix reserved. The provider adds no tags of its own.
 */
function checkTags(p: Props, failures: Failure[]): void {
  const tags = p.tags as Record<string, unknown> | undefined;
  if (!tags || containsUnknown(tags)) return;
  const keys = Object.keys(tags);
  if (keys.length > 50) {
    failures.push({
      property: "tags",
      reason: `${keys.length} tags; AWS allows at most 50 per resource`,
    });
  }
  for (const k of keys) {
    const v = tags[k];
    if (k.length < 1 || k.length > 128) {
      failures.push({
        property: `tags["${k}"]`,
        reason: `tag key must be 1 to 128 characters, got ${k.length}`,
      });
    }
    if (typeof v === "string" && v.length > 256) {
      failures.push({
        property: `tags["${k}"]`,
        reason: `tag value must be at most 256 characters, got ${v.length}`,
      });
    }
    if (k.toLowerCase().startsWith("aws:")) {
      failures.push({
        property: `tags["${k}"]`,
        reason: `tag keys starting with "aws:" are reserved for AWS use`,
      });
    }
  }
}

function required(p: Props, failures: Failure[], ...keys: string[]): void {
  for (const k of keys) {
    if (p[k] === undefined)
      failures.push({ property: k, reason: `Missing required argument "${k}"` });
  }
}

function lengthBetween(p: Props, failures: Failure[], key: string, min: number, max: number): void {
  const v = p[key];
  if (typeof v === "string" && v !== UNKNOWN && (v.length < min || v.length > max)) {
    failures.push({
      property: key,
      reason: `expected length of ${key} to be in the range (${min} - ${max}), got ${v}`,
    });
  }
}

// --- Objects in the fake account ---------------------------------------------------------------------------

/** A stored object: its state (outputs) plus bookkeeping. */
interface Stored {
  /** The state as the provider reports it (what `read` returns). */
  outs: Props;
  /** The inputs that made it (what `read` returns as inputs: refresh and import see the same inputs). */
  inputs?: Props;
  /** Instance state transitions (stop/start), for tests that must see whether a host was restarted. */
  events?: { at: string; event: string; reason: string }[];
  /** Bookkeeping of the stand-in that is no provider output. */
  meta?: Props;
}

function store(
  ctx: StandInContext,
  kind: string,
  id: string,
  outs: Props,
  events?: Stored["events"],
  inputs?: Props,
  meta?: Props,
) {
  ctx.cloud.put(`aws-${kind}`, id, { outs, inputs, events, meta } satisfies Stored);
}

function load(ctx: StandInContext, kind: string, id: string): Stored | undefined {
  return ctx.cloud.get<Stored>(`aws-${kind}`, id);
}

/** Read = the stored object (refresh sees deletions made outside the program, e.g. by another test). */
function readStored(kind: string, inputKeys: string[]) {
  return async (id: string, _state: Props, ctx: StandInContext): Promise<ReadFound | undefined> => {
    const found = load(ctx, kind, id);
    if (!found) return undefined;
    const inputs: Props = {};
    for (const k of inputKeys) if (found.outs[k] !== undefined) inputs[k] = found.outs[k];
    return { id, outs: found.outs, inputs: found.inputs ?? inputs };
  };
}

/** Claims an account- or region-wide unique name; false when taken. */
function claimName(cloud: Cloud, scope: string, name: string, owner: string): boolean {
  return cloud.create("aws-names", `${scope}/${name}`, { owner });
}

function releaseName(cloud: Cloud, scope: string, name: string): void {
  cloud.remove("aws-names", `${scope}/${name}`);
}

function arn(service: string, region: string, resource: string): string {
  return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${resource}`;
}

function tagsAll(p: Props): Props {
  return { ...((p.tags as Props | undefined) ?? {}) };
}

// --- Network lookups (default VPC, subnets) ----------------------------------------------------------------

function defaultVpcId(region: string): string {
  return `vpc-${stableHex(`vpc/${region}`, 17)}`;
}

/** The default subnet of a zone (`zone` = region + letter; default: the region's first zone). */
function defaultSubnetId(region: string, zone = `${region}a`): string {
  return `subnet-${stableHex(`subnet/${zone}`, 17)}`;
}

/** Zone of a subnet: a default subnet's own zone; any other subnet id is in the region's first zone. */
function subnetZone(subnetId: string, region: string): string {
  for (const letter of "abcdef") {
    if (defaultSubnetId(region, `${region}${letter}`) === subnetId) return `${region}${letter}`;
  }
  return `${region}a`;
}

/** Whether `zone` is one of the fake region's zones (a–f). */
function validZone(zone: string, region: string): boolean {
  return zone.startsWith(region) && /^[a-f]$/.test(zone.slice(region.length));
}

function subnetVpc(subnetId: string, region: string): string {
  // Every subnet of the fake account is in the region's default VPC.
  void subnetId;
  return defaultVpcId(region);
}

const SUBNET_ID = /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/;

// --- Security groups and rules -----------------------------------------------------------------------------

const securityGroup: ResourceType = {
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

function sgRule(direction: "ingress" | "egress"): ResourceType {
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

// --- IAM ---------------------------------------------------------------------------------------------------

/** IAM API reference, CreateRole RoleName / InstanceProfileName / PolicyName pattern: [\w+=,.@-]+ */
const IAM_NAME = /^[\w+=,.@-]+$/;

function checkIamName(p: Props, failures: Failure[], key: string, max: number): void {
  const v = p[key];
  if (typeof v !== "string" || v === UNKNOWN) return;
  if (v.length > max) {
    failures.push({
      property: key,
      reason: `must be at most ${max} characters (IAM quota), got ${v.length}: ${v}`,
    });
  }
  if (!IAM_NAME.test(v)) {
    failures.push({
      property: key,
      reason: `must match [\\w+=,.@-] (IAM API reference, ${key === "name" ? "name" : key} pattern), got ${v}`,
    });
  }
}

/** IAM quotas: role trust policy at most 2,048 characters; inline policies of a role 10,240 in total. */
function checkPolicyJson(p: Props, failures: Failure[], key: string, max: number): void {
  const v = p[key];
  if (typeof v !== "string" || containsUnknown(v)) return;
  try {
    JSON.parse(v);
  } catch {
    failures.push({
      property: key,
      reason: "the policy document is not valid JSON (MalformedPolicyDocument)",
    });
    return;
  }
  const size = v.replace(/\s/g, "").length;
  if (size > max) {
    failures.push({
      property: key,
      reason: `policy is ${size} characters without whitespace; IAM allows ${max}`,
    });
  }
}

const role: ResourceType = {
  token: "aws:iam/role:Role",
  // internal/service/iam/role.go
  replaceOn: {
    name: "iam/role.go: name ForceNew",
    namePrefix: "iam/role.go: name_prefix ForceNew",
    path: "iam/role.go: path ForceNew",
  },
  computed: [
    "arn",
    "uniqueId",
    "createDate",
    "tagsAll",
    "path",
    "maxSessionDuration",
    "namePrefix",
    "inlinePolicies",
    "managedPolicyArns",
    "description",
  ],
  autoName: { property: "name", maxLength: 64 },
  defaults: { path: "/", maxSessionDuration: 3600, forceDetachPolicies: false },
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "assumeRolePolicy");
    checkIamName(p, failures, "name", 64);
    checkPolicyJson(p, failures, "assumeRolePolicy", 2048);
    checkTags(p, failures);
    return failures;
  },
  async create(p, ctx) {
    const name = p.name as string;
    if (!claimName(ctx.cloud, "iam-role", name, name)) {
      throw awsError(
        `creating IAM Role (${name})`,
        "IAM",
        "CreateRole",
        409,
        "EntityAlreadyExists",
        `Role with name ${name} already exists.`,
      );
    }
    const outs = {
      arn: `arn:aws:iam::${ACCOUNT_ID}:role${String(p.path)}${name}`,
      uniqueId: `AROA${stableHex(name + hex(8), 17).toUpperCase()}`,
      createDate: ctx.now().toISOString(),
      tagsAll: tagsAll(p),
    };
    store(ctx, "role", name, { ...p, ...outs }, undefined, p);
    return { id: name, outs };
  },
  read: readStored("role", ["name", "assumeRolePolicy", "path", "tags", "description"]),
  async update(id, olds, news, ctx) {
    const outs = { ...olds, ...news, tagsAll: tagsAll(news) };
    store(ctx, "role", id, outs, undefined, news);
    return {
      arn: olds.arn,
      uniqueId: olds.uniqueId,
      createDate: olds.createDate,
      tagsAll: outs.tagsAll,
    };
  },
  async delete(id, _state, ctx) {
    // iam/role.go deleteRole: removes the role from its instance profiles itself; inline and managed
    // policies not owned by the role resource must be gone first (DeleteConflict otherwise).
    const inline = [...ctx.cloud.list<Stored>("aws-rolepolicy").values()].filter(
      (x) => x.outs.role === id,
    );
    const attached = [...ctx.cloud.list<Stored>("aws-attachment").values()].filter(
      (x) => x.outs.role === id,
    );
    if (inline.length || attached.length) {
      throw awsError(
        `deleting IAM Role (${id})`,
        "IAM",
        "DeleteRole",
        409,
        "DeleteConflict",
        inline.length
          ? "Cannot delete entity, must delete policies first."
          : "Cannot delete entity, must detach all policies first.",
      );
    }
    for (const [profileId, p] of ctx.cloud.list<Stored>("aws-profile")) {
      if (p.outs.role === id)
        store(ctx, "profile", profileId, { ...p.outs, role: undefined }, undefined, p.inputs);
    }
    ctx.cloud.remove("aws-role", id);
    releaseName(ctx.cloud, "iam-role", id);
  },
};

const rolePolicy: ResourceType = {
  token: "aws:iam/rolePolicy:RolePolicy",
  // internal/service/iam/role_policy.go
  replaceOn: {
    name: "iam/role_policy.go: name ForceNew",
    namePrefix: "iam/role_policy.go: name_prefix ForceNew",
    role: "iam/role_policy.go: role ForceNew",
  },
  computed: ["namePrefix"],
  autoName: { property: "name", maxLength: 128 },
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "role", "policy");
    checkIamName(p, failures, "name", 128);
    checkPolicyJson(p, failures, "policy", 10240);
    return failures;
  },
  async create(p, ctx) {
    const roleName = p.role as string;
    if (!load(ctx, "role", roleName)) {
      throw awsError(
        `putting IAM Role (${roleName}) Policy (${String(p.name)})`,
        "IAM",
        "PutRolePolicy",
        404,
        "NoSuchEntity",
        `The role with name ${roleName} cannot be found.`,
      );
    }
    const id = `${roleName}:${String(p.name)}`;
    store(ctx, "rolepolicy", id, { ...p }, undefined, p);
    return { id, outs: {} };
  },
  read: readStored("rolepolicy", ["name", "role", "policy"]),
  async update(id, olds, news, ctx) {
    store(ctx, "rolepolicy", id, { ...olds, ...news }, undefined, news);
    return {};
  },
  async delete(id, _state, ctx) {
    ctx.cloud.remove("aws-rolepolicy", id);
  },
};

const instanceProfile: ResourceType = {
  token: "aws:iam/instanceProfile:InstanceProfile",
  // internal/service/iam/instance_profile.go
  replaceOn: {
    name: "iam/instance_profile.go: name ForceNew",
    namePrefix: "iam/instance_profile.go: name_prefix ForceNew",
    path: "iam/instance_profile.go: path ForceNew",
  },
  computed: ["arn", "uniqueId", "createDate", "tagsAll", "namePrefix"],
  autoName: { property: "name", maxLength: 128 },
  defaults: { path: "/" },
  check(p) {
    const failures: Failure[] = [];
    checkIamName(p, failures, "name", 128);
    checkTags(p, failures);
    return failures;
  },
  async create(p, ctx) {
    const name = p.name as string;
    if (p.role !== undefined && !load(ctx, "role", p.role as string)) {
      throw awsError(
        `adding IAM Role (${String(p.role)}) to IAM Instance Profile (${name})`,
        "IAM",
        "AddRoleToInstanceProfile",
        404,
        "NoSuchEntity",
        `The role with name ${String(p.role)} cannot be found.`,
      );
    }
    if (!claimName(ctx.cloud, "iam-instance-profile", name, name)) {
      throw awsError(
        `creating IAM Instance Profile (${name})`,
        "IAM",
        "CreateInstanceProfile",
        409,
        "EntityAlreadyExists",
        `Instance Profile ${name} already exists.`,
      );
    }
    const outs = {
      arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile${String(p.path)}${name}`,
      uniqueId: `AIPA${stableHex(name + hex(8), 17).toUpperCase()}`,
      createDate: ctx.now().toISOString(),
      tagsAll: tagsAll(p),
    };
    store(ctx, "profile", name, { ...p, ...outs }, undefined, p);
    return { id: name, outs };
  },
  read: readStored("profile", ["name", "role", "path", "tags"]),
  async update(id, olds, news, ctx) {
    const outs = { ...olds, ...news, tagsAll: tagsAll(news) };
    store(ctx, "profile", id, outs, undefined, news);
    return {
      arn: olds.arn,
      uniqueId: olds.uniqueId,
      createDate: olds.createDate,
      tagsAll: outs.tagsAll,
    };
  },
  async delete(id, _state, ctx) {
    ctx.cloud.remove("aws-profile", id);
    releaseName(ctx.cloud, "iam-instance-profile", id);
  },
};

// --- SSM ---------------------------------------------------------------------------------------------------

const SSM_TYPES = ["String", "StringList", "SecureString"];

const parameter: ResourceType = {
  token: "aws:ssm/parameter:Parameter",
  // internal/service/ssm/parameter.go: name and data_type ForceNew; tier Advanced→Standard forces new.
  replaceOn: {
    name: "ssm/parameter.go: name ForceNew",
    dataType: "ssm/parameter.go: data_type ForceNew",
    region: REGION_SOURCE,
  },
  computed: [
    "arn",
    "version",
    "tier",
    "dataType",
    "keyId",
    "tagsAll",
    "insecureValue",
    "region",
    "hasValueWo",
  ],
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "name", "type");
    // ssm/parameter.go ValidateFunc: name 1–2048, description 0–1024, allowed_pattern 0–1024.
    lengthBetween(p, failures, "name", 1, 2048);
    lengthBetween(p, failures, "description", 0, 1024);
    if (p.type !== undefined && p.type !== UNKNOWN && !SSM_TYPES.includes(p.type as string)) {
      failures.push({
        property: "type",
        reason: `expected type to be one of ${JSON.stringify(SSM_TYPES)}, got ${String(p.type)}`,
      });
    }
    const set = ["value", "insecureValue", "valueWo"].filter((k) => p[k] !== undefined);
    if (set.length !== 1) {
      failures.push({
        property: "value",
        reason: 'exactly one of "value", "insecureValue", "valueWo" must be specified',
      });
    }
    checkTags(p, failures);
    return failures;
  },
  async create(p, ctx) {
    const region = regionOf(p, ctx);
    const name = p.name as string;
    const action = `creating SSM Parameter (${name})`;
    const invalid = (message: string) =>
      awsError(action, "SSM", "PutParameter", 400, "ValidationException", message);
    // Systems Manager User Guide, "Requirements and constraints for parameter names".
    if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
      throw invalid(
        'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
      );
    }
    if (/^\/?(aws|ssm)/i.test(name)) {
      throw invalid("No access to reserved parameter name: " + name + ".");
    }
    if (name.split("/").filter((s) => s !== "").length > 15) {
      throw awsError(
        action,
        "SSM",
        "PutParameter",
        400,
        "HierarchyLevelLimitExceededException",
        "A hierarchy can have a maximum of 15 levels.",
      );
    }
    const value = (p.value ?? p.insecureValue ?? "") as string;
    // Systems Manager quotas: Standard parameters hold at most 4 KB.
    if (Buffer.byteLength(value) > 4096 && p.tier !== "Advanced") {
      throw invalid(
        "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.",
      );
    }
    // A customer managed key must exist in the parameter's region (KMS keys are regional).
    const keyId = p.keyId as string | undefined;
    if (p.type === "SecureString" && keyId !== undefined && !keyId.startsWith("alias/aws/")) {
      const m = /^arn:aws:kms:([a-z0-9-]+):\d{12}:key\/(.+)$/.exec(keyId);
      const found = m ? load(ctx, "kms", m[2]) : load(ctx, "kms", keyId);
      if (!found || (m && m[1] !== region) || found.outs.region !== region) {
        throw awsError(
          action,
          "SSM",
          "PutParameter",
          400,
          "InvalidKeyId",
          `Invalid keyId ${keyId}`,
        );
      }
    }
    if (!claimName(ctx.cloud, `ssm/${region}`, name, name)) {
      throw awsError(
        action,
        "SSM",
        "PutParameter",
        400,
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this request value, set the overwrite option in the request to true.",
      );
    }
    const outs = {
      region,
      arn: arn("ssm", region, `parameter${name.startsWith("/") ? "" : "/"}${name}`),
      version: 1,
      tier: (p.tier as string | undefined) ?? "Standard",
      dataType: (p.dataType as string | undefined) ?? "text",
      keyId: p.type === "SecureString" ? ((p.keyId as string | undefined) ?? "alias/aws/ssm") : "",
      tagsAll: tagsAll(p),
    };
    store(ctx, "parameter", `${region}/${name}`, { ...p, ...outs }, undefined, p);
    return { id: name, outs };
  },
  async read(id, state, ctx) {
    const region = regionOf(state, ctx);
    const found = load(ctx, "parameter", `${region}/${id}`);
    if (!found) return undefined;
    const inputs: Props = {};
    for (const k of ["name", "type", "value", "description", "tags", "region", "keyId"]) {
      if (found.outs[k] !== undefined) inputs[k] = found.outs[k];
    }
    return { id, outs: found.outs, inputs: found.inputs ?? inputs };
  },
  async update(id, olds, news, ctx) {
    const region = regionOf(olds, ctx);
    const version =
      (olds.version as number) +
      (olds.value !== news.value || olds.description !== news.description ? 1 : 0);
    const outs = { ...olds, ...news, version, tagsAll: tagsAll(news) };
    store(ctx, "parameter", `${region}/${id}`, outs, undefined, news);
    return {
      region,
      arn: olds.arn,
      version,
      tier: olds.tier,
      dataType: olds.dataType,
      keyId: olds.keyId,
      tagsAll: outs.tagsAll,
    };
  },
  async delete(id, state, ctx) {
    const region = regionOf(state, ctx);
    ctx.cloud.remove("aws-parameter", `${region}/${id}`);
    releaseName(ctx.cloud, `ssm/${region}`, id);
  },
};

// --- Images ------------------------------------------------------------------------------------------------

/** An AMI in the fake account's view of a region. */
export interface FakeImage {
  imageId: string;
  name: string;
  ownerAlias: string;
  ownerId: string;
  creationDate: string;
  rootSnapshotGiB: number;
}

/** The Windows image every region starts with. */
function seedImage(region: string): FakeImage {
  return {
    imageId: `ami-${stableHex(`ami/${region}/2026.11.12`, 17)}`,
    name: "Windows_Server-2022-English-Full-Base-2026.11.12",
    ownerAlias: "amazon",
    ownerId: AMAZON_WINDOWS_OWNER,
    creationDate: "2026-11-12T08:00:00.000Z",
    rootSnapshotGiB: 30,
  };
}

/** Images of a region (seeded with one Windows Server 2022 image on first use). */
export function regionImages(cloud: Cloud, region: string): FakeImage[] {
  const images = [...cloud.list<FakeImage>(`aws-images-${region}`).values()];
  if (images.length) return images;
  const seed = seedImage(region);
  cloud.create(`aws-images-${region}`, seed.imageId, seed);
  return [seed];
}

/** Publishes a newer image (for "a newer image from the AMI lookup changes nothing" tests). */
export function publishImage(
  cloud: Cloud,
  region: string,
  name: string,
  creationDate: string,
): FakeImage {
  regionImages(cloud, region);
  const image: FakeImage = {
    imageId: `ami-${stableHex(`ami/${region}/${name}`, 17)}`,
    name,
    ownerAlias: "amazon",
    ownerId: AMAZON_WINDOWS_OWNER,
    creationDate,
    rootSnapshotGiB: 30,
  };
  cloud.put(`aws-images-${region}`, image.imageId, image);
  return image;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

const getAmi: FunctionType = {
  token: "aws:ec2/getAmi:getAmi",
  async invoke(args, ctx) {
    const region = regionOf(args, ctx);
    let images = regionImages(ctx.cloud, region);
    const owners = (args.owners as string[] | undefined) ?? [];
    if (owners.length) {
      images = images.filter((i) => owners.includes(i.ownerAlias) || owners.includes(i.ownerId));
    }
    for (const f of (args.filters as { name: string; values: string[] }[] | undefined) ?? []) {
      if (f.name !== "name") {
        throw new ApiError(
          `stand-in aws provider: getAmi filter "${f.name}" is not implemented (only "name")`,
        );
      }
      const patterns = f.values.map(globToRegExp);
      images = images.filter((i) => patterns.some((r) => r.test(i.name)));
    }
    if (args.nameRegex !== undefined) {
      const r = new RegExp(args.nameRegex as string);
      images = images.filter((i) => r.test(i.name));
    }
    // internal/service/ec2/ec2_ami_data_source.go
    if (images.length === 0) {
      throw new ApiError(
        "Your query returned no results. Please change your search criteria and try again.",
      );
    }
    if (images.length > 1 && !args.mostRecent) {
      throw new ApiError(
        "Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.",
      );
    }
    const image = images.sort((a, b) => b.creationDate.localeCompare(a.creationDate))[0];
    return {
      ...args,
      region,
      id: image.imageId,
      imageId: image.imageId,
      arn: `arn:aws:ec2:${region}::image/${image.imageId}`,
      name: image.name,
      creationDate: image.creationDate,
      ownerId: image.ownerId,
      imageOwnerAlias: image.ownerAlias,
      architecture: "x86_64",
      platform: "windows",
      platformDetails: "Windows",
      rootDeviceName: "/dev/sda1",
      rootDeviceType: "ebs",
      state: "available",
      virtualizationType: "hvm",
      blockDeviceMappings: [
        {
          deviceName: "/dev/sda1",
          ebs: {
            volume_size: String(image.rootSnapshotGiB),
            volume_type: "gp3",
            encrypted: "false",
          },
          noDevice: "",
          virtualName: "",
        },
      ],
      tags: {},
    };
  },
};

/**
 * Zones of the fake region (a–f, as `validZone`), all `available` and `opt-in-not-required`.
 * internal/service/ec2/ec2_availability_zones_data_source.go: DescribeAvailabilityZones with the
 * `state` argument as a filter, `filter` blocks passed through, names and zone ids sorted, id = region.
 */
const getAvailabilityZones: FunctionType = {
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

const getVpc: FunctionType = {
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

const getSubnet: FunctionType = {
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

// --- Instances and Elastic IPs -----------------------------------------------------------------------------

/** EC2 User Guide, "Instance user data": at most 16 KB in raw form, before base64 encoding. */
const USER_DATA_MAX = 16 * 1024;
/** Changes the EC2 provider applies by stopping and starting the instance (ec2_instance.go update). */
const STOP_START = ["instanceType", "userData", "userDataBase64", "ebsOptimized"];

const instance: ResourceType = {
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

const eip: ResourceType = {
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

// --- Types added later in the project: data volumes, backups, alarms, keys, buckets -------------------------

/** A generic stored AWS object: id from `makeId`, state recorded, read/update/delete on the record. */
function storedType(spec: {
  token: string;
  kind: string;
  replaceOn: Record<string, string>;
  computed: string[];
  autoName?: ResourceType["autoName"];
  defaults?: Props;
  check?: ResourceType["check"];
  /** API checks and computed outputs; throws the API's error. */
  make(
    p: Props,
    ctx: StandInContext,
    region: string,
  ): Promise<{ id: string; outs: Props }> | { id: string; outs: Props };
  /** API checks of an update; returns changed computed outputs. */
  modify?(id: string, olds: Props, news: Props, ctx: StandInContext): Promise<Props> | Props;
  /** API checks of a delete; throw to refuse. */
  remove?(id: string, state: Props, ctx: StandInContext): Promise<void> | void;
  regional?: boolean;
}): ResourceType {
  const regional = spec.regional ?? true;
  return {
    token: spec.token,
    replaceOn: regional ? { ...spec.replaceOn, region: REGION_SOURCE } : spec.replaceOn,
    computed: [...spec.computed, "tagsAll", ...(regional ? ["region"] : [])],
    autoName: spec.autoName,
    defaults: spec.defaults,
    check(p, ctx) {
      const failures = spec.check?.(p, ctx) ?? [];
      checkTags(p, failures);
      return failures;
    },
    async create(p, ctx) {
      const region = regional ? regionOf(p, ctx) : "";
      const { id, outs } = await spec.make(p, ctx, region);
      const all = { ...outs, tagsAll: tagsAll(p), ...(regional ? { region } : {}) };
      store(ctx, spec.kind, id, { ...p, ...all }, undefined, p);
      return { id, outs: all };
    },
    async read(id, _state, ctx) {
      const found = load(ctx, spec.kind, id);
      if (!found) return undefined;
      const inputs: Props = {};
      for (const [k, v] of Object.entries(found.outs)) {
        if (!spec.computed.includes(k) && k !== "tagsAll" && v !== undefined) inputs[k] = v;
      }
      return { id, outs: found.outs, inputs: found.inputs ?? inputs };
    },
    async update(id, olds, news, ctx) {
      const changed = (await spec.modify?.(id, olds, news, ctx)) ?? {};
      const keep: Props = {};
      for (const k of [...spec.computed, ...(regional ? ["region"] : [])])
        if (olds[k] !== undefined) keep[k] = olds[k];
      const outs = { ...keep, ...changed, tagsAll: tagsAll(news) };
      store(ctx, spec.kind, id, { ...olds, ...news, ...outs }, undefined, news);
      return outs;
    },
    async delete(id, state, ctx) {
      await spec.remove?.(id, state, ctx);
      ctx.cloud.remove(`aws-${spec.kind}`, id);
    },
  };
}

/** EBS volume sizes by type (EBS User Guide, "Amazon EBS volume types"): GiB. */
const VOLUME_SIZES: Record<string, [number, number]> = {
  gp3: [1, 16384],
  gp2: [1, 16384],
  io1: [4, 16384],
  io2: [4, 65536],
  st1: [125, 16384],
  sc1: [125, 16384],
  standard: [1, 1024],
};

const volume = storedType({
  token: "aws:ebs/volume:Volume",
  kind: "volume",
  // internal/service/ec2/ebs_volume.go
  replaceOn: forceNew("ebs_volume.go", [
    "availabilityZone",
    "encrypted",
    "kmsKeyId",
    "snapshotId",
    "outpostArn",
  ]),
  computed: [
    "arn",
    "encrypted",
    "iops",
    "kmsKeyId",
    "size",
    "snapshotId",
    "throughput",
    "type",
    "createTime",
  ],
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "availabilityZone");
    const type = (p.type as string | undefined) ?? "gp2";
    const size = p.size;
    const range = VOLUME_SIZES[type];
    if (typeof size === "number" && range && (size < range[0] || size > range[1])) {
      failures.push({
        property: "size",
        reason: `${type} volumes are ${range[0]} to ${range[1]} GiB, got ${size}`,
      });
    }
    if (p.size === undefined && p.snapshotId === undefined) {
      failures.push({
        property: "size",
        reason: 'one of "size" or "snapshotId" must be specified (ebs_volume.go AtLeastOneOf)',
      });
    }
    return failures;
  },
  make(p, ctx, region) {
    const az = p.availabilityZone as string;
    if (!validZone(az, region)) {
      throw awsError(
        "creating EBS Volume",
        "EC2",
        "CreateVolume",
        400,
        "InvalidParameterValue",
        `Invalid availability zone: [${az}]`,
      );
    }
    const id = `vol-${hex(17)}`;
    return {
      id,
      outs: {
        arn: arn("ec2", region, `volume/${id}`),
        encrypted: (p.encrypted as boolean | undefined) ?? false,
        kmsKeyId: p.encrypted
          ? ((p.kmsKeyId as string | undefined) ??
            arn("kms", region, `key/${stableHex(`ebs/${region}`, 8)}-aws-managed-ebs`))
          : "",
        size: (p.size as number | undefined) ?? 30,
        type: (p.type as string | undefined) ?? "gp2",
        iops: p.type === "gp3" ? ((p.iops as number | undefined) ?? 3000) : p.iops,
        throughput: p.type === "gp3" ? ((p.throughput as number | undefined) ?? 125) : p.throughput,
        snapshotId: (p.snapshotId as string | undefined) ?? "",
        createTime: ctx.now().toISOString(),
      },
    };
  },
  modify(id, olds, news) {
    // EBS ModifyVolume: a volume can grow, never shrink.
    if (typeof news.size === "number" && typeof olds.size === "number" && news.size < olds.size) {
      throw awsError(
        `modifying EBS Volume (${id})`,
        "EC2",
        "ModifyVolume",
        400,
        "InvalidParameterValue",
        `New size cannot be smaller than existing size`,
      );
    }
    return {
      size: news.size ?? olds.size,
      type: news.type ?? olds.type,
      iops: news.iops ?? olds.iops,
      throughput: news.throughput ?? olds.throughput,
    };
  },
  remove(id, _state, ctx) {
    const attached = [...ctx.cloud.list<Stored>("aws-attachment-vol").values()].filter(
      (a) => a.outs.volumeId === id,
    );
    if (attached.length) {
      throw awsError(
        `deleting EBS Volume (${id})`,
        "EC2",
        "DeleteVolume",
        400,
        "VolumeInUse",
        `Volume ${id} is currently attached to ${String(attached[0].outs.instanceId)}`,
      );
    }
  },
});

const volumeAttachment = storedType({
  token: "aws:ec2/volumeAttachment:VolumeAttachment",
  kind: "attachment-vol",
  // internal/service/ec2/ec2_volume_attachment.go: device_name, instance_id, volume_id ForceNew.
  replaceOn: forceNew("ec2_volume_attachment.go", ["deviceName", "instanceId", "volumeId"]),
  computed: [],
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "deviceName", "instanceId", "volumeId");
    return failures;
  },
  async make(p, ctx) {
    const action = `attaching EBS Volume (${String(p.volumeId)}) to EC2 Instance (${String(p.instanceId)})`;
    const refuse = (code: string, message: string) =>
      awsError(action, "EC2", "AttachVolume", 400, code, message);
    const vol = load(ctx, "volume", p.volumeId as string);
    if (!vol)
      throw refuse("InvalidVolume.NotFound", `The volume '${String(p.volumeId)}' does not exist.`);
    const inst = load(ctx, "instance", p.instanceId as string);
    if (!inst)
      throw refuse(
        "InvalidInstanceID.NotFound",
        `The instance ID '${String(p.instanceId)}' does not exist`,
      );
    if (vol.outs.availabilityZone !== inst.outs.availabilityZone) {
      throw refuse(
        "InvalidVolume.ZoneMismatch",
        `The volume '${String(p.volumeId)}' is not in the same availability zone as instance '${String(p.instanceId)}'`,
      );
    }
    return await ctx.cloud.withLock("volume-attachments", () => {
      for (const a of ctx.cloud.list<Stored>("aws-attachment-vol").values()) {
        if (a.outs.volumeId === p.volumeId) {
          throw refuse("VolumeInUse", `${String(p.volumeId)} is already attached to an instance`);
        }
        if (a.outs.instanceId === p.instanceId && a.outs.deviceName === p.deviceName) {
          throw refuse(
            "InvalidParameterValue",
            `Invalid value '${String(p.deviceName)}' for unixDevice. Attachment point ${String(p.deviceName)} is already in use`,
          );
        }
      }
      // ec2_volume_attachment.go: the id is "vai-" and a hash of device, instance and volume.
      return {
        id: `vai-${parseInt(stableHex(`${String(p.deviceName)}-${String(p.instanceId)}-${String(p.volumeId)}`, 8), 16)}`,
        outs: {},
      };
    });
  },
});

/** DLM API CreateLifecyclePolicy: Description 1–500 and schedule Name 0–120 characters of [0-9A-Za-z _-]. */
const DLM_TEXT = /^[0-9A-Za-z _-]+$/;

const lifecyclePolicy = storedType({
  token: "aws:dlm/lifecyclePolicy:LifecyclePolicy",
  kind: "dlm",
  // internal/service/dlm/lifecycle_policy.go: no ForceNew attributes besides region.
  replaceOn: {},
  computed: ["arn", "defaultPolicy", "state"],
  defaults: { state: "ENABLED" },
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "description", "executionRoleArn");
    const description = p.description;
    if (
      typeof description === "string" &&
      description !== UNKNOWN &&
      (!DLM_TEXT.test(description) || description.length > 500)
    ) {
      failures.push({
        property: "description",
        reason: `must be 1 to 500 characters of [0-9A-Za-z _-] (DLM API), got ${JSON.stringify(description)}`,
      });
    }
    const details = (p.policyDetails as Props | undefined) ?? {};
    ((details.schedules as Props[] | undefined) ?? []).forEach((sched, i) => {
      const name = sched.name;
      if (
        typeof name === "string" &&
        name !== UNKNOWN &&
        (!DLM_TEXT.test(name) || name.length > 120)
      ) {
        failures.push({
          property: `policyDetails.schedules[${i}].name`,
          reason: `must be at most 120 characters of [0-9A-Za-z _-] (DLM API), got ${JSON.stringify(name)}`,
        });
      }
      const rule = (sched.createRule as Props | undefined) ?? {};
      // lifecycle_policy.go: interval one of 1, 2, 3, 4, 6, 8, 12, 24; times at most one "hh:mm".
      if (
        typeof rule.interval === "number" &&
        ![1, 2, 3, 4, 6, 8, 12, 24].includes(rule.interval)
      ) {
        failures.push({
          property: `policyDetails.schedules[${i}].createRule.interval`,
          reason: `expected interval to be one of [1 2 3 4 6 8 12 24], got ${rule.interval}`,
        });
      }
      const times = rule.times;
      const list = typeof times === "string" ? [times] : Array.isArray(times) ? times : [];
      if (
        list.length > 1 ||
        list.some(
          (t) =>
            typeof t === "string" &&
            t !== UNKNOWN &&
            !/^(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$/.test(t),
        )
      ) {
        failures.push({
          property: `policyDetails.schedules[${i}].createRule.times`,
          reason: `must be one time of day "hh:mm" (UTC), got ${JSON.stringify(times)}`,
        });
      }
      const count = (sched.retainRule as Props | undefined)?.count;
      if (typeof count === "number" && (count < 1 || count > 1000)) {
        failures.push({
          property: `policyDetails.schedules[${i}].retainRule.count`,
          reason: `expected count to be in the range (1 - 1000), got ${count}`,
        });
      }
    });
    return failures;
  },
  make(p, _ctx, region) {
    const id = `policy-${hex(17)}`;
    return { id, outs: { arn: arn("dlm", region, `policy/${id}`), state: p.state ?? "ENABLED" } };
  },
});

/** AWS managed policies the stand-in knows (IAM User Guide, "AWS managed policies"); others do not exist. */
const MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
  "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole",
  "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
  "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
  "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
  "arn:aws:iam::aws:policy/ReadOnlyAccess",
];
/** IAM quotas: managed policies attached to a role, default 10. */
const POLICIES_PER_ROLE = 10;

const rolePolicyAttachment = storedType({
  token: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  kind: "attachment",
  regional: false,
  // internal/service/iam/role_policy_attachment.go: role and policy_arn ForceNew.
  replaceOn: {
    role: "role_policy_attachment.go: role ForceNew",
    policyArn: "role_policy_attachment.go: policy_arn ForceNew",
  },
  computed: [],
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "role", "policyArn");
    return failures;
  },
  async make(p, ctx) {
    const roleName = p.role as string;
    const policyArn = p.policyArn as string;
    const action = `attaching IAM Policy (${policyArn}) to IAM Role (${roleName})`;
    if (!load(ctx, "role", roleName)) {
      throw awsError(
        action,
        "IAM",
        "AttachRolePolicy",
        404,
        "NoSuchEntity",
        `The role with name ${roleName} cannot be found.`,
      );
    }
    const partition = partitionOf(regionOf({}, ctx));
    const arnPartition = /^arn:([a-z-]+):/.exec(policyArn)?.[1];
    if (arnPartition !== undefined && arnPartition !== partition) {
      throw awsError(
        action,
        "IAM",
        "AttachRolePolicy",
        400,
        "InvalidInput",
        `Partition "${arnPartition}" is not valid for resource "${policyArn}".`,
      );
    }
    const managed = policyArn.replace(/^arn:[a-z-]+:/, "arn:aws:");
    if (managed.startsWith("arn:aws:iam::aws:policy/") && !MANAGED_POLICIES.includes(managed)) {
      throw awsError(
        action,
        "IAM",
        "AttachRolePolicy",
        404,
        "NoSuchEntity",
        `Policy ${policyArn} does not exist or is not attachable.`,
      );
    }
    return await ctx.cloud.withLock(`role-${roleName}`, () => {
      const attached = [...ctx.cloud.list<Stored>("aws-attachment").values()].filter(
        (a) => a.outs.role === roleName,
      );
      if (attached.length >= POLICIES_PER_ROLE) {
        throw awsError(
          action,
          "IAM",
          "AttachRolePolicy",
          409,
          "LimitExceeded",
          `Cannot exceed quota for PoliciesPerRole: ${POLICIES_PER_ROLE}`,
        );
      }
      return { id: `${roleName}/${policyArn}`, outs: {} };
    });
  },
});

/** Where {@link failAssociationRuns} records a host whose association runs fail. */
const RUN_FAILURES = "aws-ssm-run-failure";

/**
 * Makes every association run on `instanceId` end `Failed` with `detail` (what SSM reports as the
 * status detail), until {@link clearAssociationRunFailure}. Without it, the stand-in has no machine to
 * run a document on and every run succeeds at once.
 */
export function failAssociationRuns(cloud: Cloud, instanceId: string, detail: string): void {
  cloud.put(RUN_FAILURES, instanceId, { detail });
}

/** Lets association runs on `instanceId` succeed again. */
export function clearAssociationRunFailure(cloud: Cloud, instanceId: string): void {
  cloud.remove(RUN_FAILURES, instanceId);
}

/** The failure detail of the first targeted instance whose runs fail, if any. */
function runFailure(ctx: StandInContext, p: Props): string | undefined {
  for (const target of (p.targets as { key: string; values: string[] }[] | undefined) ?? []) {
    if (target.key !== "InstanceIds") continue;
    for (const id of target.values) {
      const f = ctx.cloud.get<{ detail: string }>(RUN_FAILURES, id);
      if (f) return f.detail;
    }
  }
  return undefined;
}

const association = storedType({
  token: "aws:ssm/association:Association",
  kind: "association",
  // internal/service/ssm/association.go: every argument is updated in place (UpdateAssociation), and
  // only resourceAssociationCreate waits for the run (waitAssociationSuccess, when
  // wait_for_success_timeout_seconds is set); an update returns without waiting.
  replaceOn: {},
  computed: ["arn", "associationId", "associationName", "documentVersion"],
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "name");
    const timeout = p.waitForSuccessTimeoutSeconds;
    if (typeof timeout === "number" && timeout < 0) {
      failures.push({
        property: "waitForSuccessTimeoutSeconds",
        reason: `must not be negative, got ${timeout}`,
      });
    }
    return failures;
  },
  make(p, ctx, region) {
    for (const target of (p.targets as { key: string; values: string[] }[] | undefined) ?? []) {
      if (target.key !== "InstanceIds") continue;
      for (const id of target.values) {
        if (!load(ctx, "instance", id)) {
          throw awsError(
            "creating SSM Association",
            "SSM",
            "CreateAssociation",
            400,
            "InvalidTarget",
            `Instance ${id} is not a valid target`,
          );
        }
      }
    }
    const id = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
    // There is no machine to run the document: the run succeeds at once unless a test made it fail.
    const failed = runFailure(ctx, p);
    if (p.waitForSuccessTimeoutSeconds !== undefined) {
      // The provider's error (sdkdiag around StateChangeConf's "unexpected state"). Unlike the real
      // provider, which keeps the created association in the state, nothing is stored here.
      if (failed !== undefined)
        throw new ApiError(
          `waiting for SSM Association (${id}) to be Success: unexpected state 'Failed', wanted target 'Success'. last error: ${failed}`,
        );
      ctx.log(
        "info",
        `SSM Association ${id}: the stand-in has no instance to run ${String(p.name)}; status Success`,
      );
    }
    return {
      id,
      outs: {
        arn: arn("ssm", region, `association/${id}`),
        associationId: id,
        documentVersion: "$DEFAULT",
      },
    };
  },
  modify(id, _olds, news, ctx) {
    // UpdateAssociation runs the new version at once, and the provider does not wait for it.
    const failed = runFailure(ctx, news);
    if (failed !== undefined)
      ctx.log(
        "info",
        `SSM Association ${id}: the new version's run Failed (not waited on): ${failed}`,
      );
    return {};
  },
});

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

const metricAlarm = storedType({
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

const topic = storedType({
  token: "aws:sns/topic:Topic",
  kind: "topic",
  // internal/service/sns/topic.go: name, name_prefix, fifo_topic ForceNew.
  replaceOn: forceNew("sns/topic.go", ["name", "namePrefix", "fifoTopic"]),
  computed: ["arn", "owner", "beginningArchiveTime", "namePrefix"],
  autoName: { property: "name", maxLength: 256 },
  check(p) {
    const failures: Failure[] = [];
    const name = p.name;
    // SNS API CreateTopic: up to 256 characters of [A-Za-z0-9_-] (FIFO topics end in .fifo).
    if (
      typeof name === "string" &&
      name !== UNKNOWN &&
      !/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)
    ) {
      failures.push({
        property: "name",
        reason: `must be 1 to 256 characters of [A-Za-z0-9_-], got ${name}`,
      });
    }
    return failures;
  },
  make(p, _ctx, region) {
    const a = arn("sns", region, p.name as string);
    return { id: a, outs: { arn: a, owner: ACCOUNT_ID } };
  },
});

/** Whether a key policy still lets the account (or the caller) change it (KMS lockout safety check). */
function keepsPolicyAdmin(policy: string, region: string): boolean {
  void region;
  let doc: { Statement?: Props[] | Props };
  try {
    doc = JSON.parse(policy);
  } catch {
    return false;
  }
  const statements = Array.isArray(doc.Statement)
    ? doc.Statement
    : doc.Statement
      ? [doc.Statement]
      : [];
  const admins = [`arn:aws:iam::${ACCOUNT_ID}:root`, ACCOUNT_ID, CALLER_ROLE_ARN, CALLER_ARN];
  return statements.some((st) => {
    if (st.Effect !== "Allow") return false;
    const actions = ([] as unknown[]).concat(st.Action ?? []) as string[];
    const allows = actions.some(
      (a) =>
        a === "*" ||
        a === "kms:*" ||
        a === "kms:PutKeyPolicy" ||
        (a.endsWith("*") && "kms:PutKeyPolicy".startsWith(a.slice(0, -1))),
    );
    const principal = st.Principal as Props | string | undefined;
    const aws =
      typeof principal === "string"
        ? [principal]
        : ([] as unknown[]).concat((principal as Props | undefined)?.AWS ?? []);
    return allows && (aws as string[]).some((x) => x === "*" || admins.includes(x));
  });
}

const kmsKey = storedType({
  token: "aws:kms/key:Key",
  kind: "kms",
  // internal/service/kms/key.go: customer_master_key_spec, key_usage, multi_region, custom_key_store_id,
  // xks_key_id ForceNew.
  replaceOn: forceNew("kms/key.go", [
    "customerMasterKeySpec",
    "keyUsage",
    "multiRegion",
    "customKeyStoreId",
    "xksKeyId",
  ]),
  computed: [
    "arn",
    "keyId",
    "policy",
    "customerMasterKeySpec",
    "keyUsage",
    "multiRegion",
    "rotationPeriodInDays",
    "description",
  ],
  defaults: { isEnabled: true },
  check(p) {
    const failures: Failure[] = [];
    const w = p.deletionWindowInDays;
    if (typeof w === "number" && (w < 7 || w > 30)) {
      failures.push({
        property: "deletionWindowInDays",
        reason: `expected deletion_window_in_days to be in the range (7 - 30), got ${w}`,
      });
    }
    lengthBetween(p, failures, "description", 0, 8192);
    const policy = p.policy;
    if (typeof policy === "string" && policy !== UNKNOWN && policy.length > 32768) {
      failures.push({
        property: "policy",
        reason: `a key policy is at most 32 KB (KMS quotas), got ${policy.length} characters`,
      });
    }
    return failures;
  },
  make(p, _ctx, region) {
    const policy = p.policy as string | undefined;
    if (
      policy !== undefined &&
      !p.bypassPolicyLockoutSafetyCheck &&
      !keepsPolicyAdmin(policy, region)
    ) {
      throw awsError(
        "creating KMS Key",
        "KMS",
        "CreateKey",
        400,
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
      );
    }
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`;
    return {
      id,
      outs: {
        arn: arn("kms", region, `key/${id}`),
        keyId: id,
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        multiRegion: false,
        rotationPeriodInDays: p.enableKeyRotation ? 365 : undefined,
        policy:
          policy ??
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "Enable IAM User Permissions",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
                Action: "kms:*",
                Resource: "*",
              },
            ],
          }),
      },
    };
  },
  modify(id, _olds, news, ctx) {
    const policy = news.policy as string | undefined;
    if (
      policy !== undefined &&
      !news.bypassPolicyLockoutSafetyCheck &&
      !keepsPolicyAdmin(policy, regionOf(news, ctx))
    ) {
      throw awsError(
        `updating KMS Key (${id}) policy`,
        "KMS",
        "PutKeyPolicy",
        400,
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
      );
    }
    return policy !== undefined ? { policy } : {};
  },
});

// S3: bucket names are global across all of AWS (S3 User Guide, "Bucket naming rules").
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (!BUCKET_NAME.test(name))
    problems.push(
      "3 to 63 characters of a-z, 0-9, . and -, beginning and ending with a letter or digit",
    );
  if (/\.\./.test(name)) problems.push("no two adjacent periods");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push("not formatted as an IP address");
  if (
    /^(xn--|sthree-|amzn-s3-demo-)/.test(name) ||
    /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)
  ) {
    problems.push("no reserved prefix or suffix");
  }
  return problems;
}

const bucket = storedType({
  token: "aws:s3/bucket:Bucket",
  kind: "bucket",
  // internal/service/s3/bucket.go: bucket, bucket_prefix, object_lock_enabled ForceNew.
  replaceOn: forceNew("s3/bucket.go", ["bucket", "bucketPrefix", "objectLockEnabled"]),
  computed: [
    "arn",
    "bucketDomainName",
    "bucketRegionalDomainName",
    "hostedZoneId",
    "region",
    "bucketPrefix",
    "objectLockEnabled",
    "forceDestroy",
    "bucket",
  ],
  defaults: { forceDestroy: false },
  check(p) {
    const failures: Failure[] = [];
    const name = p.bucket;
    if (typeof name === "string" && name !== UNKNOWN) {
      for (const problem of bucketNameProblems(name)) {
        failures.push({
          property: "bucket",
          reason: `invalid bucket name ${JSON.stringify(name)}: ${problem} (S3 bucket naming rules)`,
        });
      }
    }
    return failures;
  },
  make(p, ctx, region) {
    // Pulumi auto-names buckets in lower case: `<name>-<7 hex>`.
    const name =
      (p.bucket as string | undefined) ??
      `${ctx.urn.split("::").pop()?.toLowerCase().slice(0, 55)}-${hex(7)}`;
    const problems = bucketNameProblems(name);
    if (problems.length) {
      throw awsError(
        `creating S3 Bucket (${name})`,
        "S3",
        "CreateBucket",
        400,
        "InvalidBucketName",
        "The specified bucket is not valid.",
      );
    }
    if (!claimName(ctx.cloud, "s3", name, name)) {
      throw awsError(
        `creating S3 Bucket (${name})`,
        "S3",
        "CreateBucket",
        409,
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
      );
    }
    return {
      id: name,
      outs: {
        bucket: name,
        arn: `arn:aws:s3:::${name}`,
        bucketDomainName: `${name}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        hostedZoneId: "Z21DNDUVLTQW6Q",
        region,
      },
    };
  },
  remove(id, state, ctx) {
    const objects = ctx.cloud.get<{ count: number }>("aws-bucket-objects", id)?.count ?? 0;
    if (objects > 0 && !state.forceDestroy) {
      throw awsError(
        `deleting S3 Bucket (${id})`,
        "S3",
        "DeleteBucket",
        409,
        "BucketNotEmpty",
        "The bucket you tried to delete is not empty. You must delete all versions in the bucket.",
      );
    }
    releaseName(ctx.cloud, "s3", id);
  },
});

/** Marks a bucket as holding `count` objects (what a backup run wrote), for BucketNotEmpty tests. */
export function putBucketObjects(cloud: Cloud, bucketName: string, count: number): void {
  cloud.put("aws-bucket-objects", bucketName, { count });
}

/** A bucket sub-resource (versioning, policy, ...): needs the bucket; `bucket` replaces. */
function bucketPart(
  token: string,
  kind: string,
  file: string,
  check?: ResourceType["check"],
): ResourceType {
  return storedType({
    token,
    kind,
    replaceOn: forceNew(file, ["bucket", "expectedBucketOwner"]),
    computed: [],
    check(p, ctx) {
      const failures: Failure[] = [];
      required(p, failures, "bucket");
      failures.push(...(check?.(p, ctx) ?? []));
      return failures;
    },
    make(p, ctx) {
      const name = p.bucket as string;
      if (!load(ctx, "bucket", name)) {
        throw awsError(
          `creating S3 ${kind} (${name})`,
          "S3",
          "Put",
          404,
          "NoSuchBucket",
          "The specified bucket does not exist",
        );
      }
      return { id: name, outs: {} };
    },
  });
}

const bucketParts: ResourceType[] = [
  bucketPart(
    "aws:s3/bucketVersioning:BucketVersioning",
    "bucket-versioning",
    "s3/bucket_versioning.go",
    (p) => {
      const status = (p.versioningConfiguration as Props | undefined)?.status;
      return status !== undefined &&
        status !== UNKNOWN &&
        !["Enabled", "Suspended", "Disabled"].includes(status as string)
        ? [
            {
              property: "versioningConfiguration.status",
              reason: `expected status to be one of ["Enabled" "Suspended" "Disabled"], got ${String(status)}`,
            },
          ]
        : [];
    },
  ),
  bucketPart("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy", "s3/bucket_policy.go", (p) => {
    const failures: Failure[] = [];
    // S3 quotas: a bucket policy is at most 20 KB.
    checkPolicyJson(p, failures, "policy", 20480);
    return failures;
  }),
  bucketPart(
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "bucket-pab",
    "s3/bucket_public_access_block.go",
  ),
  bucketPart(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "bucket-encryption",
    "s3/bucket_server_side_encryption_configuration.go",
    (p) => {
      // The provider's schema: sse_algorithm is one of AES256, aws:kms, aws:kms:dsse.
      const allowed = ["AES256", "aws:kms", "aws:kms:dsse"];
      const rules = Array.isArray(p.rules) ? (p.rules as Props[]) : [];
      const failures: Failure[] = [];
      if (p.rules !== UNKNOWN && rules.length === 0)
        failures.push({ property: "rules", reason: "at least 1 rule is required" });
      rules.forEach((r, i) => {
        const alg = (r?.applyServerSideEncryptionByDefault as Props | undefined)?.sseAlgorithm;
        if (alg !== undefined && alg !== UNKNOWN && !allowed.includes(alg as string))
          failures.push({
            property: `rules[${i}].applyServerSideEncryptionByDefault.sseAlgorithm`,
            reason: `expected sse_algorithm to be one of ${JSON.stringify(allowed)}, got ${String(alg)}`,
          });
      });
      return failures;
    },
  ),
  bucketPart(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "bucket-lifecycle",
    "s3/bucket_lifecycle_configuration.go",
    (p) => {
      // S3 API, PutBucketLifecycleConfiguration: 1-1000 rules, ids at most 255 characters, status
      // Enabled or Disabled, day counts positive.
      const rules = Array.isArray(p.rules) ? (p.rules as Props[]) : [];
      const failures: Failure[] = [];
      if (p.rules !== UNKNOWN && (rules.length === 0 || rules.length > 1000))
        failures.push({ property: "rules", reason: "between 1 and 1000 rules are required" });
      rules.forEach((r, i) => {
        if (typeof r?.id === "string" && (r.id.length === 0 || r.id.length > 255))
          failures.push({ property: `rules[${i}].id`, reason: "must be 1 to 255 characters" });
        if (r?.status !== UNKNOWN && !["Enabled", "Disabled"].includes(r?.status as string))
          failures.push({
            property: `rules[${i}].status`,
            reason: `expected status to be one of ["Enabled" "Disabled"], got ${String(r?.status)}`,
          });
        const days = [
          (r?.expiration as Props | undefined)?.days,
          (r?.noncurrentVersionExpiration as Props | undefined)?.noncurrentDays,
          (r?.abortIncompleteMultipartUpload as Props | undefined)?.daysAfterInitiation,
        ];
        for (const d of days)
          if (typeof d === "number" && (!Number.isInteger(d) || d < 1))
            failures.push({
              property: `rules[${i}]`,
              reason: `day counts must be positive whole numbers, got ${d}`,
            });
      });
      return failures;
    },
  ),
  bucketPart(
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "bucket-ownership",
    "s3/bucket_ownership_controls.go",
    (p) => {
      const v = (p.rule as Props | undefined)?.objectOwnership;
      const allowed = ["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"];
      return v !== undefined && v !== UNKNOWN && !allowed.includes(v as string)
        ? [
            {
              property: "rule.objectOwnership",
              reason: `expected object_ownership to be one of ${JSON.stringify(allowed)}, got ${String(v)}`,
            },
          ]
        : [];
    },
  ),
  bucketPart(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "bucket-sse",
    "s3/bucket_server_side_encryption_configuration.go",
  ),
  bucketPart(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "bucket-lifecycle",
    "s3/bucket_lifecycle_configuration.go",
    (p) => {
      const failures: Failure[] = [];
      const rules = (p.rules as Props[] | undefined) ?? [];
      // S3 API PutBucketLifecycleConfiguration: at most 1,000 rules; rule ID up to 255 characters.
      if (rules.length > 1000)
        failures.push({ property: "rules", reason: `at most 1000 rules, got ${rules.length}` });
      rules.forEach((r, i) => {
        if (typeof r.id === "string" && r.id.length > 255)
          failures.push({
            property: `rules[${i}].id`,
            reason: `at most 255 characters, got ${r.id.length}`,
          });
        if (
          r.status !== undefined &&
          r.status !== UNKNOWN &&
          !["Enabled", "Disabled"].includes(r.status as string)
        ) {
          failures.push({
            property: `rules[${i}].status`,
            reason: `expected status to be one of ["Enabled" "Disabled"], got ${String(r.status)}`,
          });
        }
      });
      return failures;
    },
  ),
];

// --- Identity lookups ----------------------------------------------------------------------------------------

/** The role the fake deployer works as, and its session (what getCallerIdentity answers). */
export const CALLER_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/msgw-deployer`;
const CALLER_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/msgw-deployer/pulumi`;

const identityFunctions: FunctionType[] = [
  {
    token: "aws:index/getCallerIdentity:getCallerIdentity",
    async invoke(args) {
      return {
        ...args,
        id: ACCOUNT_ID,
        accountId: ACCOUNT_ID,
        arn: CALLER_ARN,
        userId: "AROAEXAMPLEDEPLOYER:pulumi",
      };
    },
  },
  {
    token: "aws:index/getPartition:getPartition",
    async invoke(args) {
      return {
        ...args,
        id: "aws",
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
      };
    },
  },
  {
    token: "aws:index/getRegion:getRegion",
    async invoke(args, ctx) {
      const region = regionOf(args, ctx);
      return {
        ...args,
        id: region,
        name: region,
        region,
        endpoint: `ec2.${region}.amazonaws.com`,
        description: region,
      };
    },
  },
  {
    token: "aws:iam/getSessionContext:getSessionContext",
    async invoke(args) {
      const a = args.arn as string;
      const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(a);
      if (!m)
        return { ...args, id: a, issuerArn: a, issuerId: "", issuerName: "", sessionName: "" };
      return {
        ...args,
        id: a,
        issuerArn: `arn:aws:iam::${m[1]}:role/${m[2]}`,
        issuerId: "AROAEXAMPLEDEPLOYER",
        issuerName: m[2],
        sessionName: m[3],
      };
    },
  },
];

/** The aws stand-in package. */
export const awsPackage: StandInPackage = {
  name: "aws",
  version: sdkVersion("aws"),
  resources: [
    securityGroup,
    sgRule("ingress"),
    sgRule("egress"),
    role,
    rolePolicy,
    instanceProfile,
    parameter,
    instance,
    eip,
    volume,
    volumeAttachment,
    lifecyclePolicy,
    rolePolicyAttachment,
    association,
    metricAlarm,
    topic,
    kmsKey,
    bucket,
    ...bucketParts,
  ],
  functions: [getAmi, getAvailabilityZones, getVpc, getSubnet, ...identityFunctions],
};
