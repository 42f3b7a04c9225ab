/** Pure: validates the numeric and file-independent options of `msgw check`. */
import { parseResolverAddress } from "./resolver-address";
import { CheckInputError } from "./targets";
import type { ResolverAddress } from "./types";

/** The options as commander hands them over (strings, repeated flags as arrays). */
export interface RawCheckOptions {
  outputs?: string;
  mailDomain?: string;
  gateway?: string[];
  resolver?: string;
  ca?: string;
  minDays?: string;
  timeout?: string;
  smtpPort?: string;
  pop3Port?: string;
  json?: boolean;
}

/** Validated options. */
export interface CheckOptions {
  source:
    | { kind: "outputs"; file: string }
    | { kind: "flags"; mailDomain: string | undefined; gateways: string[] };
  resolver: ResolverAddress | undefined;
  caFile: string | undefined;
  minDays: number;
  timeoutMs: number;
  ports: { smtp: number; pop3: number };
  json: boolean;
}

/** Defaults: 30 days matches the pool's early-renewal window; 10 s per network step. */
export const CHECK_DEFAULTS = {
  minDays: 30,
  timeoutMs: 10_000,
  smtpPort: 25,
  pop3Port: 110,
} as const;

function integer(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new CheckInputError(`${flag} "${value}" must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/**
 * @throws CheckInputError naming the bad flag and its value
 */
export function parseCheckOptions(raw: RawCheckOptions): CheckOptions {
  const gateways = raw.gateway ?? [];
  if (raw.outputs !== undefined && (raw.mailDomain !== undefined || gateways.length > 0)) {
    throw new CheckInputError(
      "give either --outputs FILE or --mail-domain with --gateway, not both",
    );
  }
  return {
    source:
      raw.outputs !== undefined
        ? { kind: "outputs", file: raw.outputs }
        : { kind: "flags", mailDomain: raw.mailDomain, gateways },
    resolver: raw.resolver === undefined ? undefined : parseResolverAddress(raw.resolver),
    caFile: raw.ca,
    minDays: integer("--min-days", raw.minDays, CHECK_DEFAULTS.minDays, 0, 3650),
    timeoutMs: integer("--timeout", raw.timeout, CHECK_DEFAULTS.timeoutMs, 100, 120_000),
    ports: {
      smtp: integer("--smtp-port", raw.smtpPort, CHECK_DEFAULTS.smtpPort, 1, 65535),
      pop3: integer("--pop3-port", raw.pop3Port, CHECK_DEFAULTS.pop3Port, 1, 65535),
    },
    json: raw.json === true,
  };
}
