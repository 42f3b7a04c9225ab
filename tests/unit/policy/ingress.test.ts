import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkNoWorldOpenAdminIngress,
  coversTcpPort,
} from "../../../policy/rules/no-world-open-ingress";
import { SECURITY_GROUP, SG_INGRESS_RULE } from "../../../policy/rules/resources";

const rule = (props: Record<string, unknown>) =>
  checkNoWorldOpenAdminIngress(SG_INGRESS_RULE, { securityGroupId: "sg-1", ...props });

describe("no world-open admin, POP3 or SSH ingress: SecurityGroupIngressRule", () => {
  it("allows SMTP from anywhere and the admin ports from admin CIDRs", () => {
    assert.deepEqual(
      rule({ ipProtocol: "tcp", fromPort: 25, toPort: 25, cidrIpv4: "0.0.0.0/0" }),
      [],
    );
    assert.deepEqual(rule({ ipProtocol: "tcp", fromPort: 25, toPort: 25, cidrIpv6: "::/0" }), []);
    for (const port of [8450, 110, 995, 22]) {
      assert.deepEqual(
        rule({ ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "203.0.113.0/24" }),
        [],
      );
    }
  });
  it("reports each protected port opened to 0.0.0.0/0 or ::/0", () => {
    assert.deepEqual(
      rule({ ipProtocol: "tcp", fromPort: 8450, toPort: 8450, cidrIpv4: "0.0.0.0/0" }),
      [
        "ingress tcp 8450-8450 from 0.0.0.0/0 reaches port 8450 (MailStore Gateway Management Console); " +
          "allow it only from admin or MailStore Server CIDRs",
      ],
    );
    assert.deepEqual(rule({ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::/0" }), [
      "ingress tcp 22-22 from ::/0 reaches port 22 (SSH); " +
        "allow it only from admin or MailStore Server CIDRs",
    ]);
    assert.deepEqual(
      rule({ ipProtocol: "tcp", fromPort: 100, toPort: 1000, cidrIpv4: "0.0.0.0/0" }).map((m) =>
        m.slice(0, m.indexOf(";")),
      ),
      [
        "ingress tcp 100-1000 from 0.0.0.0/0 reaches port 110 (POP3)",
        "ingress tcp 100-1000 from 0.0.0.0/0 reaches port 995 (POP3 over TLS)",
      ],
    );
  });
  it("reports an all-protocols rule once per protected port", () => {
    assert.deepEqual(
      rule({ ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }).map((m) => m.slice(0, m.indexOf(";"))),
      [
        "ingress all protocols and ports from 0.0.0.0/0 reaches port 8450 (MailStore Gateway Management Console)",
        "ingress all protocols and ports from 0.0.0.0/0 reaches port 110 (POP3)",
        "ingress all protocols and ports from 0.0.0.0/0 reaches port 995 (POP3 over TLS)",
        "ingress all protocols and ports from 0.0.0.0/0 reaches port 22 (SSH)",
      ],
    );
  });
  it("ignores UDP on the same ports", () => {
    assert.deepEqual(
      rule({ ipProtocol: "udp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }),
      [],
    );
  });
});

describe("no world-open admin, POP3 or SSH ingress: SecurityGroup inline ingress", () => {
  it("allows a least-privilege group", () => {
    const ingress = [
      {
        protocol: "tcp",
        fromPort: 25,
        toPort: 25,
        cidrBlocks: ["0.0.0.0/0"],
        ipv6CidrBlocks: ["::/0"],
      },
      { protocol: "tcp", fromPort: 110, toPort: 110, cidrBlocks: ["198.51.100.10/32"] },
    ];
    assert.deepEqual(checkNoWorldOpenAdminIngress(SECURITY_GROUP, { ingress }), []);
  });
  it("reports a world-open inline rule", () => {
    const ingress = [
      { protocol: "tcp", fromPort: 25, toPort: 25, cidrBlocks: ["0.0.0.0/0"] },
      {
        protocol: "6",
        fromPort: 995,
        toPort: 995,
        cidrBlocks: ["10.0.0.0/8"],
        ipv6CidrBlocks: ["::/0"],
      },
    ];
    assert.deepEqual(checkNoWorldOpenAdminIngress(SECURITY_GROUP, { ingress }), [
      "ingress tcp 995-995 from ::/0 reaches port 995 (POP3 over TLS); " +
        "allow it only from admin or MailStore Server CIDRs",
    ]);
  });
  it("passes a group without inline rules and other resource types", () => {
    assert.deepEqual(checkNoWorldOpenAdminIngress(SECURITY_GROUP, {}), []);
    assert.deepEqual(
      checkNoWorldOpenAdminIngress("aws:ec2/instance:Instance", {
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "-1",
      }),
      [],
    );
  });
});

describe("coversTcpPort", () => {
  it("needs both ports for TCP and treats -1/all as every port", () => {
    assert.equal(coversTcpPort({ protocol: "tcp", fromPort: 22, cidrs: [] }, 22), false);
    assert.equal(coversTcpPort({ protocol: "TCP", fromPort: 20, toPort: 23, cidrs: [] }, 22), true);
    assert.equal(coversTcpPort({ protocol: "all", cidrs: [] }, 8450), true);
    assert.equal(
      coversTcpPort({ protocol: "icmp", fromPort: 0, toPort: 65535, cidrs: [] }, 22),
      false,
    );
  });
});
