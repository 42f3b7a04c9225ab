/** Stand-in for AWS EBS volumes and volume attachments; hand-written, no AWS is reachable here. */
import type { Failure } from "../framework";
import { hex, stableHex } from "../framework";
import { validZone } from "./network";
import type { Stored } from "./shared";
import { arn, awsError, forceNew, load, required, storedType } from "./shared";

/** EBS volume sizes by type (EBS User Guide, "Amazon EBS volume types"): GiB. */
const VOLUME_SIZES: Record<string, [number, number]> = {
  gp3: [1, 16384],
  gp2: [1, 16384],
  io1: [4, 16384],
  io2: [4, 65536],
  st1: [125, 16384],
  sc1: [125, 16384],
  standard: [1, 1024],
};

export const volume = storedType({
  token: "aws:ebs/volume:Volume",
  kind: "volume",
  // internal/service/ec2/ebs_volume.go
  replaceOn: forceNew("ebs_volume.go", [
    "availabilityZone",
    "encrypted",
    "kmsKeyId",
    "snapshotId",
    "outpostArn",
  ]),
  computed: [
    "arn",
    "encrypted",
    "iops",
    "kmsKeyId",
    "size",
    "snapshotId",
    "throughput",
    "type",
    "createTime",
  ],
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "availabilityZone");
    const type = (p.type as string | undefined) ?? "gp2";
    const size = p.size;
    const range = VOLUME_SIZES[type];
    if (typeof size === "number" && range && (size < range[0] || size > range[1])) {
      failures.push({
        property: "size",
        reason: `${type} volumes are ${range[0]} to ${range[1]} GiB, got ${size}`,
      });
    }
    if (p.size === undefined && p.snapshotId === undefined) {
      failures.push({
        property: "size",
        reason: 'one of "size" or "snapshotId" must be specified (ebs_volume.go AtLeastOneOf)',
      });
    }
    return failures;
  },
  make(p, ctx, region) {
    const az = p.availabilityZone as string;
    if (!validZone(az, region)) {
      throw awsError(
        "creating EBS Volume",
        "EC2",
        "CreateVolume",
        400,
        "InvalidParameterValue",
        `Invalid availability zone: [${az}]`,
      );
    }
    const id = `vol-${hex(17)}`;
    return {
      id,
      outs: {
        arn: arn("ec2", region, `volume/${id}`),
        encrypted: (p.encrypted as boolean | undefined) ?? false,
        kmsKeyId: p.encrypted
          ? ((p.kmsKeyId as string | undefined) ??
            arn("kms", region, `key/${stableHex(`ebs/${region}`, 8)}-aws-managed-ebs`))
          : "",
        size: (p.size as number | undefined) ?? 30,
        type: (p.type as string | undefined) ?? "gp2",
        iops: p.type === "gp3" ? ((p.iops as number | undefined) ?? 3000) : p.iops,
        throughput: p.type === "gp3" ? ((p.throughput as number | undefined) ?? 125) : p.throughput,
        snapshotId: (p.snapshotId as string | undefined) ?? "",
        createTime: ctx.now().toISOString(),
      },
    };
  },
  modify(id, olds, news) {
    // EBS ModifyVolume: a volume can grow, never shrink.
    if (typeof news.size === "number" && typeof olds.size === "number" && news.size < olds.size) {
      throw awsError(
        `modifying EBS Volume (${id})`,
        "EC2",
        "ModifyVolume",
        400,
        "InvalidParameterValue",
        `New size cannot be smaller than existing size`,
      );
    }
    return {
      size: news.size ?? olds.size,
      type: news.type ?? olds.type,
      iops: news.iops ?? olds.iops,
      throughput: news.throughput ?? olds.throughput,
    };
  },
  remove(id, _state, ctx) {
    const attached = [...ctx.cloud.list<Stored>("aws-attachment-vol").values()].filter(
      (a) => a.outs.volumeId === id,
    );
    if (attached.length) {
      throw awsError(
        `deleting EBS Volume (${id})`,
        "EC2",
        "DeleteVolume",
        400,
        "VolumeInUse",
        `Volume ${id} is currently attached to ${String(attached[0].outs.instanceId)}`,
      );
    }
  },
});

export const volumeAttachment = storedType({
  token: "aws:ec2/volumeAttachment:VolumeAttachment",
  kind: "attachment-vol",
  // internal/service/ec2/ec2_volume_attachment.go: device_name, instance_id, volume_id ForceNew.
  replaceOn: forceNew("ec2_volume_attachment.go", ["deviceName", "instanceId", "volumeId"]),
  computed: [],
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "deviceName", "instanceId", "volumeId");
    return failures;
  },
  async make(p, ctx) {
    const action = `attaching EBS Volume (${String(p.volumeId)}) to EC2 Instance (${String(p.instanceId)})`;
    const refuse = (code: string, message: string) =>
      awsError(action, "EC2", "AttachVolume", 400, code, message);
    const vol = load(ctx, "volume", p.volumeId as string);
    if (!vol)
      throw refuse("InvalidVolume.NotFound", `The volume '${String(p.volumeId)}' does not exist.`);
    const inst = load(ctx, "instance", p.instanceId as string);
    if (!inst)
      throw refuse(
        "InvalidInstanceID.NotFound",
        `The instance ID '${String(p.instanceId)}' does not exist`,
      );
    if (vol.outs.availabilityZone !== inst.outs.availabilityZone) {
      throw refuse(
        "InvalidVolume.ZoneMismatch",
        `The volume '${String(p.volumeId)}' is not in the same availability zone as instance '${String(p.instanceId)}'`,
      );
    }
    return await ctx.cloud.withLock("volume-attachments", () => {
      for (const a of ctx.cloud.list<Stored>("aws-attachment-vol").values()) {
        if (a.outs.volumeId === p.volumeId) {
          throw refuse("VolumeInUse", `${String(p.volumeId)} is already attached to an instance`);
        }
        if (a.outs.instanceId === p.instanceId && a.outs.deviceName === p.deviceName) {
          throw refuse(
            "InvalidParameterValue",
            `Invalid value '${String(p.deviceName)}' for unixDevice. Attachment point ${String(p.deviceName)} is already in use`,
          );
        }
      }
      // ec2_volume_attachment.go: the id is "vai-" and a hash of device, instance and volume.
      return {
        id: `vai-${parseInt(stableHex(`${String(p.deviceName)}-${String(p.instanceId)}-${String(p.volumeId)}`, 8), 16)}`,
        outs: {},
      };
    });
  },
});
