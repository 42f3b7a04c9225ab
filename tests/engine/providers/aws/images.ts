/** Stand-in for AWS EC2 images (AMIs, getAmi); hand-written, no AWS is reachable here. */
import type { Cloud } from "../context";
import type { FunctionType } from "../framework";
import { ApiError, stableHex } from "../framework";
import { regionOf } from "./shared";

/** Owner id of Amazon's public Windows images. */
const AMAZON_WINDOWS_OWNER = "801119661308";

/** An AMI in the fake account's view of a region. */
export interface FakeImage {
  imageId: string;
  name: string;
  ownerAlias: string;
  ownerId: string;
  creationDate: string;
  rootSnapshotGiB: number;
}

/** The Windows image every region starts with. */
function seedImage(region: string): FakeImage {
  return {
    imageId: `ami-${stableHex(`ami/${region}/2026.11.12`, 17)}`,
    name: "Windows_Server-2022-English-Full-Base-2026.11.12",
    ownerAlias: "amazon",
    ownerId: AMAZON_WINDOWS_OWNER,
    creationDate: "2026-11-12T08:00:00.000Z",
    rootSnapshotGiB: 30,
  };
}

/** Images of a region (seeded with one Windows Server 2022 image on first use). */
export function regionImages(cloud: Cloud, region: string): FakeImage[] {
  const images = [...cloud.list<FakeImage>(`aws-images-${region}`).values()];
  if (images.length) return images;
  const seed = seedImage(region);
  cloud.create(`aws-images-${region}`, seed.imageId, seed);
  return [seed];
}

/** Publishes a newer image (for "a newer image from the AMI lookup changes nothing" tests). */
export function publishImage(
  cloud: Cloud,
  region: string,
  name: string,
  creationDate: string,
): FakeImage {
  regionImages(cloud, region);
  const image: FakeImage = {
    imageId: `ami-${stableHex(`ami/${region}/${name}`, 17)}`,
    name,
    ownerAlias: "amazon",
    ownerId: AMAZON_WINDOWS_OWNER,
    creationDate,
    rootSnapshotGiB: 30,
  };
  cloud.put(`aws-images-${region}`, image.imageId, image);
  return image;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export const getAmi: FunctionType = {
  token: "aws:ec2/getAmi:getAmi",
  async invoke(args, ctx) {
    const region = regionOf(args, ctx);
    let images = regionImages(ctx.cloud, region);
    const owners = (args.owners as string[] | undefined) ?? [];
    if (owners.length) {
      images = images.filter((i) => owners.includes(i.ownerAlias) || owners.includes(i.ownerId));
    }
    for (const f of (args.filters as { name: string; values: string[] }[] | undefined) ?? []) {
      if (f.name !== "name") {
        throw new ApiError(
          `stand-in aws provider: getAmi filter "${f.name}" is not implemented (only "name")`,
        );
      }
      const patterns = f.values.map(globToRegExp);
      images = images.filter((i) => patterns.some((r) => r.test(i.name)));
    }
    if (args.nameRegex !== undefined) {
      const r = new RegExp(args.nameRegex as string);
      images = images.filter((i) => r.test(i.name));
    }
    // internal/service/ec2/ec2_ami_data_source.go
    if (images.length === 0) {
      throw new ApiError(
        "Your query returned no results. Please change your search criteria and try again.",
      );
    }
    if (images.length > 1 && !args.mostRecent) {
      throw new ApiError(
        "Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.",
      );
    }
    const image = images.sort((a, b) => b.creationDate.localeCompare(a.creationDate))[0];
    return {
      ...args,
      region,
      id: image.imageId,
      imageId: image.imageId,
      arn: `arn:aws:ec2:${region}::image/${image.imageId}`,
      name: image.name,
      creationDate: image.creationDate,
      ownerId: image.ownerId,
      imageOwnerAlias: image.ownerAlias,
      architecture: "x86_64",
      platform: "windows",
      platformDetails: "Windows",
      rootDeviceName: "/dev/sda1",
      rootDeviceType: "ebs",
      state: "available",
      virtualizationType: "hvm",
      blockDeviceMappings: [
        {
          deviceName: "/dev/sda1",
          ebs: {
            volume_size: String(image.rootSnapshotGiB),
            volume_type: "gp3",
            encrypted: "false",
          },
          noDevice: "",
          virtualName: "",
        },
      ],
      tags: {},
    };
  },
};
