// Plan-time refusals for the AWS host, adoption, backup and certificate arguments: one row per bad input,
// with the exact message (and nothing else).
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateGatewayPoolArgs, type GatewayPoolArgs } from "../../components";
import { baseArgs } from "../helpers/pool-harness";

const Z = "0123456789abcdef0123456789abcdef";
const one = (aws: NonNullable<GatewayPoolArgs["hosts"][number]["aws"]>): GatewayPoolArgs =>
  baseArgs({ hosts: [{ hostname: "msgw1.example.com", aws }] });

const cases: Array<[string, GatewayPoolArgs, string]> = [
  [
    "image id that cannot exist (too short)",
    one({ ami: "ami-123" }),
    'hosts[0].aws.ami "ami-123" cannot be an AMI id; AMI ids are "ami-" and 8 or 17 lower-case hex digits, e.g. "ami-0123456789abcdef0"',
  ],
  [
    "image id that cannot exist (upper case, pool-wide)",
    baseArgs({ aws: { ami: "ami-0123456789ABCDEF0" } }),
    'aws.ami "ami-0123456789ABCDEF0" cannot be an AMI id; AMI ids are "ami-" and 8 or 17 lower-case hex digits, e.g. "ami-0123456789abcdef0"',
  ],
  [
    "zone outside the host's region",
    one({ region: "eu-central-1", availabilityZone: "eu-west-1a" }),
    'hosts[0].aws.availabilityZone "eu-west-1a" is not in region "eu-central-1"; an instance and its data volume must sit in a zone of their region, e.g. "eu-central-1a"',
  ],
  [
    "zone that is not a zone name",
    one({ availabilityZone: "eu-central-1" }),
    'hosts[0].aws.availabilityZone "eu-central-1" is not an availability zone name such as "eu-central-1a"',
  ],
  [
    "zone and subnet on one host",
    one({ subnetId: "subnet-0abc", availabilityZone: "eu-central-1a" }),
    "hosts[0].aws.availabilityZone and hosts[0].aws.subnetId are both set for hosts[0]; a subnet lies in one zone and the data volume must be in the instance's zone, so give only the subnet (its zone is used) or only the zone",
  ],
  [
    "data volume below the minimum",
    one({ dataVolumeGiB: 10 }),
    "hosts[0].aws.dataVolumeGiB 10 is out of range; the mail data volume needs 20 to 16384 GiB (EBS volumes only grow: never give less than the volume has today)",
  ],
  [
    "data volume above gp3's maximum (pool-wide)",
    baseArgs({ aws: { dataVolumeGiB: 20000 } }),
    "aws.dataVolumeGiB 20000 is out of range; the mail data volume needs 20 to 16384 GiB (EBS volumes only grow: never give less than the volume has today)",
  ],
  [
    "root volume too small (pool-wide, formerly unchecked)",
    baseArgs({ aws: { rootVolumeGiB: 20 } }),
    "aws.rootVolumeGiB 20 is out of range; Windows Server needs at least 30 GiB (at most 16384, the EBS gp3 limit)",
  ],
  [
    "snapshot id that cannot exist",
    one({ dataVolumeSnapshotId: "snapshot-1" }),
    'hosts[0].aws.dataVolumeSnapshotId "snapshot-1" cannot be a snapshot id; snapshot ids are "snap-" and 8 or 17 lower-case hex digits',
  ],
  [
    "key pair name with a line break",
    one({ keyName: "ops\nkey" }),
    'hosts[0].aws.keyName "ops\\nkey" is not an EC2 key pair name (1 to 255 printable ASCII characters)',
  ],
  [
    "snapshot interval DLM does not offer",
    baseArgs({ backup: { intervalHours: 5 } }),
    "backup.intervalHours 5 is not an interval Data Lifecycle Manager accepts; use one of 1, 2, 3, 4, 6, 8, 12, 24",
  ],
  [
    "snapshot time not HH:MM",
    baseArgs({ backup: { startTime: "3:00" } }),
    'backup.startTime "3:00" is not a UTC time of day; write "HH:MM", e.g. "03:00"',
  ],
  [
    "no snapshot kept",
    baseArgs({ backup: { retainCount: 0 } }),
    "backup.retainCount 0 must be a whole number of snapshots from 1 to 1000",
  ],
  [
    "legacy import id not zone/record",
    baseArgs({
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        importId: "abc",
      },
    }),
    'legacy.importId "abc" is not a Cloudflare import id; give "<zoneId>/<recordId>" (two 32-digit hex ids, from the dashboard or the DNS records API)',
  ],
  [
    "legacy import id while retired",
    baseArgs({
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "retired",
        importId: `${Z}/${Z}`,
      },
    }),
    'legacy.importId is set but legacy.phase is "retired"; the pool manages no legacy record once retired, so remove importId',
  ],
  [
    "MX import id on a draining host",
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", state: "draining", mxImportId: `${Z}/${Z}` },
      ],
    }),
    'hosts[1].mxImportId is set but the host is "draining" and has no MX record to adopt; remove mxImportId',
  ],
  [
    "CA common name over 64 characters",
    baseArgs({ certificates: { ca: { commonName: "C".repeat(65) } } }),
    `certificates.ca.commonName "${"C".repeat(65)}" is longer than 64 characters (X.509 ub-common-name, RFC 5280); shorten it`,
  ],
  [
    "organization over 64 characters",
    baseArgs({ certificates: { organization: "O".repeat(65) } }),
    `certificates.organization "${"O".repeat(65)}" is longer than 64 characters (X.509 ub-organization-name, RFC 5280); shorten it`,
  ],
  [
    "CA that host certificates could outlive",
    baseArgs({ certificates: { ca: { validityDays: 500 } } }),
    "certificates.ca.validityDays 500 must be a whole number from twice the host validity (794) to 7300 days; the CA is renewed early so no host certificate outlives it",
  ],
];

for (const [label, args, expected] of cases) {
  test(`refused at plan time: ${label}`, () => {
    assert.deepEqual(validateGatewayPoolArgs(args), [expected]);
  });
}

test("accepted: 8- and 17-digit image ids, a zone in the region, the minimum volume, import ids", () => {
  assert.deepEqual(
    validateGatewayPoolArgs(
      baseArgs({
        hosts: [
          {
            hostname: "msgw1.example.com",
            aws: {
              ami: "ami-0123abcd",
              region: "eu-central-1",
              availabilityZone: "eu-central-1c",
              dataVolumeGiB: 20,
              dataVolumeSnapshotId: "snap-0123456789abcdef0",
              keyName: "ops key",
            },
            mxImportId: `${Z}/${Z}`,
          },
          { hostname: "msgw2.example.com", aws: { ami: "ami-0123456789abcdef0" } },
        ],
        backup: { intervalHours: 24, startTime: "23:59", retainCount: 1000 },
        legacy: {
          hostname: "msgw.example.com",
          address: "198.51.100.5",
          phase: "migrating",
          importId: `${Z}/${Z}`,
        },
        certificates: { ca: { commonName: "C".repeat(64), validityDays: 794 } },
      }),
    ),
    [],
  );
});
