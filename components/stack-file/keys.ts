/**
 * Pure: the top-level keys of a stack's configuration (`namespace:key`), checked before anything else
 * runs: an unknown key of the pool's namespace is named with the closest known key, and `aws:region` must
 * be an AWS region code.
 */
import { AWS_REGION } from "../gateway-pool/plan/limits";
import { closestKey } from "../schema/format";

/** The keys the msgw stack program reads, under its namespace. */
export const STACK_CONFIG_KEYS = {
  pool: "the pool's arguments (GatewayPoolArgs)",
  poolName: "the GatewayPool's name, the prefix of every child resource's name (default msgw)",
} as const;

/** AWS region names (the rule the pool's own `hosts[].aws.region` follows). */
export { AWS_REGION };

/**
 * One message per problem among the stack's configuration keys. `config` is the flat key -> string map
 * (as `pulumi.runtime.allConfig()` or the stack file gives it); `namespace` is the pool's (`msgw`).
 */
export function stackConfigProblems(
  config: Readonly<Record<string, string>>,
  namespace = "msgw",
  known: readonly string[] = Object.keys(STACK_CONFIG_KEYS),
): string[] {
  const problems: string[] = [];
  const full = known.map((k) => `${namespace}:${k}`);
  for (const key of Object.keys(config).sort()) {
    if (key.startsWith(`${namespace}:`) && !full.includes(key)) {
      const near = closestKey(key, full);
      problems.push(
        `${key} is not a configuration key of this stack; ` +
          (near !== undefined ? `did you mean ${near}?` : `the keys are ${full.join(", ")}`),
      );
    }
  }
  const region = config["aws:region"];
  if (region !== undefined && !AWS_REGION.test(region)) {
    problems.push(
      `aws:region ${JSON.stringify(region)} is not an AWS region code (AWS General Reference, "AWS ` +
        `Regions"); give the code, e.g. eu-central-1 for Frankfurt or us-east-1 for N. Virginia`,
    );
  }
  return problems;
}
