/** Shared parts of the AWS stand-in: account, regions, errors, storage; hand-written, no AWS here. */
import type { Cloud, StandInContext } from "../context";
import type { Failure, Props, ReadFound, ResourceType } from "../framework";
import { ApiError, containsUnknown, stableHex, UNKNOWN } from "../framework";

/** The fake account's id (the documentation example account). */
export const ACCOUNT_ID = "123456789012";

export const REGION_SOURCE =
  "terraform-provider-aws 6.x: region is ForceNew on every regional resource";

/** `replaceOn` entries for Terraform ForceNew attributes of one source file, plus `region`. */
export function forceNew(file: string, keys: string[]): Record<string, string> {
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
export function regionOf(p: Props, ctx: StandInContext): string {
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

/**
 * Tag limits (AWS General Reference, "Tagging your AWS resources", tag restrictions): at most 50 tags, keys
 * 1–128 and values 0–256 Unicode characters, the `aws:` prefix reserved. The provider adds no tags of its own.
 */
export function checkTags(p: Props, failures: Failure[]): void {
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

export function required(p: Props, failures: Failure[], ...keys: string[]): void {
  for (const k of keys) {
    if (p[k] === undefined)
      failures.push({ property: k, reason: `Missing required argument "${k}"` });
  }
}

export function lengthBetween(
  p: Props,
  failures: Failure[],
  key: string,
  min: number,
  max: number,
): void {
  const v = p[key];
  if (typeof v === "string" && v !== UNKNOWN && (v.length < min || v.length > max)) {
    failures.push({
      property: key,
      reason: `expected length of ${key} to be in the range (${min} - ${max}), got ${v}`,
    });
  }
}

/** A stored object: its state (outputs) plus bookkeeping. */
export interface Stored {
  /** The state as the provider reports it (what `read` returns). */
  outs: Props;
  /** The inputs that made it (what `read` returns as inputs: refresh and import see the same inputs). */
  inputs?: Props;
  /** Instance state transitions (stop/start), for tests that must see whether a host was restarted. */
  events?: { at: string; event: string; reason: string }[];
  /** Bookkeeping of the stand-in that is no provider output. */
  meta?: Props;
}

export function store(
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

export function load(ctx: StandInContext, kind: string, id: string): Stored | undefined {
  return ctx.cloud.get<Stored>(`aws-${kind}`, id);
}

/** Read = the stored object (refresh sees deletions made outside the program, e.g. by another test). */
export function readStored(kind: string, inputKeys: string[]) {
  return async (id: string, _state: Props, ctx: StandInContext): Promise<ReadFound | undefined> => {
    const found = load(ctx, kind, id);
    if (!found) return undefined;
    const inputs: Props = {};
    for (const k of inputKeys) if (found.outs[k] !== undefined) inputs[k] = found.outs[k];
    return { id, outs: found.outs, inputs: found.inputs ?? inputs };
  };
}

/** Claims an account- or region-wide unique name; false when taken. */
export function claimName(cloud: Cloud, scope: string, name: string, owner: string): boolean {
  return cloud.create("aws-names", `${scope}/${name}`, { owner });
}

export function releaseName(cloud: Cloud, scope: string, name: string): void {
  cloud.remove("aws-names", `${scope}/${name}`);
}

export function arn(service: string, region: string, resource: string): string {
  return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${resource}`;
}

export function tagsAll(p: Props): Props {
  return { ...((p.tags as Props | undefined) ?? {}) };
}

/** A generic stored AWS object: id from `makeId`, state recorded, read/update/delete on the record. */
export function storedType(spec: {
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
