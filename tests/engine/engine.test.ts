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

describe("dev stack under the real engine", () => {
  let w: World;
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
    const changed = stepsOf("up", up.stdout).filter((s) => s.op !== "same");
    assert.ok(changed.length > 0);
    for (const s of changed) assert.equal(s.op, "create", s.urn);
    for (const s of changed) assert.match(s.urn, /msgw3/);
    const created = changed.length;
    assert.deepEqual(changeSummary("up", up.stdout), { create: created, same: total });

    w.config("dev", ["rm", "--path", "msgw:pool.hosts[2]"]);
    const down = w.ok(["up", "--stack", "dev", "--yes", "--skip-preview", "--json"]);
    const removed = stepsOf("up", down.stdout).filter((s) => s.op !== "same");
    for (const s of removed) assert.equal(s.op, "delete", s.urn);
    for (const s of removed) assert.match(s.urn, /msgw3/);
    assert.deepEqual(changeSummary("up", down.stdout), { delete: created, same: total });
  });

  it(
    "a user-data edit does not stop and start a host",
    {
      todo: "day-two issue: a changed userData stops and starts the instance until the component ignores it",
    },
    async () => {
      const { instanceEvents } = await load<StandInAws>("aws");
      const { Cloud } = await load<StandInContext>("context");
      w.config("dev", [
        "set",
        "--path",
        "msgw:pool.gateway.installerUrl",
        "https://downloads.example.com/v2/MailStoreGatewaySetup.exe",
      ]);
      w.ok(["up", "--stack", "dev", "--yes", "--skip-preview"]);
      const cloud = new Cloud(w.cloudDir());
      const ids = w
        .resources("dev")
        .filter((r) => r.type === "aws:ec2/instance:Instance")
        .map((r) => String(r.id));
      assert.equal(ids.length, 2);
      for (const id of ids) {
        assert.deepEqual(
          instanceEvents(cloud, id).filter((e) => e.event === "stop"),
          [],
          `instance ${id} was stopped`,
        );
      }
    },
  );

  it(
    "a newer image from the AMI lookup changes nothing",
    {
      todo: "day-two issue: the instance takes the newest image of getAmi and has no ignoreChanges on ami, so a newer image replaces it",
    },
    async () => {
      const { publishImage } = await load<StandInAws>("aws");
      const { Cloud } = await load<StandInContext>("context");
      publishImage(
        new Cloud(w.cloudDir()),
        "eu-central-1",
        "Windows_Server-2022-English-Full-Base-2026.12.01",
        "2026-12-01T08:00:00.000Z",
      );
      assert.deepEqual(w.summary("preview", "dev"), { same: total });
    },
  );

  it("pulumi destroy leaves nothing behind", async () => {
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
    w.ok(["destroy", "--stack", "prod", "--yes", "--skip-preview"]);
    assert.deepEqual(w.resources("prod"), []);
  });
});

describe("the legacy gateway's A record", () => {
  it(
    "is adopted, not duplicated, and survives a destroy while migrating",
    { todo: "adoption of existing records (import id) is not in the component yet" },
    async () => {
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
        w.ok(["up", "--stack", "prod", "--yes", "--skip-preview"]);
        const records = () =>
          [
            ...cloud
              .list<{ name: string; type: string; content: string }>(`cf-records-${legacy.zoneId}`)
              .values(),
          ]
            .filter((r) => r.name === "msgw.example.com" && r.type === "A")
            .map((r) => r.content);
        assert.deepEqual(records(), ["198.51.100.5"]);
        w.ok(["destroy", "--stack", "prod", "--yes", "--skip-preview"]);
        assert.deepEqual(records(), ["198.51.100.5"]);
      } finally {
        w.cleanup();
      }
    },
  );
});
