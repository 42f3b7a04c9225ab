// Pure: no resources; an existing machine as the pool sees it.
import * as pulumi from "@pulumi/pulumi";
import type { HostPlan } from "../plan/settings";
import type { GatewayHostResources } from "./wired-host";

/**
 * A machine the pool does not create (another facility). Nothing is provisioned: its address and pinned
 * host key come from the arguments; its identity is its address, so pointing the entry at a new machine
 * re-runs replication onto it.
 */
export function existingHost(
  host: Extract<HostPlan, { placement: "existing" }>,
): GatewayHostResources {
  const address = pulumi.output(host.address);
  return {
    address,
    identity: pulumi.interpolate`${host.hostname}@${address}`,
    sshHostKey: host.sshHostKey === undefined ? undefined : pulumi.output(host.sshHostKey),
    ready: [],
  };
}
