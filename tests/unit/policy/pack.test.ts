/** The pack's adapters: every policy mandatory, and each hands the rules' violations to Pulumi. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type {
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { knownValues, policies } from "../../../policy/policies";
import { SG_INGRESS_RULE, SELF_SIGNED_CERT } from "../../../policy/rules/resources";
import { pool, record } from "./fixtures";

const byName = (name: string) => {
  const p = policies.find((x) => x.name === name);
  assert.ok(p, `policy ${name}`);
  return p;
};

function runStack(
  name: string,
  resources: ReturnType<typeof pool>,
): [string, string | undefined][] {
  const reported: [string, string | undefined][] = [];
  const policy = byName(name) as StackValidationPolicy;
  void policy.validateStack({ resources } as unknown as StackValidationArgs, (m, urn) =>
    reported.push([m, urn]),
  );
  return reported;
}

function runResource(name: string, type: string, props: Record<string, unknown>): string[] {
  const reported: string[] = [];
  const policy = byName(name) as ResourceValidationPolicy;
  const validate = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  for (const v of validate) {
    void v?.({ type, props } as unknown as ResourceValidationArgs, (m) => reported.push(m));
  }
  return reported;
}

describe("policy pack", () => {
  it("has the six msgw policies, all mandatory", () => {
    assert.deepEqual(
      policies.map((p) => [p.name, p.enforcementLevel]),
      [
        ["msgw-mail-address-records-not-proxied", "mandatory"],
        ["msgw-mx-target-has-a-record", "mandatory"],
        ["msgw-certificate-names-host", "mandatory"],
        ["msgw-certificate-not-for-mail-domain", "mandatory"],
        ["msgw-no-world-open-admin-ingress", "mandatory"],
        ["msgw-no-world-open-admin-ingress-union", "mandatory"],
      ],
    );
  });
  it("stack policies report nothing for a compliant pool", () => {
    for (const name of [
      "msgw-mail-address-records-not-proxied",
      "msgw-mx-target-has-a-record",
      "msgw-certificate-not-for-mail-domain",
    ]) {
      assert.deepEqual(runStack(name, pool()), [], name);
    }
  });
  it("stack policies report the offending resource's URN", () => {
    const resources = [...pool(), record("msgw.example.com", "MX", "gone.example.com")];
    assert.deepEqual(runStack("msgw-mx-target-has-a-record", resources), [
      [
        "MX record of msgw.example.com points at gone.example.com, which has no A record in this " +
          "stack; add an A record for gone.example.com (the gateway host's own name)",
        resources[6].urn,
      ],
    ]);
  });
  it("resource policies report the rules' messages", () => {
    assert.deepEqual(
      runResource("msgw-no-world-open-admin-ingress", SG_INGRESS_RULE, {
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: "0.0.0.0/0",
      }),
      [
        "ingress tcp 22-22 from 0.0.0.0/0 reaches port 22 (SSH); allow it only from admin or MailStore Server CIDRs",
      ],
    );
    assert.deepEqual(
      runResource("msgw-certificate-names-host", SELF_SIGNED_CERT, {
        subject: { commonName: "msgw1.example.com" },
        dnsNames: [],
      }),
      [
        'certificate subject.commonName "msgw1.example.com" is not in dnsNames []; ' +
          "add it, because clients check the subject alternative names",
      ],
    );
  });
});

describe("values unknown during preview", () => {
  it("are left out, at any depth, instead of stopping a policy", () => {
    // @pulumi/policy throws on reading a value the engine does not know yet.
    const unknown = (): never => {
      throw new Error("string value at .content can't be known during preview");
    };
    const props = Object.defineProperties(
      { name: "msgw1.example.com", list: ["a", "b"] },
      { content: { get: unknown, enumerable: true } },
    );
    Object.defineProperty(props.list, 1, { get: unknown, enumerable: true });
    assert.deepEqual(knownValues(props), { name: "msgw1.example.com", list: ["a"] });
  });
});
