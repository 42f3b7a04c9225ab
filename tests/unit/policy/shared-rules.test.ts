// The policy pack judges with the component's own rules: what the component issues passes the pack,
// and what the component refuses (a CIDR union that is the whole internet) the pack refuses too.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { validateGatewayPoolArgs } from "../../../components";
import { baseArgs, runPool } from "../../helpers/pool-harness";
import { policies } from "../../../policy/policies";
import {
  checkCertificateNamesHost,
  checkCertificatesAvoidMailDomain,
} from "../../../policy/rules/certificate-names-host";
import {
  checkNoWorldOpenAdminIngress,
  checkNoWorldOpenAdminIngressUnion,
} from "../../../policy/rules/no-world-open-ingress";
import {
  CERT_REQUEST,
  SELF_SIGNED_CERT,
  SG_INGRESS_RULE,
  type StackResource,
} from "../../../policy/rules/resources";

const long = `${"a".repeat(60)}.example.com`;

function violations(resources: StackResource[]): string[] {
  return [
    ...resources.flatMap((r) => checkCertificateNamesHost(r.type, r.props)),
    ...resources.flatMap((r) => checkNoWorldOpenAdminIngress(r.type, r.props)),
    ...checkCertificatesAvoidMailDomain(resources).map((v) => v.message),
    ...checkNoWorldOpenAdminIngressUnion(resources).map((v) => v.message),
  ];
}

describe("certificates: the pack accepts what the component issues", () => {
  for (const mode of ["pool-ca", "self-signed"] as const) {
    it(`${mode}: a host name over 64 characters (SAN only, no CN) passes`, async () => {
      const plan = await runPool(
        baseArgs({
          hosts: [{ hostname: "msgw1.example.com" }, { hostname: long }],
          certificates: { mode },
        }),
      );
      const resources = plan.resources.map((r) => ({ type: r.type, urn: r.urn, props: r.inputs }));
      const certs = resources.filter(
        (r) =>
          (r.type === CERT_REQUEST || r.type === SELF_SIGNED_CERT) &&
          r.props.isCaCertificate !== true,
      );
      assert.deepEqual(
        certs.map((c) => [
          (c.props.subject as { commonName?: string }).commonName,
          c.props.dnsNames,
        ]),
        [
          ["msgw1.example.com", ["msgw1.example.com"]],
          [undefined, [long]],
        ],
      );
      assert.deepEqual(violations(resources), []);
    });
  }
  it("still refuses a missing CN for a short name, and a CN over 64 characters", () => {
    assert.deepEqual(checkCertificateNamesHost(CERT_REQUEST, { dnsNames: ["msgw1.example.com"] }), [
      "certificate has no subject.commonName; set it to the gateway host's own name (msgw1.example.com) and list that name in dnsNames",
    ]);
    assert.deepEqual(
      checkCertificateNamesHost(CERT_REQUEST, { subject: { commonName: long }, dnsNames: [long] }),
      [
        `certificate subject.commonName "${long}" is 72 characters, above the 64 RFC 5280 allows (ub-common-name); leave it out and name the host in dnsNames only`,
      ],
    );
  });
});

describe("ingress: the pack judges the union of a group's rules, as the component does", () => {
  const rule = (urn: string, group: string, port: number, cidr: string): StackResource => ({
    type: SG_INGRESS_RULE,
    urn,
    props: {
      securityGroupId: group,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
    },
  });
  const lists: string[][] = [
    ["0.0.0.0/1", "128.0.0.0/1"],
    ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"],
    ["::/1", "8000::/1"],
    ["0.0.0.0/1", "192.0.0.0/2"],
    ["198.51.100.0/24"],
  ];
  it("every list: the pack refuses exactly what the component refuses", () => {
    const component = lists.map(
      (adminCidrs) =>
        validateGatewayPoolArgs(
          baseArgs({ access: { mailStoreServerCidrs: ["203.0.113.10/32"], adminCidrs } }),
        ).length > 0,
    );
    const pack = lists.map(
      (cidrs) =>
        checkNoWorldOpenAdminIngressUnion(cidrs.map((c, i) => rule(`urn:r${i}`, "sg-1", 8450, c)))
          .length > 0,
    );
    assert.deepEqual(component, [true, true, true, false, false]);
    assert.deepEqual(pack, component);
  });
  it("reports the group, the port and the blocks; other groups and ports do not add up", () => {
    assert.deepEqual(
      checkNoWorldOpenAdminIngressUnion([
        rule("urn:a", "sg-1", 8450, "0.0.0.0/1"),
        rule("urn:b", "sg-1", 8450, "128.0.0.0/1"),
        rule("urn:c", "sg-2", 22, "0.0.0.0/1"),
        rule("urn:d", "sg-3", 22, "128.0.0.0/1"),
        rule("urn:e", "sg-4", 22, "0.0.0.0/1"),
        rule("urn:f", "sg-4", 110, "128.0.0.0/1"),
      ]),
      [
        {
          urn: "urn:a",
          message:
            "ingress rules of security group sg-1 together open port 8450 (MailStore Gateway Management Console) to every IPv4 address (0.0.0.0/1, 128.0.0.0/1); allow it only from admin or MailStore Server CIDRs",
        },
      ],
    );
  });
  it("groups rules of a group not yet created by the group they depend on (preview)", () => {
    const pending = (urn: string, cidr: string): StackResource => ({
      ...rule(urn, "", 22, cidr),
      props: { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: cidr },
      propertyDependencies: { securityGroupId: ["urn:sg"] },
    });
    const policy = policies.find(
      (p) => p.name === "msgw-no-world-open-admin-ingress-union",
    ) as StackValidationPolicy;
    const reported: Array<[string, string | undefined]> = [];
    void policy.validateStack(
      {
        resources: [pending("urn:a", "0.0.0.0/1"), pending("urn:b", "128.0.0.0/1")].map((r) => ({
          ...r,
          propertyDependencies: { securityGroupId: [{ urn: "urn:sg" }] },
        })),
      } as unknown as StackValidationArgs,
      (m, urn) => reported.push([m, urn]),
    );
    assert.deepEqual(reported, [
      [
        "ingress rules of security group urn:sg together open port 22 (SSH) to every IPv4 address (0.0.0.0/1, 128.0.0.0/1); allow it only from admin or MailStore Server CIDRs",
        "urn:a",
      ],
    ]);
  });
});
