import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as ssm from "@pulumi/aws/ssm";
import * as vpc from "@pulumi/aws/vpc";
import * as tls from "@pulumi/tls";
import type { AwsHostArgs, AwsPoolDefaultsArgs } from "../args";
import type { IngressRule } from "../plan/firewall";
import type { GatewayPoolPlan, HostPlan } from "../plan/pool-plan";
import { GATEWAY_DEFAULTS } from "../plan/pool-plan";
import { renderWindowsUserData } from "../plan/user-data";
import { openPorts } from "../plan/firewall";

/** What the pool needs back from a host, whatever runs it. */
export interface GatewayHostResources {
  /** Stable public IPv4 address (EIP for AWS hosts). */
  address: pulumi.Output<string>;
  /** Changes when the machine is replaced; re-runs replication onto it. */
  identity: pulumi.Output<string>;
  /** Pinned SSH host public key, when replication is configured. */
  sshHostKey: pulumi.Output<string> | undefined;
  /** Resources to wait for before talking to the host. */
  ready: pulumi.Resource[];
}

export interface AwsHostInput {
  name: string;
  host: HostPlan;
  overrides: AwsHostArgs;
  defaults: AwsPoolDefaultsArgs;
  plan: GatewayPoolPlan;
  rules: IngressRule[];
  /** Create SSH host key, instance role and authorised key (replication configured). */
  ssh: boolean;
  parent: pulumi.Resource;
}

/**
 * One EC2 Windows gateway: security group with exactly the planned rules, an instance with an encrypted
 * root volume and IMDSv2, an Elastic IP; with replication, a pinned SSH host key delivered through an SSM
 * SecureString that only this instance's role can read. Child names start with `<pool>-<host>`.
 */
export function createAwsHost(input: AwsHostInput): GatewayHostResources {
  const { name, host, overrides, defaults, plan, rules, parent } = input;
  const base = `${name}-${host.key}`;
  const opts = { parent };
  const region = host.region;
  const tags = { ...(defaults.tags ?? {}), Name: host.hostname, "msgw:pool": name };
  const subnetId = overrides.subnetId ?? defaults.subnetId;

  const vpcId = subnetId
    ? ec2.getSubnetOutput({ id: subnetId, region }, opts).vpcId
    : ec2.getVpcOutput({ default: true, region }, opts).id;
  const ami =
    overrides.ami ??
    defaults.ami ??
    ec2.getAmiOutput(
      {
        owners: ["amazon"],
        mostRecent: true,
        filters: [{ name: "name", values: [GATEWAY_DEFAULTS.windowsAmiNamePattern] }],
        region,
      },
      opts,
    ).id;

  const sg = new ec2.SecurityGroup(
    `${base}-sg`,
    { vpcId, region, description: `MailStore Gateway ${host.hostname}`, tags },
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
  // Outbound: installer download, Windows updates, Let's Encrypt. The gateway itself sends no mail.
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

  let sshHostKey: pulumi.Output<string> | undefined;
  let iamInstanceProfile: pulumi.Input<string> | undefined;
  let sshHostKeyParameter: string | undefined;
  const dependsOn: pulumi.Resource[] = [];
  if (input.ssh) {
    const key = new tls.PrivateKey(`${base}-ssh-host-key`, { algorithm: "ED25519" }, opts);
    sshHostKeyParameter = `/msgw/${name}/${host.key}/ssh-host-key`;
    const parameter = new ssm.Parameter(
      `${base}-ssh-host-key`,
      {
        name: sshHostKeyParameter,
        type: "SecureString",
        value: pulumi.secret(key.privateKeyOpenssh),
        region,
        description: `Pinned SSH host key of ${host.hostname}`,
        tags,
      },
      opts,
    );
    const role = new iam.Role(
      `${base}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "ec2.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
        tags,
      },
      opts,
    );
    new iam.RolePolicy(
      `${base}-read-host-key`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["ssm:GetParameter", "ssm:GetParameters"],
              Resource: parameter.arn,
            },
          ],
        }),
      },
      opts,
    );
    const profile = new iam.InstanceProfile(`${base}-profile`, { role: role.name, tags }, opts);
    iamInstanceProfile = profile.name;
    sshHostKey = key.publicKeyOpenssh.apply((k) => k.trim());
    dependsOn.push(parameter);
  }

  const userData = renderWindowsUserData({
    hostname: host.hostname,
    gateway: plan.gateway,
    openPorts: openPorts(rules),
    sshHostKeyParameter,
    sshAuthorizedKey: input.ssh ? plan.configSync?.sshPublicKey : undefined,
  });

  const instance = new ec2.Instance(
    base,
    {
      ami,
      instanceType:
        overrides.instanceType ?? defaults.instanceType ?? GATEWAY_DEFAULTS.instanceType,
      subnetId,
      region,
      vpcSecurityGroupIds: [sg.id],
      iamInstanceProfile,
      userData,
      rootBlockDevice: {
        encrypted: true,
        volumeType: "gp3",
        volumeSize:
          overrides.rootVolumeGiB ?? defaults.rootVolumeGiB ?? GATEWAY_DEFAULTS.rootVolumeGiB,
        deleteOnTermination: true,
      },
      metadataOptions: {
        httpTokens: "required",
        httpEndpoint: "enabled",
        httpPutResponseHopLimit: 1,
      },
      tags,
    },
    { parent, dependsOn },
  );
  const eip = new ec2.Eip(
    `${base}-eip`,
    { domain: "vpc", instance: instance.id, region, tags },
    opts,
  );
  return { address: eip.publicIp, identity: instance.id, sshHostKey, ready: [instance, eip] };
}
