/**
 * Pure: turns the stack's outputs (`pulumi stack output --json`) or command-line flags into the
 * list of gateways to check. Every bad input throws {@link CheckInputError} with a message that
 * names the field, shows the value and says what is expected.
 */
import { isIP } from "node:net";
import type { CheckTargets, GatewayTarget } from "./types";

/** Bad input to the health check (outputs file or flags). */
export class CheckInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckInputError";
  }
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Lower-case, no trailing dot. */
function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `"${value}"` : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hostname(value: unknown, where: string): string {
  if (typeof value !== "string")
    throw new CheckInputError(`${where} is ${describe(value)}; expected a host name`);
  const name = normalize(value);
  if (!HOSTNAME.test(name)) {
    throw new CheckInputError(
      `${where} "${value}" is not a fully qualified host name (e.g. msgw1.example.com)`,
    );
  }
  return name;
}

function gatewayFromOutput(value: unknown, index: number): GatewayTarget {
  const where = `outputs: gateways[${index}]`;
  if (!isRecord(value)) {
    throw new CheckInputError(
      `${where} is ${describe(value)}; expected { hostname, address, state, mxPreference }`,
    );
  }
  const name = hostname(value.hostname, `${where}.hostname`);
  let address: string | undefined;
  if (value.address !== undefined && value.address !== null) {
    if (typeof value.address !== "string" || isIP(value.address) === 0) {
      throw new CheckInputError(
        `${where}.address ${describe(value.address)} of ${name} is not an IP address`,
      );
    }
    address = value.address;
  }
  const state = value.state ?? "active";
  if (state !== "active" && state !== "standby" && state !== "draining") {
    throw new CheckInputError(
      `${where}.state ${describe(state)} of ${name} must be "active", "standby" or "draining"`,
    );
  }
  let mxPreference: number | undefined;
  const pref = value.mxPreference;
  if (pref !== undefined && pref !== null) {
    if (typeof pref !== "number" || !Number.isInteger(pref) || pref < 0 || pref > 65535) {
      throw new CheckInputError(
        `${where}.mxPreference ${describe(pref)} of ${name} must be an integer 0-65535 or null`,
      );
    }
    if (state !== "active") {
      throw new CheckInputError(
        `${where} ${name} is ${state} but has mxPreference ${pref}; a ${state} host has no MX record`,
      );
    }
    mxPreference = pref;
  }
  let ports: GatewayTarget["ports"];
  if (value.ports !== undefined && value.ports !== null) {
    const p = value.ports;
    const port = (v: unknown) =>
      typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
    if (!isRecord(p) || !port(p.smtp) || !port(p.pop3)) {
      throw new CheckInputError(
        `${where}.ports ${JSON.stringify(p)} of ${name} must be { smtp, pop3 } with ports 1-65535`,
      );
    }
    ports = { smtp: p.smtp as number, pop3: p.pop3 as number };
  }
  return { hostname: name, address, state, mxPreference, ...(ports ? { ports } : {}) };
}

function assertUnique(gateways: GatewayTarget[], where: string): void {
  const seen = new Set<string>();
  for (const g of gateways) {
    if (seen.has(g.hostname))
      throw new CheckInputError(`${where}: gateway ${g.hostname} is listed twice`);
    seen.add(g.hostname);
  }
}

/**
 * Reads the targets from parsed `pulumi stack output --json`: `mailDomain`, `gateways` and, if
 * present, `caCertificatePem`.
 * @throws CheckInputError on a missing or malformed field
 */
export function targetsFromOutputs(outputs: unknown): CheckTargets {
  if (!isRecord(outputs)) {
    throw new CheckInputError(
      `outputs: expected the JSON object printed by "pulumi stack output --json", got ${describe(outputs)}`,
    );
  }
  if (outputs.mailDomain === undefined) {
    throw new CheckInputError(`outputs: "mailDomain" is missing; is this the msgw stack's output?`);
  }
  const mailDomain = hostname(outputs.mailDomain, "outputs: mailDomain");
  if (!Array.isArray(outputs.gateways) || outputs.gateways.length === 0) {
    throw new CheckInputError(
      `outputs: "gateways" is ${describe(outputs.gateways)}; expected a non-empty array of { hostname, address, state, mxPreference }`,
    );
  }
  const gateways = outputs.gateways.map(gatewayFromOutput);
  assertUnique(gateways, "outputs");
  const ca = outputs.caCertificatePem;
  // "[secret]" or a missing value: the operator passes --ca instead.
  const caCertificatePem =
    typeof ca === "string" && ca.includes("BEGIN CERTIFICATE") ? ca : undefined;
  return { mailDomain, gateways, caCertificatePem };
}

/**
 * Builds the targets from `--mail-domain` and repeated `--gateway HOST[=ADDRESS]` flags. Such
 * gateways are taken as active with an unknown MX preference.
 * @throws CheckInputError on a missing or malformed flag
 */
export function targetsFromFlags(
  mailDomain: string | undefined,
  gateways: readonly string[],
): CheckTargets {
  if (mailDomain === undefined || gateways.length === 0) {
    throw new CheckInputError(
      "nothing to check: give --outputs FILE (from pulumi stack output --json), or --mail-domain and at least one --gateway HOST",
    );
  }
  const domain = hostname(mailDomain, "--mail-domain");
  const targets = gateways.map((flag): GatewayTarget => {
    const [name, address, ...rest] = flag.split("=");
    if (rest.length > 0 || (address !== undefined && isIP(address) === 0)) {
      throw new CheckInputError(`--gateway "${flag}" must be HOST or HOST=IP-ADDRESS`);
    }
    return {
      hostname: hostname(name, "--gateway"),
      address,
      state: "active",
      mxPreference: undefined,
    };
  });
  assertUnique(targets, "flags");
  return { mailDomain: domain, gateways: targets, caCertificatePem: undefined };
}
