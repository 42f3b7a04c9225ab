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
  caEnv?: string;
  stack?: string;
  minDays?: string;
  warnDays?: string;
  timeout?: string;
  deadline?: string;
  wait?: string;
  smtpPort?: string;
  pop3Port?: string;
  dane?: string;
  json?: boolean;
}

/** Validated options. */
export interface CheckOptions {
  source:
    | { kind: "outputs"; file: string }
    | { kind: "stack"; stack: string }
    | { kind: "flags"; mailDomain: string | undefined; gateways: string[] };
  resolver: ResolverAddress | undefined;
  caFile: string | undefined;
  /** Environment variable holding the PEM CA bundle (`--ca-env`). */
  caEnv: string | undefined;
  minDays: number;
  warnDays: number;
  timeoutMs: number;
  /** Total bound per gateway, ms. */
  deadlineMs: number;
  /** Wait mode: seconds to wait for one gateway to become ready; undefined: one check. */
  waitSeconds: number | undefined;
  ports: { smtp: number; pop3: number };
  /**
   * `auto`: verify DANE for every host that has TLSA records; `require`: every host must have
   * DNSSEC-validated TLSA records that match; `off`: no DNSSEC lookups. Default: `auto`, and
   * `off` in wait mode.
   */
  dane: "auto" | "require" | "off";
  json: boolean;
}

/**
 * Defaults: 30 days matches the pool's early-renewal window and 45 days warns two weeks before
 * that; 10 s per network step and 60 s in total per gateway (a full SMTP and POP3 dialog takes
 * six steps each, run side by side).
 */
export const CHECK_DEFAULTS = {
  minDays: 30,
  warnDays: 45,
  timeoutMs: 10_000,
  deadlineMs: 60_000,
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
  const flags = raw.mailDomain !== undefined || gateways.length > 0;
  const given = [raw.outputs !== undefined, raw.stack !== undefined, flags].filter(Boolean).length;
  if (given > 1) {
    throw new CheckInputError(
      "give one of --outputs FILE, --stack NAME, or --mail-domain with --gateway, not several",
    );
  }
  if (raw.ca !== undefined && raw.caEnv !== undefined) {
    throw new CheckInputError("give --ca FILE or --ca-env NAME, not both");
  }
  if (raw.caEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.caEnv)) {
    throw new CheckInputError(`--ca-env "${raw.caEnv}" is not an environment variable name`);
  }
  if (raw.stack !== undefined && !/^[A-Za-z0-9._/-]{1,200}$/.test(raw.stack)) {
    throw new CheckInputError(
      `--stack "${raw.stack}" is not a stack name (letters, digits, . _ - and / for org/project/stack)`,
    );
  }
  const waitSeconds =
    raw.wait === undefined ? undefined : integer("--wait", raw.wait, 0, 1, 86_400);
  if (waitSeconds !== undefined && (gateways.length !== 1 || !gateways[0]?.includes("="))) {
    throw new CheckInputError(
      "--wait checks one gateway: give exactly one --gateway HOST=ADDRESS (no --outputs or --stack)",
    );
  }
  if (raw.dane !== undefined && !["auto", "require", "off"].includes(raw.dane)) {
    throw new CheckInputError(
      `--dane "${raw.dane}" must be auto (check hosts that publish TLSA records), require (every host must have matching, DNSSEC-validated TLSA records) or off`,
    );
  }
  const minDays = integer("--min-days", raw.minDays, CHECK_DEFAULTS.minDays, 0, 3650);
  const warnDays = integer(
    "--warn-days",
    raw.warnDays,
    Math.max(CHECK_DEFAULTS.warnDays, minDays),
    0,
    3650,
  );
  if (warnDays < minDays) {
    throw new CheckInputError(
      `--warn-days ${warnDays} is below --min-days ${minDays}; warnings come before problems`,
    );
  }
  return {
    source:
      raw.outputs !== undefined
        ? { kind: "outputs", file: raw.outputs }
        : raw.stack !== undefined
          ? { kind: "stack", stack: raw.stack }
          : { kind: "flags", mailDomain: raw.mailDomain, gateways },
    resolver: raw.resolver === undefined ? undefined : parseResolverAddress(raw.resolver),
    caFile: raw.ca,
    caEnv: raw.caEnv,
    minDays,
    warnDays,
    timeoutMs: integer("--timeout", raw.timeout, CHECK_DEFAULTS.timeoutMs, 100, 120_000),
    deadlineMs: integer("--deadline", raw.deadline, CHECK_DEFAULTS.deadlineMs, 1_000, 600_000),
    waitSeconds,
    ports: {
      smtp: integer("--smtp-port", raw.smtpPort, CHECK_DEFAULTS.smtpPort, 1, 65535),
      pop3: integer("--pop3-port", raw.pop3Port, CHECK_DEFAULTS.pop3Port, 1, 65535),
    },
    dane: (raw.dane ?? (waitSeconds === undefined ? "auto" : "off")) as CheckOptions["dane"],
    json: raw.json === true,
  };
}
