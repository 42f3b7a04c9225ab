import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { partitionOfRegion } from "../components/gateway-pool/plan/aws-rules";

const certCache = new Map<string, string>();

/**
 * A real PEM certificate for `commonName` (openssl), so fingerprints and parsers run on genuine input.
 * Cached per name: the mocks never sign anything, so the issuer is the certificate itself.
 */
export function mockCertificatePem(commonName: string, privateKeyPem?: string): string {
  const cacheKey = `${commonName}\n${privateKeyPem ?? ""}`;
  const cached = certCache.get(cacheKey);
  if (cached) return cached;
  // openssl reads a key file more than once, so the key goes into a private temporary file.
  const keyDir =
    privateKeyPem === undefined ? undefined : mkdtempSync(join(tmpdir(), "msgw-mock-"));
  const keyFile = keyDir === undefined ? undefined : join(keyDir, "key.pem");
  if (keyFile !== undefined) writeFileSync(keyFile, privateKeyPem as string, { mode: 0o600 });
  const pem = execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      // On the given key, else a fresh one.
      ...(keyFile === undefined
        ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", "/dev/null"]
        : ["-key", keyFile]),
      "-nodes",
      "-days",
      "1",
      "-subj",
      // RFC 5280 ub-common-name: a longer name is only in the SAN, as the pool issues it.
      commonName.length <= 64 ? `/CN=${commonName}` : "/O=MailStore Gateway pool",
      "-addext",
      `subjectAltName=DNS:${commonName}`,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  certCache.set(cacheKey, pem);
  return pem;
}

/** A secret input reaches the mocks wrapped; plain text otherwise. */
function unwrap(value: unknown): string {
  return String(pulumi.runtime.unwrapRpcSecret(value));
}
/** Region of the default AWS provider under the mocks. */
const MOCK_REGION = "eu-central-1";

/** The mocks' clock: certificates are issued "now", so an offline plan shows them as issued this update. */
const MOCK_NOW = Date.now();

const hex = (text: string, length: number): string =>
  createHash("sha256").update(text).digest("hex").slice(0, length);

/**
 * Every resource type the pool creates. Any other type is a mistake (a typo, or a new resource the mocks
 * were never taught): the mocks refuse it instead of echoing its inputs as if it existed.
 */
export const MOCKED_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:dlm/lifecyclePolicy:LifecyclePolicy",
  "aws:ebs/volume:Volume",
  "aws:ec2/eip:Eip",
  "aws:ec2/instance:Instance",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/volumeAttachment:VolumeAttachment",
  "aws:iam/instanceProfile:InstanceProfile",
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:kms/key:Key",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:sns/topic:Topic",
  "aws:ssm/association:Association",
  "aws:ssm/parameter:Parameter",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "cloudflare:index/dnsRecord:DnsRecord",
  "cloudflare:index/zoneDnssec:ZoneDnssec",
  "command:local:Command",
  "pulumi:providers:aws",
  "pulumi:providers:cloudflare",
  "pulumi:providers:command",
  "pulumi:providers:tls",
  "tls:index/certRequest:CertRequest",
  "tls:index/locallySignedCert:LocallySignedCert",
  "tls:index/privateKey:PrivateKey",
  "tls:index/selfSignedCert:SelfSignedCert",
]);

/** Deterministic fake outputs for the resources and data sources the pool uses. */
export class PoolMocks implements pulumi.runtime.Mocks {
  private addresses = 0;
  /** Real key pairs behind the mock private keys (by their mock PEM text), and CSRs by their mock text. */
  private readonly keyPairs = new Map<string, { privateKeyPem: string; publicKeyPem: string }>();
  private readonly csrKeys = new Map<string, string>();
  /** Region of each AWS provider the program created, by provider id. */
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly opts: { realCertificates?: boolean } = {}) {}

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string;
    state: Record<string, unknown>;
  } {
    const inputs = args.inputs as Record<string, unknown>;
    const state: Record<string, unknown> = { ...inputs };
    let id = `${args.name}-id`;
    // Components register through the mocks too; only custom resources need the provider's answers.
    if (args.custom !== false && !MOCKED_RESOURCE_TYPES.has(args.type)) {
      throw new Error(
        `mocks: resource type ${args.type} (${args.name}) is not one the pool creates; add it to MOCKED_RESOURCE_TYPES in tools/mocks.ts with the outputs the provider would return`,
      );
    }
    switch (args.type) {
      case "pulumi:providers:aws":
        id = `aws-provider-${args.name}`;
        this.providerRegions.set(id, String(inputs.region ?? MOCK_REGION));
        break;
      case "aws:ec2/eip:Eip": {
        const n = this.addresses++;
        state.publicIp = `${n < 254 ? "203.0.113" : "198.51.100"}.${(n % 254) + 1}`;
        id = `eipalloc-${hex(args.name, 17)}`;
        break;
      }
      case "aws:ec2/instance:Instance":
        id = `i-${hex(args.name, 17)}`;
        state.arn = `arn:aws:ec2:${String(inputs.region ?? "eu-central-1")}:123456789012:instance/${id}`;
        break;
      case "aws:ec2/securityGroup:SecurityGroup":
        id = `sg-${hex(args.name, 17)}`;
        break;
      case "aws:s3/bucket:Bucket":
        id = `${String(inputs.bucketPrefix ?? "")}${hex(args.name, 26)}`;
        state.bucket = id;
        state.region = inputs.region ?? "us-east-1";
        state.arn = `arn:aws:s3:::${id}`;
        break;
      case "aws:ssm/parameter:Parameter":
        state.arn = `arn:aws:ssm:region:123456789012:parameter${String(inputs.name)}`;
        break;
      case "aws:iam/role:Role":
        // IAM is global, but its ARNs carry the partition of the provider's region.
        state.arn = `arn:${partitionOfRegion(this.regionOf(args.provider))}:iam::123456789012:role/${args.name}`;
        state.name = args.name;
        break;
      case "aws:kms/key:Key":
        state.arn = `arn:aws:kms:eu-central-1:123456789012:key/${args.name}`;
        break;
      case "aws:sns/topic:Topic":
        state.arn = `arn:aws:sns:${String(inputs.region ?? "eu-central-1")}:123456789012:${args.name}`;
        break;
      case "aws:iam/instanceProfile:InstanceProfile":
        state.name = args.name;
        break;
      case "tls:index/privateKey:PrivateKey":
        state.privateKeyPem = `mock private key of ${args.name}`;
        // A real public key (the TLSA hash is computed from it); certificates are then issued on it.
        if (this.opts.realCertificates !== false && inputs.algorithm === "ECDSA") {
          const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
          const real = {
            privateKeyPem: pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
            publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }) as string,
          };
          this.keyPairs.set(state.privateKeyPem as string, real);
          state.publicKeyPem = real.publicKeyPem;
        }
        state.privateKeyOpenssh = `mock OpenSSH private key of ${args.name}`;
        state.publicKeyOpenssh = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA${hex(args.name, 40)}\n`;
        break;
      case "tls:index/certRequest:CertRequest":
        state.certRequestPem = `mock-csr:${String((inputs.subject as { commonName?: string } | undefined)?.commonName ?? (inputs.dnsNames as string[] | undefined)?.[0])}`;
        this.csrKeys.set(state.certRequestPem as string, unwrap(inputs.privateKeyPem));
        break;
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert": {
        const subject = inputs.subject as { commonName?: string } | undefined;
        const cn =
          args.type === "tls:index/selfSignedCert:SelfSignedCert"
            ? String(subject?.commonName ?? (inputs.dnsNames as string[] | undefined)?.[0])
            : String(inputs.certRequestPem).replace(/^mock-csr:/, "");
        // Issued now, valid for the requested hours: what the tls provider records.
        const hoursValid = Number(inputs.validityPeriodHours ?? 0);
        state.validityStartTime = new Date(MOCK_NOW).toISOString();
        state.validityEndTime = new Date(MOCK_NOW + hoursValid * 3600_000).toISOString();
        // Fast mode: one shared certificate, still a real PEM so fingerprints work.
        const keyText =
          args.type === "tls:index/selfSignedCert:SelfSignedCert"
            ? unwrap(inputs.privateKeyPem)
            : this.csrKeys.get(String(inputs.certRequestPem));
        state.certPem = mockCertificatePem(
          this.opts.realCertificates === false ? "offline-plan.invalid" : cn,
          this.opts.realCertificates === false || keyText === undefined
            ? undefined
            : this.keyPairs.get(keyText)?.privateKeyPem,
        );
        break;
      }
      case "command:local:Command":
        state.stdout = JSON.stringify({ mock: true, command: inputs.create });
        state.stderr = "";
        break;
    }
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, unknown>;
    switch (args.token) {
      case "aws:ec2/getAmi:getAmi":
        return {
          id: `ami-${hex(String(inputs.region ?? "default"), 17)}`,
          name: "Windows_Server-2022-English-Full-Base-mock",
        };
      case "aws:ec2/getVpc:getVpc":
        return { id: `vpc-default-${String(inputs.region ?? "provider")}` };
      case "aws:ec2/getSubnet:getSubnet":
        // Subnets named `subnet-<zone>-…` (e.g. subnet-eu-central-1b-app) lie in that zone.
        return {
          id: inputs.id,
          vpcId: `vpc-of-${String(inputs.id)}`,
          availabilityZone:
            /^subnet-([a-z]{2}-[a-z]+-\d+[a-z])-/.exec(String(inputs.id))?.[1] ?? "eu-central-1a",
        };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const region = String(inputs.region ?? "eu-central-1");
        return { names: [`${region}a`, `${region}b`, `${region}c`], id: region };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: "123456789012",
          arn: "arn:aws:sts::123456789012:assumed-role/deployer/session",
          userId: "AROAEXAMPLE:session",
          id: "123456789012",
        };
      case "aws:index/getPartition:getPartition": {
        // The partition of the provider's region, as the AWS provider answers it.
        const partition = partitionOfRegion(this.regionOf(args.provider));
        const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
        return { partition, dnsSuffix, id: partition };
      }
      case "aws:index/getRegion:getRegion": {
        const region = String(inputs.region ?? this.regionOf(args.provider));
        return { region, name: region, id: region };
      }
      case "aws:iam/getSessionContext:getSessionContext":
        return {
          arn: inputs.arn,
          issuerArn: "arn:aws:iam::123456789012:role/deployer",
          issuerName: "deployer",
          id: "session",
        };
      case "cloudflare:index/getZone:getZone": {
        const filter = inputs.filter as { name?: string } | undefined;
        return {
          zoneId: `zone-${hex(String(filter?.name), 12)}`,
          id: `zone-${hex(String(filter?.name), 12)}`,
        };
      }
      default:
        throw new Error(
          `mocks: data source ${args.token} is not one the pool calls; answer it in PoolMocks.call (tools/mocks.ts) with what the provider returns`,
        );
    }
  }

  /** The region of the provider an invoke went through (`<urn>::<id>`); without one, the default region. */
  private regionOf(provider: string | undefined): string {
    const id = provider?.split("::").pop();
    return (id !== undefined && this.providerRegions.get(id)) || MOCK_REGION;
  }
}
