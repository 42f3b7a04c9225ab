/**
 * The files of a separate consumer project that installs this library from its packed tarball: a
 * program with two GatewayPools (two mail domains) and a runner that executes it under Pulumi mocks.
 * Pure: returns file contents; the test writes them to a temp dir.
 */

/** Exact versions of the consumer's dependencies (taken from this repository's installed SDKs). */
export interface ConsumerVersions {
  pulumi: string;
  aws: string;
  cloudflare: string;
  tls: string;
  command: string;
  typesNode: string;
}

/** package.json of the consumer: the tarball plus the @pulumi peer dependencies, nothing else. */
export function consumerPackageJson(tarball: string, v: ConsumerVersions): string {
  const pkg = {
    name: "msgw-consumer",
    version: "1.0.0",
    private: true,
    dependencies: {
      "@msgw/gateway-pool": `file:./${tarball}`,
      "@pulumi/pulumi": v.pulumi,
      "@pulumi/aws": v.aws,
      "@pulumi/cloudflare": v.cloudflare,
      "@pulumi/tls": v.tls,
      "@pulumi/command": v.command,
    },
    devDependencies: { "@types/node": v.typesNode },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Pulumi's stock TypeScript template (github.com/pulumi/templates, typescript/tsconfig.json, since
 * 2026-03 "Use moduleResolution: nodenext"), with the consumer's two files instead of index.ts: no
 * esModuleInterop, no skipLibCheck, so every declaration the package ships is type-checked.
 */
const TEMPLATE_OPTIONS = {
  strict: true,
  outDir: "bin",
  target: "es2020",
  module: "nodenext",
  moduleResolution: "nodenext",
  sourceMap: true,
  experimentalDecorators: true,
  pretty: true,
  noFallthroughCasesInSwitch: true,
  noImplicitReturns: true,
  forceConsistentCasingInFileNames: true,
};

export const CONSUMER_TSCONFIG = `${JSON.stringify(
  { compilerOptions: TEMPLATE_OPTIONS, files: ["program.ts", "run-mocks.ts"] },
  null,
  2,
)}\n`;

/**
 * The template before that change (2024-04 to 2026-03: `module: commonjs`, `moduleResolution: node`), which
 * projects created then still use; zod 4.6's declarations fail under it without esModuleInterop, so the
 * package's published declarations must not reach zod.
 */
export const CONSUMER_TSCONFIG_PREVIOUS = `${JSON.stringify(
  {
    compilerOptions: { ...TEMPLATE_OPTIONS, module: "commonjs", moduleResolution: "node" },
    files: ["program.ts", "run-mocks.ts"],
  },
  null,
  2,
)}\n`;

/** The consumer's Pulumi program: two pools for two mail domains, sharing explicit providers. */
export const CONSUMER_PROGRAM = `import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as CloudflareProvider } from "@pulumi/cloudflare/provider";
import { GatewayPool, type GatewayPoolArgs } from "@msgw/gateway-pool";

const providers = {
  aws: new AwsProvider("aws", { region: "eu-central-1" }),
  cloudflare: new CloudflareProvider("cloudflare", { apiToken: "mock-token" }),
};
const access = { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.0/24"] };

const journal = new GatewayPool(
  "journal",
  {
    zone: { name: "example.com", id: "zone-example-com" },
    mailDomain: "msgw.example.com",
    hosts: [{ hostname: "msgw1.example.com" }, { hostname: "msgw2.example.com" }],
    access,
  } satisfies GatewayPoolArgs,
  { providers },
);

const archive = new GatewayPool(
  "archive",
  {
    zone: { name: "example.org", id: "zone-example-org" },
    mailDomain: "journal.example.org",
    hosts: [{ hostname: "gw-a.example.org" }, { hostname: "gw-b.example.org" }],
    mx: { strategy: "tiered" },
    certificates: { mode: "self-signed" },
    access,
  } satisfies GatewayPoolArgs,
  { providers },
);

export const mxRecords = { journal: journal.mxRecords, archive: archive.mxRecords };
export const gateways = { journal: journal.gateways, archive: archive.gateways };
`;

/**
 * Runs program.ts under Pulumi mocks and prints one JSON line: resource counts by type, the MX tables
 * and gateway names. argv[2] is a PEM certificate the mocks return as every tls certificate's certPem.
 */
export const CONSUMER_RUNNER = `import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";

const pem = readFileSync(process.argv[2], "utf8");
const types: string[] = [];
let eips = 0;

pulumi.runtime.setMocks(
  {
    newResource(args) {
      types.push(args.type);
      const state: Record<string, unknown> = { ...args.inputs };
      if (args.type === "aws:ec2/eip:Eip") state.publicIp = \`203.0.113.\${++eips}\`;
      if (/^tls:index\\/(selfSigned|locallySigned)Cert:/.test(args.type)) state.certPem = pem;
      return { id: \`\${args.name}-id\`, state };
    },
    call(args) {
      return {
        id: "mock-id",
        zoneId: "mock-zone",
        vpcId: "vpc-mock",
        names: ["eu-central-1a"],
        availabilityZone: "eu-central-1a",
        accountId: "123456789012",
        arn: "arn:aws:iam::123456789012:role/deployer",
        issuerArn: "arn:aws:iam::123456789012:role/deployer",
        partition: "aws",
        region: "eu-central-1",
        ...args.inputs,
      };
    },
  },
  "consumer",
  "dev",
  false,
);

const settled = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

async function main(): Promise<void> {
  const program = await import("./program.js");
  const mx = await settled(pulumi.output(program.mxRecords));
  const gws = await settled(pulumi.output(program.gateways));
  // Registrations finish asynchronously: wait (bounded) until the count stops changing.
  for (let i = 0, last = -1, stable = 0; i < 100 && stable < 5; i++) {
    stable = types.length === last ? stable + 1 : 0;
    last = types.length;
    await new Promise((r) => setTimeout(r, 20));
  }
  const counts: Record<string, number> = {};
  for (const t of types) counts[t] = (counts[t] ?? 0) + 1;
  const sorted = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  const names = {
    journal: gws.journal.map((g) => g.hostname),
    archive: gws.archive.map((g) => g.hostname),
  };
  console.log(JSON.stringify({ total: types.length, counts: sorted, mx, gateways: names }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
`;
