import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";

const certCache = new Map<string, string>();

/**
 * A real PEM certificate for `commonName` (openssl), so fingerprints and parsers run on genuine input.
 * Cached per name: the mocks never sign anything, so the issuer is the certificate itself.
 */
export function mockCertificatePem(commonName: string): string {
  const cached = certCache.get(commonName);
  if (cached) return cached;
  const pem = execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "/dev/null",
      "-days",
      "1",
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      `subjectAltName=DNS:${commonName}`,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  certCache.set(commonName, pem);
  return pem;
}

const hex = (text: string, length: number): string =>
  createHash("sha256").update(text).digest("hex").slice(0, length);

/** Deterministic fake outputs for the resources and data sources the pool uses. */
export class PoolMocks implements pulumi.runtime.Mocks {
  private addresses = 0;

  constructor(private readonly opts: { realCertificates?: boolean } = {}) {}

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string;
    state: Record<string, unknown>;
  } {
    const inputs = args.inputs as Record<string, unknown>;
    const state: Record<string, unknown> = { ...inputs };
    let id = `${args.name}-id`;
    switch (args.type) {
      case "aws:ec2/eip:Eip": {
        const n = this.addresses++;
        state.publicIp = `${n < 254 ? "203.0.113" : "198.51.100"}.${(n % 254) + 1}`;
        id = `eipalloc-${hex(args.name, 17)}`;
        break;
      }
      case "aws:ec2/instance:Instance":
        id = `i-${hex(args.name, 17)}`;
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
        state.arn = `arn:aws:iam::123456789012:role/${args.name}`;
        state.name = args.name;
        break;
      case "aws:iam/instanceProfile:InstanceProfile":
        state.name = args.name;
        break;
      case "tls:index/privateKey:PrivateKey":
        state.privateKeyPem = `mock private key of ${args.name}`;
        state.privateKeyOpenssh = `mock OpenSSH private key of ${args.name}`;
        state.publicKeyOpenssh = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA${hex(args.name, 40)}\n`;
        break;
      case "tls:index/certRequest:CertRequest":
        state.certRequestPem = `mock-csr:${String((inputs.subject as { commonName?: string } | undefined)?.commonName)}`;
        break;
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert": {
        const cn =
          args.type === "tls:index/selfSignedCert:SelfSignedCert"
            ? String((inputs.subject as { commonName?: string } | undefined)?.commonName)
            : String(inputs.certRequestPem).replace(/^mock-csr:/, "");
        // Fast mode: one shared certificate, still a real PEM so fingerprints work.
        state.certPem = mockCertificatePem(
          this.opts.realCertificates === false ? "offline-plan.invalid" : cn,
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
        return { id: inputs.id, vpcId: `vpc-of-${String(inputs.id)}` };
      case "cloudflare:index/getZone:getZone": {
        const filter = inputs.filter as { name?: string } | undefined;
        return {
          zoneId: `zone-${hex(String(filter?.name), 12)}`,
          id: `zone-${hex(String(filter?.name), 12)}`,
        };
      }
      default:
        return inputs;
    }
  }
}
