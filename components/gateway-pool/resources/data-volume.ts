// I/O (Pulumi resources): an AWS host's data volume and its attachment.
import * as pulumi from "@pulumi/pulumi";
import * as ebs from "@pulumi/aws/ebs";
import * as ec2 from "@pulumi/aws/ec2";
import { fitTagValue } from "../plan/limits";

/** Tag that marks a data volume for the pool's snapshot policy; its value is `<stack>/<pool>`. */
export const BACKUP_TAG = "msgw:backup";
/** Device name of the data volume (Windows sees it by its serial number, not by this name). */
export const DATA_VOLUME_DEVICE = "xvdf";

/** Result of {@link createDataVolume}. */
export interface DataVolumeResources {
  volume: ebs.Volume;
}

/**
 * The encrypted gp3 EBS volume that holds one host's data directory. It is `protect`ed (a change that would
 * replace it, such as another zone or snapshot, fails the update instead of losing mail) and
 * `retainOnDelete` (removing the host or destroying the stack leaves it in the account). Child name:
 * `<base>-data`.
 */
export function createDataVolume(input: {
  base: string;
  hostname: string;
  availabilityZone: pulumi.Input<string>;
  /** True when the zone came from a lookup: a later lookup result must not move the volume. */
  zoneLookedUp: boolean;
  sizeGiB: number;
  snapshotId: string | undefined;
  region: string | undefined;
  backupTag: string | undefined;
  tags: Record<string, string>;
  parent: pulumi.Resource;
}): DataVolumeResources {
  const tags: Record<string, string> = {
    ...input.tags,
    Name: fitTagValue(`${input.hostname} mail data`),
  };
  if (input.backupTag !== undefined) tags[BACKUP_TAG] = input.backupTag;
  const volume = new ebs.Volume(
    `${input.base}-data`,
    {
      availabilityZone: input.availabilityZone,
      size: input.sizeGiB,
      type: "gp3",
      encrypted: true,
      snapshotId: input.snapshotId,
      region: input.region,
      tags,
    },
    {
      parent: input.parent,
      protect: true,
      retainOnDelete: true,
      ignoreChanges: input.zoneLookedUp ? ["availabilityZone"] : [],
    },
  );
  return { volume };
}

/**
 * Attaches the data volume to the instance. Replaced before its successor is created
 * (`deleteBeforeReplace`: a volume attaches to one instance at a time), and the old instance is stopped
 * before the volume leaves it, so Windows never loses a mounted disk while writing. Child name:
 * `<base>-data-attachment`.
 */
export function attachDataVolume(input: {
  base: string;
  volume: ebs.Volume;
  instance: ec2.Instance;
  region: string | undefined;
  parent: pulumi.Resource;
}): ec2.VolumeAttachment {
  return new ec2.VolumeAttachment(
    `${input.base}-data-attachment`,
    {
      deviceName: DATA_VOLUME_DEVICE,
      volumeId: input.volume.id,
      instanceId: input.instance.id,
      stopInstanceBeforeDetaching: true,
      region: input.region,
    },
    { parent: input.parent, deleteBeforeReplace: true },
  );
}
