// Pure: the rule that ties aws.deployerRoleArns to the host-key parameters the pool creates.
import type * as z from "zod";
import { report } from "../schema";

type Ctx = z.core.$RefinementCtx<unknown>;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * With `configSync` and at least one AWS host (a host without `existing`), the pool creates a KMS key
 * per AWS host whose policy names the deployers: `aws.deployerRoleArns` must be given.
 */
export function deployerRules(
  args: { hosts?: unknown; configSync?: unknown; aws?: unknown },
  ctx: Ctx,
): void {
  if (!isObject(args.configSync)) return;
  const hosts = Array.isArray(args.hosts) ? args.hosts : [];
  const awsHosts = hosts.filter((h) => isObject(h) && h.existing === undefined).length;
  if (awsHosts === 0) return;
  const aws = isObject(args.aws) ? args.aws : {};
  if (aws.deployerRoleArns !== undefined) return;
  report(
    ctx,
    ["aws", "deployerRoleArns"],
    `is missing; with configSync, each AWS host's SSH host key is an SSM parameter under a KMS key that only the host and the deployers may use (the AWS provider decrypts it on every refresh and preview): give the IAM role(s) that run pulumi up, preview and refresh, e.g. ["arn:aws:iam::123456789012:role/msgw-deployer"]`,
  );
}
