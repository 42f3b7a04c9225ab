/**
 * The project's own stacks pass the policy pack: each stack is planned offline (`tools/plan.ts --json`,
 * Pulumi's mocks, in a child process because mocks are global) and every rule runs on its resources.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  checkCertificateNamesHost,
  checkCertificatesAvoidMailDomain,
} from "../../../policy/rules/certificate-names-host";
import { checkMailAddressRecordsNotProxied } from "../../../policy/rules/mail-a-not-proxied";
import { checkMxTargetsHaveARecords } from "../../../policy/rules/mx-has-a-record";
import {
  checkNoWorldOpenAdminIngress,
  checkNoWorldOpenAdminIngressUnion,
} from "../../../policy/rules/no-world-open-ingress";
import type { StackResource } from "../../../policy/rules/resources";
import { readStackConfig } from "../../../tools/plan";
import { planProgram } from "../../../tools/program-plan";

const root = join(__dirname, "..", "..", "..");

function plannedResources(stack: string): StackResource[] {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", join(root, "tools", "plan.ts"), "--stack", stack, "--json"],
    { cwd: root, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] },
  );
  const plan = JSON.parse(out) as {
    resources: { type: string; urn: string; inputs: Record<string, unknown> }[];
  };
  return plan.resources.map((r) => ({ type: r.type, urn: r.urn, props: r.inputs }));
}

function violations(resources: StackResource[]): string[] {
  return [
    ...resources.flatMap((r) => checkCertificateNamesHost(r.type, r.props)),
    ...resources.flatMap((r) => checkNoWorldOpenAdminIngress(r.type, r.props)),
    ...checkMailAddressRecordsNotProxied(resources).map((v) => v.message),
    ...checkMxTargetsHaveARecords(resources).map((v) => v.message),
    ...checkCertificatesAvoidMailDomain(resources).map((v) => v.message),
    ...checkNoWorldOpenAdminIngressUnion(resources).map((v) => v.message),
  ];
}

describe("the project's stacks comply with the policy pack", () => {
  for (const stack of ["dev", "prod"]) {
    it(`stack ${stack}`, () => {
      const resources = plannedResources(stack);
      const types = new Set(resources.map((r) => r.type));
      // The rules must have something to look at, or passing proves nothing.
      for (const t of [
        "cloudflare:index/dnsRecord:DnsRecord",
        "tls:index/certRequest:CertRequest",
        "tls:index/selfSignedCert:SelfSignedCert",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      ]) {
        assert.ok(types.has(t), `${stack} plans a ${t}`);
      }
      assert.deepEqual(violations(resources), []);
    });
  }

  it("a proxied host A record in a planned stack is caught", async () => {
    // dev as shipped has standby hosts (no MX record): its stage with msgw1 and msgw2 active.
    const { config, secretKeys } = readStackConfig("dev");
    const pool = JSON.parse(config["msgw:pool"] as string) as { hosts: { state?: string }[] };
    for (const h of pool.hosts) h.state = "active";
    config["msgw:pool"] = JSON.stringify(pool);
    const promoted = await planProgram({ rootDirectory: root, stack: "dev", config, secretKeys });
    const planned = promoted.resources.map((r) => ({ type: r.type, urn: r.urn, props: r.inputs }));
    const resources = planned.map((r) =>
      r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.props.name === "msgw1.example.com"
        ? { ...r, props: { ...r.props, proxied: true } }
        : r,
    );
    assert.deepEqual(violations(resources), [
      "A record msgw1.example.com is proxied but is the target of the MX record of " +
        "msgw.example.com; mail hosts must be reached directly: set proxied: false",
    ]);
  });
});
