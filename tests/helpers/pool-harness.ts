import { GatewayPool, type GatewayPoolArgs } from "../../components";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { PoolMocks } from "../../tools/mocks";
import { planOffline, type OfflinePlan, type PlannedResource } from "../../tools/offline-plan";

/** The role the tests deploy as (`aws.deployerRoleArns`, required with configSync and AWS hosts). */
export const TEST_DEPLOYER_ROLE = "arn:aws:iam::123456789012:role/msgw-deployer";

/**
 * Minimal valid arguments; tests spread their changes over it. `aws` is merged, so every pool names
 * {@link TEST_DEPLOYER_ROLE} unless the test gives its own `aws.deployerRoleArns`.
 */
export function baseArgs(overrides: Partial<GatewayPoolArgs> = {}): GatewayPoolArgs {
  return {
    zone: { name: "example.com", id: "zone-123" },
    mailDomain: "msgw.example.com",
    hosts: [{ hostname: "msgw1.example.com" }, { hostname: "msgw2.example.com" }],
    access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.0/24"] },
    ...overrides,
    aws: { deployerRoleArns: [TEST_DEPLOYER_ROLE], ...overrides.aws },
  };
}

/** Runs one GatewayPool under mocks and returns every registered resource and the resolved outputs. */
export async function runPool(
  args: GatewayPoolArgs,
  opts: { name?: string; realCertificates?: boolean; awsRegion?: string } = {},
): Promise<OfflinePlan> {
  return planOffline(
    () => {
      // With awsRegion, the pool gets an AWS provider of that region (as a stack passes its own).
      const providers =
        opts.awsRegion === undefined
          ? undefined
          : { aws: new AwsProvider("aws", { region: opts.awsRegion }) };
      const pool = new GatewayPool(opts.name ?? "pool", args, providers && { providers });
      return {
        gateways: pool.gateways,
        mxRecords: pool.mxRecords,
        zoneFile: pool.zoneFile,
        runbook: pool.runbook,
        caCertificatePem: pool.caCertificatePem,
        certificatePrivateKeys: pool.certificatePrivateKeys,
        configManifest: pool.configManifest,
        configSyncInventory: pool.configSyncInventory,
        backups: pool.backups,
        alarmTopicArns: pool.alarmTopicArns,
        certificateExpiry: pool.certificateExpiry,
        certificateRenewals: pool.certificateRenewals,
        dane: pool.dane,
      };
    },
    {
      project: "test",
      stack: "unit",
      mocks: new PoolMocks({ realCertificates: opts.realCertificates }),
    },
  );
}

/** Resources of one type. */
export const ofType = (plan: OfflinePlan, type: string): PlannedResource[] =>
  plan.resources.filter((r) => r.type === type);

/** Names of resources of one type, sorted. */
export const namesOf = (plan: OfflinePlan, type: string): string[] =>
  ofType(plan, type)
    .map((r) => r.name)
    .sort();

/** Length (in resources) of the longest dependency chain, counting explicit and input dependencies. */
export function criticalPath(plan: OfflinePlan): number {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const memo = new Map<string, number>();
  const depth = (urn: string, stack: Set<string>): number => {
    const cached = memo.get(urn);
    if (cached !== undefined) return cached;
    if (stack.has(urn)) throw new Error(`dependency cycle at ${urn}`);
    stack.add(urn);
    const r = byUrn.get(urn);
    const d =
      1 +
      Math.max(
        0,
        ...(r?.dependencies ?? []).filter((u) => byUrn.has(u)).map((u) => depth(u, stack)),
      );
    stack.delete(urn);
    memo.set(urn, d);
    return d;
  };
  return Math.max(0, ...plan.resources.map((r) => depth(r.urn, new Set())));
}
