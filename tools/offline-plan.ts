import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { PoolMocks } from "./mocks";

/** One resource the program registers. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent resource, if any. */
  parent: string | undefined;
  /** URNs this resource waits for (explicit dependsOn and input dependencies). */
  dependencies: string[];
  /** Inputs as registered; secrets are replaced by "[secret]". */
  inputs: Record<string, unknown>;
  /**
   * Resource options as sent to the engine (the mocks do not act on them; the engine does): only those
   * set are present.
   */
  options: {
    protect?: true;
    retainOnDelete?: true;
    deleteBeforeReplace?: true;
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    import?: string;
  };
}

/** What {@link planOffline} returns. */
export interface OfflinePlan {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  /** Output names whose values are secret (shown as "[secret]"). */
  secretOutputs: string[];
}

function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[specialSigKey] === specialSecretSig) return "[secret]";
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

async function settle(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  const out = pulumi.output(value as pulumi.Input<unknown>) as pulumi.Output<unknown>;
  const [resolved, secret] = await Promise.all([
    new Promise<unknown>((resolve) => out.apply((v) => resolve(v))),
    pulumi.isSecret(out),
  ]);
  return { value: resolved, secret };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }) => void): void };
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getImportid(): string;
}

export function optionsOf(req: RegisterRequest): PlannedResource["options"] {
  const options: PlannedResource["options"] = {};
  if (req.getProtect()) options.protect = true;
  if (req.getRetainondelete()) options.retainOnDelete = true;
  if (req.getDeletebeforereplace()) options.deleteBeforeReplace = true;
  if (req.getIgnorechangesList().length > 0) options.ignoreChanges = req.getIgnorechangesList();
  if (req.getReplaceonchangesList().length > 0)
    options.replaceOnChanges = req.getReplaceonchangesList();
  if (req.getImportid()) options.import = req.getImportid();
  return options;
}

/**
 * Runs a Pulumi program under mocks (no engine, no credentials, no network) and returns every resource it
 * registers, with dependencies, and its resolved outputs. Call once per process: mocks are global.
 */
export async function planOffline(
  program: () => Record<string, unknown> | Promise<Record<string, unknown>>,
  opts: {
    project: string;
    stack: string;
    config?: Record<string, string>;
    secretKeys?: string[];
    mocks?: PoolMocks;
  },
): Promise<OfflinePlan> {
  const mocks = opts.mocks ?? new PoolMocks();
  await pulumi.runtime.setMocks(mocks, opts.project, opts.stack, false);
  pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);

  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      req: RegisterRequest,
      cb: (err: Error | null, res?: { getUrn(): string }) => void,
    ): void;
    newUrn(parent: string, type: string, name: string): string;
  };
  const seen: PlannedResource[] = [];
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const deps = new Set(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((v) => v.getUrnsList().forEach((u) => deps.add(u)));
    const entry = {
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent() || undefined,
      dependencies: [...deps].sort(),
      // The inputs exactly as the program sent them (secrets still marked), not the mock's outputs.
      inputs: maskSecrets(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      options: optionsOf(req),
    };
    seen.push(entry);
    original(req, cb);
  };

  const exported = await program();
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(exported)) {
    const { value: v, secret } = await settle(value);
    outputs[key] = secret ? "[secret]" : v;
    if (secret) secretOutputs.push(key);
  }
  // Resources whose outputs nobody awaited may still be registering.
  // waitForRPCs is marked internal (absent from the typings), so it is loaded untyped.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();

  return { resources: seen, outputs, secretOutputs };
}
