/** Stand-in for AWS SSM parameters and associations; hand-written, no AWS is reachable here. */
import type { Cloud, StandInContext } from "../context";
import type { Failure, Props, ResourceType } from "../framework";
import { ApiError, hex, UNKNOWN } from "../framework";
import {
  arn,
  awsError,
  checkTags,
  claimName,
  lengthBetween,
  load,
  REGION_SOURCE,
  regionOf,
  releaseName,
  required,
  store,
  storedType,
  tagsAll,
} from "./shared";

const SSM_TYPES = ["String", "StringList", "SecureString"];

export const parameter: ResourceType = {
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

export const association = storedType({
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
