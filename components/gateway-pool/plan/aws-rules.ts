// Pure: the AWS rules a pool's AWS hosts must satisfy before anything is created — quotas (inbound rules
// per security group, tags per resource), names the pool derives from its own name and the stack's, the
// instance families first boot and the recover alarm can work with, and the partition of each region.
import type { GatewayPoolPlan } from "./pool-plan";
import { GATEWAY_DEFAULTS } from "./gateway-defaults";
import { sshHostKeyParameterName } from "./iam-policies";
import { SSM_NAME_LEVEL, SSM_NAME_MAX } from "./limits";

/**
 * Inbound rules per security group: 60, counted separately for IPv4 and IPv6 (Amazon VPC user guide,
 * "Amazon VPC quotas", Security groups: "Inbound or outbound rules per security group"). Adjustable, but
 * the default is what a new account has; the pool creates one rule per port per CIDR.
 */
export const SECURITY_GROUP_INBOUND_RULES_MAX = 60;

/**
 * Tags (AWS General Reference, "Tagging your AWS resources", tag naming limits and requirements): at most
 * 50 user tags per resource; keys 1–128 and values 0–256 Unicode characters; keys beginning with `aws:`
 * (any case) are reserved. IAM roles, which the pool tags like every other resource, accept only letters,
 * digits, spaces and `_.:/=+-@` in keys and values (IAM API reference, Tag: Key and Value pattern).
 */
export const TAGS_MAX = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Tag keys the pool sets itself; one resource carries at most three of them (the data volume). */
export const POOL_TAG_KEYS = ["Name", "msgw:pool", "msgw:backup", "msgw:purpose"] as const;
const POOL_TAGS_PER_RESOURCE = 3;

/**
 * Maximum lengths of auto-generated names: Pulumi appends `-` and 7 random characters to the resource
 * name and refuses a result over the provider's maximum ("plus 7 random chars is longer than maximum
 * length"). Maxima from the APIs: IAM CreateRole RoleName 64, CreateInstanceProfile 128; EC2
 * CreateSecurityGroup GroupName 255 (and never starting with `sg-`); SNS CreateTopic Name 256 (letters,
 * digits, `-`, `_`); CloudWatch PutMetricAlarm AlarmName 255.
 */
export const AUTONAME_SUFFIX = 8;
export const IAM_ROLE_NAME_MAX = 64;
export const INSTANCE_PROFILE_NAME_MAX = 128;
export const SECURITY_GROUP_NAME_MAX = 255;
export const SNS_TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
export const ALARM_NAME_MAX = 255;

/**
 * Instance families built on the Xen hypervisor (Amazon EC2 user guide, "Instances built on the AWS
 * Nitro System", and the previous-generation instance list). First boot finds the data volume by its
 * NVMe serial number (the EBS volume id), which only Nitro instances expose; a Xen instance attaches it as
 * `xvd*`. AWS builds every new family on Nitro, so this set is closed: listing it cannot go stale, where a
 * list of "supported" families would. `i3.metal` and `p3dn` are Nitro and are excepted by name.
 */
// prettier-ignore
export const XEN_FAMILIES = new Set([
  "t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "cc1", "cc2", "cg1", "cr1", "r3", "r4", "x1",
  "x1e", "d2", "h1", "hi1", "hs1", "i2", "i3", "g2", "g3", "g3s", "f1", "p2", "p3",
]);
const NITRO_EXCEPTIONS = new Set(["i3.metal", "p3dn.24xlarge"]);

/** `m6id.large` -> { family: "m6id", size: "large" }; undefined when the text is not `<family>.<size>`. */
export function parseInstanceType(type: string): { family: string; size: string } | undefined {
  const m = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(type);
  return m ? { family: m[1], size: m[2] } : undefined;
}

/** True when the instance type runs on Xen (see {@link XEN_FAMILIES}). */
export function isXenInstanceType(type: string): boolean {
  const t = parseInstanceType(type);
  return t !== undefined && XEN_FAMILIES.has(t.family) && !NITRO_EXCEPTIONS.has(type);
}

/**
 * Whether EC2's recover action can act on an instance of this type. EC2 recovers only instances whose
 * storage is all EBS (Amazon EC2 user guide, "Configure CloudWatch action based recovery": instance store
 * volumes are not supported) and not bare metal. The naming convention gives it without a list of types
 * (Amazon EC2 instance types, "Naming conventions": `d` among the attributes after the generation means
 * instance store): storage-optimized (`i`, `d`, `h`, `im`, `is`) and accelerated (`g`, `p`, `f`, `inf`,
 * `trn`, `dl`, `vt`) families carry local disks without a `d`, high-memory (`u-`, `u7*`) and `mac` types
 * run on dedicated hosts, and `*.metal` is bare metal: none of them gets the recover action. A missing
 * action costs one automatic recovery (the alarm still notifies); a wrong one fails `pulumi up`.
 */
export function recoverActionSupported(type: string): boolean {
  const t = parseInstanceType(type);
  if (t === undefined || t.size.includes("metal")) return false;
  const m = /^([a-z]+?)(\d+)([a-z-]*)$/.exec(t.family);
  if (!m) return false;
  const [, series, , attributes] = m;
  if (!["t", "m", "c", "r", "x", "z", "a"].includes(series)) return false;
  return !attributes.includes("d");
}

/**
 * The partition of an AWS region (AWS General Reference, "ARNs": partitions `aws`, `aws-cn`,
 * `aws-us-gov`, and the isolated `aws-iso*` and `aws-eusc`). Pure, so ARNs need no lookup per host.
 */
export function partitionOfRegion(region: string): string {
  const prefixes: Array<[string, string]> = [
    ["cn-", "aws-cn"],
    ["us-gov-", "aws-us-gov"],
    ["us-isob-", "aws-iso-b"],
    ["us-isof-", "aws-iso-f"],
    ["us-iso-", "aws-iso"],
    ["eu-isoe-", "aws-iso-e"],
    ["eusc-", "aws-eusc"],
  ];
  return prefixes.find(([p]) => region.startsWith(p))?.[1] ?? "aws";
}

/**
 * Naming of an IAM role or instance profile whose resource name is `resourceName`: Pulumi's own name
 * (`<resourceName>-` and 7 random characters) when it fits `max`, which keeps every name that was
 * already legal; else a `namePrefix` cut to fit (the provider appends 26 unique characters).
 */
export function iamNaming(resourceName: string, max: number): { namePrefix?: string } {
  if (resourceName.length + AUTONAME_SUFFIX <= max) return {};
  return { namePrefix: `${resourceName.slice(0, max - 26 - 1)}-` };
}

/** The S3 bucket-name prefix of the pool's own configuration store. */
export const CONFIG_BUCKET_SUFFIX = "-msgw-config-";

/**
 * A legal S3 bucket-name prefix from any pool name (S3 user guide, "General purpose bucket naming
 * rules": lower-case letters, digits, `.` and `-`, beginning with a letter or digit, not beginning with
 * `xn--`, `sthree-` or `amzn-s3-demo-`; 3–63 characters, the provider appending 26 to a prefix of at
 * most 37). Names that were already legal keep their prefix.
 */
export function configBucketPrefix(poolName: string): string {
  let base = poolName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+/, "");
  if (base === "" || /^(xn--|sthree-|amzn-s3-demo-)/.test(base)) base = `msgw-${base}`;
  return `${base.slice(0, 24)}${CONFIG_BUCKET_SUFFIX}`;
}

/** Inputs of {@link awsPoolProblems}. */
export interface AwsRulesInput {
  /** The component's name. */
  name: string;
  stack: string;
  plan: GatewayPoolPlan;
}

/**
 * Every AWS rule the pool breaks, one line each naming the argument, the value, the limit and its
 * source, and what to do. Empty without AWS hosts. Values that are still Outputs are skipped.
 */
export function awsPoolProblems(input: AwsRulesInput): string[] {
  const { name, stack, plan } = input;
  const awsAt = plan.hosts.flatMap((h, i) => (h.placement === "aws" ? [i] : []));
  if (awsAt.length === 0) return [];
  const problems: string[] = [];
  const quote = JSON.stringify;

  // SSM parameter names and snapshot tags carry the pool and stack names.
  for (const [what, value] of [
    ["pool name", name],
    ["stack name", stack],
  ] as const) {
    if (!SSM_NAME_LEVEL.test(value)) {
      problems.push(
        `${what} ${quote(value)} becomes part of SSM parameter names and tags, which allow only letters, digits, "_", "." and "-"; rename it`,
      );
    }
  }

  // Names derived from the pool name.
  if (SSM_NAME_LEVEL.test(name) && !SNS_TOPIC_NAME.test(`${name}-alarms-eu-central-1-1234567`)) {
    problems.push(
      `pool name ${quote(name)} becomes part of the alarm topics' SNS names, which allow only letters, digits, "-" and "_" (SNS API reference, CreateTopic Name); rename it`,
    );
  }
  if (name.startsWith("sg-")) {
    problems.push(
      `pool name ${quote(name)} begins the hosts' security group names, which must not begin with "sg-" (EC2 API reference, CreateSecurityGroup GroupName); rename it`,
    );
  }
  for (const what of ["msgw:pool", "msgw:backup"] as const) {
    const value = what === "msgw:pool" ? name : `${stack}/${name}`;
    if (value.length > TAG_VALUE_MAX) {
      problems.push(
        `pool name ${quote(name)} gives the "${what}" tag a value of ${value.length} characters, above the ${TAG_VALUE_MAX} AWS allows (AWS General Reference, tag naming limits); use a shorter pool name`,
      );
    }
  }
  for (const i of awsAt) {
    const h = plan.hosts[i];
    const base = `${name}-${h.key}`;
    const at = `hosts[${i}].hostname ${quote(h.hostname)} with pool name ${quote(name)}`;
    // prettier-ignore
    const limits: Array<[string, number, string]> = [
      [`${base}-sg`, SECURITY_GROUP_NAME_MAX, "its security group (EC2 API reference, CreateSecurityGroup GroupName)"],
      [`${base}-instance-check`, ALARM_NAME_MAX, "its status alarms (CloudWatch API reference, PutMetricAlarm AlarmName)"],
    ];
    for (const [resource, max, what] of limits) {
      const length = resource.length + AUTONAME_SUFFIX;
      if (length > max) {
        problems.push(
          `${at} names ${what} "${resource}-" and 7 random characters, ${length} in all, above the ${max} AWS allows; shorten the pool name or the host's name below the zone (at most ${max - AUTONAME_SUFFIX - (resource.length - h.key.length)} characters for "${h.key}")`,
        );
        break;
      }
    }
    if (plan.configSync !== undefined) {
      const parameter = sshHostKeyParameterName(stack, name, h.key);
      if (parameter.length > SSM_NAME_MAX) {
        problems.push(
          `${at} names its SSH host-key parameter with ${parameter.length} characters, above the ${SSM_NAME_MAX} SSM allows (Systems Manager API reference, PutParameter Name); shorten the pool, stack or host name`,
        );
      }
    }
  }

  // Inbound rules per security group, per address family.
  for (const family of [4, 6] as const) {
    const rules = plan.ingressRules.filter((r) => r.family === family);
    if (rules.length <= SECURITY_GROUP_INBOUND_RULES_MAX) continue;
    const perService = new Map<string, number>();
    for (const r of rules) perService.set(r.service, (perService.get(r.service) ?? 0) + 1);
    const detail = [...perService].map(([s, n]) => `${s} ${n}`).join(", ");
    problems.push(
      `access: each AWS host's security group would get ${rules.length} inbound IPv${family} rules (one per port and CIDR: ${detail}), above the ${SECURITY_GROUP_INBOUND_RULES_MAX} EC2 allows per group by default, counted separately for IPv4 and IPv6 (Amazon VPC quotas, "Inbound or outbound rules per security group"); merge CIDRs of access.adminCidrs, access.mailStoreServerCidrs and access.smtpSourceCidrs into fewer, larger blocks`,
    );
  }

  // Tags: the user's, plus the pool's own keys, on every AWS resource.
  const tags = plan.aws.tags;
  const keys = Object.keys(tags);
  if (keys.length + POOL_TAGS_PER_RESOURCE > TAGS_MAX) {
    problems.push(
      `aws.tags has ${keys.length} tags; with the up to ${POOL_TAGS_PER_RESOURCE} the pool adds (${POOL_TAG_KEYS.join(", ")}) that is above the ${TAGS_MAX} AWS allows per resource (AWS General Reference, tag naming limits); give at most ${TAGS_MAX - POOL_TAGS_PER_RESOURCE}`,
    );
  }
  for (const key of keys) {
    const value = tags[key];
    const at = `aws.tags[${quote(key)}]`;
    if ((POOL_TAG_KEYS as readonly string[]).includes(key) || key.startsWith("msgw:")) {
      problems.push(`${at}: the pool sets this tag itself; choose another key`);
    } else if (key.toLowerCase().startsWith("aws:")) {
      problems.push(
        `${at}: keys beginning with "aws:" are reserved for AWS (AWS General Reference, tag naming limits); choose another key`,
      );
    } else if (key.length < 1 || key.length > TAG_KEY_MAX || !TAG_TEXT.test(key)) {
      problems.push(
        `${at}: tag keys are 1 to ${TAG_KEY_MAX} letters, digits, spaces and _.:/=+-@ (AWS General Reference, tag naming limits; IAM API reference, Tag); rename the key`,
      );
    }
    if (typeof value === "string" && (value.length > TAG_VALUE_MAX || !TAG_TEXT.test(value))) {
      problems.push(
        `${at} ${quote(value)}: tag values are at most ${TAG_VALUE_MAX} letters, digits, spaces and _.:/=+-@ (AWS General Reference, tag naming limits; IAM API reference, Tag); change the value`,
      );
    }
  }

  // Instance families: first boot needs Nitro (NVMe serial of the data volume).
  const poolType = plan.aws.instanceType;
  if (typeof poolType === "string" && isXenInstanceType(poolType)) {
    const fromPool = plan.hosts.some((h) => h.aws?.instanceTypeFrom === "pool");
    if (fromPool) problems.push(xenProblem("aws.instanceType", poolType));
  }
  for (const [i, h] of plan.hosts.entries()) {
    const own = h.aws?.instanceTypeFrom === "host" ? h.aws.instanceType : undefined;
    if (typeof own === "string" && isXenInstanceType(own)) {
      problems.push(xenProblem(`hosts[${i}].aws.instanceType`, own));
    }
  }

  // Partitions: one AWS provider (one set of credentials) reaches one partition.
  const regions = awsAt.flatMap((i) => {
    const r = plan.hosts[i].region;
    return r === undefined ? [] : [[i, r, partitionOfRegion(r)] as const];
  });
  const first = regions[0];
  for (const [i, region, partition] of regions.slice(1)) {
    if (first !== undefined && partition !== first[2]) {
      problems.push(
        `hosts[${i}].aws.region "${region}" is in partition "${partition}" but hosts[${first[0]}].aws.region "${first[1]}" is in "${first[2]}"; one AWS provider's credentials reach one partition, so put these hosts in another pool with its own provider`,
      );
    }
  }
  return problems;
}

function xenProblem(at: string, type: string): string {
  return `${at} "${type}" is a Xen instance type; first boot finds the data volume by its NVMe serial number, which only Nitro instances have, so it would wait 15 minutes and fail. Use a Nitro type such as "${GATEWAY_DEFAULTS.instanceType}" (Amazon EC2 user guide, "Instances built on the AWS Nitro System")`;
}
