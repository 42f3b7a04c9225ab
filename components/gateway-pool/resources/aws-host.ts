// I/O (Pulumi resources): one EC2 Windows gateway (security group, role, instance, data volume, Elastic IP, settings
// association, alarms, pinned SSH host key), exactly as its plan says.
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as ssm from "@pulumi/aws/ssm";
import * as vpc from "@pulumi/aws/vpc";
import type * as sns from "@pulumi/aws/sns";
import type { GatewayPoolPlan } from "../plan/pool-plan";
import type { HostPlan } from "../plan/settings";
import { renderSettingsCommand, renderWindowsUserData } from "../plan/user-data";
import { openPorts } from "../plan/firewall";
import { fitEc2Description } from "../plan/limits";
import { IAM_ROLE_NAME_MAX, iamNaming, INSTANCE_PROFILE_NAME_MAX } from "../plan/aws-rules";
import {
  serviceAssumeRolePolicy,
  sshHostKeyParameterName,
  ssmCorePolicyArn,
} from "../plan/iam-policies";
import { createHostKey } from "./host-key";
import type { GatewayHostResources } from "./wired-host";
import { attachDataVolume, createDataVolume } from "./data-volume";
import { createHostAlarms } from "./alarms";
import type { PoolLookups } from "./lookups";

export interface AwsHostInput {
  name: string;
  /** Pulumi stack, part of names that are global in an account (SSM parameters). */
  stack: string;
  host: Extract<HostPlan, { placement: "aws" }>;
  plan: GatewayPoolPlan;
  /** Tag value that puts the data volume under the pool's snapshot policy; undefined: no backups. */
  backupTag: string | undefined;
  /** SNS topic of the host's region, for its alarms. */
  alarmTopic: sns.Topic;
  /** The pool's lookups, shared by its hosts. */
  lookups: PoolLookups;
  parent: pulumi.Resource;
}

/** Seconds `pulumi up` waits for a host's settings association to succeed before reporting failure. */
export const SETTINGS_WAIT_SECONDS = 3300;

/**
 * Properties of the settings association whose change replaces it (and so is waited on): the
 * document's parameters (the settings text), the document and the target instance.
 */
export const SETTINGS_REPLACE_ON = ["parameters", "name", "targets"] as const;

/**
 * One EC2 Windows gateway: security group with exactly the planned rules; an instance role with Session
 * Manager; an instance with an encrypted root volume and IMDSv2 whose image and user data are fixed at
 * creation (`ignoreChanges`: a newer published image or an edited first-boot script never replaces or
 * stops a running host); a separate encrypted, protected data volume in the instance's zone; an Elastic
 * IP; an SSM association that applies changed settings to the running host; recovery and status alarms;
 * with replication, a pinned SSH host key delivered through SSM. Child names start with `<pool>-<host>`.
 *
 * The instance and the Elastic IP of an `active` host are `protect`ed: the engine refuses any update
 * that would replace or delete them (a changed `keyName`, `subnetId`, zone, region or explicit image),
 * so no update takes an active host's machine or address away; standby and draining hosts are not
 * protected (the rolling procedure: standby, `pulumi up`, the change, `pulumi up`, check, active).
 */
export function createAwsHost(input: AwsHostInput): GatewayHostResources {
  const { name, host, plan, lookups, parent } = input;
  const machine = host.aws;
  const rules = plan.ingressRules;
  // Replication configured: an SSH host key to pin and the replication key to authorise.
  const ssh = plan.configSync !== undefined;
  const base = `${name}-${host.key}`;
  const opts = { parent };
  // What answers for an active host (its machine and its address) is never replaced or deleted.
  const protect = host.state === "active";
  const region = machine.region;
  const tags = { ...plan.aws.tags, Name: host.hostname, "msgw:pool": name };
  const subnetId = machine.subnetId;
  const explicitZone = machine.availabilityZone;

  // Placement: the data volume must be created in the instance's zone.
  let vpcId: pulumi.Output<string>;
  let zone: pulumi.Output<string>;
  let zoneLookedUp = false;
  if (subnetId !== undefined) {
    const subnet = ec2.getSubnetOutput({ id: subnetId, region }, opts);
    vpcId = subnet.vpcId;
    // The subnet decides the zone (validation refuses an availabilityZone beside a subnetId).
    zone = subnet.availabilityZone;
  } else {
    vpcId = lookups.defaultVpcId(region);
    if (explicitZone !== undefined) {
      zone = pulumi.output(explicitZone);
    } else {
      zoneLookedUp = true;
      zone = lookups.firstZone(region);
    }
  }

  const explicitAmi = machine.ami;
  const ami = explicitAmi ?? lookups.windowsAmi(region);

  const sg = new ec2.SecurityGroup(
    `${base}-sg`,
    { vpcId, region, description: fitEc2Description(`MailStore Gateway ${host.hostname}`), tags },
    opts,
  );
  for (const rule of rules) {
    new vpc.SecurityGroupIngressRule(
      `${base}-in-${rule.key}`,
      {
        securityGroupId: sg.id,
        region,
        ipProtocol: "tcp",
        fromPort: rule.port,
        toPort: rule.port,
        ...(rule.family === 4 ? { cidrIpv4: rule.cidr } : { cidrIpv6: rule.cidr }),
        description: rule.description,
        tags,
      },
      opts,
    );
  }
  // Outbound: installer download, Windows updates, Session Manager, Let's Encrypt. No mail is sent.
  new vpc.SecurityGroupEgressRule(
    `${base}-out-all`,
    {
      securityGroupId: sg.id,
      region,
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
      description: "all outbound",
      tags,
    },
    opts,
  );

  // Every AWS host gets a role with Session Manager: the way in for administrators and for settings.
  const role = new iam.Role(
    `${base}-role`,
    {
      ...iamNaming(`${base}-role`, IAM_ROLE_NAME_MAX),
      assumeRolePolicy: serviceAssumeRolePolicy("ec2.amazonaws.com"),
      tags,
    },
    opts,
  );
  const ssmCore = new iam.RolePolicyAttachment(
    `${base}-ssm-core`,
    { role: role.name, policyArn: lookups.partition(region).apply(ssmCorePolicyArn) },
    opts,
  );
  const profile = new iam.InstanceProfile(
    `${base}-profile`,
    {
      ...iamNaming(`${base}-profile`, INSTANCE_PROFILE_NAME_MAX),
      role: role.name,
      tags,
    },
    opts,
  );
  // A fresh role takes seconds to work: the instance waits for its policies, the script retries.
  const dependsOn: pulumi.Resource[] = [ssmCore];

  let sshHostKey: pulumi.Output<string> | undefined;
  let sshHostKeyParameter: string | undefined;
  if (ssh) {
    const key = createHostKey({
      base,
      partition: lookups.partition(region),
      parameterName: sshHostKeyParameterName(input.stack, name, host.key),
      hostname: host.hostname,
      role,
      // Validation requires it whenever the pool creates host keys.
      deployerRoleArns: plan.aws.deployerRoleArns,
      region,
      tags,
      parent,
    });
    sshHostKeyParameter = key.parameterName;
    sshHostKey = key.publicKey;
    dependsOn.push(...key.dependsOn);
  }

  const { volume } = createDataVolume({
    base,
    hostname: host.hostname,
    availabilityZone: zone,
    zoneLookedUp,
    sizeGiB: machine.dataVolumeGiB,
    snapshotId: machine.dataVolumeSnapshotId,
    region,
    backupTag: input.backupTag,
    tags,
    parent,
  });

  const rootVolumeGiB = machine.rootVolumeGiB;
  const scriptInput = {
    hostname: host.hostname,
    rootVolumeGiB,
    gateway: plan.gateway,
    openPorts: openPorts(rules),
    sshHostKeyParameter,
    sshAuthorizedKey: ssh ? plan.configSync?.sshPublicKey : undefined,
  };
  // The volume's size as deployed: the settings follow a completed resize (and re-run on it).
  const volumeFacts = pulumi.all([volume.id, volume.size]);
  const userData = volumeFacts.apply(([dataVolumeId, dataVolumeGiB]) =>
    renderWindowsUserData({ ...scriptInput, dataVolumeId, dataVolumeGiB }),
  );

  const instanceType = machine.instanceType;
  const ignoreChanges = ["userData", "userDataBase64"];
  if (explicitAmi === undefined) ignoreChanges.push("ami");
  if (zoneLookedUp) ignoreChanges.push("availabilityZone");
  const instance = new ec2.Instance(
    base,
    {
      ami,
      instanceType,
      subnetId,
      availabilityZone: subnetId === undefined ? zone : undefined,
      region,
      vpcSecurityGroupIds: [sg.id],
      iamInstanceProfile: profile.name,
      keyName: machine.keyName,
      userData,
      userDataReplaceOnChange: false,
      rootBlockDevice: {
        encrypted: true,
        volumeType: "gp3",
        volumeSize: rootVolumeGiB,
        deleteOnTermination: true,
      },
      metadataOptions: {
        httpTokens: "required",
        httpEndpoint: "enabled",
        httpPutResponseHopLimit: 1,
      },
      tags,
    },
    { parent, dependsOn, ignoreChanges, protect },
  );
  const attachment = attachDataVolume({ base, volume, instance, region, parent });

  // Settings that change on a running host arrive through Systems Manager, never through user data.
  // The AWS provider waits for an association's success only when it creates one (ssm/association.go:
  // resourceAssociationCreate calls waitAssociationSuccess, resourceAssociationUpdate returns after
  // UpdateAssociation), and a failed run would go unreported. So any change of what reaches the host
  // (its text, document or target) replaces the association, new before old: the new one runs at once
  // and `pulumi up` waits for its success, or fails with the host's error.
  new ssm.Association(
    `${base}-settings`,
    {
      name: "AWS-RunPowerShellScript",
      targets: [{ key: "InstanceIds", values: [instance.id] }],
      parameters: {
        commands: volumeFacts.apply(([dataVolumeId, dataVolumeGiB]) =>
          renderSettingsCommand({ ...scriptInput, dataVolumeId, dataVolumeGiB }),
        ),
        executionTimeout: "3600",
      },
      waitForSuccessTimeoutSeconds: SETTINGS_WAIT_SECONDS,
      region,
    },
    { parent, dependsOn: [attachment], replaceOnChanges: [...SETTINGS_REPLACE_ON] },
  );

  const eip = new ec2.Eip(
    `${base}-eip`,
    { domain: "vpc", instance: instance.id, region, tags },
    { ...opts, protect },
  );
  createHostAlarms({
    base,
    lookups,
    hostname: host.hostname,
    instanceId: instance.id,
    instanceType,
    topic: input.alarmTopic,
    region,
    tags,
    parent,
  });
  return {
    address: eip.publicIp,
    identity: instance.id,
    sshHostKey,
    ready: [instance, eip, attachment],
    aws: { instanceId: instance.id, instanceArn: instance.arn, dataVolumeId: volume.id },
  };
}
