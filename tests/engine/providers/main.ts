/**
 * Entry point of every stand-in plugin: `main <package> [engine address] [flags]`. The installer's wrapper
 * scripts (`pulumi-resource-<package>`) run it with the package name first; the rest is what the engine passes
 * to a provider plugin.
 */
import * as grpc from "@grpc/grpc-js";
import { main } from "@pulumi/pulumi/provider";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import type { ConfigureRequest } from "@pulumi/pulumi/proto/provider_pb";
import {
  CLOUD_DIR_ENV,
  Cloud,
  loadSettings,
  standInNow,
  type Severity,
  type StandInContext,
} from "./context";
import { buildProvider, unwrap, type StandInDiffResult, type StandInPackage } from "./framework";

/* eslint-disable @typescript-eslint/no-require-imports */
/** Every stand-in package by plugin name, loaded on demand (a plugin loads only its own code). */
const PACKAGES: Record<string, () => StandInPackage> = {
  aws: () => (require("./aws") as typeof import("./aws")).awsPackage,
  cloudflare: () => (require("./cloudflare") as typeof import("./cloudflare")).cloudflarePackage,
  command: () => (require("./command") as typeof import("./command")).commandPackage,
  tls: () => (require("./tls") as typeof import("./tls")).tlsPackage,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const SEVERITY: Record<Severity, engproto.LogSeverity> = {
  debug: engproto.LogSeverity.DEBUG,
  info: engproto.LogSeverity.INFO,
  warning: engproto.LogSeverity.WARNING,
  error: engproto.LogSeverity.ERROR,
};

/** Logs through the engine (shown under the resource, like a real provider's messages), else to stderr. */
function engineLogger(
  address: string | undefined,
): (severity: Severity, message: string, urn: string) => void {
  if (!address) return (severity, message) => process.stderr.write(`[${severity}] ${message}\n`);
  const client = new engrpc.EngineClient(address, grpc.credentials.createInsecure());
  return (severity, message, urn) => {
    const req = new engproto.LogRequest();
    req.setSeverity(SEVERITY[severity]);
    req.setMessage(message);
    req.setUrn(urn);
    req.setEphemeral(false);
    client.log(req, (err) => {
      if (err) process.stderr.write(`[${severity}] ${message}\n`);
    });
  };
}

/**
 * The Node.js provider SDK answers Configure without handing the configuration to the provider
 * (provider/server.js `configure`). Real providers read it (the aws provider's `region`), so wrap the
 * Configure handler the SDK registers with gRPC and keep the arguments (secrets unwrapped).
 */
/** Changed input keys of the last diff per URN (see {@link StandInDiffResult}). */
const changedKeysByUrn = new Map<string, string[]>();

function captureProviderConfig(config: Record<string, unknown>): void {
  const original = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service, implementation) {
    const impl = implementation as Record<
      string,
      (call: { request: ConfigureRequest }, cb: unknown) => void
    >;
    // The engine applies replaceOnChanges to the changed keys of a diff: send them, as a bridged
    // provider does (the Node.js provider server leaves them out).
    const diff = impl.diff as unknown as
      | ((
          call: { request: { getUrn(): string } },
          cb: (err: unknown, resp?: { setDiffsList(keys: string[]): void }) => void,
        ) => void)
      | undefined;
    if (diff) {
      (impl as Record<string, unknown>).diff = (
        call: { request: { getUrn(): string } },
        cb: (err: unknown, resp?: { setDiffsList(keys: string[]): void }) => void,
      ) =>
        diff.call(impl, call, (err, resp) => {
          const keys = changedKeysByUrn.get(call.request.getUrn());
          if (resp && keys && keys.length > 0) resp.setDiffsList(keys);
          cb(err, resp);
        });
    }
    const configure = impl.configure;
    if (configure) {
      impl.configure = (call, cb) => {
        const args = call.request.getArgs()?.toJavaScript() as Record<string, unknown> | undefined;
        if (args) Object.assign(config, unwrap(args));
        else {
          for (const [k, v] of call.request.getVariablesMap().entries())
            config[k.split(":").pop() as string] = v;
        }
        configure(call, cb);
      };
    }
    return original.call(this, service, implementation);
  };
}

async function run(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const load = PACKAGES[name];
  if (!load)
    throw new Error(
      `stand-in plugin: unknown package "${name}" (known: ${Object.keys(PACKAGES).join(", ")})`,
    );
  const cloudDir = process.env[CLOUD_DIR_ENV];
  if (!cloudDir)
    throw new Error(
      `stand-in plugin ${name}: ${CLOUD_DIR_ENV} is not set (the installer's wrapper sets it)`,
    );
  const pkg = load();
  const cloud = new Cloud(cloudDir);
  const settings = loadSettings();
  const engineAddress = args.find((a, i) => !a.startsWith("-") && args[i - 1] !== "--tracing");
  const log = engineLogger(engineAddress);
  const config: Record<string, unknown> = {};
  captureProviderConfig(config);
  const provider = buildProvider(pkg, (urn): StandInContext => ({
    urn,
    config,
    cloud,
    settings,
    now: standInNow,
    log: (severity, message) => log(severity, message, urn),
  }));
  const innerDiff = provider.diff?.bind(provider);
  if (innerDiff)
    provider.diff = async (id, urn, olds, news) => {
      const result = (await innerDiff(id, urn, olds, news)) as StandInDiffResult;
      changedKeysByUrn.set(urn, result.changedKeys ?? []);
      return result;
    };
  await main(provider, args);
}

run().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
