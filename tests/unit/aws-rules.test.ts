// What the AWS APIs would refuse halfway through `pulumi up` is refused (or made legal) at plan time:
// quotas, partitions, instance families and the names the pool derives from its own name. Under mocks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseArgs, ofType, runPool } from "../helpers/pool-harness";
import type { GatewayPoolArgs } from "../../components";
import type { PlannedResource } from "../../tools/offline-plan";
import {
  configBucketPrefix,
  isXenInstanceType,
  partitionOfRegion,
  recoverActionSupported,
} from "../../components/gateway-pool/plan/aws-rules";

// waitForRPCs is marked internal (absent from the typings), so it is loaded untyped.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

const ATTACH_POLICY = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const byName = (plan: { resources: PlannedResource[] }, name: string): PlannedResource => {
  const r = plan.resources.find((x) => x.name === name);
  assert.ok(r, `no resource ${name}`);
  return r;
};

/** The problem lines of the pool's refusal (after `GatewayPool "<name>": invalid arguments:`). */
async function problems(
  args: GatewayPoolArgs,
  opts: { name?: string; awsRegion?: string } = {},
): Promise<string[]> {
  let lines: string[] | undefined;
  await assert.rejects(runPool(args, opts), (err: Error) => {
    const [head, ...rest] = err.message.split("\n");
    assert.equal(head, `GatewayPool "${opts.name ?? "pool"}": invalid arguments:`);
    lines = rest;
    return true;
  });
  // The refused component's own registration is still in flight: let it finish under these mocks.
  await settings.waitForRPCs().catch(() => undefined);
  return lines ?? [];
}

const v4 = (n: number) => Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}/32`);
const v6 = (n: number) =>
  Array.from({ length: n }, (_, i) => `2001:db8::${(i + 1).toString(16)}/128`);

// ---- Quotas ---------------------------------------------------------------------------------------

test("security group quota: 60 inbound rules per family, SSH doubling the admin CIDRs", async () => {
  // smtp 1 + pop3 1 + mgmt 29 + ssh 29 = 60: the limit itself passes.
  await runPool(
    baseArgs({
      access: { mailStoreServerCidrs: ["203.0.113.10/32"], adminCidrs: v4(29) },
      configSync: { revision: 1 },
    }),
  );
  // 30 admin CIDRs pass without replication (32 rules) but not with it (62).
  await runPool(
    baseArgs({ access: { mailStoreServerCidrs: ["203.0.113.10/32"], adminCidrs: v4(30) } }),
  );
  assert.deepEqual(
    await problems(
      baseArgs({
        access: { mailStoreServerCidrs: ["203.0.113.10/32"], adminCidrs: v4(30) },
        configSync: { revision: 1 },
      }),
    ),
    [
      'access: each AWS host\'s security group would get 62 inbound IPv4 rules (one per port and CIDR: smtp 1, pop3 1, mgmt 30, ssh 30), above the 60 EC2 allows per group by default, counted separately for IPv4 and IPv6 (Amazon VPC quotas, "Inbound or outbound rules per security group"); merge CIDRs of access.adminCidrs, access.mailStoreServerCidrs and access.smtpSourceCidrs into fewer, larger blocks',
    ],
  );
  // IPv4 and IPv6 are counted apart: 40 + 40 passes, 61 IPv6 does not.
  await runPool(
    baseArgs({
      access: { mailStoreServerCidrs: ["203.0.113.10/32"], adminCidrs: [...v4(38), ...v6(40)] },
    }),
  );
  const six = await problems(
    baseArgs({
      access: {
        mailStoreServerCidrs: ["203.0.113.10/32"],
        adminCidrs: ["203.0.113.0/24"],
        smtpSourceCidrs: v6(61),
      },
    }),
  );
  assert.equal(six.length, 1);
  assert.match(
    six[0],
    /^access: each AWS host's security group would get 61 inbound IPv6 rules \(one per port and CIDR: smtp 61\), above the 60/,
  );
  // Existing hosts have no security group: no limit.
  await runPool(
    baseArgs({
      hosts: [{ hostname: "msgw1.example.com", existing: { address: "203.0.113.7" } }],
      access: { mailStoreServerCidrs: ["203.0.113.10/32"], adminCidrs: v4(70) },
    }),
  );
});

test("tags: at most 47 of the user's beside the pool's 3, key and value rules, aws: and the pool's keys", async () => {
  const many = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, "v"]));
  assert.deepEqual(await problems(baseArgs({ aws: { tags: many } })), [
    "aws.tags has 48 tags; with the up to 3 the pool adds (Name, msgw:pool, msgw:backup, msgw:purpose) that is above the 50 AWS allows per resource (AWS General Reference, tag naming limits); give at most 47",
  ]);
  const fortySeven = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, "v"]));
  await runPool(baseArgs({ aws: { tags: fortySeven } }));
  assert.deepEqual(
    await problems(
      baseArgs({
        aws: {
          tags: {
            "AWS:owner": "ops",
            Name: "gateway",
            "msgw:pool": "x",
            "cost#center": "42",
            team: "mail, archive",
            ["k".repeat(129)]: "v",
            note: "n".repeat(257),
            "café owner": "Zoë",
          },
        },
      }),
    ),
    [
      'aws.tags["AWS:owner"]: keys beginning with "aws:" are reserved for AWS (AWS General Reference, tag naming limits); choose another key',
      'aws.tags["Name"]: the pool sets this tag itself; choose another key',
      'aws.tags["msgw:pool"]: the pool sets this tag itself; choose another key',
      'aws.tags["cost#center"]: tag keys are 1 to 128 letters, digits, spaces and _.:/=+-@ (AWS General Reference, tag naming limits; IAM API reference, Tag); rename the key',
      'aws.tags["team"] "mail, archive": tag values are at most 256 letters, digits, spaces and _.:/=+-@ (AWS General Reference, tag naming limits; IAM API reference, Tag); change the value',
      `aws.tags["${"k".repeat(129)}"]: tag keys are 1 to 128 letters, digits, spaces and _.:/=+-@ (AWS General Reference, tag naming limits; IAM API reference, Tag); rename the key`,
      `aws.tags["note"] "${"n".repeat(257)}": tag values are at most 256 letters, digits, spaces and _.:/=+-@ (AWS General Reference, tag naming limits; IAM API reference, Tag); change the value`,
    ],
  );
});

// ---- Partitions ----------------------------------------------------------------------------------

/** Every ARN the pool writes into an input, by resource. */
function arnsOf(plan: { resources: PlannedResource[] }): string[] {
  const found: string[] = [];
  for (const r of plan.resources) {
    const text = JSON.stringify(r.inputs);
    for (const m of text.matchAll(/arn:[a-z-]+:(iam|automate)::?[^"\\]*/g)) found.push(m[0]);
  }
  return [...new Set(found)].sort();
}

for (const [region, partition] of [
  ["eu-central-1", "aws"],
  ["us-gov-west-1", "aws-us-gov"],
  ["cn-north-1", "aws-cn"],
] as const) {
  test(`partition ${partition}: every ARN the pool builds, from the provider's region or a host's`, async () => {
    const args = baseArgs({
      hosts: [{ hostname: "msgw1.example.com" }],
      configSync: { revision: 1 },
    });
    const expected = [
      `arn:${partition}:automate:${region}:ec2:recover`,
      `arn:${partition}:iam::123456789012:root`,
      `arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
      `arn:${partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole`,
    ];
    // The provider's region (one getPartition and one getRegion per pool).
    const viaProvider = await runPool(args, { awsRegion: region });
    assert.deepEqual(
      arnsOf(viaProvider).filter((a) => !a.includes(":role/")),
      expected,
    );
    // A host's own region (pure: no lookup).
    const viaHost = await runPool(
      baseArgs({
        hosts: [{ hostname: "msgw1.example.com", aws: { region } }],
        configSync: { revision: 1 },
      }),
    );
    assert.deepEqual(
      arnsOf(viaHost).filter((a) => !a.includes(":role/")),
      expected,
    );
    assert.deepEqual(
      ofType(viaHost, ATTACH_POLICY)
        .map((a) => a.inputs.policyArn)
        .sort(),
      expected.slice(2),
    );
  });
}

test("partitions: hosts in regions of two partitions are refused (one provider, one partition)", async () => {
  assert.deepEqual(
    await problems(
      baseArgs({
        hosts: [
          { hostname: "msgw1.example.com", aws: { region: "eu-central-1" } },
          { hostname: "msgw2.example.com", aws: { region: "cn-northwest-1" } },
        ],
      }),
    ),
    [
      'hosts[1].aws.region "cn-northwest-1" is in partition "aws-cn" but hosts[0].aws.region "eu-central-1" is in "aws"; one AWS provider\'s credentials reach one partition, so put these hosts in another pool with its own provider',
    ],
  );
  assert.deepEqual(
    [
      "us-east-1",
      "us-gov-east-1",
      "cn-north-1",
      "us-iso-east-1",
      "us-isob-east-1",
      "eu-isoe-west-1",
    ].map(partitionOfRegion),
    ["aws", "aws-us-gov", "aws-cn", "aws-iso", "aws-iso-b", "aws-iso-e"],
  );
});

// ---- Instance families --------------------------------------------------------------------------

test("instance families: Xen types are refused at the pool and per host; Nitro exceptions pass", async () => {
  const xen = (at: string, type: string) =>
    `${at} "${type}" is a Xen instance type; first boot finds the data volume by its NVMe serial number, which only Nitro instances have, so it would wait 15 minutes and fail. Use a Nitro type such as "t3.medium" (Amazon EC2 user guide, "Instances built on the AWS Nitro System")`;
  assert.deepEqual(
    await problems(
      baseArgs({
        aws: { instanceType: "t2.medium" },
        hosts: [
          { hostname: "msgw1.example.com" },
          { hostname: "msgw2.example.com", aws: { instanceType: "m4.large" } },
        ],
      }),
    ),
    [xen("aws.instanceType", "t2.medium"), xen("hosts[1].aws.instanceType", "m4.large")],
  );
  // A pool default every host overrides is never used.
  await runPool(
    baseArgs({
      aws: { instanceType: "c4.large" },
      hosts: [{ hostname: "msgw1.example.com", aws: { instanceType: "c5.large" } }],
    }),
  );
  assert.deepEqual(
    [
      "t2.micro",
      "i3.large",
      "i3.metal",
      "p3.2xlarge",
      "p3dn.24xlarge",
      "t3.medium",
      "m7i.large",
      "r4.xlarge",
    ].map(isXenInstanceType),
    [true, true, false, true, false, false, false, true],
  );
});

test("recover alarm: only types EC2 can recover get the recover action; the others only notify", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", aws: { instanceType: "m5.large" } },
        { hostname: "msgw2.example.com", aws: { instanceType: "m5d.large" } },
        { hostname: "msgw3.example.com", aws: { instanceType: "c6i.metal" } },
      ],
    }),
  );
  const recover = (key: string) => byName(plan, `pool-${key}-recover`);
  const topic = (recover("msgw1").inputs.okActions as string[])[0];
  assert.deepEqual(recover("msgw1").inputs.alarmActions, [
    "arn:aws:automate:eu-central-1:ec2:recover",
    topic,
  ]);
  assert.deepEqual(recover("msgw2").inputs.alarmActions, [topic]);
  assert.deepEqual(recover("msgw3").inputs.alarmActions, [topic]);
  assert.equal(
    recover("msgw2").inputs.alarmDescription,
    "msgw2.example.com: system status check failed; EC2 cannot recover this instance type (instance store or bare metal): stop and start it",
  );
  assert.equal(ofType(plan, ALARM).length, 6);
  assert.deepEqual(
    [
      "t3.medium",
      "m6id.large",
      "r5dn.xlarge",
      "i4i.large",
      "g5.xlarge",
      "c7g.16xlarge",
      "m7i-flex.large",
      "x2iedn.xlarge",
      "mac2.metal",
      "u-6tb1.112xlarge",
    ].map(recoverActionSupported),
    [true, false, false, false, false, true, true, false, false, false],
  );
});

// ---- Names derived from names ---------------------------------------------------------------------

test("names: the config bucket prefix is legal for any pool name", async () => {
  assert.deepEqual(
    ["_journal", "Msgw", "xn--pool", "sthree-x", "___", "pool.prod", "a".repeat(40)].map(
      configBucketPrefix,
    ),
    [
      "journal-msgw-config-",
      "msgw-msgw-config-",
      "msgw-xn--pool-msgw-config-",
      "msgw-sthree-x-msgw-config-",
      "msgw--msgw-config-",
      "pool-prod-msgw-config-",
      `${"a".repeat(24)}-msgw-config-`,
    ],
  );
  const plan = await runPool(baseArgs({ configSync: { revision: 1 } }), { name: "_journal" });
  const [bucket] = ofType(plan, "aws:s3/bucket:Bucket");
  assert.equal(bucket.inputs.bucketPrefix, "journal-msgw-config-");
});

test("names: SNS topic, security group, IAM role and alarm names derived from pool and host names", async () => {
  assert.deepEqual(await problems(baseArgs(), { name: "msgw.prod" }), [
    'pool name "msgw.prod" becomes part of the alarm topics\' SNS names, which allow only letters, digits, "-" and "_" (SNS API reference, CreateTopic Name); rename it',
  ]);
  assert.deepEqual(await problems(baseArgs(), { name: "sg-mail" }), [
    'pool name "sg-mail" begins the hosts\' security group names, which must not begin with "sg-" (EC2 API reference, CreateSecurityGroup GroupName); rename it',
  ]);
  // IAM names that Pulumi's "<name>-" and 7 random characters would push over 64 get a prefix that fits
  // (the provider appends 26 unique characters); names that fit keep Pulumi's naming.
  const long = "p".repeat(45);
  const longPool = await runPool(baseArgs({ hosts: [{ hostname: "msgw1.example.com" }] }), {
    name: long,
  });
  assert.equal(byName(longPool, `${long}-backup-role`).inputs.namePrefix, `${long.slice(0, 37)}-`);
  assert.equal(byName(longPool, `${long}-msgw1-role`).inputs.namePrefix, undefined);
  const key = "h".repeat(50);
  const longHost = await runPool(baseArgs({ hosts: [{ hostname: `${key}.example.com` }] }));
  assert.equal(
    byName(longHost, `pool-${key}-role`).inputs.namePrefix,
    `pool-${key}`.slice(0, 37) + "-",
  );
  assert.equal(byName(longHost, `pool-${key}-profile`).inputs.namePrefix, undefined);
  assert.equal(byName(longHost, "pool-backup-role").inputs.namePrefix, undefined);
  // Alarm names have no prefix form: a host name whose key makes them too long is refused.
  const huge = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(50)}`;
  const hugeKey = huge.replace(/\./g, "-");
  assert.deepEqual(await problems(baseArgs({ hosts: [{ hostname: `${huge}.example.com` }] })), [
    `hosts[0].hostname "${huge}.example.com" with pool name "pool" names its status alarms (CloudWatch API reference, PutMetricAlarm AlarmName) "pool-${hugeKey}-instance-check-" and 7 random characters, 261 in all, above the 255 AWS allows; shorten the pool name or the host's name below the zone (at most 227 characters for "${hugeKey}")`,
  ]);
});

test("names: descriptions and tag values built from a 253-character host name are fitted", async () => {
  const zone = `${"a".repeat(63)}.${"a".repeat(63)}.${"a".repeat(63)}.${"b".repeat(54)}.com`;
  const hostname = `m1.${zone}`;
  assert.equal(hostname.length, 253);
  const plan = await runPool(
    baseArgs({
      zone: { name: zone, id: "zone-123" },
      mailDomain: `mx.${zone}`,
      hosts: [{ hostname }],
    }),
  );
  const sg = ofType(plan, "aws:ec2/securityGroup:SecurityGroup")[0];
  assert.equal(sg.inputs.description, `MailStore Gateway ${hostname}`.slice(0, 255));
  const volume = ofType(plan, "aws:ebs/volume:Volume")[0];
  assert.equal(
    (volume.inputs.tags as Record<string, string>).Name,
    `${hostname} mail data`.slice(0, 253) + "...",
  );
});
