/** Stand-in for AWS IAM roles, policies, instance profiles; hand-written, no AWS is reachable here. */
import type { Failure, Props, ResourceType } from "../framework";
import { containsUnknown, hex, stableHex, UNKNOWN } from "../framework";
import type { Stored } from "./shared";
import {
  ACCOUNT_ID,
  awsError,
  checkTags,
  claimName,
  load,
  partitionOf,
  readStored,
  regionOf,
  releaseName,
  required,
  store,
  storedType,
  tagsAll,
} from "./shared";

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
export function checkPolicyJson(p: Props, failures: Failure[], key: string, max: number): void {
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

export const role: ResourceType = {
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

export const rolePolicy: ResourceType = {
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

export const instanceProfile: ResourceType = {
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

export const rolePolicyAttachment = storedType({
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
