/** The AWS types added later in the project: data volumes, backups, alarms, keys, buckets, identity. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  CALLER_ROLE_ARN,
  awsPackage,
  clearAssociationRunFailure,
  failAssociationRuns,
  putBucketObjects,
} from "./aws";
import { checkFailures, errorText, readMatches, testProvider, type TestProvider } from "./harness";

const REGION = "eu-central-1";
const providers: TestProvider[] = [];
function aws(cloudDir?: string): TestProvider {
  const t = testProvider(awsPackage, {}, cloudDir);
  t.config.region = REGION;
  providers.push(t);
  return t;
}
after(() => providers.forEach((t) => t.cleanup()));

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});

async function instance(t: TestProvider, name = "h") {
  const ami = await t.provider.invoke!("aws:ec2/getAmi:getAmi", {
    owners: ["amazon"],
    mostRecent: true,
    filters: [{ name: "name", values: ["Windows_Server-2022-*"] }],
  });
  return await t.create("aws:ec2/instance:Instance", name, {
    ami: ami.outputs.id,
    instanceType: "t3.medium",
  });
}

/** create, then the same inputs again: no change (the computed list is complete). */
async function stable(
  t: TestProvider,
  type: string,
  name: string,
  inputs: Record<string, unknown>,
) {
  const r = await t.create(type, name, inputs);
  const d = await t.diff(r, inputs);
  assert.equal(d.changes, false, `${type}: no diff for unchanged inputs`);
  await readMatches(t, r);
  return r;
}

describe("aws stand-in: EBS data volumes", () => {
  it("attaches a volume in the instance's zone; refuses another zone, a used device and a second attachment", async () => {
    const t = aws();
    const i = await instance(t);
    const other = await instance(t, "other");
    const vol = await stable(t, "aws:ebs/volume:Volume", "data", {
      availabilityZone: "eu-central-1a",
      size: 100,
      type: "gp3",
      encrypted: true,
    });
    assert.match(vol.id, /^vol-[0-9a-f]{17}$/);
    const far = await t.create("aws:ebs/volume:Volume", "far", {
      availabilityZone: "eu-central-1b",
      size: 100,
      type: "gp3",
    });
    const attach = (name: string, volumeId: string, instanceId: string) =>
      t.create("aws:ec2/volumeAttachment:VolumeAttachment", name, {
        deviceName: "xvdf",
        volumeId,
        instanceId,
      });
    await assert.rejects(attach("far", far.id, i.id), (e) => {
      assert.equal(
        errorText(e),
        `attaching EBS Volume (${far.id}) to EC2 Instance (${i.id}): operation error EC2: AttachVolume, https response ` +
          `error StatusCode: 400, RequestID: <id>, api error InvalidVolume.ZoneMismatch: The volume '${far.id}' is not in ` +
          `the same availability zone as instance '${i.id}'`,
      );
      return true;
    });
    const a = await attach("a", vol.id, i.id);
    assert.match(a.id, /^vai-\d+$/);
    await assert.rejects(
      attach("again", vol.id, other.id),
      /api error VolumeInUse: vol-[0-9a-f]{17} is already attached to an instance$/,
    );
    const second = await t.create("aws:ebs/volume:Volume", "second", {
      availabilityZone: "eu-central-1a",
      size: 10,
    });
    await assert.rejects(
      attach("dev", second.id, i.id),
      /api error InvalidParameterValue: Invalid value 'xvdf' for unixDevice\. Attachment point xvdf is already in use$/,
    );
    await assert.rejects(
      t.provider.delete!(vol.id, vol.urn, vol.outs),
      new RegExp(`api error VolumeInUse: Volume ${vol.id} is currently attached to ${i.id}$`),
    );
    assert.deepEqual(
      (await t.diff(a, { deviceName: "xvdg", volumeId: vol.id, instanceId: i.id })).replaces,
      ["deviceName"],
    );
  });

  it("zone, encryption and snapshot replace; size grows in place and never shrinks; sizes per type", async () => {
    const t = aws();
    const inputs = { availabilityZone: "eu-central-1a", size: 100, type: "gp3", encrypted: true };
    const vol = await t.create("aws:ebs/volume:Volume", "data", inputs);
    assert.deepEqual(
      (await t.diff(vol, { ...inputs, availabilityZone: "eu-central-1b" })).replaces,
      ["availabilityZone"],
    );
    assert.deepEqual((await t.diff(vol, { ...inputs, encrypted: false })).replaces, ["encrypted"]);
    assert.deepEqual(
      (await t.diff(vol, { ...inputs, snapshotId: "snap-0123456789abcdef0" })).replaces,
      ["snapshotId"],
    );
    const shrink = await t.diff(vol, { ...inputs, size: 50 });
    assert.deepEqual(shrink.replaces, []);
    await assert.rejects(
      t.provider.update!(vol.id, vol.urn, vol.outs, shrink.inputs),
      /api error InvalidParameterValue: New size cannot be smaller than existing size$/,
    );
    assert.deepEqual(
      await checkFailures(t, "aws:ebs/volume:Volume", {
        availabilityZone: "eu-central-1a",
        size: 16385,
        type: "gp3",
      }),
      ["size: gp3 volumes are 1 to 16384 GiB, got 16385"],
    );
    await assert.rejects(
      t.create("aws:ebs/volume:Volume", "z", { availabilityZone: "eu-west-1a", size: 1 }),
      /api error InvalidParameterValue: Invalid availability zone: \[eu-west-1a\]$/,
    );
  });
});

describe("aws stand-in: snapshot policy, alarms, topics", () => {
  const dlm = (over: Record<string, unknown> = {}, schedule: Record<string, unknown> = {}) => ({
    description: "MailStore Gateway pool mail data volumes",
    executionRoleArn: "arn:aws:iam::123456789012:role/dlm",
    policyDetails: {
      resourceTypes: ["VOLUME"],
      targetTags: { "msgw:backup": "prod/msgw" },
      schedules: [
        {
          name: "every 24 hours",
          createRule: { interval: 24, intervalUnit: "HOURS", times: "03:00" },
          retainRule: { count: 14 },
          copyTags: true,
          ...schedule,
        },
      ],
    },
    ...over,
  });

  it("DLM: description and schedule name only [0-9A-Za-z _-]; interval, time and retention checked", async () => {
    const t = aws();
    await stable(t, "aws:dlm/lifecyclePolicy:LifecyclePolicy", "backup", dlm());
    assert.deepEqual(
      await checkFailures(
        t,
        "aws:dlm/lifecyclePolicy:LifecyclePolicy",
        dlm(
          { description: "MailStore Gateway (prod): mail data" },
          {
            name: "every 5 hours, 03:00",
            createRule: { interval: 5, intervalUnit: "HOURS", times: "3:00" },
            retainRule: { count: 1001 },
          },
        ),
      ),
      [
        'description: must be 1 to 500 characters of [0-9A-Za-z _-] (DLM API), got "MailStore Gateway (prod): mail data"',
        'policyDetails.schedules[0].name: must be at most 120 characters of [0-9A-Za-z _-] (DLM API), got "every 5 hours, 03:00"',
        "policyDetails.schedules[0].createRule.interval: expected interval to be one of [1 2 3 4 6 8 12 24], got 5",
        'policyDetails.schedules[0].createRule.times: must be one time of day "hh:mm" (UTC), got "3:00"',
        "policyDetails.schedules[0].retainRule.count: expected count to be in the range (1 - 1000), got 1001",
      ],
    );
  });

  it("alarms: the EC2 recover action needs the alarm's region and the StatusCheckFailed_System metric", async () => {
    const t = aws();
    const topic = await stable(t, "aws:sns/topic:Topic", "alarms", {});
    assert.match(topic.id, /^arn:aws:sns:eu-central-1:123456789012:alarms-[0-9a-f]{7}$/);
    const alarm = (over: Record<string, unknown>) => ({
      namespace: "AWS/EC2",
      metricName: "StatusCheckFailed_System",
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 2,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      dimensions: { InstanceId: "i-0123456789abcdef0" },
      alarmActions: ["arn:aws:automate:eu-central-1:ec2:recover", topic.id],
      ...over,
    });
    await stable(t, "aws:cloudwatch/metricAlarm:MetricAlarm", "recover", alarm({}));
    await assert.rejects(
      t.create(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "wrong-partition",
        alarm({ alarmActions: ["arn:aws-cn:automate:eu-central-1:ec2:recover"] }),
      ),
      /api error ValidationError: Invalid partition aws-cn specified\. Only aws is supported\.$/,
    );
    await assert.rejects(
      t.create(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "wrong-region",
        alarm({ alarmActions: ["arn:aws:automate:eu-west-1:ec2:recover"] }),
      ),
      (e) => {
        assert.match(
          errorText(e),
          /^creating CloudWatch Metric Alarm \(wrong-region-[0-9a-f]{7}\): operation error CloudWatch: PutMetricAlarm, https response error StatusCode: 400, RequestID: <id>, api error ValidationError: Invalid region eu-west-1 specified\. Only eu-central-1 is supported\.$/,
        );
        return true;
      },
    );
    await assert.rejects(
      t.create(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "wrong-metric",
        alarm({ metricName: "StatusCheckFailed_Instance" }),
      ),
      /api error ValidationError: The EC2 recover action is only supported on the StatusCheckFailed_System metric\.$/,
    );
    assert.deepEqual(
      await checkFailures(
        t,
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        alarm({ period: 90, evaluationPeriods: 0, alarmDescription: "d".repeat(1025) }),
      ),
      [
        `alarmDescription: expected length of alarmDescription to be in the range (0 - 1024), got ${"d".repeat(1025)}`,
        "evaluationPeriods: expected evaluation_periods to be at least (1), got 0",
        "period: must be 10, 20, 30 or a multiple of 60 seconds, got 90",
      ],
    );
    assert.deepEqual(await checkFailures(t, "aws:sns/topic:Topic", { name: "msgw alarms" }), [
      "name: must be 1 to 256 characters of [A-Za-z0-9_-], got msgw alarms",
    ]);
  });
});

describe("aws stand-in: IAM attachments, SSM associations, KMS keys", () => {
  it("attaches known AWS managed policies, refuses unknown ones and the 11th, blocks deleting the role first", async () => {
    const t = aws();
    const role = await t.create("aws:iam/role:Role", "r", { assumeRolePolicy: TRUST });
    const attach = (name: string, policyArn: string) =>
      t.create("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, {
        role: role.id,
        policyArn,
      });
    await attach("core", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
    // The provider's region is in the aws partition: a GovCloud ARN names nothing there.
    await assert.rejects(
      attach("gov", "arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore"),
      /api error InvalidInput: Partition "aws-us-gov" is not valid for resource "arn:aws-us-gov:iam::aws:policy\/AmazonSSMManagedInstanceCore"\.$/,
    );
    await assert.rejects(
      attach("typo", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCor"),
      /api error NoSuchEntity: Policy arn:aws:iam::aws:policy\/AmazonSSMManagedInstanceCor does not exist or is not attachable\.$/,
    );
    for (let i = 0; i < 9; i++) await attach(`own${i}`, `arn:aws:iam::123456789012:policy/p${i}`);
    await assert.rejects(
      attach("eleventh", "arn:aws:iam::123456789012:policy/p10"),
      /api error LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10$/,
    );
    await assert.rejects(
      t.provider.delete!(role.id, role.urn, role.outs),
      /api error DeleteConflict: Cannot delete entity, must detach all policies first\.$/,
    );
  });

  it("an association targets existing instances and reports success (no machine runs it)", async () => {
    const t = aws();
    const i = await instance(t);
    const inputs = {
      name: "AWS-RunPowerShellScript",
      targets: [{ key: "InstanceIds", values: [i.id] }],
      parameters: { commands: "echo 1" },
      waitForSuccessTimeoutSeconds: 1800,
    };
    const a = await stable(t, "aws:ssm/association:Association", "settings", inputs);
    const d = await t.diff(a, { ...inputs, parameters: { commands: "echo 2" } });
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await assert.rejects(
      t.create("aws:ssm/association:Association", "gone", {
        ...inputs,
        targets: [{ key: "InstanceIds", values: ["i-00000000000000000"] }],
      }),
      /api error InvalidTarget: Instance i-00000000000000000 is not a valid target$/,
    );
  });

  it("an association whose run fails on its host fails its creation when waited on; an update is never waited on", async () => {
    const t = aws();
    const i = await instance(t);
    const inputs = {
      name: "AWS-RunPowerShellScript",
      targets: [{ key: "InstanceIds", values: [i.id] }],
      parameters: { commands: "echo 1" },
      waitForSuccessTimeoutSeconds: 1800,
    };
    const a = await t.create("aws:ssm/association:Association", "settings", inputs);
    failAssociationRuns(t.cloud, i.id, "msgw: bootstrap FAILED: installer exited with 1603");
    // UpdateAssociation returns at once in the real provider: the failure is only logged here.
    await t.provider.update!(a.id, a.urn, a.outs, {
      ...inputs,
      parameters: { commands: "echo 2" },
    });
    assert.deepEqual(
      t.logs.map((l) => l.message).filter((m) => m.includes("Failed")),
      [
        `SSM Association ${a.id}: the new version's run Failed (not waited on): msgw: bootstrap FAILED: installer exited with 1603`,
      ],
    );
    await assert.rejects(
      t.create("aws:ssm/association:Association", "settings-2", inputs),
      /^Error: waiting for SSM Association \([0-9a-f-]{36}\) to be Success: unexpected state 'Failed', wanted target 'Success'\. last error: msgw: bootstrap FAILED: installer exited with 1603$/,
    );
    clearAssociationRunFailure(t.cloud, i.id);
    await t.create("aws:ssm/association:Association", "settings-3", inputs);
  });

  it("KMS refuses a key policy that locks the account out (lockout safety check); the deployer may keep it", async () => {
    const t = aws();
    const caller = await t.provider.invoke!("aws:index/getCallerIdentity:getCallerIdentity", {});
    const session = await t.provider.invoke!("aws:iam/getSessionContext:getSessionContext", {
      arn: caller.outputs.arn,
    });
    assert.equal(session.outputs.issuerArn, CALLER_ROLE_ARN);
    const policy = (principal: string, action: string) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: principal }, Action: [action], Resource: "*" },
        ],
      });
    await stable(t, "aws:kms/key:Key", "ok", {
      policy: policy("arn:aws:iam::123456789012:root", "kms:Put*"),
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    await t.create("aws:kms/key:Key", "deployer", { policy: policy(CALLER_ROLE_ARN, "kms:*") });
    await assert.rejects(
      t.create("aws:kms/key:Key", "locked", {
        policy: policy("arn:aws:iam::123456789012:role/instance", "kms:Decrypt"),
      }),
      (e) => {
        assert.equal(
          errorText(e),
          "creating KMS Key: operation error KMS: CreateKey, https response error StatusCode: 400, RequestID: <id>, api " +
            "error MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future.",
        );
        return true;
      },
    );
    const key = await t.create("aws:kms/key:Key", "for-param", {});
    const param = (name: string, keyId: string, region = REGION) => ({
      name,
      type: "SecureString",
      value: "v",
      keyId,
      region,
    });
    await t.create("aws:ssm/parameter:Parameter", "p1", param("/msgw/a", key.outs.arn as string));
    await t.create("aws:ssm/parameter:Parameter", "p2", param("/msgw/b", key.id));
    await assert.rejects(
      t.create(
        "aws:ssm/parameter:Parameter",
        "p3",
        param("/msgw/c", key.outs.arn as string, "eu-west-1"),
      ),
      new RegExp(
        `api error InvalidKeyId: Invalid keyId ${String(key.outs.arn).replace(/[/]/g, "\\/")}$`,
      ),
    );
    await assert.rejects(
      t.create(
        "aws:ssm/parameter:Parameter",
        "p4",
        param("/msgw/d", "arn:aws:kms:eu-central-1:123456789012:key/nope"),
      ),
      /api error InvalidKeyId: Invalid keyId arn:aws:kms:eu-central-1:123456789012:key\/nope$/,
    );
    assert.deepEqual(await checkFailures(t, "aws:kms/key:Key", { deletionWindowInDays: 31 }), [
      "deletionWindowInDays: expected deletion_window_in_days to be in the range (7 - 30), got 31",
    ]);
  });
});

describe("aws stand-in: S3 buckets", () => {
  it("bucket names are checked and global; a non-empty bucket is not deleted without forceDestroy", async () => {
    const dev = aws();
    const prod = aws(dev.cloud.dir);
    const b = await stable(dev, "aws:s3/bucket:Bucket", "store", { bucket: "msgw-config-store" });
    assert.equal(b.outs.arn, "arn:aws:s3:::msgw-config-store");
    await assert.rejects(
      prod.create("aws:s3/bucket:Bucket", "store", { bucket: "msgw-config-store" }),
      /api error BucketAlreadyOwnedByYou: Your previous request to create the named bucket succeeded and you already own it\.$/,
    );
    assert.deepEqual(await checkFailures(dev, "aws:s3/bucket:Bucket", { bucket: "MSGW_Config" }), [
      'bucket: invalid bucket name "MSGW_Config": 3 to 63 characters of a-z, 0-9, . and -, beginning and ending with a letter or digit (S3 bucket naming rules)',
    ]);
    const auto = await stable(dev, "aws:s3/bucket:Bucket", "Auto-Named", {});
    assert.match(auto.id, /^auto-named-[0-9a-f]{7}$/);
    putBucketObjects(dev.cloud, b.id, 3);
    await assert.rejects(
      dev.provider.delete!(b.id, b.urn, b.outs),
      /api error BucketNotEmpty: The bucket you tried to delete is not empty\. You must delete all versions in the bucket\.$/,
    );
    await dev.provider.delete!(b.id, b.urn, { ...b.outs, forceDestroy: true });
  });

  it("bucket settings need the bucket; bucket replaces; values are checked", async () => {
    const t = aws();
    await t.create("aws:s3/bucket:Bucket", "b", { bucket: "msgw-b" });
    const v = await stable(t, "aws:s3/bucketVersioning:BucketVersioning", "v", {
      bucket: "msgw-b",
      versioningConfiguration: { status: "Enabled" },
    });
    assert.deepEqual(
      (await t.diff(v, { bucket: "msgw-c", versioningConfiguration: { status: "Enabled" } }))
        .replaces,
      ["bucket"],
    );
    await assert.rejects(
      t.create("aws:s3/bucketPolicy:BucketPolicy", "p", { bucket: "msgw-none", policy: "{}" }),
      /api error NoSuchBucket: The specified bucket does not exist$/,
    );
    assert.deepEqual(
      await checkFailures(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", {
        bucket: "msgw-b",
        rule: { objectOwnership: "Owner" },
      }),
      [
        'rule.objectOwnership: expected object_ownership to be one of ["BucketOwnerPreferred","ObjectWriter","BucketOwnerEnforced"], got Owner',
      ],
    );
    for (const token of [
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
      "aws:s3/bucketPolicy:BucketPolicy",
    ]) {
      await stable(t, token, token.split(":").pop() as string, {
        bucket: "msgw-b",
        policy: token.endsWith("BucketPolicy") ? "{}" : undefined,
      });
    }
  });

  it("identity lookups: partition and region", async () => {
    const t = aws();
    assert.equal(
      (await t.provider.invoke!("aws:index/getPartition:getPartition", {})).outputs.partition,
      "aws",
    );
    assert.equal(
      (await t.provider.invoke!("aws:index/getRegion:getRegion", {})).outputs.name,
      REGION,
    );
    assert.equal(
      (await t.provider.invoke!("aws:index/getRegion:getRegion", { region: "eu-west-1" })).outputs
        .name,
      "eu-west-1",
    );
  });
});
