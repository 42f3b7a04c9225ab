/**
 * The installed plugins, driven over gRPC as the engine drives them: layout the CLI recognizes, versions,
 * secrets and unknowns on the wire, and one fake account shared by separate plugin processes.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { UNKNOWN, SIG, secret } from "./framework";
import { STAND_IN_PLUGINS, installStandInPlugins, pluginDir } from "./install";
import { PluginClient, testUrn } from "./plugin-client";
import { ErrorResourceInitFailed } from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";

const root = mkdtempSync(join(tmpdir(), "pv-plugins-"));
const home = join(root, "home");
const cloudDir = join(root, "cloud");
const started: PluginClient[] = [];

async function start(name: string, cwd?: string): Promise<PluginClient> {
  const c = await PluginClient.start(
    join(pluginDir(home, name), `pulumi-resource-${name}`),
    { MSGW_STANDIN_CLOUD_DIR: cloudDir },
    cwd,
  );
  started.push(c);
  return c;
}

before(async () => {
  await installStandInPlugins(home, {});
});
after(async () => {
  await Promise.all(started.map((c) => c.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe("stand-in plugins over gRPC", () => {
  it("are installed where the CLI looks, under the SDK packages' plugin versions, complete (no .partial)", () => {
    const expected: Record<string, string> = {};
    for (const name of STAND_IN_PLUGINS) {
      const pkg = JSON.parse(
        readFileSync(
          join(__dirname, "..", "..", "..", "node_modules", "@pulumi", name, "package.json"),
          "utf8",
        ),
      );
      expected[name] = `resource-${name}-v${pkg.pulumi.version}`;
      const dir = join(home, "plugins", expected[name]);
      const exe = join(dir, `pulumi-resource-${name}`);
      assert.ok(statSync(exe).mode & 0o100, `${exe} is executable`);
      assert.equal(existsSync(`${dir}.partial`), false);
      assert.match(
        readFileSync(exe, "utf8"),
        /node_modules\/node\/bin\/node' .*main\.js' \w+ "\$@"\n$/,
      );
    }
    assert.deepEqual(expected, {
      aws: "resource-aws-v7.48.0",
      cloudflare: "resource-cloudflare-v6.22.1",
      tls: "resource-tls-v5.6.1",
      command: "resource-command-v1.2.1",
    });
  });

  it("each plugin starts, reports its version and accepts secrets", async () => {
    const versions = await Promise.all(
      STAND_IN_PLUGINS.map(async (name) => {
        const c = await start(name);
        const configured = await c.configure();
        assert.equal(configured.getAcceptsecrets(), true);
        return `${name} ${await c.pluginInfo()}`;
      }),
    );
    assert.deepEqual(versions, ["aws 7.48.0", "cloudflare 6.22.1", "tls 5.6.1", "command 1.2.1"]);
  });

  it("two plugin processes share one fake account: the second stack's SSM parameter fails", async () => {
    const [dev, prod] = [await start("aws"), await start("aws")];
    const type = "aws:ssm/parameter:Parameter";
    const inputs = {
      name: "/msgw/msgw/msgw1/ssh-host-key",
      type: "SecureString",
      value: secret("key"),
      region: "eu-central-1",
    };
    const devUrn = testUrn(type, "msgw-msgw1-ssh-host-key", "dev");
    const checked = await dev.check(devUrn, {}, inputs);
    assert.deepEqual(checked.failures, []);
    const created = await dev.create(devUrn, checked.inputs);
    assert.deepEqual(
      created.props.value,
      { [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: "key" },
      "the secret stays secret in state",
    );
    await assert.rejects(
      prod.create(testUrn(type, "msgw-msgw1-ssh-host-key", "prod"), checked.inputs),
      (e) => {
        assert.match(
          (e as Error).message,
          /api error ParameterAlreadyExists: The parameter already exists\./,
        );
        return true;
      },
    );
  });

  it("preview values: unknown inputs pass check and force the replace their property would", async () => {
    const aws = await start("aws");
    const type = "aws:ec2/instance:Instance";
    const urn = testUrn(type, "h");
    const checked = await aws.check(
      urn,
      {},
      { ami: UNKNOWN, instanceType: "t3.medium", region: "eu-central-1" },
    );
    assert.deepEqual(checked.failures, []);
    const olds = { ami: "ami-1", instanceType: "t3.medium", region: "eu-central-1", arn: "arn" };
    assert.deepEqual(await aws.diff(urn, "i-1", olds, { ...olds, ami: UNKNOWN }), {
      changes: "some",
      replaces: ["ami"],
    });
    assert.deepEqual(
      await aws.diff(urn, "i-1", olds, {
        ami: "ami-1",
        instanceType: "t3.medium",
        region: "eu-central-1",
      }),
      {
        changes: "none",
        replaces: [],
      },
    );
  });

  it("functions and resources across the four plugins answer over the wire", async () => {
    const cf = await start("cloudflare");
    const zone = await cf.invoke("cloudflare:index/getZone:getZone", {
      filter: { name: "example.com" },
    });
    assert.match(zone.outputs.zoneId as string, /^[0-9a-f]{32}$/);
    const tls = await start("tls");
    const keyUrn = testUrn("tls:index/privateKey:PrivateKey", "k");
    const key = await tls.create(
      keyUrn,
      (await tls.check(keyUrn, {}, { algorithm: "ED25519" })).inputs,
    );
    assert.match(key.props.publicKeyOpenssh as string, /^ssh-ed25519 \S+\n$/);
    const dir = mkdtempSync(join(root, "program-"));
    const command = await start("command", dir);
    const cmdUrn = testUrn("command:local:Command", "c");
    const ran = await command.create(cmdUrn, { create: "pwd" });
    assert.equal(
      ran.props.stdout,
      dir,
      "commands without dir run in the plugin's working directory",
    );
    // A failing command is a partial create: the engine records it (ErrorResourceInitFailed) and retries on update.
    await assert.rejects(
      command.create(testUrn("command:local:Command", "bad"), { create: "exit 4" }),
      (e) => {
        const bin = (e as { metadata: { get(k: string): unknown[] } }).metadata.get(
          "grpc-status-details-bin",
        )[0] as Buffer;
        const detail = Status.deserializeBinary(new Uint8Array(bin)).getDetailsList()[0];
        assert.equal(detail.getTypeUrl(), "type.googleapis.com/pulumirpc.ErrorResourceInitFailed");
        const failed = ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
        assert.match(failed.getId(), /^bad[0-9a-f]{8}$/);
        assert.deepEqual(failed.getReasonsList(), ['exit status 4: running "exit 4":\n']);
        return true;
      },
    );
    await assert.rejects(
      command.create(testUrn("command:remote:Command", "r"), { create: "x" }),
      (e) => {
        assert.match(
          (e as Error).message,
          /stand-in command provider: resource type command:remote:Command is not implemented \(add it to tests\/engine\/providers\/command\.ts\)/,
        );
        return true;
      },
    );
  });
});
