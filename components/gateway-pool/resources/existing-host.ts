import * as pulumi from "@pulumi/pulumi";
import type { HostPlan } from "../plan/pool-plan";
import type { GatewayHostResources } from "./aws-host";

/**
 * A machine the pool does not create (another facility). Nothing is provisioned: its address and pinned
 * host key come from the arguments; its identity is its address, so pointing the entry at a new machine
 * re-runs replication onto it.
 */
export function existingHost(host: HostPlan): GatewayHostResources {
  const address = pulumi.output(host.address as pulumi.Input<string>);
  return {
    address,
    identity: pulumi.interpolate`${host.hostname}@${address}`,
    sshHostKey: host.sshHostKey === undefined ? undefined : pulumi.output(host.sshHostKey),
    ready: [],
  };
}
