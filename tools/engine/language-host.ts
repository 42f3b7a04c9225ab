/**
 * A stand-in for Pulumi's Node.js language host (`pulumi-language-nodejs`), for tests and the offline
 * plan on machines where the real one cannot be built (its Go module,
 * `github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3`, is not served by the Go module
 * proxy here). It speaks the same LanguageRuntime gRPC protocol and starts a program exactly as the real
 * host does: `node <@pulumi/pulumi/cmd/run> --monitor … --engine … --project … --root-directory …
 * --stack … --pwd <program directory> [--dry-run] --parallel N <entry point>`, with `PULUMI_CONFIG` (keys in
 * the `<namespace>:config:<name>` form), `PULUMI_CONFIG_SECRET_KEYS`, `PULUMI_NODEJS_TYPESCRIPT` and
 * `PULUMI_NODEJS_TSCONFIG_PATH` from the `runtime.options` of `Pulumi.yaml`, the `nodeargs` option, `node`
 * from `PATH`, and the working directory of the host (the CLI starts the host in the program directory).
 *
 * Plugins (`RunPlugin`) start as the real host starts them: a policy pack (kind `analyzer`, what
 * `pulumi preview --policy-pack DIR` asks for) runs `node <@pulumi/pulumi/cmd/run-policy-pack> <args…> DIR` in
 * DIR; any other plugin `node <@pulumi/pulumi/cmd/run-plugin> DIR <args…>` in the requested directory; both
 * with the environment the CLI sends, their output streamed back.
 *
 * What it leaves out, on purpose: the monitor proxy and the synchronous-invoke pipes (`--sync`; the program
 * talks to the engine's resource monitor directly, which the SDK supports), the policy-pack proxy that hands a
 * pack the stack's configuration in its environment (the engine's ConfigureStack call reaches the pack
 * itself), dependency installation (a no-op: `npm ci` does it), debugging, code generation and packing.
 *
 * Usage (as the CLI starts it): `pulumi-language-nodejs [-tracing URL] [ENGINE_ADDRESS]`; prints the port.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
// The generated protocol code ships with @pulumi/pulumi (no typings for the grpc service objects).
/* eslint-disable @typescript-eslint/no-require-imports */
const languageGrpc = require("@pulumi/pulumi/proto/language_grpc_pb") as {
  LanguageRuntimeService: grpc.ServiceDefinition;
};
const languagePb = require("@pulumi/pulumi/proto/language_pb") as Record<string, new () => Msg>;
const pluginPb = require("@pulumi/pulumi/proto/plugin_pb") as Record<string, new () => Msg>;
const emptyPb = require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => Msg };
/* eslint-enable @typescript-eslint/no-require-imports */

/** The generated message classes, loosely typed: only the accessors used here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = any;

/** Exit code of `@pulumi/pulumi/cmd/run` after it already showed the user an actionable message. */
const EXIT_ALREADY_REPORTED = 32;

/** The version this host reports: that of the @pulumi/pulumi it runs programs with. */
export function sdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

/** `runtime.options` of Pulumi.yaml that change how a program starts. */
export interface NodeOptions {
  typescript: boolean;
  tsconfig?: string;
  nodeargs?: string;
}

/** Reads the runtime options as the real host does (typescript defaults to true); throws on wrong types. */
export function parseOptions(options: Record<string, unknown>): NodeOptions {
  const out: NodeOptions = { typescript: true };
  if ("typescript" in options) {
    if (typeof options.typescript !== "boolean")
      throw new Error("typescript option must be a boolean");
    out.typescript = options.typescript;
  }
  if ("tsconfig" in options) {
    if (typeof options.tsconfig !== "string")
      throw new Error("tsconfigpath option must be a string");
    out.tsconfig = options.tsconfig;
  }
  if ("nodeargs" in options) {
    if (typeof options.nodeargs !== "string") throw new Error("nodeargs option must be a string");
    out.nodeargs = options.nodeargs;
  }
  return out;
}

/** What a Run request carries that the program needs. */
export interface RunInputs {
  monitorAddress: string;
  engineAddress: string;
  organization: string;
  project: string;
  stack: string;
  rootDirectory: string;
  programDirectory: string;
  entryPoint: string;
  dryRun: boolean;
  parallel: number;
  args: string[];
  /** Configuration keyed `<namespace>:<name>`, values as strings (objects are JSON). */
  config: Record<string, string>;
  configSecretKeys: string[];
  options: Record<string, unknown>;
  /** Tracing endpoint the CLI gave the host with `-tracing`, if any. */
  tracing?: string;
}

/** Command-line arguments for `node` (after `nodeargs`), in the order the real host builds them. */
export function runArguments(runPath: string, req: RunInputs): string[] {
  const args = [runPath];
  const add = (k: string, v: string | undefined) => {
    if (v) args.push(`--${k}`, v);
  };
  add("monitor", req.monitorAddress);
  add("engine", req.engineAddress);
  add("organization", req.organization);
  add("project", req.project);
  add("root-directory", req.rootDirectory);
  add("stack", req.stack);
  add("pwd", req.programDirectory);
  if (req.dryRun) args.push("--dry-run");
  add("parallel", String(req.parallel));
  add("tracing", req.tracing);
  args.push(req.entryPoint, ...req.args);
  return args;
}

/** `PULUMI_CONFIG`: keys rewritten to the `<namespace>:config:<name>` form older SDKs expect. */
export function configEnv(config: Record<string, string>): string {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const colon = key.indexOf(":");
    if (colon <= 0)
      throw new Error(`config key "${key}" has no namespace (want <namespace>:<name>)`);
    out[`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`] = value;
  }
  return JSON.stringify(out);
}

/** Environment the program runs with, on top of the host's own environment. */
export function runEnvironment(req: RunInputs, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const opts = parseOptions(req.options);
  const env: NodeJS.ProcessEnv = {
    ...base,
    PULUMI_CONFIG: configEnv(req.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.configSecretKeys),
  };
  if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;
  return env;
}

/** Splits `nodeargs` like a POSIX shell would for plain words and quotes (no expansion). */
export function splitArgs(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]));
  }
  return out;
}

/** Resolves `@pulumi/pulumi/cmd/run` from the program directory (the real host asks `node` the same). */
export function locateRunModule(programDirectory: string): string {
  const mod = process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run";
  try {
    return require.resolve(mod, { paths: [programDirectory] });
  } catch {
    throw new Error(
      `It looks like the Pulumi SDK has not been installed. Have you run pulumi install? (${mod} not found from ${programDirectory})`,
    );
  }
}

/** What a RunPlugin request carries that the plugin process needs. */
export interface PluginInputs {
  /** `analyzer` for a policy pack; `resource`, `converter`, `tool`, … otherwise. */
  kind: string;
  programDirectory: string;
  pwd: string;
  args: string[];
  options: Record<string, unknown>;
}

/**
 * The plugin's command line and working directory, as the real host builds them: policy packs get their
 * directory last and run in it (their `node_modules` is found from there); other plugins get it first and
 * run in the requested directory.
 */
export function pluginCommand(
  req: PluginInputs,
  resolve: (mod: string, from: string) => string = (mod, from) =>
    require.resolve(mod, { paths: [from] }),
): { args: string[]; cwd: string } {
  const analyzer = req.kind === "analyzer";
  const mod = analyzer
    ? "@pulumi/pulumi/cmd/run-policy-pack"
    : process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run-plugin";
  let runPath: string;
  try {
    runPath = resolve(mod, req.programDirectory);
  } catch {
    throw new Error(
      `it looks like the plugin's dependencies are not installed (${mod} not found from ${req.programDirectory}); run npm install there`,
    );
  }
  const nodeargs = splitArgs(parseOptions(req.options).nodeargs);
  return analyzer
    ? { args: [runPath, ...nodeargs, ...req.args, req.programDirectory], cwd: req.programDirectory }
    : { args: [runPath, ...nodeargs, req.programDirectory, ...req.args], cwd: req.pwd };
}

/** `KEY=VALUE` strings (the request's environment) as an object; a later key wins. */
export function envFromList(list: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of list) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Plugin dependencies: packages under node_modules (below `dir`) whose package.json says `pulumi.resource`. */
export function requiredPackages(
  dir: string,
): Array<{ name: string; version: string; server: string }> {
  const found: Array<{ name: string; version: string; server: string }> = [];
  const seen = new Set<string>();
  const walk = (current: string, inNodeModules: boolean, depth: number) => {
    if (depth > 12) return;
    let real: string;
    try {
      real = fs.realpathSync(current);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(real, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(real, e.name);
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          isDir = fs.statSync(full).isDirectory();
        } catch {
          continue;
        }
      }
      if (isDir) {
        // Policy packs carry their own plugins; they are not the program's.
        if (fs.existsSync(path.join(full, "PulumiPolicy.yaml"))) continue;
        walk(full, inNodeModules || path.basename(real) === "node_modules", depth + 1);
      } else if (inNodeModules && e.name === "package.json") {
        try {
          const info = JSON.parse(fs.readFileSync(full, "utf8")) as {
            name?: string;
            version?: string;
            pulumi?: { resource?: boolean; name?: string; version?: string; server?: string };
          };
          if (!info.pulumi?.resource) continue;
          const name =
            info.pulumi.name ??
            (info.name?.startsWith("@pulumi/") ? info.name.slice("@pulumi/".length) : undefined);
          const version = info.pulumi.version ?? info.version;
          if (!name || !version) continue;
          found.push({
            name,
            version: version.startsWith("v") ? version : `v${version}`,
            server: info.pulumi.server ?? "",
          });
        } catch {
          continue;
        }
      }
    }
  };
  walk(dir, false, 0);
  return found;
}

type Unary = (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => void;

/** Starts the gRPC server; resolves with the port. */
export async function serve(engineAddressArg: string, tracing?: string): Promise<number> {
  let engineAddress = engineAddressArg;
  const running = new Set<ReturnType<typeof spawn>>();
  const unimplemented =
    (name: string): Unary =>
    (_call, cb) =>
      cb({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by this host` });

  const programInfo = (info: Msg) => ({
    rootDirectory: info?.getRootDirectory() ?? "",
    programDirectory: info?.getProgramDirectory() ?? "",
    entryPoint: info?.getEntryPoint() ?? ".",
    options: (info?.getOptions()?.toJavaScript() ?? {}) as Record<string, unknown>,
  });

  const handlers: Record<string, unknown> = {
    handshake: ((call, cb) => {
      engineAddress = call.request.getEngineAddress();
      cb(null, new languagePb.LanguageHandshakeResponse());
    }) as Unary,
    getPluginInfo: ((_call, cb) => {
      const info = new pluginPb.PluginInfo();
      info.setVersion(sdkVersion());
      cb(null, info);
    }) as Unary,
    getRequiredPackages: ((call, cb) => {
      const res = new languagePb.GetRequiredPackagesResponse();
      for (const p of requiredPackages(programInfo(call.request.getInfo()).programDirectory)) {
        const dep = new pluginPb.PackageDependency();
        dep.setName(p.name);
        dep.setKind("resource");
        dep.setVersion(p.version);
        dep.setServer(p.server);
        res.addPackages(dep);
      }
      cb(null, res);
    }) as Unary,
    getRequiredPlugins: ((call, cb) => {
      const res = new languagePb.GetRequiredPluginsResponse();
      for (const p of requiredPackages(programInfo(call.request.getInfo()).programDirectory)) {
        const dep = new pluginPb.PluginDependency();
        dep.setName(p.name);
        dep.setKind("resource");
        dep.setVersion(p.version);
        dep.setServer(p.server);
        res.addPlugins(dep);
      }
      cb(null, res);
    }) as Unary,
    installDependencies: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      // Dependencies come from `npm ci`; nothing to install here.
      call.end();
    },
    about: ((_call, cb) => {
      const res = new languagePb.AboutResponse();
      res.setExecutable(process.execPath);
      res.setVersion(process.version);
      cb(null, res);
    }) as Unary,
    getProgramDependencies: ((_call, cb) =>
      cb(null, new languagePb.GetProgramDependenciesResponse())) as Unary,
    runtimeOptionsPrompts: ((_call, cb) =>
      cb(null, new languagePb.RuntimeOptionsResponse())) as Unary,
    runPlugin: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      const r = call.request;
      const info = programInfo(r.getInfo());
      const inputs: PluginInputs = {
        kind: r.getKind(),
        programDirectory: info.programDirectory || r.getPwd(),
        pwd: r.getPwd(),
        args: r.getArgsList(),
        options: info.options,
      };
      let command: { args: string[]; cwd: string };
      const env = envFromList(r.getEnvList());
      try {
        command = pluginCommand(inputs);
        const opts = parseOptions(inputs.options);
        if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
        if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;
      } catch (err) {
        call.emit("error", {
          code: grpc.status.FAILED_PRECONDITION,
          details: (err as Error).message,
        });
        return;
      }
      const child = spawn("node", command.args, {
        cwd: command.cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      running.add(child);
      const forward = (set: "setStdout" | "setStderr") => (chunk: Buffer) => {
        const res = new languagePb.RunPluginResponse();
        res[set](new Uint8Array(chunk));
        call.write(res);
      };
      child.stdout?.on("data", forward("setStdout"));
      child.stderr?.on("data", forward("setStderr"));
      child.on("error", (err) =>
        call.emit("error", {
          code: grpc.status.UNKNOWN,
          details: `Problem executing plugin program (could not run language executor): ${err.message}`,
        }),
      );
      child.on("close", (code, signal) => {
        running.delete(child);
        if (code === 0) call.end();
        else
          call.emit("error", {
            code: grpc.status.UNKNOWN,
            details: `Program exited with non-zero exit code: ${code ?? signal}`,
          });
      });
      // The engine ends the stream when it is done with the plugin: stop it then.
      call.on("cancelled", () => child.kill("SIGTERM"));
    },
    cancel: ((_call, cb) => {
      for (const child of running) child.kill("SIGINT");
      cb(null, new emptyPb.Empty());
    }) as Unary,
    run: ((call, cb) => {
      const r = call.request;
      const cfg: Record<string, string> = {};
      r.getConfigMap().forEach((v: string, k: string) => (cfg[k] = v));
      const info = programInfo(r.getInfo());
      const inputs: RunInputs = {
        monitorAddress: r.getMonitorAddress(),
        engineAddress,
        organization: r.getOrganization(),
        project: r.getProject(),
        stack: r.getStack(),
        rootDirectory: info.rootDirectory,
        programDirectory: info.programDirectory || r.getPwd(),
        entryPoint: info.entryPoint || r.getProgram() || ".",
        dryRun: r.getDryrun(),
        parallel: r.getParallel(),
        args: r.getArgsList(),
        config: cfg,
        configSecretKeys: r.getConfigsecretkeysList(),
        options: info.options,
        tracing,
      };
      const respond = (error: string, bail = false) => {
        const res = new languagePb.RunResponse();
        res.setError(error);
        res.setBail(bail);
        cb(null, res);
      };
      let runPath: string;
      let env: NodeJS.ProcessEnv;
      let nodeArgs: string[];
      try {
        runPath = locateRunModule(inputs.programDirectory);
        env = runEnvironment(inputs, process.env);
        nodeArgs = [
          ...splitArgs(parseOptions(inputs.options).nodeargs),
          ...runArguments(runPath, inputs),
        ];
      } catch (err) {
        respond((err as Error).message);
        return;
      }
      const child = spawn("node", nodeArgs, { env, stdio: ["ignore", "inherit", "inherit"] });
      running.add(child);
      child.on("error", (err) =>
        respond(`Problem executing program (could not run language executor): ${err.message}`),
      );
      child.on("exit", (code, signal) => {
        running.delete(child);
        if (code === 0) respond("");
        else if (code === EXIT_ALREADY_REPORTED) respond("", true);
        else respond(`Program exited with non-zero exit code: ${code ?? signal}`);
      });
    }) as Unary,
  };
  for (const name of [
    "template",
    "generateProgram",
    "generateProject",
    "generatePackage",
    "pack",
    "link",
  ]) {
    handlers[name] = unimplemented(name);
  }

  const server = new grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  server.addService(
    languageGrpc.LanguageRuntimeService,
    handlers as grpc.UntypedServiceImplementation,
  );
  return await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
}

function main(argv: string[]): void {
  let tracing: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-version" || a === "--version") {
      process.stdout.write(`${sdkVersion()}\n`);
      return;
    }
    const m = /^--?(tracing|runtime)(?:=(.*))?$/.exec(a);
    if (m) {
      const value = m[2] ?? argv[++i];
      if (m[1] === "tracing") tracing = value;
      continue;
    }
    rest.push(a);
  }
  // The CLI kills its plugins when it ends; should it die first, do not linger (checked every 2 s).
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 2000).unref();
  serve(rest[0] ?? "", tracing).then(
    (port) => process.stdout.write(`${port}\n`),
    (err: Error) => {
      process.stderr.write(`pulumi-language-nodejs (stand-in): ${err.message}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main(process.argv.slice(2));
