/**
 * The small framework every stand-in provider is built from: a table of resource types and functions, turned
 * into a `@pulumi/pulumi/provider` {@link Provider}. It does what the real providers' frameworks do around
 * the type-specific code: unwraps secrets and spots unknowns, fills Pulumi auto-names, diffs inputs against
 * the previous state (replacing on the properties a type lists in `replaceOn`), keeps input secrets secret in
 * the returned state, and turns thrown {@link ApiError}s into the engine's create/update failures.
 *
 * Test-only: nothing here is part of the package.
 */
import { createHash, randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type * as provider from "@pulumi/pulumi/provider";
import type { StandInContext } from "./context";

/** Sentinel the engine sends for a value not known during preview (sdk/go/common/resource/plugin/rpc.go). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Signature key of special objects on the wire (secrets, assets, resource references, output values). */
export const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** A refusal of the (stand-in) cloud API: the message the real API/provider would give. */
export class ApiError extends Error {}

/** True when `v` (or anything inside it) is unknown. */
export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/** Plain value: secrets and output values unwrapped, resource references replaced by their id (or URN). */
export function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG] === SECRET_SIG) return unwrap(o.value);
    if (o[SIG] === OUTPUT_SIG) return "value" in o ? unwrap(o.value) : UNKNOWN;
    if (o[SIG] === RESOURCE_SIG) return (o.id as string | undefined) ?? o.urn;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = unwrap(x);
    return out;
  }
  return v;
}

/** Marks a value secret on the wire. */
export function secret(v: unknown): unknown {
  return { [SIG]: SECRET_SIG, value: v };
}

/** True when the wire value is a secret (at its top). */
export function isSecret(v: unknown): boolean {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SIG] === SECRET_SIG;
}

/** Plain input or state bag. */
export type Props = Record<string, unknown>;

/** One input problem found by `check` (the real provider's schema validation), reported before any API call. */
export interface Failure {
  property: string;
  reason: string;
}

/** What `read` found: the live properties and the inputs that would produce them (for `import`). */
export interface ReadFound {
  id: string;
  outs: Props;
  inputs: Props;
}

/** One resource type of a stand-in provider. Adding a type is adding one of these to the provider's table. */
export interface ResourceType {
  /** Pulumi type token, e.g. `aws:ec2/instance:Instance`. */
  token: string;
  /**
   * Input properties whose change replaces the resource, each with the source of that rule (the real
   * provider's schema: Terraform `ForceNew` / `RequiresReplace`, or `replaceOnChanges` in native providers).
   */
  replaceOn: Record<string, string>;
  /** Output-only or optional-computed properties: absent from new inputs is no change (Terraform semantics). */
  computed?: string[];
  /** Pulumi auto-naming: fills `property` with `<resource name>-<7 hex>` when not given, kept across updates. */
  autoName?: { property: string; maxLength: number };
  /** Default inputs the real schema fills in `check`. */
  defaults?: Props;
  /** Schema validation at `check` time (runs during preview too). Values may be {@link UNKNOWN}. */
  check?(inputs: Props, ctx: StandInContext): Failure[];
  /** Extra replacement reasons that depend on more than a changed input (e.g. certificate renewal). */
  replaceIf?(olds: Props, news: Props, ctx: StandInContext): string[];
  create(inputs: Props, ctx: StandInContext): Promise<{ id: string; outs: Props }>;
  /** Live state, or undefined when the object is gone. Without it, `read` returns the recorded state. */
  read?(id: string, state: Props, ctx: StandInContext): Promise<ReadFound | undefined>;
  /** In-place update; returns the new computed outputs. Without it, updates just record the new inputs. */
  update?(id: string, olds: Props, news: Props, ctx: StandInContext): Promise<Props>;
  delete?(id: string, state: Props, ctx: StandInContext): Promise<void>;
}

/** One function (data source) of a stand-in provider. */
export interface FunctionType {
  token: string;
  invoke(args: Props, ctx: StandInContext): Promise<Props>;
}

/** A stand-in provider: the package name and version it impersonates, and its tables. */
export interface StandInPackage {
  name: string;
  version: string;
  resources: ResourceType[];
  functions: FunctionType[];
}

/** `type` part of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function urnType(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() as string;
}

/** `name` part of a URN. */
export function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** Random lowercase hex of `n` characters. */
export function hex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString("hex")
    .slice(0, n);
}

/** Deterministic lowercase hex of `n` characters derived from `seed`. */
export function stableHex(seed: string, n: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, n);
}

/** Input key listing the inputs the provider filled in (pulumi-terraform-bridge's `__defaults`). */
export const DEFAULTS_KEY = "__defaults";

/** The bag without the {@link DEFAULTS_KEY} bookkeeping. */
export function withoutDefaults(p: Props): Props {
  if (!(DEFAULTS_KEY in p)) return p;
  const out = { ...p };
  delete out[DEFAULTS_KEY];
  return out;
}

/** Removes keys whose value is undefined or null (absent inputs). */
function present(p: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

/**
 * Which inputs changed between the previous state and the new inputs: a key present in the new inputs that
 * differs, or a key present before and absent now unless the type marks it computed.
 */
export function changedKeys(type: ResourceType, olds: Props, news: Props): string[] {
  const o = present(olds);
  const n = present(news);
  const computed = new Set(type.computed ?? []);
  const keys = new Set([...Object.keys(n), ...Object.keys(o).filter((k) => !computed.has(k))]);
  const changed: string[] = [];
  for (const k of keys) {
    if (containsUnknown(n[k])) changed.push(k);
    else if (!isDeepStrictEqual(o[k], n[k])) changed.push(k);
  }
  return changed.sort();
}

/** The engine-facing diff of one resource: which inputs changed and which of them force replacement. */
export function diffResource(
  type: ResourceType,
  olds: Props,
  news: Props,
  ctx: StandInContext,
): { changes: boolean; replaces: string[]; changed: string[] } {
  const inputKeys = new Set(Object.keys(present(news)));
  // Only compare what can be an input: computed-only outputs in the old state are not inputs.
  const oldInputs: Props = {};
  for (const [k, v] of Object.entries(olds)) {
    if (inputKeys.has(k) || !(type.computed ?? []).includes(k)) oldInputs[k] = v;
  }
  const changed = changedKeys(type, oldInputs, news);
  const replaces = changed.filter((k) => k in type.replaceOn);
  for (const extra of type.replaceIf?.(olds, news, ctx) ?? []) {
    if (!replaces.includes(extra)) replaces.push(extra);
  }
  return { changes: changed.length > 0 || replaces.length > 0, replaces, changed };
}

/**
 * A diff with the changed input keys, which a bridged provider sends as its detailed diff and the
 * engine needs for `replaceOnChanges`. The Node.js provider server drops them; main.ts adds them to
 * the response.
 */
export type StandInDiffResult = provider.DiffResult & { changedKeys: string[] };

/** Error shape `@pulumi/pulumi/provider` turns into a partially created resource (ErrorResourceInitFailed). */
export interface InitFailed extends Error {
  id: string;
  properties: Props;
  reasons: string[];
}

/** Builds the `@pulumi/pulumi/provider` implementation for one stand-in package. */
export function buildProvider(
  pkg: StandInPackage,
  makeContext: (urn: string) => StandInContext,
): provider.Provider {
  const types = new Map(pkg.resources.map((t) => [t.token, t]));
  const functions = new Map(pkg.functions.map((f) => [f.token, f]));
  const typeOf = (urn: string): ResourceType => {
    const t = types.get(urnType(urn));
    if (!t) {
      throw new Error(
        `stand-in ${pkg.name} provider: resource type ${urnType(urn)} is not implemented ` +
          `(add it to tests/engine/providers/${pkg.name}.ts)`,
      );
    }
    return t;
  };
  /** The state to hand back: the raw (possibly secret) inputs, overlaid with computed outputs. */
  const state = (rawInputs: Props, outs: Props): Props => {
    const result: Props = { ...rawInputs };
    for (const [k, v] of Object.entries(outs)) {
      if (v === undefined) continue;
      // Keep an input's secret wrapper when the output is the same value.
      if (isSecret(rawInputs[k]) && isDeepStrictEqual(unwrap(rawInputs[k]), v)) continue;
      result[k] = v;
    }
    return result;
  };
  return {
    version: pkg.version,
    schema: JSON.stringify({ name: pkg.name, version: pkg.version }),

    async check(urn, olds, news) {
      const type = typeOf(urn);
      const inputs: Props = { ...(type.defaults ?? {}), ...present(news) };
      if (type.autoName && inputs[type.autoName.property] === undefined) {
        const previous = olds?.[type.autoName.property];
        // Pulumi auto-naming: `<name>-<7 random hex>`; a long name is cut so the whole fits the limit.
        const prefix = urnName(urn).slice(0, type.autoName.maxLength - 8);
        inputs[type.autoName.property] = previous ?? `${prefix}-${hex(7)}`;
        // As pulumi-terraform-bridge does: remember which inputs are defaults (it decides delete-before-replace).
        inputs[DEFAULTS_KEY] = [type.autoName.property];
      }
      const failures =
        type.check?.(withoutDefaults(unwrap(inputs) as Props), makeContext(urn)) ?? [];
      return { inputs, failures };
    },

    async diff(_id, urn, olds, news) {
      const type = typeOf(urn);
      const plainNews = unwrap(news) as Props;
      const { changes, replaces, changed } = diffResource(
        type,
        withoutDefaults(unwrap(olds) as Props),
        withoutDefaults(plainNews),
        makeContext(urn),
      );
      // pulumi-terraform-bridge nameRequiresDeleteBeforeReplace: a replaced resource whose auto-nameable name
      // was given explicitly must be deleted first (the new one takes the same name).
      const named =
        type.autoName &&
        !((plainNews[DEFAULTS_KEY] as string[] | undefined) ?? []).includes(type.autoName.property);
      const result: StandInDiffResult = {
        changes,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && !!named,
        changedKeys: changed,
      };
      return result;
    },

    async create(urn, inputs) {
      const type = typeOf(urn);
      const raw = withoutDefaults(inputs);
      const { id, outs } = await type.create(unwrap(raw) as Props, makeContext(urn));
      return { id, outs: state(raw, outs) };
    },

    async read(id, urn, props) {
      const type = typeOf(urn);
      if (!type.read) return { id, props, inputs: undefined };
      const found = await type.read(id, unwrap(props ?? {}) as Props, makeContext(urn));
      if (!found) return { id: "", props: {} };
      return { id: found.id, props: found.outs, inputs: found.inputs };
    },

    async update(id, urn, olds, news) {
      const type = typeOf(urn);
      const plainOlds = withoutDefaults(unwrap(olds) as Props);
      const raw = withoutDefaults(news);
      const outs = type.update
        ? await type.update(id, plainOlds, unwrap(raw) as Props, makeContext(urn))
        : keepComputed(type, plainOlds);
      return { outs: state(raw, outs) };
    },

    async delete(id, urn, props) {
      const type = typeOf(urn);
      await type.delete?.(id, unwrap(props) as Props, makeContext(urn));
    },

    async invoke(token, args) {
      const fn = functions.get(token);
      if (!fn) {
        throw new Error(
          `stand-in ${pkg.name} provider: function ${token} is not implemented ` +
            `(add it to tests/engine/providers/${pkg.name}.ts)`,
        );
      }
      const outputs = await fn.invoke(unwrap(args ?? {}) as Props, makeContext(""));
      return { outputs };
    },
  };
}

/** The computed part of an old state (for types whose update only records new inputs). */
export function keepComputed(type: ResourceType, olds: Props): Props {
  const out: Props = {};
  for (const k of type.computed ?? []) if (olds[k] !== undefined) out[k] = olds[k];
  return out;
}

/** The plugin version the installed SDK package asks the engine for (`pulumi.version` in its package.json). */
export function sdkVersion(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(`@pulumi/${name}/package.json`) as {
    version: string;
    pulumi?: { version?: string };
  };
  return pkg.pulumi?.version ?? pkg.version;
}
