/**
 * `npm run test:engine`: the stack program run by the real Pulumi CLI (built by `npm run engine:setup`),
 * from Pulumi.yaml, exactly as a user runs it from a checkout, against the stand-in provider plugins
 * (tests/engine/providers: AWS, Cloudflare, TLS and command cannot be reached or built here). Local file
 * backend, passphrase secrets. Counts come from the engine's own `--json` change summary.
 *
 * What stays a stand-in: the providers (tests/engine/providers) and the replication CLI (a recorder,
 * tests/engine/fixtures/record-cli.sh; `msgw config` itself has end-to-end tests against real sshd).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../tools/engine/paths";
import { readStackConfig } from "../../tools/plan";
import { planProgram } from "../../tools/program-plan";
import { CLOUDFLARE_TOKEN, World, changeSummary, stepsOf, type Step } from "./lib/world";

/** The stand-ins' own helpers (loaded by path: that tree belongs to the stand-in providers). */
interface StandInAws {
  publishImage(
    cloud: unknown,
    region: string,
    name: string,
    creationDate: string,
  ): { imageId: string };
  instanceEvents(cloud: unknown, id: string): Array<{ event: string; reason: string }>;
  failAssociationRuns(cloud: unknown, instanceId: string, detail: string): void;
  clearAssociationRunFailure(cloud: unknown, instanceId: string): void;
}
interface StandInContext {
  Cloud: new (dir: string) => { list<T>(service: string): Map<string, T> };
}
interface StandInCloudflare {
  seedDnsRecord(
    cloud: unknown,
    settings: Record<string, unknown>,
    record: { zone: string; name: string; type: string; content: string; ttl: number },
  ): Promise<{ id: string; zoneId: string }>;
}
const PROVIDERS = path.join(ROOT, "tests", "engine", "providers");
const load = async <T>(name: string): Promise<T> =>
  (await import(path.join(PROVIDERS, `${name}.ts`))) as T;

const RECORDER = "sh tests/engine/fixtures/record-cli.sh";

/** A stack made ready as a user would: init, the provider secret, the recorder as replication CLI. */
function initStack(w: World, stack: string): void {
  w.ok(["stack", "init", stack]);
  w.config(stack, ["set", "--secret", "cloudflare:apiToken", CLOUDFLARE_TOKEN]);
  w.config(stack, ["set", "--path", "msgw:pool.configSync.cliCommand", RECORDER]);
}

/** What the offline plan registers for the copy's stack configuration. */
async function offlinePlan(w: World, stack: string) {
  const cfg = readStackConfig(stack, path.join(w.project, "stacks"));
  return await planProgram({ rootDirectory: w.project, stack, ...cfg });
}
async function offlinePlanUrns(w: World, stack: string): Promise<string[]> {
  return (await offlinePlan(w, stack)).resources.map((r) => r.urn).sort();
}

/** The replication CLI's arguments of every local.Command the offline plan registers. */
async function plannedCommandArgs(w: World, stack: string): Promise<string[]> {
  return (await offlinePlan(w, stack)).resources
    .filter((r) => r.type === "command:local:Command")
    .map((r) => String(r.inputs.create))
    .map((c) => {
      assert.ok(c.startsWith(`${RECORDER} `), c);
      return c.slice(RECORDER.length + 1);
    })
    .sort();
}

/** Program resources of a preview (no stack, no default providers). */
const programUrns = (steps: Step[]) =>
  steps
    .map((s) => s.urn)
    .filter(
      (u) => !u.includes("::pulumi:pulumi:Stack::") && !/::pulumi:providers:\w+::default/.test(u),
    )
    .sort();

/** The steps of an update other than `same`, as "op type::name". */
const changed = (steps: Step[]) =>
  steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.urn.split("::").slice(-2).join("::")}`)
    .sort();

/** URN of a host's data volume. */
const dataVolumeUrn = (stack: string, host: string) =>
  `urn:pulumi:${stack}::msgw::msgw:index:GatewayPool$aws:ebs/volume:Volume::msgw-${host}-data`;

/** The EC2 instance ids of the stack, in URN order (msgw1, msgw2). */
const instanceIds = (w: World) =>
  w
    .resources("dev")
    .filter((r) => r.type === "aws:ec2/instance:Instance")
    .sort((a, b) => a.urn.localeCompare(b.urn))
    .map((r) => String(r.id));

describe("dev stack under the real engine", () => {
  let w: World;
  /** The image the AMI-lookup test publishes; the rolling update pins it per host. */
  let newerImage = "";
  /** Resources of the dev stack: the offline plan's and the stack itself. */
  let total = 0;
  before(async () => {
    w = await World.create();
    initStack(w, "dev");
    total = (await offlinePlanUrns(w, "dev")).length + 1;
  });
  after(() => w?.cleanup());

  it("pulumi preview loads stacks/index.ts from Pulumi.yaml and plans what the offline plan plans", async () => {
    const text = w.ok(["preview", "--stack", "dev"]);
    assert.match(text.stdout, /\+ {2}msgw:index:GatewayPool msgw create/);
    assert.match(text.stdout, new RegExp(`Resources:\\n {4}\\+ ${total} to create\\n`));
    const json = w.ok(["preview", "--stack", "dev", "--json"]);
    assert.deepEqual(changeSummary("preview", json.stdout), { create: total });
    assert.deepEqual(programUrns(stepsOf("preview", json.stdout)), await offlinePlanUrns(w, "dev"));
  });

  it("pulumi up creates everything; a second preview reports no changes", () => {
    assert.deepEqual(w.summary("up", "dev"), { create: total });
    assert.deepEqual(w.summary("preview", "dev"), { same: total });
  });

  it("every local.Command ran, in the project root", async () => {
    const runs = w.commandRuns();
    const planned = await plannedCommandArgs(w, "dev");
    assert.ok(planned.length >= 2, planned.join("\n"));
    assert.deepEqual(
      runs.map((r) => [r.cwd, r.args.join(" ")]).sort(),
      planned.map((args) => [w.project, args]),
    );
    assert.equal(fs.existsSync(path.join(w.project, "stacks", ".msgw")), false);
  });

  it("the state file holds no private key, no configuration content and no plaintext secret", () => {
    const state = fs.readFileSync(w.stateFile("dev"), "utf8");
    const keys = JSON.parse(
      w.ok([
        "stack",
        "output",
        "certificatePrivateKeys",
        "--show-secrets",
        "--json",
        "--stack",
        "dev",
      ]).stdout,
    ) as Record<string, string>;
    assert.equal(Object.keys(keys).length, 2);
    for (const pem of Object.values(keys)) {
      assert.match(pem, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      const body = pem.split("\n")[1];
      assert.equal(state.includes(body), false, "a private key is in the state in plain text");
    }
    assert.doesNotMatch(state, /PRIVATE KEY-----/);
    assert.equal(state.includes(CLOUDFLARE_TOKEN), false);
    assert.doesNotMatch(state, /<\?xml|<configuration/i);
    assert.match(state, /"ciphertext"/);
  });

  it("adding a host creates only its resources; removing it deletes only those", () => {
    w.config("dev", ["set", "--path", "msgw:pool.hosts[2].hostname", "msgw3.example.com"]);
    const up = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    const added = stepsOf("up", up.stdout).filter((s) => s.op !== "same");
    assert.ok(added.length > 0);
    for (const s of added) assert.equal(s.op, "create", s.urn);
    for (const s of added) assert.match(s.urn, /msgw3/);
    const created = added.length;
    assert.deepEqual(changeSummary("up", up.stdout), { create: created, same: total });

    // msgw3 joined active: its readiness gate ran (the recorder stands in for msgw) before its MX record.
    assert.ok(
      w
        .commandRuns()
        .some((r) => r.args.join(" ").startsWith("check --wait 900 --gateway msgw3.example.com=")),
    );

    // An active host's machine is protected: removing the host is refused as a whole.
    w.config("dev", ["rm", "--path", "msgw:pool.hosts[2]"]);
    const refused = w.pulumi(["preview", "--stack", "dev"]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stdout,
      /Eip::msgw-msgw3-eip" cannot be deleted\n\s*because it is protected/,
    );
    // The documented path: standby or draining first (MX record gone, machine unprotected; draining
    // needs another active host, and dev's are standby), then removal, with the data volume
    // unprotected by hand (it is retained in the account).
    w.config("dev", ["set", "--path", "msgw:pool.hosts[2].hostname", "msgw3.example.com"]);
    w.config("dev", ["set", "--path", "msgw:pool.hosts[2].state", "standby"]);
    const drained = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    assert.deepEqual(changed(stepsOf("up", drained.stdout)), [
      "delete msgw:index:GatewayPool$cloudflare:index/dnsRecord:DnsRecord::msgw-mx-msgw3",
      "delete msgw:index:GatewayPool$command:local:Command::msgw-msgw3-ready",
    ]);
    w.config("dev", ["rm", "--path", "msgw:pool.hosts[2]"]);
    const volumeOnly = w.pulumi(["preview", "--stack", "dev"]);
    assert.notEqual(volumeOnly.code, 0);
    assert.match(
      volumeOnly.stdout,
      /Volume::msgw-msgw3-data" cannot be deleted\n\s*because it is protected/,
    );
    assert.doesNotMatch(volumeOnly.stdout, /(Instance|Eip)::msgw-msgw3(-eip)?" cannot be deleted/);
    w.ok(["state", "unprotect", dataVolumeUrn("dev", "msgw3"), "--stack", "dev", "--yes"]);
    const down = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    const removed = stepsOf("up", down.stdout).filter((s) => s.op !== "same");
    for (const s of removed) assert.equal(s.op, "delete", s.urn);
    for (const s of removed) assert.match(s.urn, /msgw3/);
    assert.deepEqual(changeSummary("up", down.stdout), { delete: created - 2, same: total });
  });

  it("a user-data edit does not stop and start a host", async () => {
    const { instanceEvents } = await load<StandInAws>("aws");
    const { Cloud } = await load<StandInContext>("context");
    w.config("dev", [
      "set",
      "--path",
      "msgw:pool.gateway.installerUrl",
      "https://downloads.example.com/v2/MailStoreGatewaySetup.exe",
    ]);
    const up = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    // The new installer reaches the running hosts through their SSM associations only, each replaced
    // (new before old) so that the update waits for its run on the host.
    assert.deepEqual(
      changed(stepsOf("up", up.stdout)),
      ["create-replacement", "delete-replaced", "replace"].flatMap((op) =>
        ["msgw1", "msgw2"].map(
          (h) => `${op} msgw:index:GatewayPool$aws:ssm/association:Association::msgw-${h}-settings`,
        ),
      ),
    );
    assert.deepEqual(changeSummary("up", up.stdout), { same: total - 2, replace: 2 });
    const cloud = new Cloud(w.cloudDir());
    const ids = instanceIds(w);
    assert.equal(ids.length, 2);
    for (const id of ids) {
      assert.deepEqual(
        instanceEvents(cloud, id).map((e) => [e.event, e.reason]),
        [["start", "RunInstances"]],
        `instance ${id}`,
      );
    }
  });

  it("a settings change whose run fails on a host fails pulumi up with the host's error; fixed, the next up completes", async () => {
    const { failAssociationRuns, clearAssociationRunFailure } = await load<StandInAws>("aws");
    const { Cloud } = await load<StandInContext>("context");
    const cloud = new Cloud(w.cloudDir());
    const [first] = instanceIds(w);
    failAssociationRuns(cloud, first, "msgw: bootstrap FAILED: installer exited with 1603");
    w.config("dev", [
      "set",
      "--path",
      "msgw:pool.gateway.installerUrl",
      "https://downloads.example.com/v3/MailStoreGatewaySetup.exe",
    ]);
    const failed = w.pulumi(["up", "--stack", "dev", "--yes", "--skip-preview"]);
    assert.notEqual(failed.code, 0);
    assert.match(
      failed.stdout,
      /aws:ssm:Association \(msgw-msgw1-settings\):\n\s+error: [^\n]*waiting for SSM Association \([0-9a-f-]{36}\) to be Success: unexpected state 'Failed', wanted target 'Success'\. last error: msgw: bootstrap FAILED: installer exited with 1603/,
    );
    // msgw2's replacement runs in parallel with msgw1's: whether the engine started it before msgw1
    // failed is a race. Either way it is in the state exactly once, with the old or the new URL.
    const newUrl = "https://downloads.example.com/v3/MailStoreGatewaySetup.exe";
    // A replacement that completed leaves the old association in the state marked for deletion.
    const msgw2Settings = w
      .resources("dev")
      .filter(
        (r) =>
          r.urn.endsWith("aws:ssm/association:Association::msgw-msgw2-settings") &&
          (r as { delete?: boolean }).delete !== true,
      );
    assert.equal(msgw2Settings.length, 1);
    const msgw2Done = JSON.stringify(msgw2Settings[0].outputs).includes(newUrl);
    clearAssociationRunFailure(cloud, first);
    const again = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    const g = "msgw:index:GatewayPool$aws:ssm/association:Association::";
    assert.deepEqual(
      changed(stepsOf("up", again.stdout)).filter((c) => !/delete-replaced/.test(c)),
      (msgw2Done ? ["msgw1"] : ["msgw1", "msgw2"])
        .flatMap((h) =>
          ["create-replacement", "replace"].map((op) => `${op} ${g}msgw-${h}-settings`),
        )
        .sort(),
    );
    assert.ok(
      w
        .resources("dev")
        .filter(
          (r) =>
            r.type === "aws:ssm/association:Association" &&
            (r as { delete?: boolean }).delete !== true,
        )
        .every((r) => JSON.stringify(r.outputs).includes(newUrl)),
    );
    assert.deepEqual(w.summary("preview", "dev"), { same: total });
  });

  it("a newer image from the AMI lookup changes nothing", async () => {
    const { publishImage } = await load<StandInAws>("aws");
    const { Cloud } = await load<StandInContext>("context");
    const before = instanceIds(w);
    newerImage = publishImage(
      new Cloud(w.cloudDir()),
      "eu-central-1",
      "Windows_Server-2022-English-Full-Base-2026.12.01",
      "2026-12-01T08:00:00.000Z",
    ).imageId;
    assert.deepEqual(w.summary("preview", "dev"), { same: total });
    assert.deepEqual(w.summary("up", "dev"), { same: total });
    assert.deepEqual(instanceIds(w), before);
  });

  it("a new explicit aws.ami on one host replaces only that host's instance", async () => {
    const { instanceEvents } = await load<StandInAws>("aws");
    const { Cloud } = await load<StandInContext>("context");
    const [first, second] = instanceIds(w);
    w.config("dev", ["set", "--path", "msgw:pool.hosts[0].aws.ami", newerImage]);
    const up = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    // msgw1's instance and attachment are replaced, its address, alarms and association follow the new
    // instance id; the configuration snapshot (taken from msgw1, the source) is taken again. msgw2: nothing.
    const g = "msgw:index:GatewayPool$";
    const replaced = [
      "aws:ec2/instance:Instance::msgw-msgw1",
      "aws:ec2/volumeAttachment:VolumeAttachment::msgw-msgw1-data-attachment",
      "command:local:Command::msgw-config-snapshot",
      // A new target is a change of what reaches a host: the association is replaced and waited on.
      "aws:ssm/association:Association::msgw-msgw1-settings",
    ];
    assert.deepEqual(
      changed(stepsOf("up", up.stdout)),
      [
        ...["create-replacement", "delete-replaced", "replace"].flatMap((op) =>
          replaced.map((r) => `${op} ${g}${r}`),
        ),
        `update ${g}aws:cloudwatch/metricAlarm:MetricAlarm::msgw-msgw1-instance-check`,
        `update ${g}aws:cloudwatch/metricAlarm:MetricAlarm::msgw-msgw1-recover`,
        `update ${g}aws:ec2/eip:Eip::msgw-msgw1-eip`,
      ].sort(),
    );
    const after = instanceIds(w);
    assert.equal(after[1], second);
    assert.notEqual(after[0], first);
    const amiOf = (id: string) =>
      (w.resources("dev").find((r) => r.id === id)?.outputs as { ami?: string } | undefined)?.ami;
    assert.equal(amiOf(after[0]), newerImage);
    assert.notEqual(amiOf(after[1]), newerImage);
    const cloud = new Cloud(w.cloudDir());
    assert.deepEqual([...cloud.list("aws-instance").keys()].sort(), [...after].sort());
    assert.deepEqual(
      instanceEvents(cloud, after[0]).map((e) => [e.event, e.reason]),
      [["start", "RunInstances"]],
    );
  });

  it("a pool-wide aws.keyName on an all-active pool is refused; host by host through standby it goes through", () => {
    w.config("dev", ["set", "--path", "msgw:pool.hosts[0].state", "active"]);
    w.config("dev", ["set", "--path", "msgw:pool.hosts[1].state", "active"]);
    const promoted = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    // Each host's readiness gate, then its MX record.
    assert.deepEqual(
      changed(stepsOf("up", promoted.stdout)).filter((s) => s.startsWith("create")),
      [
        "create msgw:index:GatewayPool$cloudflare:index/dnsRecord:DnsRecord::msgw-mx-msgw1",
        "create msgw:index:GatewayPool$cloudflare:index/dnsRecord:DnsRecord::msgw-mx-msgw2",
        "create msgw:index:GatewayPool$command:local:Command::msgw-msgw1-ready",
        "create msgw:index:GatewayPool$command:local:Command::msgw-msgw2-ready",
      ],
    );
    const before = instanceIds(w);
    const outputsOf = (id: string) =>
      (w.resources("dev").find((r) => r.id === id)?.outputs ?? {}) as {
        ami?: string;
        userData?: string;
      };
    const recorded = outputsOf(before[1]);
    assert.ok(recorded.ami);

    // keyName forces a new instance (ec2_instance.go: key_name ForceNew): refused for every active host.
    w.config("dev", ["set", "--path", "msgw:pool.aws.keyName", "ops-rdp"]);
    const preview = w.pulumi(["preview", "--stack", "dev"]);
    assert.notEqual(preview.code, 0);
    for (const host of ["msgw1", "msgw2"]) {
      assert.match(
        preview.stdout,
        new RegExp(
          `unable to replace resource "[^"]*Instance::msgw-${host}"\\n\\s*as it is currently marked for protection`,
        ),
      );
    }
    const up = w.pulumi(["up", "--stack", "dev", "--yes"]);
    assert.notEqual(up.code, 0);
    assert.match(up.stdout, /as it is currently marked for protection/);
    assert.deepEqual(instanceIds(w), before);

    // The rolling procedure, one host: standby (MX record gone), then its own keyName, then active.
    w.config("dev", ["rm", "--path", "msgw:pool.aws.keyName"]);
    w.config("dev", ["set", "--path", "msgw:pool.hosts[1].state", "standby"]);
    const standby = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    assert.deepEqual(changed(stepsOf("up", standby.stdout)), [
      "delete msgw:index:GatewayPool$cloudflare:index/dnsRecord:DnsRecord::msgw-mx-msgw2",
      "delete msgw:index:GatewayPool$command:local:Command::msgw-msgw2-ready",
    ]);
    w.config("dev", ["set", "--path", "msgw:pool.hosts[1].aws.keyName", "ops-rdp"]);
    const replaced = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    const ops = changed(stepsOf("up", replaced.stdout));
    assert.ok(
      ops.includes("replace msgw:index:GatewayPool$aws:ec2/instance:Instance::msgw-msgw2"),
      ops.join("\n"),
    );
    assert.deepEqual(
      ops.filter((o) => /msgw-msgw1\b|mx-msgw1/.test(o)),
      [],
    );
    const after = instanceIds(w);
    assert.equal(after[0], before[0]);
    assert.notEqual(after[1], before[1]);
    // ignoreChanges holds only for updates: a replacement is checked again with the program's inputs,
    // so it launches with the image the lookup finds now and today's first-boot script (the new
    // installer URL), not with what the replaced instance was created with.
    const launched = outputsOf(after[1]);
    assert.notEqual(recorded.ami, newerImage);
    assert.equal(launched.ami, newerImage);
    // The installer URL the earlier tests left in the stack (v3), unknown when msgw2 was created.
    assert.ok(!String(recorded.userData).includes("/v3/MailStoreGatewaySetup.exe"));
    assert.ok(String(launched.userData).includes("/v3/MailStoreGatewaySetup.exe"));
    const checks = () =>
      w.commandRuns().filter((r) => r.args.join(" ").startsWith("check --wait 900 --gateway msgw2"))
        .length;
    const checked = checks();
    w.config("dev", ["set", "--path", "msgw:pool.hosts[1].state", "active"]);
    const back = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    assert.deepEqual(changed(stepsOf("up", back.stdout)), [
      "create msgw:index:GatewayPool$cloudflare:index/dnsRecord:DnsRecord::msgw-mx-msgw2",
      "create msgw:index:GatewayPool$command:local:Command::msgw-msgw2-ready",
    ]);
    assert.equal(checks(), checked + 1);
  });

  it("pulumi destroy, after unprotecting the data volumes, leaves only those volumes behind", async () => {
    const volumes = w
      .resources("dev")
      .filter((r) => r.type === "aws:ebs/volume:Volume")
      .map((r) => String(r.id));
    assert.equal(volumes.length, 2);
    // Active hosts' machines are protected: destroy is refused until every host is standby.
    // Without --skip-preview the preview runs first and fails before anything is deleted.
    const count = w.resources("dev").length;
    const refused = w.pulumi(["destroy", "--stack", "dev", "--yes"]);
    assert.notEqual(refused.code, 0);
    assert.equal(w.resources("dev").length, count);
    assert.match(
      refused.stdout + refused.stderr,
      /(Instance|Eip)::msgw-msgw[12](-eip)?" cannot be deleted\n\s*because it is protected/,
    );
    // The documented path: every host standby (MX records removed), the data volumes unprotected.
    w.config("dev", ["set", "--path", "msgw:pool.hosts[0].state", "standby"]);
    w.config("dev", ["set", "--path", "msgw:pool.hosts[1].state", "standby"]);
    w.ok(["up", "--stack", "dev", "--yes", "--skip-preview"]);
    for (const host of ["msgw1", "msgw2"]) {
      w.ok(["state", "unprotect", dataVolumeUrn("dev", host), "--stack", "dev", "--yes"]);
    }
    w.ok(["destroy", "--stack", "dev", "--yes", "--skip-preview"]);
    assert.deepEqual(
      w.resources("dev").map((r) => r.type),
      [],
    );
    const { Cloud } = await load<StandInContext>("context");
    const cloud = new Cloud(w.cloudDir());
    for (const service of ["aws-instance", "aws-eip"]) {
      assert.deepEqual([...cloud.list(service).keys()], [], service);
    }
    // retainOnDelete: both hosts' volumes and the one of the removed third host stay in the account.
    const kept = [...cloud.list("aws-volume").keys()];
    assert.equal(kept.length, 3);
    for (const id of volumes) assert.ok(kept.includes(id), id);
  });
});

describe("prod stack under the real engine", () => {
  let w: World;
  before(async () => {
    w = await World.create();
    initStack(w, "prod");
  });
  after(() => w?.cleanup());

  it("preview plans what the offline plan plans; up, then preview shows no changes; destroy", async () => {
    const json = w.ok(["preview", "--stack", "prod", "--json"]);
    const planned = await offlinePlanUrns(w, "prod");
    assert.deepEqual(programUrns(stepsOf("preview", json.stdout)), planned);
    const total = planned.length + 1; // and the stack itself
    assert.deepEqual(changeSummary("preview", json.stdout), { create: total });
    assert.deepEqual(w.summary("up", "prod"), { create: total });
    assert.deepEqual(w.summary("preview", "prod"), { same: total });
    assert.equal(
      w.commandRuns().every((r) => r.cwd === w.project),
      true,
    );
    w.ok(["state", "unprotect", "--all", "--stack", "prod", "--yes"]);
    w.ok(["destroy", "--stack", "prod", "--yes", "--skip-preview"]);
    assert.deepEqual(w.resources("prod"), []);
  });
});

describe("the legacy gateway's A record", () => {
  it("is adopted, not duplicated, and survives a destroy while migrating", async () => {
    const w = await World.create();
    try {
      initStack(w, "prod");
      const { seedDnsRecord } = await load<StandInCloudflare>("cloudflare");
      const { Cloud } = await load<StandInContext>("context");
      const cloud = new Cloud(w.cloudDir());
      const legacy = await seedDnsRecord(
        cloud,
        {},
        {
          zone: "example.com",
          name: "msgw",
          type: "A",
          content: "198.51.100.5",
          ttl: 300,
        },
      );
      w.config("prod", [
        "set",
        "--path",
        "msgw:pool.legacy.importId",
        `${legacy.zoneId}/${legacy.id}`,
      ]);
      const up = w.ok(["up", "--stack", "prod", "--yes", "--skip-preview", "--json"]);
      assert.deepEqual(
        changed(stepsOf("up", up.stdout)).filter((s) => s.includes("DnsRecord::msgw-legacy")),
        ["import msgw:index:GatewayPool$cloudflare:index/dnsRecord:DnsRecord::msgw-legacy-msgw-a"],
      );
      const total = (await offlinePlanUrns(w, "prod")).length + 1;
      assert.deepEqual(changeSummary("up", up.stdout), { create: total - 1, import: 1 });
      const records = () =>
        [
          ...cloud
            .list<{ name: string; type: string; content: string }>(`cf-records-${legacy.zoneId}`)
            .values(),
        ]
          .filter((r) => r.name === "msgw.example.com" && r.type === "A")
          .map((r) => r.content);
      assert.deepEqual(records(), ["198.51.100.5"]);
      w.ok(["state", "unprotect", "--all", "--stack", "prod", "--yes"]);
      const down = w.ok(["destroy", "--stack", "prod", "--yes", "--skip-preview", "--json"]);
      assert.deepEqual(w.resources("prod"), []);
      assert.deepEqual(changeSummary("destroy", down.stdout), { delete: total });
      assert.deepEqual(records(), ["198.51.100.5"]);
      const [kept] = [
        ...cloud.list<{ id: string; name: string }>(`cf-records-${legacy.zoneId}`).values(),
      ].filter((r) => r.name === "msgw.example.com");
      assert.equal(kept.id, legacy.id);
    } finally {
      w.cleanup();
    }
  });
});
