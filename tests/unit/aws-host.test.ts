// AWS hosts for day two, under Pulumi mocks: the exact resources, inputs and resource options. The mocks
// do not act on options (no diffs, no replacements); what the engine must do with them is proven by the
// engine suite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseArgs, ofType, runPool } from "../helpers/pool-harness";
import type { PlannedResource } from "../../tools/offline-plan";
import {
  hostKeyPolicy,
  sshHostKeyParameterName,
} from "../../components/gateway-pool/plan/iam-policies";
import { ED25519_KEY_A } from "../lab/fixtures";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const DLM = "aws:dlm/lifecyclePolicy:LifecyclePolicy";
const ASSOCIATION = "aws:ssm/association:Association";
const ATTACH_POLICY = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const DNS = "cloudflare:index/dnsRecord:DnsRecord";

const byName = (plan: { resources: PlannedResource[] }, name: string): PlannedResource => {
  const r = plan.resources.find((x) => x.name === name);
  assert.ok(r, `no resource ${name}`);
  return r;
};
const short = (urns: string[]): string[] => urns.map((u) => u.split("::").pop() as string).sort();

test("image and user data are fixed at creation; every host has Session Manager", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", aws: { ami: "ami-0123456789abcdef0", keyName: "ops" } },
      ],
    }),
  );
  const m1 = byName(plan, "pool-msgw1");
  const m2 = byName(plan, "pool-msgw2");
  // A looked-up image is kept (ignoreChanges ami); an explicit one is followed (the rolling update).
  assert.deepEqual(m1.options, {
    protect: true,
    ignoreChanges: ["userData", "userDataBase64", "ami", "availabilityZone"],
  });
  assert.deepEqual(m2.options, {
    protect: true,
    ignoreChanges: ["userData", "userDataBase64", "availabilityZone"],
  });
  assert.match(String(m1.inputs.ami), /^ami-[0-9a-f]{17}$/);
  assert.equal(m2.inputs.ami, "ami-0123456789abcdef0");
  assert.equal(m1.inputs.userDataReplaceOnChange, false);
  assert.equal(m1.inputs.keyName, undefined);
  assert.equal(m2.inputs.keyName, "ops");
  assert.equal(m1.inputs.iamInstanceProfile, "pool-msgw1-profile");
  // The instance waits for its Session Manager policy (a fresh role takes seconds to work).
  assert.ok(short(m1.dependencies).includes("pool-msgw1-ssm-core"));
  assert.deepEqual(
    ofType(plan, ATTACH_POLICY)
      .map((r) => [r.name, r.inputs.policyArn])
      .sort(),
    [
      [
        "pool-backup-role-policy",
        "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole",
      ],
      ["pool-msgw1-ssm-core", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
      ["pool-msgw2-ssm-core", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    ],
  );
});

test("an active host's instance and Elastic IP are protected; standby and draining hosts' are not", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", state: "standby" },
        { hostname: "msgw3.example.com", state: "draining" },
      ],
    }),
  );
  const protectedNames = plan.resources
    .filter((r) => r.options.protect === true)
    .map((r) => r.name)
    .sort();
  // The data volumes are protected whatever the state (they hold the mail).
  assert.deepEqual(protectedNames, [
    "pool-msgw1",
    "pool-msgw1-data",
    "pool-msgw1-eip",
    "pool-msgw2-data",
    "pool-msgw3-data",
  ]);
  // Nothing else that answers for an active host is replaced with it: the attachment follows the
  // instance (replaced only with it), the A and MX records are updated in place.
  assert.deepEqual(byName(plan, "pool-msgw1-data-attachment").options, {
    deleteBeforeReplace: true,
  });
});

test("mail data on its own encrypted, protected, retained volume in the instance's zone", async () => {
  const plan = await runPool(baseArgs({ hosts: [{ hostname: "msgw1.example.com" }] }));
  const volume = byName(plan, "pool-msgw1-data");
  assert.deepEqual(volume.inputs, {
    availabilityZone: "eu-central-1a",
    size: 100,
    type: "gp3",
    encrypted: true,
    tags: {
      Name: "msgw1.example.com mail data",
      "msgw:pool": "pool",
      "msgw:backup": "unit/pool",
    },
  });
  assert.deepEqual(volume.options, {
    protect: true,
    retainOnDelete: true,
    ignoreChanges: ["availabilityZone"],
  });
  const instance = byName(plan, "pool-msgw1");
  assert.equal(instance.inputs.availabilityZone, "eu-central-1a");
  assert.equal(instance.inputs.subnetId, undefined);
  const attachment = byName(plan, "pool-msgw1-data-attachment");
  assert.deepEqual(attachment.inputs, {
    deviceName: "xvdf",
    volumeId: "pool-msgw1-data-id",
    instanceId: attachment.inputs.instanceId,
    stopInstanceBeforeDetaching: true,
  });
  assert.match(String(attachment.inputs.instanceId), /^i-[0-9a-f]{17}$/);
  assert.deepEqual(attachment.options, { deleteBeforeReplace: true });
  // The first boot finds the volume by its serial (the id without the dash) and links the data folder.
  const userData = String(instance.inputs.userData);
  assert.ok(userData.includes("-replace '-', '') -like 'poolmsgw1dataid*'"));
  assert.match(userData, /New-Item -ItemType Junction -Path \$link -Target \$dataRoot \| Out-Null/);
  assert.ok(userData.includes("$link = 'C:\\ProgramData\\MailStore\\Gateway'"));
  // Relocation comes before the gateway could be installed.
  assert.ok(userData.indexOf("Junction") < userData.indexOf("host settings"));
});

test("a subnet decides the zone; a zone beside it is refused at plan time", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [{ hostname: "msgw1.example.com", aws: { subnetId: "subnet-eu-central-1b-app" } }],
    }),
  );
  assert.equal(byName(plan, "pool-msgw1-data").inputs.availabilityZone, "eu-central-1b");
  assert.deepEqual(byName(plan, "pool-msgw1-data").options, {
    protect: true,
    retainOnDelete: true,
  });
  const instance = byName(plan, "pool-msgw1");
  assert.equal(instance.inputs.subnetId, "subnet-eu-central-1b-app");
  assert.equal(instance.inputs.availabilityZone, undefined);
  assert.deepEqual(instance.options.ignoreChanges, ["userData", "userDataBase64", "ami"]);

  // A zone beside a subnet could contradict it: refused before anything is created.
  await assert.rejects(
    runPool(
      baseArgs({
        aws: { availabilityZone: "eu-central-1a" },
        hosts: [{ hostname: "msgw1.example.com", aws: { subnetId: "subnet-eu-central-1b-app" } }],
      }),
    ),
    {
      message:
        'GatewayPool "pool": invalid arguments:\naws.availabilityZone and hosts[0].aws.subnetId are both set for hosts[0]; a subnet lies in one zone and the data volume must be in the instance\'s zone, so give only the subnet (its zone is used) or only the zone',
    },
  );
});

test("settings reach running hosts through an SSM association, not user data", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [{ hostname: "msgw1.example.com" }],
      gateway: { ports: { pop3s: 995 } },
    }),
  );
  const association = byName(plan, "pool-msgw1-settings");
  assert.equal(association.inputs.name, "AWS-RunPowerShellScript");
  const targets = association.inputs.targets as Array<{ key: string; values: string[] }>;
  assert.equal(targets.length, 1);
  assert.equal(targets[0].key, "InstanceIds");
  assert.deepEqual(targets[0].values, [
    (byName(plan, "pool-msgw1-data-attachment").inputs.instanceId as string) ?? "",
  ]);
  assert.equal(association.inputs.waitForSuccessTimeoutSeconds, 3300);
  // The provider waits only when it creates an association: a change of what reaches the host replaces it.
  assert.deepEqual(association.options, { replaceOnChanges: ["parameters", "name", "targets"] });
  const parameters = association.inputs.parameters as Record<string, string>;
  assert.equal(parameters.executionTimeout, "3600");
  const commands = parameters.commands.split("\n").map((l) => l.trim());
  assert.ok(commands.includes("$ports = @(25, 110, 995, 8450)"));
  // It waits for a first boot still running instead of racing it.
  assert.ok(
    commands.includes(
      "while (-not (Test-Path -LiteralPath 'C:\\ProgramData\\msgw\\bootstrap.done')) {",
    ),
  );
  assert.ok(short(association.dependencies).includes("pool-msgw1-data-attachment"));
  assert.equal(ofType(plan, ASSOCIATION).length, 1);
});

test("host key: parameter name per stack, customer KMS key only the host's role and the deployer use", async () => {
  assert.notEqual(
    sshHostKeyParameterName("dev", "msgw", "msgw1"),
    sshHostKeyParameterName("prod", "msgw", "msgw1"),
  );
  assert.equal(
    sshHostKeyParameterName("prod", "msgw", "msgw1"),
    "/msgw/prod/msgw/msgw1/ssh-host-key",
  );
  const plan = await runPool(
    baseArgs({ hosts: [{ hostname: "msgw1.example.com" }], configSync: { revision: 1 } }),
  );
  const parameter = ofType(plan, "aws:ssm/parameter:Parameter")[0];
  assert.equal(parameter.name, "pool-msgw1-ssh-host-key");
  assert.equal(parameter.inputs.name, "/msgw/unit/pool/msgw1/ssh-host-key");
  assert.equal(parameter.inputs.type, "SecureString");
  assert.equal(
    parameter.inputs.keyId,
    "arn:aws:kms:eu-central-1:123456789012:key/pool-msgw1-host-key-kms",
  );
  const key = byName(plan, "pool-msgw1-host-key-kms");
  assert.equal(key.inputs.enableKeyRotation, true);
  assert.deepEqual(
    JSON.parse(String(key.inputs.policy)),
    JSON.parse(
      hostKeyPolicy({
        deployerRoleArns: ["arn:aws:iam::123456789012:role/msgw-deployer"],
        instanceRoleArn: "arn:aws:iam::123456789012:role/pool-msgw1-role",
      }),
    ),
  );
  const policy = JSON.parse(String(key.inputs.policy)) as {
    Statement: Array<{ Sid: string; Action: string | string[] }>;
  };
  // The account administers the key but cannot decrypt with it (so IAM policies cannot grant that).
  const admin = policy.Statement.find((s) => s.Sid === "AccountAdministersButDoesNotUse");
  assert.ok(
    admin && Array.isArray(admin.Action) && !admin.Action.some((a) => /Decrypt|kms:\*/.test(a)),
  );
  // The instance waits for the key, the parameter and the policy that lets it read them.
  assert.deepEqual(
    short(byName(plan, "pool-msgw1").dependencies).filter((n) => /host-key|ssm-core/.test(n)),
    [
      "pool-msgw1-host-key-kms",
      "pool-msgw1-read-host-key",
      "pool-msgw1-ssh-host-key",
      "pool-msgw1-ssm-core",
    ],
  );
});

test("alarms: system check recovers and notifies, instance check notifies; topic per region", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", aws: { region: "eu-west-1" } },
      ],
    }),
  );
  assert.deepEqual(
    ofType(plan, TOPIC).map((t) => [t.name, t.inputs.region]),
    [
      ["pool-alarms", undefined],
      ["pool-alarms-eu-west-1", "eu-west-1"],
    ],
  );
  const recover = byName(plan, "pool-msgw2-recover");
  assert.deepEqual(
    { ...recover.inputs, tags: undefined, alarmActions: undefined, okActions: undefined },
    {
      alarmDescription:
        "msgw2.example.com: system status check failed; EC2 recovers the instance onto healthy hardware",
      metricName: "StatusCheckFailed_System",
      namespace: "AWS/EC2",
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 2,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      dimensions: { InstanceId: (recover.inputs.dimensions as { InstanceId: string }).InstanceId },
      region: "eu-west-1",
      tags: undefined,
      alarmActions: undefined,
      okActions: undefined,
    },
  );
  assert.match(
    (recover.inputs.dimensions as { InstanceId: string }).InstanceId,
    /^i-[0-9a-f]{17}$/,
  );
  const topicArn = (recover.inputs.okActions as string[])[0];
  assert.deepEqual(recover.inputs.alarmActions, [
    "arn:aws:automate:eu-west-1:ec2:recover",
    topicArn,
  ]);
  const check = byName(plan, "pool-msgw1-instance-check");
  assert.equal(check.inputs.metricName, "StatusCheckFailed_Instance");
  assert.equal(check.inputs.evaluationPeriods, 5);
  assert.deepEqual(check.inputs.alarmActions, check.inputs.okActions);
  assert.equal((check.inputs.alarmActions as string[]).length, 1);
  assert.equal(ofType(plan, ALARM).length, 4);
  assert.deepEqual(Object.keys(plan.outputs.alarmTopicArns as object), ["default", "eu-west-1"]);
  // One snapshot policy per region too.
  assert.deepEqual(
    ofType(plan, DLM).map((p) => [p.name, p.inputs.region]),
    [
      ["pool-backup", undefined],
      ["pool-backup-eu-west-1", "eu-west-1"],
    ],
  );
});

test("backups: DLM schedule from the arguments, outputs name the volumes; off means no policy", async () => {
  const plan = await runPool(
    baseArgs({ backup: { intervalHours: 12, startTime: "01:30", retainCount: 30 } }),
  );
  const [policy] = ofType(plan, DLM);
  assert.deepEqual(policy.inputs.policyDetails, {
    resourceTypes: ["VOLUME"],
    targetTags: { "msgw:backup": "unit/pool" },
    schedules: [
      {
        name: "every 12 hours",
        createRule: { interval: 12, intervalUnit: "HOURS", times: "01:30" },
        retainRule: { count: 30 },
        copyTags: true,
      },
    ],
  });
  assert.equal(policy.inputs.state, "ENABLED");
  assert.deepEqual(plan.outputs.backups, {
    schedule: "EBS snapshots every 12 hours from 01:30 UTC, newest 30 kept per volume",
    volumes: [
      { hostname: "msgw1.example.com", volumeId: "pool-msgw1-data-id" },
      { hostname: "msgw2.example.com", volumeId: "pool-msgw2-data-id" },
    ],
    policyIds: ["pool-backup-id"],
  });
  assert.match(
    String(plan.outputs.runbook),
    /Snapshots: EBS snapshots every 12 hours from 01:30 UTC, newest 30 kept per volume, for every data volume above/,
  );

  const off = await runPool(baseArgs({ backup: { enabled: false } }));
  assert.equal(ofType(off, DLM).length, 0);
  assert.equal(off.outputs.backups, undefined);
  assert.equal(
    (byName(off, "pool-msgw1-data").inputs.tags as Record<string, string>)["msgw:backup"],
    undefined,
  );
  assert.match(String(off.outputs.runbook), /Snapshots are OFF/);
});

test("adoption: the legacy A record and existing MX records are imported, the legacy one never deleted", async () => {
  const zone = "0123456789abcdef0123456789abcdef";
  const plan = await runPool(
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com", mxImportId: `${zone}/${"1".repeat(32)}` },
        { hostname: "msgw2.example.com" },
      ],
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        importId: `${zone}/${"a".repeat(32)}`,
      },
    }),
  );
  assert.deepEqual(byName(plan, "pool-legacy-msgw-a").options, {
    retainOnDelete: true,
    ignoreChanges: ["ttl", "comment"],
    import: `${zone}/${"a".repeat(32)}`,
  });
  assert.deepEqual(byName(plan, "pool-mx-msgw1").options, {
    ignoreChanges: ["ttl", "comment"],
    import: `${zone}/${"1".repeat(32)}`,
  });
  assert.deepEqual(byName(plan, "pool-mx-msgw2").options, {});
  // Without an import id the live legacy record is still never deleted by the pool.
  const created = await runPool(
    baseArgs({
      legacy: { hostname: "msgw.example.com", address: "198.51.100.5", phase: "migrating" },
    }),
  );
  assert.deepEqual(byName(created, "pool-legacy-msgw-a").options, { retainOnDelete: true });
  assert.ok(ofType(created, DNS).every((r) => r.options.import === undefined));
});

test("record comments fit Cloudflare's 100 characters; rule descriptions use EC2's character set", async () => {
  const plan = await runPool(
    baseArgs({
      hosts: [{ hostname: "msgw1-frankfurt-primary.journal-archive.example.com" }],
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        sshHostKey: ED25519_KEY_A,
      },
      certificates: { mode: "gateway-lets-encrypt" },
      configSync: { revision: 1 },
      gateway: { ports: { pop3s: 995 } },
    }),
    { name: "journal-gateway-pool-production" },
  );
  const comments = ofType(plan, DNS).map((r) => String(r.inputs.comment));
  assert.deepEqual(comments.sort(), [
    "Legacy MailStore Gateway, kept while migrating (pool journal-gateway-pool-production)",
    "MailStore Gateway host (pool journal-gateway-pool-production)",
    "MailStore Gateway pool journal-gateway-pool-production: msgw1-frankfurt-primary.journal-archive.e...",
  ]);
  assert.ok(comments.every((c) => c.length <= 100));
  const descriptions = plan.resources
    .filter(
      (r) =>
        r.type.startsWith("aws:vpc/securityGroup") ||
        r.type === "aws:ec2/securityGroup:SecurityGroup",
    )
    .map((r) => String(r.inputs.description));
  assert.ok(descriptions.includes("HTTP for the Lets Encrypt challenge of the gateway"));
  for (const d of descriptions) {
    assert.match(d, /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/, d);
  }
});

test("certificates: CN only up to 64 characters, CA renewed early, expiry and renewals in outputs", async () => {
  const long = `${"a".repeat(60)}.example.com`; // 72 characters, a legal host name
  const plan = await runPool(
    baseArgs({ hosts: [{ hostname: "msgw1.example.com" }, { hostname: long }] }),
  );
  const csr = plan.resources.filter((r) => r.type === "tls:index/certRequest:CertRequest");
  const subjects = Object.fromEntries(
    csr.map((r) => [r.name, [r.inputs.subject, r.inputs.dnsNames]]),
  );
  assert.deepEqual(subjects[`pool-${"a".repeat(60)}-csr`], [
    { organization: "MailStore Gateway pool" },
    [long],
  ]);
  assert.deepEqual(subjects["pool-msgw1-csr"], [
    { commonName: "msgw1.example.com", organization: "MailStore Gateway pool" },
    ["msgw1.example.com"],
  ]);
  const ca = byName(plan, "pool-ca");
  assert.equal(ca.inputs.validityPeriodHours, 3650 * 24);
  assert.equal(ca.inputs.earlyRenewalHours, (397 + 1) * 24);
  const expiry = plan.outputs.certificateExpiry as Array<{
    name: string;
    notAfter: string;
    renewsFrom: string;
    issuedThisUpdate: boolean;
  }>;
  assert.deepEqual(
    expiry.map((e) => e.name),
    ["pool CA", "msgw1.example.com", long],
  );
  const host = expiry[1];
  assert.equal(Date.parse(host.notAfter) - Date.parse(host.renewsFrom), 30 * 24 * 3600_000);
  // The CA outlives every host certificate it signed.
  assert.ok(expiry.slice(1).every((e) => Date.parse(e.notAfter) < Date.parse(expiry[0].notAfter)));
  assert.deepEqual(plan.outputs.certificateRenewals, ["pool CA", "msgw1.example.com", long]);
  assert.match(
    String(plan.outputs.runbook),
    /This update issued or renewed: pool CA, msgw1\.example\.com, a+\.example\.com\./,
  );
});

test("pool and stack names become SSM parameter levels: other characters are refused", async () => {
  await assert.rejects(runPool(baseArgs(), { name: "pool+prod" }), (err: Error) => {
    assert.match(
      err.message,
      /pool name "pool\+prod" becomes part of SSM parameter names and tags, which allow only letters, digits, "_", "\." and "-"; rename it/,
    );
    return true;
  });
});
