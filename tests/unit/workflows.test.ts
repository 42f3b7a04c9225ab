/**
 * The GitHub workflows: each file passes a real workflow validator (@action-validator/core, the
 * SchemaStore schema), and the security-relevant parts (triggers, permissions, fork guard, approval
 * environments) have exactly the values docs/ci.md promises.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow, type ValidationError } from "@action-validator/core";
import { parse } from "yaml";
import { lockedSdkVersion } from "../../tools/engine/paths";

const dir = join(__dirname, "..", "..", ".github", "workflows");

type Step = {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type Job = {
  if?: string;
  uses?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string> | string;
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
};
type Workflow = { on: Record<string, unknown>; permissions?: unknown; jobs: Record<string, Job> };

const source = (file: string): string => readFileSync(join(dir, file), "utf8");
const load = (file: string): Workflow => parse(source(file)) as Workflow;
const pulumiStep = (job: Job): Step => {
  const steps = (job.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/actions@"));
  assert.equal(steps.length, 1, "exactly one pulumi/actions step per job");
  return steps[0];
};

/** Flattens the validator's nested oneOf states into the errors that name a concrete path. */
function leafErrors(errors: ValidationError[]): { code: string; path: string }[] {
  return errors.flatMap((e) => {
    const nested = "states" in e && e.states ? e.states.flatMap((s) => leafErrors(s.errors)) : [];
    const own = "path" in e && e.code !== "one_of" ? [{ code: e.code, path: e.path }] : [];
    return [...own, ...nested];
  });
}

const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";

describe("workflow files", () => {
  it("are exactly test, preview, deploy and check", () => {
    assert.deepEqual(readdirSync(dir).sort(), [
      "check.yml",
      "deploy.yml",
      "preview.yml",
      "test.yml",
    ]);
  });

  for (const file of ["test.yml", "preview.yml", "deploy.yml", "check.yml"]) {
    it(`${file} passes @action-validator/core`, () => {
      assert.deepEqual(validateWorkflow(source(file)).errors, []);
    });
  }

  it("never use pull_request_target or write-all; pull-requests: write only for preview, issues: write only for check", () => {
    for (const file of readdirSync(dir)) {
      const wf = load(file);
      assert.equal("pull_request_target" in wf.on, false, file);
      assert.deepEqual(wf.permissions, { contents: "read" }, `${file} top-level permissions`);
      for (const [id, job] of Object.entries(wf.jobs)) {
        assert.equal(typeof (job.permissions ?? {}), "object", `${file} job ${id}: no write-all`);
        const perms = typeof job.permissions === "object" ? job.permissions : {};
        const writes = Object.entries(perms).filter(([, v]) => v !== "read");
        const expected =
          file === "preview.yml"
            ? [["pull-requests", "write"]]
            : file === "check.yml"
              ? [["issues", "write"]]
              : [];
        assert.deepEqual(writes, expected, `${file} job ${id}`);
      }
    }
  });
});

describe("test.yml", () => {
  const wf = load("test.yml");
  it("runs on every push, on pull requests and when called by deploy", () => {
    assert.deepEqual(wf.on, { push: null, pull_request: null, workflow_call: null });
  });
  it("runs .ci/run and the lint script, with no secrets", () => {
    assert.deepEqual(Object.keys(wf.jobs), ["test", "lint"]);
    assert.deepEqual(wf.jobs.test.steps?.map((s) => s.run).filter(Boolean), [
      'sudo -E env "PATH=$PATH" bash .ci/run',
    ]);
    assert.deepEqual(wf.jobs.lint.steps?.map((s) => s.run).filter(Boolean), [
      "npm ci",
      "npm run lint",
    ]);
    assert.equal(source("test.yml").includes("secrets."), false);
  });
});

describe("preview.yml", () => {
  const wf = load("preview.yml");
  const job = wf.jobs.preview;
  it("runs on pull requests to main only", () => {
    assert.deepEqual(wf.on, { pull_request: { branches: ["main"] } });
    assert.deepEqual(Object.keys(wf.jobs), ["preview"]);
  });
  it("has one job per environment with least permissions", () => {
    assert.deepEqual(job.strategy?.matrix, { environment: ["dev", "prod"] });
    assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write" });
    assert.equal(job.environment, undefined, "previews must not wait for deployment approval");
  });
  it("skips pull requests from forks, which get no secrets", () => {
    assert.equal(job.if, FORK_GUARD);
  });
  it("previews the matrix stack with the policy pack and comments on the pull request", () => {
    assert.deepEqual(pulumiStep(job).with, {
      "pulumi-version": lockedSdkVersion(),
      command: "preview",
      "stack-name": "${{ matrix.environment }}",
      "work-dir": "./",
      "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
      policyPacks: "policy",
      "comment-on-pr": true,
      "edit-pr-comment": true,
      "github-token": "${{ secrets.GITHUB_TOKEN }}",
    });
    assert.deepEqual(Object.keys(pulumiStep(job).env ?? {}), [
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_CONFIG_PASSPHRASE",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "CLOUDFLARE_API_TOKEN",
    ]);
    assert.equal(
      pulumiStep(job).env?.AWS_ACCESS_KEY_ID,
      "${{ secrets.PREVIEW_AWS_ACCESS_KEY_ID }}",
    );
  });
});

describe("deploy.yml", () => {
  const wf = load("deploy.yml");
  it("runs on pushes to main only, after the tests", () => {
    assert.deepEqual(wf.on, { push: { branches: ["main"] } });
    assert.deepEqual(Object.keys(wf.jobs), ["test", "deploy-dev", "deploy-prod"]);
    assert.equal(wf.jobs.test.uses, "./.github/workflows/test.yml");
  });
  it("deploys dev, then prod, each behind its GitHub environment", () => {
    for (const [id, env, needs] of [
      ["deploy-dev", "dev", "test"],
      ["deploy-prod", "prod", "deploy-dev"],
    ] as const) {
      const job = wf.jobs[id];
      assert.equal(job.environment, env);
      assert.equal(job.needs, needs);
      assert.deepEqual(job.permissions, { contents: "read" });
      // The action only installs the CLI; the preflight runs before the update.
      assert.deepEqual(pulumiStep(job).with, { "pulumi-version": lockedSdkVersion() });
      const named = (name: string) =>
        (job.steps ?? []).findIndex((st) => (st as { name?: string }).name === name);
      const preflight = job.steps?.[named("Preflight")];
      const up = job.steps?.[named("pulumi up")];
      assert.equal(preflight?.run, `npx tsx bin/msgw.ts preflight --stack ${env}`);
      assert.equal(
        up?.run,
        `pulumi up --stack ${env} --yes --non-interactive --policy-pack policy`,
      );
      assert.ok(named("Preflight") > (job.steps ?? []).indexOf(pulumiStep(job)));
      assert.ok(named("pulumi up") > named("Preflight"), "the preflight runs before pulumi up");
      assert.deepEqual(Object.keys(preflight?.env ?? {}), [
        "PULUMI_BACKEND_URL",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE",
      ]);
      assert.deepEqual(Object.keys(up?.env ?? {}), [
        "PULUMI_BACKEND_URL",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "CLOUDFLARE_API_TOKEN",
      ]);
    }
  });
  it("runs where replication and the readiness gate work: the self-hosted deploy runner", () => {
    for (const id of ["deploy-dev", "deploy-prod"]) {
      assert.deepEqual((wf.jobs[id] as { "runs-on"?: unknown })["runs-on"], [
        "self-hosted",
        "msgw-deploy",
      ]);
    }
  });
  it("previews stay on GitHub-hosted runners", () => {
    const preview = load("preview.yml").jobs.preview as { "runs-on"?: unknown };
    assert.equal(preview["runs-on"], "ubuntu-24.04");
  });
});

describe("the Pulumi CLI version", () => {
  it("every pulumi/actions step pins the CLI the engine tests run: @pulumi/pulumi of package-lock.json", () => {
    const version = lockedSdkVersion();
    assert.match(version, /^\d+\.\d+\.\d+$/);
    const pins: string[] = [];
    for (const file of readdirSync(dir)) {
      for (const [id, job] of Object.entries(load(file).jobs)) {
        for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/actions@"))) {
          pins.push(`${file} ${id} ${String(step.with?.["pulumi-version"])}`);
        }
      }
    }
    assert.deepEqual(pins.sort(), [
      `check.yml check ${version}`,
      `deploy.yml deploy-dev ${version}`,
      `deploy.yml deploy-prod ${version}`,
      `preview.yml preview ${version}`,
    ]);
  });
  it("the workflow files, as written, pin exactly these actions and this CLI version", () => {
    // Read as text, not parsed: a quoted or a second pin line is a change too.
    const pins = (file: string) =>
      source(file)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => /^(- )?uses: |^pulumi-version: /.test(line));
    // Checkout, then the action that installs the CLI locked in package-lock.json.
    const pulumiJob = [
      "- uses: actions/checkout@v4",
      "- uses: pulumi/actions@v6",
      `pulumi-version: ${lockedSdkVersion()}`,
    ];
    assert.deepEqual(pins("test.yml"), [
      "- uses: actions/checkout@v4",
      "- uses: actions/checkout@v4",
    ]);
    assert.deepEqual(pins("preview.yml"), pulumiJob);
    assert.deepEqual(pins("deploy.yml"), [
      "uses: ./.github/workflows/test.yml",
      ...pulumiJob,
      ...pulumiJob,
    ]);
    assert.deepEqual(pins("check.yml"), pulumiJob);
  });
});

describe("check.yml", () => {
  const wf = load("check.yml");
  const job = wf.jobs.check;
  const steps = job.steps ?? [];
  const step = (name: string) => {
    const found = steps.find((s) => (s as { name?: string }).name === name);
    assert.ok(found, name);
    return found as Step & { if?: string; id?: string };
  };
  it("runs hourly and by hand, one job per environment, on the self-hosted check runner", () => {
    assert.deepEqual(wf.on, { schedule: [{ cron: "17 * * * *" }], workflow_dispatch: null });
    assert.deepEqual(Object.keys(wf.jobs), ["check"]);
    assert.deepEqual(job.strategy?.matrix, { environment: ["dev", "prod"] });
    assert.deepEqual((job as { "runs-on"?: unknown })["runs-on"], ["self-hosted", "msgw-check"]);
    assert.deepEqual(job.permissions, { contents: "read", issues: "write" });
    assert.equal(job.environment, undefined, "a check must not wait for deployment approval");
  });
  it("installs the Pulumi CLI only and checks the matrix stack with expiry warnings", () => {
    assert.deepEqual(
      steps.filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => s.with),
      [{ "pulumi-version": lockedSdkVersion() }],
    );
    const check = step("msgw check");
    assert.match(
      check.run ?? "",
      /^npx tsx bin\/msgw\.ts check --stack "\$STACK" --warn-days 45 > report\.txt 2>&1$/m,
    );
    assert.equal(check.env?.STACK, "${{ matrix.environment }}");
    assert.deepEqual(Object.keys(check.env ?? {}), [
      "STACK",
      "PULUMI_BACKEND_URL",
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_CONFIG_PASSPHRASE",
    ]);
  });
  it("opens or updates the issue and fails when degraded, closes it when healthy", () => {
    assert.equal(step("Open or update the issue").if, "steps.check.outputs.exit != '0'");
    assert.match(
      step("Open or update the issue").run ?? "",
      /gh issue comment "\$number" --body-file body\.md/,
    );
    assert.match(
      step("Open or update the issue").run ?? "",
      /gh issue create --title "\$title" --body-file body\.md/,
    );
    assert.equal(step("Close the issue once healthy").if, "steps.check.outputs.exit == '0'");
    assert.equal(step("Fail when degraded").if, "steps.check.outputs.exit != '0'");
    assert.match(step("Fail when degraded").run ?? "", /\nexit 1\n$/);
    // Server text reaches the issue through a file, never through an expression in a script.
    for (const s of steps) assert.doesNotMatch(s.run ?? "", /\$\{\{/);
  });
});

describe("the validator rejects broken workflows", () => {
  it("a job without runs-on", () => {
    const errors = validateWorkflow(
      "on: push\njobs:\n  a:\n    steps:\n      - run: echo\n",
    ).errors;
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, "one_of");
    assert.equal("path" in errors[0] ? errors[0].path : undefined, "/jobs/a");
    const states = "states" in errors[0] ? errors[0].states : undefined;
    assert.deepEqual(JSON.parse(JSON.stringify(states?.[0].errors)), [
      { code: "required", path: "/jobs/a/runs-on", title: "This property is required" },
    ]);
  });
  it("a permission value that does not exist", () => {
    const broken = source("preview.yml").replace("pull-requests: write", "pull-requests: admin");
    assert.notEqual(broken, source("preview.yml"));
    const leaves = leafErrors(validateWorkflow(broken).errors).map((e) => `${e.code} ${e.path}`);
    assert.ok(leaves.includes("enum /jobs/preview/permissions/pull-requests"), leaves.join("\n"));
  });
  it("YAML that does not parse", () => {
    assert.deepEqual(validateWorkflow("on: [push\n").errors, [
      {
        code: "parse_error",
        detail:
          "did not find expected ',' or ']' at line 2 column 1, while parsing a flow sequence at line 1 column 5",
        path: "",
        title: "Parse Error",
        location: { index: 10, line: 2, column: 1 },
      },
    ]);
  });
});
