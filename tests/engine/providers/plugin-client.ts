/**
 * Drives an installed plugin over its gRPC interface the way the engine does: starts the executable, reads
 * the port it prints, and calls the ResourceProvider service. Every call has a deadline.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

const CALL_DEADLINE_MS = 60_000;
const START_DEADLINE_MS = 30_000;

type Props = Record<string, unknown>;

/** A running plugin and a client for it. */
export class PluginClient {
  private constructor(
    readonly child: ChildProcess,
    private readonly client: provrpc.ResourceProviderClient,
    readonly stderr: () => string,
  ) {}

  /** Starts `executable` (with `env` added) and connects; fails after 30 s without a port. */
  static async start(
    executable: string,
    env: NodeJS.ProcessEnv = {},
    cwd?: string,
  ): Promise<PluginClient> {
    const child = spawn(executable, [], {
      env: { ...process.env, ...env },
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () =>
          reject(
            new Error(`plugin ${executable} printed no port in ${START_DEADLINE_MS} ms: ${stderr}`),
          ),
        START_DEADLINE_MS,
      );
      child.stdout?.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(
          new Error(`plugin ${executable} exited with ${code} before printing a port: ${stderr}`),
        );
      });
    });
    const client = new provrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new PluginClient(child, client, () => stderr);
  }

  private call<Req, Res>(method: string, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, (...a: unknown[]) => void>)[method].bind(
        this.client,
      );
      fn(
        req,
        { deadline: Date.now() + CALL_DEADLINE_MS },
        (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)),
      );
    });
  }

  async pluginInfo(): Promise<string> {
    const res = await this.call<Empty, plugproto.PluginInfo>("getPluginInfo", new Empty());
    return res.getVersion();
  }

  async configure(args: Props = {}): Promise<provproto.ConfigureResponse> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(Struct.fromJavaScript(args as never));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    return await this.call("configure", req);
  }

  async check(
    urn: string,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(Struct.fromJavaScript(olds as never));
    req.setNews(Struct.fromJavaScript(news as never));
    const res = await this.call<provproto.CheckRequest, provproto.CheckResponse>("check", req);
    return {
      inputs: (res.getInputs()?.toJavaScript() ?? {}) as Props,
      failures: res
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[] }> {
    const req = new provproto.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds as never));
    req.setNews(Struct.fromJavaScript(news as never));
    const res = await this.call<provproto.DiffRequest, provproto.DiffResponse>("diff", req);
    const c = res.getChanges();
    const D = provproto.DiffResponse.DiffChanges;
    return {
      changes: c === D.DIFF_NONE ? "none" : c === D.DIFF_SOME ? "some" : "unknown",
      replaces: res.getReplacesList(),
    };
  }

  async create(urn: string, props: Props): Promise<{ id: string; props: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(Struct.fromJavaScript(props as never));
    const res = await this.call<provproto.CreateRequest, provproto.CreateResponse>("create", req);
    return { id: res.getId(), props: (res.getProperties()?.toJavaScript() ?? {}) as Props };
  }

  async read(
    urn: string,
    id: string,
    props: Props,
  ): Promise<{ id: string; props: Props; inputs: Props | undefined }> {
    const req = new provproto.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(props as never));
    const res = await this.call<provproto.ReadRequest, provproto.ReadResponse>("read", req);
    return {
      id: res.getId(),
      props: (res.getProperties()?.toJavaScript() ?? {}) as Props,
      inputs: res.getInputs()?.toJavaScript() as Props | undefined,
    };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<Props> {
    const req = new provproto.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds as never));
    req.setNews(Struct.fromJavaScript(news as never));
    const res = await this.call<provproto.UpdateRequest, provproto.UpdateResponse>("update", req);
    return (res.getProperties()?.toJavaScript() ?? {}) as Props;
  }

  async delete(urn: string, id: string, props: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(props as never));
    await this.call("delete", req);
  }

  async invoke(tok: string, args: Props): Promise<{ outputs: Props; failures: string[] }> {
    const req = new provproto.InvokeRequest();
    req.setTok(tok);
    req.setArgs(Struct.fromJavaScript(args as never));
    const res = await this.call<provproto.InvokeRequest, provproto.InvokeResponse>("invoke", req);
    return {
      outputs: (res.getReturn()?.toJavaScript() ?? {}) as Props,
      failures: res.getFailuresList().map((f) => `${f.getProperty()}: ${f.getReason()}`),
    };
  }

  /** Stops the plugin (by its own PID) and waits for it to exit (5 s). */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    this.child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
}

/** URN of a resource of `type` named `name` in a test stack. */
export function testUrn(type: string, name: string, stack = "test"): string {
  return `urn:pulumi:${stack}::msgw::${type}::${name}`;
}
