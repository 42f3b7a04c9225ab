// Pure: the arguments checked against their schema and the rules that compare several of them.
import { gatewayPoolArgsSchema, POOL_ARGUMENT_ORDER, type GatewayPoolArgs } from "./args";
import { poolRules } from "./pool-rules";
import { problemsOf } from "../schema";

/** Every field's rule, then the rules that compare several arguments (only on an object). */
const poolSchema = gatewayPoolArgsSchema.superRefine((args, ctx) => poolRules(args, ctx), {
  when: (payload) => typeof payload.value === "object" && payload.value !== null,
});

export { isValidTtl } from "../schema/dns-ttl";

/** Thrown for arguments that would produce a broken or unsafe pool; lists every problem found. */
export class GatewayPoolArgsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "GatewayPoolArgsError";
  }
}

/**
 * Checks every argument of a pool against its schema and returns the problems found (empty when valid),
 * one line each: the argument path, the bad value and the fix, in argument order. Unknown keys are
 * problems too, with the closest known key. Values that are still Outputs (addresses, zone ids) are skipped.
 */
export function validateGatewayPoolArgs(args: GatewayPoolArgs): string[] {
  return problemsOf(poolSchema, args, POOL_ARGUMENT_ORDER);
}

/** Throws {@link GatewayPoolArgsError} listing every problem, or returns when the arguments are valid. */
export function assertValidGatewayPoolArgs(args: GatewayPoolArgs): void {
  const problems = validateGatewayPoolArgs(args);
  if (problems.length > 0) throw new GatewayPoolArgsError(problems);
}
