/**
 * `pulumi preview --policy-pack policy`, as CI previews run it, under the real engine: the CLI asks the
 * Node.js language host to start the pack (`RunPlugin`, kind analyzer), which runs
 * `@pulumi/pulumi/cmd/run-policy-pack` in the pack's directory; the engine then sends it every resource
 * and the whole stack. The dev stack passes every policy, with each one run (values unknown during
 * preview are left out, not a reason to skip a policy); a program whose two ingress rules together open
 * SSH to the world is stopped by the pack, as the component would refuse it.
 *
 * What stays a stand-in: the language host (tools/engine/language-host.ts) and the providers.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../tools/engine/paths";
import { CLOUDFLARE_TOKEN, World } from "./lib/world";

const RECORDER = "sh tests/engine/fixtures/record-cli.sh";

/** A program outside the pool: two /1 blocks on port 22 in one security group. */
const VIOLATING_PROGRAM = `import * as vpc from "@pulumi/aws/vpc";
for (const [name, cidr] of [["low", "0.0.0.0/1"], ["high", "128.0.0.0/1"]]) {
  new vpc.SecurityGroupIngressRule(name, {
    securityGroupId: "sg-0123456789abcdef0",
    ipProtocol: "tcp",
    fromPort: 22,
    toPort: 22,
    cidrIpv4: cidr,
  });
}
`;

describe("the policy pack under the real engine", () => {
  let w: World;
  before(async () => {
    w = await World.create();
  });
  after(() => w?.cleanup());

  it("pulumi preview --policy-pack policy runs every policy on the dev stack and passes", () => {
    w.ok(["stack", "init", "dev"]);
    w.config("dev", ["set", "--secret", "cloudflare:apiToken", CLOUDFLARE_TOKEN]);
    w.config("dev", ["set", "--path", "msgw:pool.configSync.cliCommand", RECORDER]);
    const r = w.ok(["preview", "--stack", "dev", "--policy-pack", "policy"]);
    assert.match(r.stdout, /Policies:\n\s+✅ msgw@v0\.1\.0 \(local: .*policy\)/);
    assert.doesNotMatch(r.stdout, /can't run policy/);
    assert.doesNotMatch(r.stdout, /\[mandatory\]/);
  });

  it("stops a preview whose ingress rules together open SSH to every address", () => {
    const dir = path.join(w.dir, "violating");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: violating\nruntime: nodejs\nmain: index.ts\n",
    );
    fs.writeFileSync(path.join(dir, "index.ts"), VIOLATING_PROGRAM);
    fs.writeFileSync(path.join(dir, "package.json"), '{ "name": "violating", "private": true }\n');
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    const run = (args: string[]) => w.pulumi(args, { cwd: dir });
    assert.equal(run(["stack", "init", "ci"]).code, 0);
    assert.equal(run(["config", "set", "aws:region", "eu-central-1", "--stack", "ci"]).code, 0);
    const pack = path.join(w.project, "policy");
    const r = run(["preview", "--stack", "ci", "--policy-pack", pack]);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /❌ msgw@v0\.1\.0 \(local: .*policy\)/);
    assert.match(
      r.stdout,
      /\[mandatory\] {2}msgw-no-world-open-admin-ingress-union {2}\(aws:vpc:SecurityGroupIngressRule: high\)\n\s+The ingress rules of one security group together never open 8450, 110, 995 or 22 to every address \(two \/1 blocks are the whole internet\)\.\n\s+ingress rules of security group sg-0123456789abcdef0 together open port 22 \(SSH\) to every IPv4 address \(0\.0\.0\.0\/1, 128\.0\.0\.0\/1\); allow it only from admin or MailStore Server CIDRs/,
    );
  });
});
