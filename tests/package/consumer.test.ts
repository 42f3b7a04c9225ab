/**
 * The library as another project consumes it: `npm pack` (which builds first, through `prepack`), a
 * separate consumer project in a temp dir installs the tarball (never source paths) plus the @pulumi peer
 * dependencies,
 * type-checks a program with two GatewayPools with `tsc --noEmit`, and runs it under Pulumi mocks.
 * Needs the npm registry (or a warm npm cache). Run with `npm run test:package`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CONSUMER_PROGRAM,
  CONSUMER_RUNNER,
  CONSUMER_TSCONFIG,
  CONSUMER_TSCONFIG_PREVIOUS,
  consumerPackageJson,
  type ConsumerVersions,
} from "./consumer-project";
import { MINUTE, npmInstall, root, run } from "./npm-steps";

const installedVersion = (pkg: string): string =>
  (
    JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;

describe("consumer project built from the packed tarball", { timeout: 10 * MINUTE }, () => {
  let dir = "";
  let packedFiles: string[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "msgw-consumer-"));
    // `npm pack` builds first (prepack), as it does for a release.
    const packed = JSON.parse(
      run("npm", ["pack", "--json", "--pack-destination", dir], root, 4 * MINUTE),
    ) as {
      filename: string;
      files: { path: string }[];
    }[];
    assert.equal(packed.length, 1);
    packedFiles = packed[0].files.map((f) => f.path);
    const versions: ConsumerVersions = {
      pulumi: installedVersion("@pulumi/pulumi"),
      aws: installedVersion("@pulumi/aws"),
      cloudflare: installedVersion("@pulumi/cloudflare"),
      tls: installedVersion("@pulumi/tls"),
      command: installedVersion("@pulumi/command"),
      typesNode: installedVersion("@types/node"),
    };
    writeFileSync(join(dir, "package.json"), consumerPackageJson(packed[0].filename, versions));
    writeFileSync(join(dir, "tsconfig.json"), CONSUMER_TSCONFIG);
    writeFileSync(join(dir, "tsconfig.previous.json"), CONSUMER_TSCONFIG_PREVIOUS);
    writeFileSync(join(dir, "program.ts"), CONSUMER_PROGRAM);
    writeFileSync(join(dir, "run-mocks.ts"), CONSUMER_RUNNER);
    // Install scripts are not needed (ssh2's optional native addon) and would slow the test down.
    npmInstall(dir);
  });

  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("packs compiled JS and declarations, not sources or tests", () => {
    assert.ok(packedFiles.includes("dist/components/index.js"), "dist/components/index.js");
    assert.ok(packedFiles.includes("dist/components/index.d.ts"), "dist/components/index.d.ts");
    assert.ok(packedFiles.includes("package.json"));
    // The JSON Schema editors use for Pulumi.<stack>.yaml ships beside the code.
    assert.ok(packedFiles.includes("schema/stack-config.schema.json"));
    assert.ok(packedFiles.includes("schema/pool-args.schema.json"));
    assert.ok(packedFiles.includes("LICENSE"));
    assert.ok(packedFiles.includes("bin/msgw.js"));
    assert.ok(packedFiles.includes("docs/mail-path.md"));
    const unexpected = packedFiles.filter(
      (f) =>
        !(
          f.startsWith("dist/components/") ||
          f.startsWith("dist/bin/") ||
          /^docs\/[a-z0-9-]+\.md$/.test(f)
        ) &&
        ![
          "bin/msgw.js",
          "package.json",
          "README.md",
          "CHANGELOG.md",
          "LICENSE",
          "schema/stack-config.schema.json",
          "schema/pool-args.schema.json",
        ].includes(f),
    );
    assert.deepEqual(unexpected, []);
    assert.deepEqual(
      packedFiles.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
      [],
    );
  });

  it("has exactly one @pulumi/pulumi in the consumer's tree", () => {
    const paths = run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], dir, MINUTE)
      .split("\n")
      .filter((l) => l.trim() !== "");
    assert.deepEqual([...new Set(paths)], [join(dir, "node_modules", "@pulumi", "pulumi")]);
  });

  for (const [template, file] of [
    ["Pulumi's TypeScript template (nodenext)", "tsconfig.json"],
    ["the previous template (commonjs, node resolution)", "tsconfig.previous.json"],
  ]) {
    it(`type-checks the two-pool program under ${template}, without skipLibCheck`, () => {
      const config = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
        compilerOptions: Record<string, unknown>;
      };
      assert.equal(config.compilerOptions.skipLibCheck, undefined);
      assert.equal(config.compilerOptions.esModuleInterop, undefined);
      run(
        process.execPath,
        [
          join(root, "node_modules", "typescript", "bin", "tsc"),
          "--noEmit",
          "--pretty",
          "false",
          "-p",
          join(dir, file),
        ],
        dir,
        3 * MINUTE,
      );
    });
  }

  it("publishes declarations that never reach zod (its 4.6 types need esModuleInterop)", () => {
    const out = run(
      process.execPath,
      [
        join(root, "node_modules", "typescript", "bin", "tsc"),
        "--noEmit",
        "--listFilesOnly",
        "-p",
        join(dir, "tsconfig.previous.json"),
      ],
      dir,
      3 * MINUTE,
    );
    assert.deepEqual(
      out.split("\n").filter((f) => f.includes("/node_modules/zod/")),
      [],
    );
  });

  it("runs the program under Pulumi mocks with the exact resources", () => {
    const pem = join(dir, "mock-cert.pem");
    run(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=mock",
        "-days",
        "1",
        "-keyout",
        join(dir, "mock-key.pem"),
        "-out",
        pem,
      ],
      dir,
      MINUTE,
    );
    const tsx = pathToFileURL(require.resolve("tsx", { paths: [root] })).href;
    const out = run(
      process.execPath,
      ["--import", tsx, join(dir, "run-mocks.ts"), pem],
      dir,
      3 * MINUTE,
    );
    const result = JSON.parse(out.trim().split("\n").pop() as string) as {
      total: number;
      counts: Record<string, number>;
      mx: Record<string, { preference: number; target: string }[]>;
      gateways: Record<string, string[]>;
    };
    assert.deepEqual(result.gateways, {
      journal: ["msgw1.example.com", "msgw2.example.com"],
      archive: ["gw-a.example.org", "gw-b.example.org"],
    });
    assert.deepEqual(result.mx, {
      journal: [
        { preference: 0, target: "msgw1.example.com" },
        { preference: 0, target: "msgw2.example.com" },
      ],
      archive: [
        { preference: 0, target: "gw-a.example.org" },
        { preference: 10, target: "gw-b.example.org" },
      ],
    });
    assert.deepEqual(result.counts, EXPECTED_COUNTS);
    assert.equal(
      result.total,
      Object.values(EXPECTED_COUNTS).reduce((a, b) => a + b, 0),
    );
  });
});

/**
 * Both pools together: 2 pools x 2 AWS hosts, no replication (so no SSH rule and no host keys).
 * `journal` uses the default pool CA (CA key + CA cert, then per host key, CSR, signed cert);
 * `archive` uses self-signed certificates (per host key + cert).
 */
const EXPECTED_COUNTS: Record<string, number> = {
  "aws:cloudwatch/metricAlarm:MetricAlarm": 8, // per host: recovery and instance-check alarms
  "aws:dlm/lifecyclePolicy:LifecyclePolicy": 2, // per pool and region: data-volume snapshots
  "aws:ebs/volume:Volume": 4, // per host: the mail data volume
  "aws:ec2/volumeAttachment:VolumeAttachment": 4,
  "aws:iam/instanceProfile:InstanceProfile": 4,
  "aws:iam/role:Role": 6, // per host (Session Manager) and per pool (snapshot policy)
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 6,
  "aws:sns/topic:Topic": 2, // per pool and region: alarm notifications
  "aws:ssm/association:Association": 4, // per host: settings on the running host
  "aws:ec2/eip:Eip": 4, // one per host
  "aws:ec2/instance:Instance": 4,
  "aws:ec2/securityGroup:SecurityGroup": 4, // one per host
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 4,
  // per host: 25 from anywhere (IPv4), 110 from the one MailStore Server CIDR, 8450 from the one admin CIDR
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 12,
  "cloudflare:index/dnsRecord:DnsRecord": 8, // per pool: 2 A + 2 MX
  // per active AWS host: the readiness gate its MX record waits for
  "command:local:Command": 4,
  "msgw:index:GatewayPool": 2,
  "pulumi:providers:aws": 1,
  "pulumi:providers:cloudflare": 1,
  "tls:index/certRequest:CertRequest": 2, // journal's hosts
  "tls:index/locallySignedCert:LocallySignedCert": 2, // journal's hosts
  "tls:index/privateKey:PrivateKey": 5, // journal: CA + 2 hosts; archive: 2 hosts
  "tls:index/selfSignedCert:SelfSignedCert": 3, // journal's CA; archive's 2 hosts
};
