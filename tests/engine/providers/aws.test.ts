import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { awsPackage, instanceEvents, publishImage } from "./aws";
import { checkFailures, errorText, readMatches, testProvider, type TestProvider } from "./harness";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const PARAM = "aws:ssm/parameter:Parameter";
const INSTANCE = "aws:ec2/instance:Instance";
const EIP = "aws:ec2/eip:Eip";
const REGION = "eu-central-1";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});

const providers: TestProvider[] = [];
function aws(settings = {}, cloudDir?: string): TestProvider {
  const t = testProvider(awsPackage, settings, cloudDir);
  providers.push(t);
  return t;
}
after(() => providers.forEach((t) => t.cleanup()));

async function ami(t: TestProvider, region = REGION): Promise<string> {
  const r = await t.provider.invoke!("aws:ec2/getAmi:getAmi", {
    owners: ["amazon"],
    mostRecent: true,
    filters: [{ name: "name", values: ["Windows_Server-2022-English-Full-Base-*"] }],
    region,
  });
  return r.outputs.id as string;
}

async function host(t: TestProvider, name = "h") {
  const sg = await t.create(SG, `${name}-sg`, {
    description: "MailStore Gateway h.example.com",
    region: REGION,
  });
  const role = await t.create(ROLE, `${name}-role`, { assumeRolePolicy: TRUST });
  const profile = await t.create(PROFILE, `${name}-profile`, { role: role.id });
  const instance = await t.create(INSTANCE, name, {
    ami: await ami(t),
    instanceType: "t3.medium",
    region: REGION,
    vpcSecurityGroupIds: [sg.id],
    iamInstanceProfile: profile.outs.name,
    userData: "<powershell>echo 1</powershell>",
    rootBlockDevice: {
      encrypted: true,
      volumeType: "gp3",
      volumeSize: 80,
      deleteOnTermination: true,
    },
    metadataOptions: {
      httpTokens: "required",
      httpEndpoint: "enabled",
      httpPutResponseHopLimit: 1,
    },
    tags: { Name: "h.example.com" },
  });
  return { sg, role, profile, instance };
}

const RULE_ERROR =
  "authorizing Security Group (%SG%) ingress rule: operation error EC2: AuthorizeSecurityGroupIngress, https " +
  "response error StatusCode: 400, RequestID: <id>, api error InvalidParameterValue: Invalid rule " +
  "description. Valid descriptions are strings less than 256 characters from the following set:  " +
  "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*";

describe("aws stand-in: security group rules (EC2 API reference, IpRange.Description)", () => {
  const rule = (sg: string, description: string) => ({
    securityGroupId: sg,
    region: REGION,
    ipProtocol: "tcp",
    fromPort: 80,
    toPort: 80,
    cidrIpv4: "0.0.0.0/0",
    description,
  });

  for (const bad of [
    "gateway's Let's Encrypt",
    "SMTP – journal",
    "POP3 <MailStore>",
    "ä",
    "tab\there",
  ]) {
    it(`refuses the description ${JSON.stringify(bad)} like the EC2 API`, async () => {
      const t = aws();
      const sg = await t.create(SG, "grp", { description: "ok", region: REGION });
      await assert.rejects(t.create(INGRESS, "r", rule(sg.id, bad)), (e) => {
        assert.equal(errorText(e), RULE_ERROR.replace("%SG%", sg.id));
        return true;
      });
    });
  }

  it("refuses a 256-character description and accepts 255 characters of every allowed symbol", async () => {
    const t = aws();
    const sg = await t.create(SG, "grp", { description: "ok", region: REGION });
    await assert.rejects(t.create(INGRESS, "long", rule(sg.id, "a".repeat(256))), (e) => {
      assert.equal(errorText(e), RULE_ERROR.replace("%SG%", sg.id));
      return true;
    });
    const allowed = "aZ09 ._-:/()#,@[]+=&;{}!$*";
    const ok = await t.create(
      INGRESS,
      "ok",
      rule(sg.id, allowed + "x".repeat(255 - allowed.length)),
    );
    assert.match(ok.id, /^sgr-[0-9a-f]{17}$/);
  });

  it("refuses the same rule twice (InvalidPermission.Duplicate) and an egress rule with a bad description", async () => {
    const t = aws();
    const sg = await t.create(SG, "grp", { description: "ok", region: REGION });
    await t.create(INGRESS, "a", rule(sg.id, "one"));
    await assert.rejects(t.create(INGRESS, "b", rule(sg.id, "two")), (e) => {
      assert.equal(
        errorText(e),
        `authorizing Security Group (${sg.id}) ingress rule: operation error EC2: AuthorizeSecurityGroupIngress, ` +
          "https response error StatusCode: 400, RequestID: <id>, api error InvalidPermission.Duplicate: the " +
          'specified rule "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW" already exists',
      );
      return true;
    });
    await assert.rejects(
      t.create(EGRESS, "e", {
        securityGroupId: sg.id,
        region: REGION,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "all 'out'",
      }),
      /api error InvalidParameterValue: Invalid rule description/,
    );
  });

  it("an updated description is checked too; only securityGroupId replaces a rule", async () => {
    const t = aws();
    const sg = await t.create(SG, "grp", { description: "ok", region: REGION });
    const r = await t.create(INGRESS, "r", rule(sg.id, "ok"));
    const d = await t.diff(r, rule(sg.id, "gateway's"));
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await assert.rejects(t.provider.update!(r.id, r.urn, r.outs, d.inputs), (e) => {
      assert.equal(
        errorText(e),
        `updating VPC Security Group Rule (${r.id}): operation error EC2: ModifySecurityGroupRules, https response ` +
          "error StatusCode: 400, RequestID: <id>, api error InvalidParameterValue: Invalid rule description. " +
          "Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
      );
      return true;
    });
    assert.deepEqual(
      (await t.diff(r, { ...rule(sg.id, "ok"), fromPort: 81, toPort: 81 })).replaces,
      [],
    );
    assert.deepEqual((await t.diff(r, rule("sg-00000000000000000", "ok"))).replaces, [
      "securityGroupId",
    ]);
    assert.deepEqual((await t.diff(r, rule(sg.id, "ok"))).changes, false);
  });

  it("refuses a security group description outside the EC2 character set, and one over 255 at check time", async () => {
    const t = aws();
    await assert.rejects(t.create(SG, "grp", { description: "gateway's", region: REGION }), (e) => {
      assert.match(
        errorText(e),
        /^creating Security Group: operation error EC2: CreateSecurityGroup, https response error StatusCode: 400, RequestID: <id>, api error InvalidParameterValue: Invalid security group description\./,
      );
      return true;
    });
    assert.deepEqual(await checkFailures(t, SG, { description: "d".repeat(256), name: "n" }), [
      `description: expected length of description to be in the range (0 - 255), got ${"d".repeat(256)}`,
    ]);
  });

  it("replaces a security group on description, name or VPC change; tags update in place", async () => {
    const t = aws();
    const sg = await t.create(SG, "grp", { description: "one", region: REGION, tags: { a: "1" } });
    assert.match(
      sg.inputs.name as string,
      /^grp-[0-9a-f]{7}$/,
      "auto-named <resource name>-<7 hex>",
    );
    assert.deepEqual(
      (await t.diff(sg, { description: "two", region: REGION, tags: { a: "1" } })).replaces,
      ["description"],
    );
    assert.deepEqual(
      (await t.diff(sg, { description: "one", region: "eu-west-1", tags: { a: "1" } })).replaces,
      ["region"],
    );
    const tags = await t.diff(sg, { description: "one", region: REGION, tags: { a: "2" } });
    assert.deepEqual([tags.changes, tags.replaces], [true, []]);
    assert.equal(
      (await t.diff(sg, { description: "one", region: REGION, tags: { a: "1" } })).changes,
      false,
    );
  });
});

describe("aws stand-in: SSM parameters (unique per account and region)", () => {
  const param = (name: string, value = "v") => ({
    name,
    type: "SecureString",
    value,
    region: REGION,
  });

  it("a second stack creating the same name fails with ParameterAlreadyExists; another region is fine", async () => {
    const dev = aws();
    const prod = aws({}, dev.cloud.dir);
    const p = await dev.create(PARAM, "dev-key", param("/msgw/msgw/msgw1/ssh-host-key"));
    assert.equal(p.id, "/msgw/msgw/msgw1/ssh-host-key");
    assert.equal(
      p.outs.arn,
      "arn:aws:ssm:eu-central-1:123456789012:parameter/msgw/msgw/msgw1/ssh-host-key",
    );
    await assert.rejects(
      prod.create(PARAM, "prod-key", param("/msgw/msgw/msgw1/ssh-host-key")),
      (e) => {
        assert.equal(
          errorText(e),
          "creating SSM Parameter (/msgw/msgw/msgw1/ssh-host-key): operation error SSM: PutParameter, https " +
            "response error StatusCode: 400, RequestID: <id>, api error ParameterAlreadyExists: The parameter " +
            "already exists. To overwrite this request value, set the overwrite option in the request to true.",
        );
        return true;
      },
    );
    await prod.create(PARAM, "other-region", {
      ...param("/msgw/msgw/msgw1/ssh-host-key"),
      region: "eu-west-1",
    });
    await dev.provider.delete!(p.id, p.urn, p.outs);
    await prod.create(PARAM, "after-delete", param("/msgw/msgw/msgw1/ssh-host-key"));
  });

  it("a parameter without region lands in the provider's configured region (and collides there)", async () => {
    const dev = aws();
    dev.config.region = REGION;
    const prod = aws({}, dev.cloud.dir);
    await dev.create(PARAM, "dev-key", { name: "/msgw/k", type: "SecureString", value: "v" });
    await assert.rejects(
      prod.create(PARAM, "prod-key", param("/msgw/k")),
      /api error ParameterAlreadyExists/,
    );
    const none = aws();
    await assert.rejects(none.create(PARAM, "k", { name: "/msgw/k", type: "String", value: "v" }), {
      message:
        'missing required configuration key "aws:region": The region where AWS operations will take place.',
    });
  });

  it("refuses names and values the SSM API refuses", async () => {
    const t = aws();
    await assert.rejects(
      t.create(PARAM, "a", param("/aws/x")),
      /api error ValidationException: No access to reserved parameter name: \/aws\/x\.$/,
    );
    await assert.rejects(
      t.create(PARAM, "b", param("/msgw/bad name")),
      /api error ValidationException: Parameter name: can't be prefixed/,
    );
    await assert.rejects(
      t.create(PARAM, "c", param(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join("/")}`)),
      /api error HierarchyLevelLimitExceededException: A hierarchy can have a maximum of 15 levels\.$/,
    );
    await t.create(
      PARAM,
      "d",
      param(`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join("/")}`),
    );
    await assert.rejects(
      t.create(PARAM, "e", param("/msgw/big", "x".repeat(4097))),
      /Standard tier parameters support a maximum parameter value of 4096 characters/,
    );
    assert.deepEqual(await checkFailures(t, PARAM, { name: "", type: "Secret", value: "v" }), [
      "name: expected length of name to be in the range (1 - 2048), got ",
      'type: expected type to be one of ["String","StringList","SecureString"], got Secret',
    ]);
  });

  it("name replaces, value updates and bumps the version", async () => {
    const t = aws();
    const p = await t.create(PARAM, "p", param("/msgw/a"));
    assert.deepEqual((await t.diff(p, param("/msgw/b"))).replaces, ["name"]);
    const d = await t.diff(p, param("/msgw/a", "w"));
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    const outs = await t.provider.update!(p.id, p.urn, p.outs, d.inputs);
    assert.equal((outs.outs as Record<string, unknown>).version, 2);
  });
});

describe("aws stand-in: IAM", () => {
  it("role names are unique per account, at most 64 characters of [\\w+=,.@-]", async () => {
    const a = aws();
    const b = aws({}, a.cloud.dir);
    await a.create(ROLE, "r", { name: "msgw-role", assumeRolePolicy: TRUST });
    await assert.rejects(
      b.create(ROLE, "r", { name: "msgw-role", assumeRolePolicy: TRUST }),
      (e) => {
        assert.equal(
          errorText(e),
          "creating IAM Role (msgw-role): operation error IAM: CreateRole, https response error StatusCode: 409, " +
            "RequestID: <id>, api error EntityAlreadyExists: Role with name msgw-role already exists.",
        );
        return true;
      },
    );
    assert.deepEqual(
      await checkFailures(a, ROLE, { name: "r".repeat(65), assumeRolePolicy: TRUST }),
      [`name: must be at most 64 characters (IAM quota), got 65: ${"r".repeat(65)}`],
    );
    assert.deepEqual(await checkFailures(a, ROLE, { name: "msgw role", assumeRolePolicy: "{" }), [
      "name: must match [\\w+=,.@-] (IAM API reference, name pattern), got msgw role",
      "assumeRolePolicy: the policy document is not valid JSON (MalformedPolicyDocument)",
    ]);
  });

  it("a replaced role is deleted first when its name was given, created first when auto-named", async () => {
    const t = aws();
    const named = await t.create(ROLE, "named", { name: "msgw-fixed", assumeRolePolicy: TRUST });
    const d1 = await t.diff(named, { name: "msgw-fixed", assumeRolePolicy: TRUST, path: "/x/" });
    assert.deepEqual([d1.replaces, d1.deleteBeforeReplace], [["path"], true]);
    const auto = await t.create(ROLE, "auto", { assumeRolePolicy: TRUST });
    assert.deepEqual(auto.inputs.__defaults, ["name"]);
    assert.equal("__defaults" in auto.outs, false, "bookkeeping stays out of the state");
    const d2 = await t.diff(auto, { assumeRolePolicy: TRUST, path: "/x/" });
    assert.deepEqual([d2.replaces, d2.deleteBeforeReplace], [["path"], false]);
    assert.equal((await t.diff(auto, { assumeRolePolicy: TRUST })).changes, false);
  });

  it("auto-names fit the limit: a long resource name is cut before the random suffix", async () => {
    const t = aws();
    const r = await t.create(ROLE, "journal-gateway-pool-production-msgw1-frankfurt-primary-role", {
      assumeRolePolicy: TRUST,
    });
    assert.equal((r.inputs.name as string).length, 64);
    assert.match(
      r.inputs.name as string,
      /^journal-gateway-pool-production-msgw1-frankfurt-primary--[0-9a-f]{7}$/,
    );
    assert.equal(
      (await t.diff(r, { assumeRolePolicy: TRUST })).changes,
      false,
      "the auto-name is kept",
    );
  });

  it("a role policy and an instance profile need an existing role; role/name/path replace", async () => {
    const t = aws();
    await assert.rejects(
      t.create(POLICY, "p", { role: "nope", policy: "{}" }),
      /api error NoSuchEntity: The role with name nope cannot be found\.$/,
    );
    await assert.rejects(
      t.create(PROFILE, "i", { role: "nope" }),
      /api error NoSuchEntity: The role with name nope cannot be found\.$/,
    );
    const role = await t.create(ROLE, "r", { assumeRolePolicy: TRUST });
    const pol = await t.create(POLICY, "p", { role: role.id, policy: "{}" });
    assert.deepEqual((await t.diff(pol, { role: "other", policy: "{}" })).replaces, ["role"]);
    assert.deepEqual((await t.diff(pol, { role: role.id, policy: '{"a":1}' })).replaces, []);
    assert.deepEqual((await t.diff(role, { assumeRolePolicy: TRUST, path: "/x/" })).replaces, [
      "path",
    ]);
    assert.deepEqual((await t.diff(role, { assumeRolePolicy: "{}" })).replaces, []);
    assert.deepEqual(
      await checkFailures(t, POLICY, {
        role: "r",
        policy: JSON.stringify({ a: "x".repeat(10240) }),
      }),
      ["policy: policy is 10248 characters without whitespace; IAM allows 10240"],
    );
  });
});

describe("aws stand-in: instances and Elastic IPs", () => {
  it("creates a host with computed outputs; no diff for the same inputs; refresh reads back the same", async () => {
    const t = aws();
    const { instance, sg, role, profile } = await host(t);
    const rule = await t.create(INGRESS, "rule", {
      securityGroupId: sg.id,
      region: REGION,
      ipProtocol: "tcp",
      fromPort: 25,
      toPort: 25,
      cidrIpv4: "0.0.0.0/0",
      description: "SMTP",
    });
    const param = await t.create(PARAM, "param", {
      name: "/msgw/p",
      type: "SecureString",
      value: "v",
      region: REGION,
    });
    const policy = await t.create(POLICY, "policy", { role: role.id, policy: "{}" });
    for (const r of [instance, sg, role, profile, rule, param, policy]) await readMatches(t, r);
    assert.match(instance.id, /^i-[0-9a-f]{17}$/);
    assert.equal(instance.outs.availabilityZone, "eu-central-1a");
    assert.equal(
      instance.outs.arn,
      `arn:aws:ec2:eu-central-1:123456789012:instance/${instance.id}`,
    );
    assert.equal((await t.diff(instance, instance.inputs)).changes, false);
    const eip = await t.create(EIP, "eip", {
      domain: "vpc",
      instance: instance.id,
      region: REGION,
    });
    assert.match(eip.outs.publicIp as string, /^203\.0\.113\.\d+$/);
    assert.match(eip.id, /^eipalloc-[0-9a-f]{17}$/);
    assert.equal((await t.diff(eip, eip.inputs)).changes, false);
    await readMatches(t, eip);
  });

  it("replace table: ami, subnet, AZ and root volume encryption replace; user data and type stop/start", async () => {
    const t = aws();
    const { instance } = await host(t);
    const inputs = instance.inputs;
    assert.deepEqual(
      (await t.diff(instance, { ...inputs, ami: "ami-00000000000000000" })).replaces,
      ["ami"],
    );
    assert.deepEqual(
      (await t.diff(instance, { ...inputs, subnetId: "subnet-00000000000000000" })).replaces,
      ["subnetId"],
    );
    assert.deepEqual(
      (await t.diff(instance, { ...inputs, availabilityZone: "eu-central-1b" })).replaces,
      ["availabilityZone"],
    );
    assert.deepEqual(
      (
        await t.diff(instance, {
          ...inputs,
          rootBlockDevice: { ...(inputs.rootBlockDevice as object), encrypted: false },
        })
      ).replaces,
      ["rootBlockDevice"],
    );
    const grow = await t.diff(instance, {
      ...inputs,
      rootBlockDevice: { ...(inputs.rootBlockDevice as object), volumeSize: 100 },
    });
    assert.deepEqual([grow.changes, grow.replaces], [true, []]);
    const ud = await t.diff(instance, { ...inputs, userData: "<powershell>echo 2</powershell>" });
    assert.deepEqual([ud.changes, ud.replaces], [true, []]);
    assert.deepEqual(
      (
        await t.diff(instance, {
          ...inputs,
          userData: "<powershell>echo 2</powershell>",
          userDataReplaceOnChange: true,
        })
      ).replaces,
      ["userData", "userDataReplaceOnChange"].filter((k) => k === "userData"),
    );
    await t.provider.update!(instance.id, instance.urn, instance.outs, ud.inputs);
    assert.deepEqual(
      instanceEvents(t.cloud, instance.id).map((e) => `${e.event}: ${e.reason}`),
      ["start: RunInstances", "stop: changed userData", "start: changed userData"],
    );
    assert.equal(
      t.logs.at(-1)?.message,
      `stopping EC2 Instance (${instance.id}) to apply changed userData`,
    );
  });

  it("a zone without subnet picks that zone's default subnet; a subnet in another zone is refused", async () => {
    const t = aws();
    const { instance } = await host(t);
    const inB = await t.create(INSTANCE, "b", {
      ...instance.inputs,
      availabilityZone: "eu-central-1b",
    });
    assert.equal(inB.outs.availabilityZone, "eu-central-1b");
    assert.equal((await t.diff(inB, inB.inputs)).changes, false);
    const subnet = await t.provider.invoke!("aws:ec2/getSubnet:getSubnet", {
      id: inB.outs.subnetId,
      region: REGION,
    });
    assert.equal(subnet.outputs.availabilityZone, "eu-central-1b");
    await assert.rejects(
      t.create(INSTANCE, "c", {
        ...instance.inputs,
        availabilityZone: "eu-central-1c",
        subnetId: inB.outs.subnetId,
      }),
      new RegExp(
        `api error InvalidParameterValue: Value \\(eu-central-1c\\) for parameter availabilityZone is invalid\\. Subnet '${String(inB.outs.subnetId)}' is in the availability zone eu-central-1b$`,
      ),
    );
    await assert.rejects(
      t.create(INSTANCE, "z", { ...instance.inputs, availabilityZone: "eu-west-1a" }),
      /api error InvalidParameterValue: Invalid availability zone: \[eu-west-1a\]$/,
    );
  });

  it("refuses user data over 16 KB, a root volume smaller than the image, an unknown image or profile", async () => {
    const t = aws();
    const { instance } = await host(t);
    const base = instance.inputs;
    await assert.rejects(
      t.create(INSTANCE, "big", { ...base, userData: "x".repeat(16 * 1024 + 1) }),
      (e) => {
        assert.equal(
          errorText(e),
          "creating EC2 Instance: operation error EC2: RunInstances, https response error StatusCode: 400, " +
            "RequestID: <id>, api error InvalidParameterValue: User data is limited to 16384 bytes",
        );
        return true;
      },
    );
    await t.create(INSTANCE, "max", { ...base, userData: "x".repeat(16 * 1024) });
    await assert.rejects(
      t.create(INSTANCE, "small", {
        ...base,
        rootBlockDevice: { encrypted: true, volumeSize: 20 },
      }),
      /api error InvalidBlockDeviceMapping: Volume of size 20GB is smaller than snapshot 'snap-[0-9a-f]{17}', expect size >= 30GB$/,
    );
    await assert.rejects(
      t.create(INSTANCE, "ami", { ...base, ami: "ami-0123456789abcdef0" }),
      /api error InvalidAMIID\.NotFound: The image id '\[ami-0123456789abcdef0\]' does not exist$/,
    );
    await assert.rejects(
      t.create(INSTANCE, "profile", { ...base, iamInstanceProfile: "nope" }),
      /api error InvalidParameterValue: Value \(nope\) for parameter iamInstanceProfile\.name is invalid\. Invalid IAM Instance Profile name$/,
    );
    assert.deepEqual(
      await checkFailures(t, INSTANCE, {
        ...base,
        metadataOptions: { httpPutResponseHopLimit: 65 },
      }),
      [
        "metadataOptions.httpPutResponseHopLimit: expected metadata_options.0.http_put_response_hop_limit to be in the range (1 - 64), got 65",
      ],
    );
  });

  it("Elastic IPs: 5 per region (default quota), domain replaces, instance re-associates in place", async () => {
    const t = aws();
    const { instance } = await host(t);
    const eips = [];
    for (let i = 0; i < 5; i++)
      eips.push(await t.create(EIP, `e${i}`, { domain: "vpc", region: REGION }));
    assert.equal(new Set(eips.map((e) => e.outs.publicIp)).size, 5);
    await assert.rejects(t.create(EIP, "e5", { domain: "vpc", region: REGION }), (e) => {
      assert.equal(
        errorText(e),
        "creating EC2 EIP: operation error EC2: AllocateAddress, https response error StatusCode: 400, " +
          "RequestID: <id>, api error AddressLimitExceeded: The maximum number of addresses has been reached.",
      );
      return true;
    });
    await t.create(EIP, "other-region", { domain: "vpc", region: "eu-west-1" });
    assert.deepEqual((await t.diff(eips[0], { domain: "standard", region: REGION })).replaces, [
      "domain",
    ]);
    const assoc = await t.diff(eips[0], { domain: "vpc", region: REGION, instance: instance.id });
    assert.deepEqual([assoc.changes, assoc.replaces], [true, []]);
    assert.deepEqual(await checkFailures(t, EIP, { domain: "classic" }), [
      'domain: expected domain to be one of ["standard" "vpc"], got classic',
    ]);
  });

  it("tags: at most 50, keys up to 128, values up to 256, no aws: prefix", async () => {
    const t = aws();
    const tags: Record<string, string> = {};
    for (let i = 0; i < 51; i++) tags[`k${i}`] = "v";
    assert.deepEqual(await checkFailures(t, EIP, { domain: "vpc", tags }), [
      "tags: 51 tags; AWS allows at most 50 per resource",
    ]);
    assert.deepEqual(
      await checkFailures(t, SG, {
        name: "n",
        description: "d",
        tags: { ["k".repeat(129)]: "v".repeat(257), "aws:x": "1" },
      }),
      [
        `tags["${"k".repeat(129)}"]: tag key must be 1 to 128 characters, got 129`,
        `tags["${"k".repeat(129)}"]: tag value must be at most 256 characters, got 257`,
        'tags["aws:x"]: tag keys starting with "aws:" are reserved for AWS use',
      ],
    );
  });
});

describe("aws stand-in: lookups", () => {
  it("getAmi picks the most recent image; a newly published image changes its answer", async () => {
    const t = aws();
    const first = await ami(t);
    assert.match(first, /^ami-[0-9a-f]{17}$/);
    assert.equal(await ami(t), first, "stable between calls");
    const newer = publishImage(
      t.cloud,
      REGION,
      "Windows_Server-2022-English-Full-Base-2026.12.10",
      "2026-12-10T08:00:00.000Z",
    );
    assert.equal(await ami(t), newer.imageId);
    assert.notEqual(await ami(t, "eu-west-1"), newer.imageId, "images are per region");
  });

  it("getAmi refuses no match, and several matches without mostRecent, with the provider's texts", async () => {
    const t = aws();
    const args = {
      owners: ["amazon"],
      filters: [{ name: "name", values: ["Windows_Server-2019-*"] }],
      region: REGION,
    };
    await assert.rejects(t.provider.invoke!("aws:ec2/getAmi:getAmi", args), {
      message: "Your query returned no results. Please change your search criteria and try again.",
    });
    publishImage(
      t.cloud,
      REGION,
      "Windows_Server-2022-English-Full-Base-2026.12.10",
      "2026-12-10T08:00:00.000Z",
    );
    await assert.rejects(
      t.provider.invoke!("aws:ec2/getAmi:getAmi", {
        ...args,
        filters: [{ name: "name", values: ["Windows_Server-2022-*"] }],
      }),
      {
        message:
          "Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.",
      },
    );
  });

  it("getVpc default and getSubnet agree on the VPC", async () => {
    const t = aws();
    const vpc = await t.provider.invoke!("aws:ec2/getVpc:getVpc", {
      default: true,
      region: REGION,
    });
    const subnet = await t.provider.invoke!("aws:ec2/getSubnet:getSubnet", {
      id: "subnet-0123456789abcdef0",
      region: REGION,
    });
    assert.equal(subnet.outputs.vpcId, vpc.outputs.id);
    await assert.rejects(
      t.provider.invoke!("aws:ec2/getSubnet:getSubnet", { id: "subnet-x", region: REGION }),
      {
        message: "no matching EC2 Subnet found",
      },
    );
  });
});
