// Pure: types of what the wiring holds of one host: its plan and what was created for it.
import type * as pulumi from "@pulumi/pulumi";
import type { HostPlan } from "../plan/settings";

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
  /** AWS hosts only: EC2 instance id and the id of the data volume that outlives it. */
  aws?: {
    instanceId: pulumi.Output<string>;
    /** `arn:<partition>:ec2:<region>:<account>:instance/<id>`: where SSM finds the host. */
    instanceArn: pulumi.Output<string>;
    dataVolumeId: pulumi.Output<string>;
  };
}

/** One host of the pool as wired: its plan and its machine (created on AWS, or an existing one). */
export interface WiredHost {
  plan: HostPlan;
  machine: GatewayHostResources;
}
