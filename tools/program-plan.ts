/**
 * The offline plan, run the way `pulumi preview` runs the program: the entry point and working directory come
 * from `Pulumi.yaml` (`main`, `runtime.options`), the program starts as `node @pulumi/pulumi/cmd/run …` with
 * the arguments and environment the Node.js language host passes (configuration included, see
 * tools/engine/language-host.ts), and it talks over gRPC to a resource monitor and engine served here, which
 * answer with the mock outputs of tools/mocks.ts (no credentials, no network, no Pulumi CLI).
 *
 * So whatever stops the CLI from loading the program (an entry point resolved through the wrong
 * `package.json`, a missing or loose `tsconfig.json`, a type error) fails the plan too.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { PoolMocks } from "./mocks";
import { optionsOf, type OfflinePlan, type PlannedResource } from "./offline-plan";
import {
  locateRunModule,
  runArguments,
  runEnvironment,
  splitArgs,
  parseOptions,
} from "./engine/language-host";

/* eslint-disable @typescript-eslint/no-require-imports */
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb") as {
  ResourceMonitorService: grpc.ServiceDefinition;
};
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb") as {
  EngineService: grpc.ServiceDefinition;
};
const resourcePb = require("@pulumi/pulumi/proto/resource_pb") as Record<string, new () => Msg>;
const enginePb = require("@pulumi/pulumi/proto/engine_pb") as Record<string, new () => Msg>;
const emptyPb = require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => Msg };
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as {
  MockMonitor: new (mocks: PoolMocks) => Record<string, (req: Msg, cb: Callback) => void>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = any;
type Callback = (err: Error | null, res?: Msg) => void;

// The wire form of a secret, as the SDK writes it.
const SECRET_KEY = specialSigKey;
const SECRET_SIG = specialSecretSig;
/** Wall-clock cap for one program run. */
const RUN_DEADLINE_MS = 5 * 60_000;

/** Where and how the CLI would start the program, from `Pulumi.yaml` (as the CLI's `getPwdMain` does). */
export interface ProgramLocation {
  project: string;
  rootDirectory: string;
  /** Working directory of the program (and of the providers). */
  programDirectory: string;
  /** What the language host passes to `cmd/run`: "." for a directory `main`, else the file name. */
  entryPoint: string;
  runtimeOptions: Record<string, unknown>;
  /** Directory of the `Pulumi.<stack>.yaml` files. */
  stackConfigDir: string;
}

export function programLocation(rootDirectory: string): ProgramLocation {
  const file = path.join(rootDirectory, "Pulumi.yaml");
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as {
    name?: string;
    main?: string;
    stackConfigDir?: string;
    runtime?: string | { name?: string; options?: Record<string, unknown> };
  };
  if (!doc?.name) throw new Error(`${file} has no name`);
  const runtime = typeof doc.runtime === "string" ? { name: doc.runtime } : (doc.runtime ?? {});
  if (runtime.name !== "nodejs") {
    throw new Error(`${file}: runtime "${String(runtime.name)}" is not nodejs`);
  }
  let programDirectory = rootDirectory;
  let entryPoint = ".";
  if (doc.main) {
    const main = path.resolve(rootDirectory, doc.main);
    if (!fs.existsSync(main)) {
      throw new Error(`${file}: project 'main' could not be read: ${main} does not exist`);
    }
    if (fs.statSync(main).isDirectory()) programDirectory = main;
    else {
      programDirectory = path.dirname(main);
      entryPoint = path.basename(main);
    }
  }
  return {
    project: doc.name,
    rootDirectory,
    programDirectory,
    entryPoint,
    runtimeOptions: runtime.options ?? {},
    stackConfigDir: path.resolve(rootDirectory, doc.stackConfigDir ?? "."),
  };
}

/** "entry point index.ts in stacks/" for messages. */
function describe(l: ProgramLocation): string {
  const dir = path.relative(l.rootDirectory, l.programDirectory) || ".";
  return `entry point "${l.entryPoint}" in ${dir}/ from Pulumi.yaml`;
}

function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_KEY] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

function containsSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsSecret);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return obj[SECRET_KEY] === SECRET_SIG || Object.values(obj).some(containsSecret);
  }
  return false;
}

/** Turns an output value from its wire form (secrets wrapped) back into plain JSON. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_KEY] === SECRET_SIG) return unwrapSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** The text of an error the program logged: without colours, the error class prefix and the stack. */
export function errorText(message: string): string {
  const plain = message.replace(/\u001b\[[0-9;]*m/g, "");
  const lines: string[] = [];
  for (const line of plain.split("\n")) {
    if (/^\s+at /.test(line)) break;
    lines.push(line);
  }
  return lines
    .join("\n")
    .replace(/^(?:Resource)?Error: /, "")
    .trimEnd();
}

/** Why a plan failed: the program's own error messages when it logged any. */
export class ProgramError extends Error {
  constructor(
    message: string,
    readonly logged: string[],
  ) {
    super(message);
  }
}

/**
 * Runs the program under `rootDirectory` for `stack` and returns what it registered. Config keys are
 * `<namespace>:<name>` with string values; `nodeEnv` adds to the environment (e.g. PULUMI_NODEJS_TRANSPILE_ONLY).
 */
export async function planProgram(opts: {
  rootDirectory: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  mocks?: PoolMocks;
  env?: NodeJS.ProcessEnv;
}): Promise<OfflinePlan & { location: ProgramLocation }> {
  const location = programLocation(opts.rootDirectory);
  const project = location.project;
  const mock = new MockMonitor(opts.mocks ?? new PoolMocks());
  const stackType = "pulumi:pulumi:Stack";
  let stackUrn = "";
  let rootUrn = "";
  let stackOutputs: Record<string, unknown> = {};
  const seen: PlannedResource[] = [];
  const logged: string[] = [];
  const warnings: string[] = [];

  const urnOf = (parent: string, type: string, name: string) => {
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parentType ? `${parentType.split("$").pop()}$${type}` : type;
    return `urn:pulumi:${opts.stack}::${project}::${qualified}::${name}`;
  };
  // The engine leaves the root stack out of its children's URNs.
  const effectiveParent = (parent: string) => (parent && parent === stackUrn ? "" : parent);
  mock.newUrn = ((parent: string, type: string, name: string) =>
    urnOf(effectiveParent(parent), type, name)) as unknown as (req: Msg, cb: Callback) => void;

  const monitor = {
    supportsFeature: (call: { request: Msg }, cb: Callback) => {
      const res = new resourcePb.SupportsFeatureResponse();
      // Output values stay off, as with Pulumi's own mock monitor, so inputs arrive as plain values.
      res.setHassupport(call.request.getId() !== "outputValues");
      cb(null, res);
    },
    registerResource: (call: { request: Msg }, cb: Callback) => {
      const req = call.request;
      const type: string = req.getType();
      if (type === stackType && !req.getParent()) {
        stackUrn = urnOf("", type, req.getName());
        const res = new resourcePb.RegisterResourceResponse();
        res.setUrn(stackUrn);
        cb(null, res);
        return;
      }
      const parent = effectiveParent(req.getParent());
      const deps = new Set<string>(req.getDependenciesList());
      req
        .getPropertydependenciesMap()
        .forEach((v: { getUrnsList(): string[] }) => v.getUrnsList().forEach((u) => deps.add(u)));
      seen.push({
        urn: urnOf(parent, type, req.getName()),
        type,
        name: req.getName(),
        parent: parent || undefined,
        dependencies: [...deps].sort(),
        inputs: maskSecrets(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        options: optionsOf(req),
      });
      mock.registerResource(req, cb);
    },
    registerResourceOutputs: (call: { request: Msg }, cb: Callback) => {
      if (call.request.getUrn() === stackUrn) {
        stackOutputs = (call.request.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
      }
      cb(null, new emptyPb.Empty());
    },
    invoke: (call: { request: Msg }, cb: Callback) => mock.invoke(call.request, cb),
    readResource: (call: { request: Msg }, cb: Callback) => mock.readResource(call.request, cb),
    registerPackage: (call: { request: Msg }, cb: Callback) =>
      mock.registerPackage(call.request, cb),
    getDeploymentInfo: (call: { request: Msg }, cb: Callback) =>
      mock.getDeploymentInfo(call.request, cb),
    signalAndWaitForShutdown: (_call: unknown, cb: Callback) => cb(null, new emptyPb.Empty()),
    registerStackTransform: (_call: unknown, cb: Callback) =>
      cb({ name: "Error", message: "transforms are not supported by the offline plan" } as Error),
  };
  const engine = {
    log: (call: { request: Msg }, cb: Callback) => {
      const severity: number = call.request.getSeverity();
      const message: string = call.request.getMessage();
      if (severity === (enginePb.LogSeverity as unknown as Record<string, number>).ERROR)
        logged.push(errorText(message));
      else if (severity === (enginePb.LogSeverity as unknown as Record<string, number>).WARNING)
        warnings.push(message);
      cb(null, new emptyPb.Empty());
    },
    getRootResource: (_call: unknown, cb: Callback) => {
      const res = new enginePb.GetRootResourceResponse();
      res.setUrn(rootUrn);
      cb(null, res);
    },
    setRootResource: (call: { request: Msg }, cb: Callback) => {
      rootUrn = call.request.getUrn();
      cb(null, new enginePb.SetRootResourceResponse());
    },
    requirePulumiVersion: (_call: unknown, cb: Callback) =>
      cb(null, new enginePb.RequirePulumiVersionResponse()),
  };

  const server = new grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  server.addService(
    resourceGrpc.ResourceMonitorService,
    monitor as grpc.UntypedServiceImplementation,
  );
  server.addService(engineGrpc.EngineService, engine as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const address = `127.0.0.1:${port}`;
  try {
    const inputs = {
      monitorAddress: address,
      engineAddress: address,
      organization: "",
      project,
      stack: opts.stack,
      rootDirectory: location.rootDirectory,
      programDirectory: location.programDirectory,
      entryPoint: location.entryPoint,
      dryRun: true,
      parallel: 16,
      args: [],
      config: opts.config,
      configSecretKeys: opts.secretKeys,
      options: location.runtimeOptions,
    };
    const runPath = locateRunModule(location.programDirectory);
    const args = [
      ...splitArgs(parseOptions(location.runtimeOptions).nodeargs),
      ...runArguments(runPath, inputs),
    ];
    const env = runEnvironment(inputs, { ...process.env, ...opts.env });
    let stderr = "";
    const code = await new Promise<number | string>((resolve) => {
      // The language host starts the program with `node` from PATH in its own working directory.
      const child = spawn("node", args, { env, stdio: ["ignore", "pipe", "pipe"] });
      const timer = setTimeout(() => child.kill("SIGKILL"), RUN_DEADLINE_MS);
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", (err) => resolve(err.message));
      child.on("exit", (c, signal) => {
        clearTimeout(timer);
        resolve(c ?? `killed by ${signal} (deadline ${RUN_DEADLINE_MS / 1000} s)`);
      });
    });
    if (code !== 0 || logged.length > 0) {
      const detail = logged.length ? logged.join("\n") : stderr.trim();
      throw new ProgramError(
        `the program (${describe(location)}) failed${typeof code === "number" && code !== 32 ? ` with exit code ${code}` : ""}: ${detail}`,
        logged,
      );
    }
    if (seen.length === 0) {
      // A stack program always creates something: nothing means the entry point resolved to something else
      // (for a directory `main`, the nearest package.json's `exports` or `main`, e.g. a library).
      throw new ProgramError(
        `the program (${describe(location)}) registered no resources: check which file Pulumi.yaml's main ` +
          `resolves to (a directory main runs the nearest package.json's exports or main)`,
        [],
      );
    }
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [key, value] of Object.entries(stackOutputs)) {
      if (containsSecret(value)) {
        outputs[key] = "[secret]";
        secretOutputs.push(key);
      } else outputs[key] = unwrapSecrets(value);
    }
    return { resources: seen, outputs, secretOutputs, location };
  } finally {
    server.forceShutdown();
  }
}
