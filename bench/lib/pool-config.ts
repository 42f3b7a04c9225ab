/**
 * Stack config for a benchmark pool of N hosts: the dev stack's config with its host list replaced by
 * msgw1..msgwN. Pure apart from reading the dev stack file through the offline planner's reader.
 */
import { readStackConfig } from "../../tools/plan";

/** Host names of a benchmark pool: `msgw1.example.com` … `msgwN.example.com`. */
export function benchHostnames(n: number): string[] {
  if (!Number.isInteger(n) || n < 1 || n > 250) {
    throw new Error(`benchmark pool size ${n} is not an integer between 1 and 250`);
  }
  return Array.from({ length: n }, (_, i) => `msgw${i + 1}.example.com`);
}

/** The dev stack's flat config and secret keys with `msgw:pool.hosts` set to `n` hosts. */
export function benchStackConfig(n: number): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const { config, secretKeys } = readStackConfig("dev");
  const pool = JSON.parse(config["msgw:pool"]) as { hosts: unknown[] };
  pool.hosts = benchHostnames(n).map((hostname) => ({ hostname }));
  return { config: { ...config, "msgw:pool": JSON.stringify(pool) }, secretKeys };
}
