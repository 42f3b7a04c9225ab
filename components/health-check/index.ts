/**
 * I/O: `msgw check`, an operator's health check of every gateway of a pool, run from the operator's
 * machine: the mail domain's MX set (null MX, implicit MX, aliases, address literals), each
 * gateway's A and AAAA records and CNAME chain, SMTP on 25 and POP3 on 110 with STARTTLS, each
 * certificate's names against the host name, its usage, key and signature, and the validity of
 * every certificate of its chain, and DANE (the MX, A and TLSA answers validated by the resolver,
 * each TLSA record matched against the certificate the host presents). Prints a report and exits 0 (no problem; warnings allowed), 1 (a
 * problem) or 2 (bad input). `--wait` turns it into the readiness gate of one host.
 *
 * @example
 * ```sh
 * msgw check --stack prod
 * msgw check --outputs outputs.json --ca pool-ca.pem --json
 * msgw check --mail-domain msgw.example.com --gateway msgw1.example.com --gateway msgw2.example.com
 * msgw check --wait 900 --gateway msgw1.example.com=203.0.113.11 --ca-env MSGW_CHECK_CA_PEM
 * msgw check --wait 900 --gateway msgw1.example.com=203.0.113.11 --dane require --resolver 10.0.0.53
 * ```
 */
import { readFileSync } from "node:fs";
import { shippedDoc } from "../package-files";
import type { Command } from "commander";
import { parseCheckOptions, CHECK_DEFAULTS, type RawCheckOptions } from "./options";
import { exitCodeOf, renderText } from "./report";
import { runCheck, type CheckSettings } from "./run-check";
import { readStackOutputs } from "./stack-outputs";
import { CheckInputError, targetsFromFlags, targetsFromOutputs } from "./targets";
import type { CheckReport, CheckTargets } from "./types";
import { waitUntilReady } from "./wait";

export { CheckInputError, targetsFromFlags, targetsFromOutputs } from "./targets";
export { parseResolverAddress, formatResolverAddress } from "./resolver-address";
export { parseCheckOptions, CHECK_DEFAULTS } from "./options";
export type { CheckOptions, RawCheckOptions } from "./options";
export {
  evaluateGateway,
  evaluatePool,
  isAnswer,
  lookupErrorWords,
  unusableAddress,
} from "./evaluate";
export type { EvaluateOptions } from "./evaluate";
export { buildReport, renderText, exitCodeOf } from "./report";
export {
  certificateFacts,
  chainCertificate,
  daysLeft,
  dnsNamesOf,
  ipAddressesOf,
  sanMatches,
  unusableSanReason,
} from "./certificate-facts";
export { printable, quoteServerText } from "./printable";
export { runCheck, gatewayBounds } from "./run-check";
export { evaluateDane, relabelBogus } from "./dane-evaluate";
export type { DaneEvaluateOptions, DaneEvaluation, DaneMode } from "./dane-evaluate";
export {
  associationData,
  chainsToPublicRoot,
  daneEeRecord,
  formatTlsa,
  matchTlsa,
  recordMatches,
  showTlsa,
  unusableReason,
} from "./tlsa";
export type { TlsaMatch } from "./tlsa";
export {
  secureLookup,
  secureMx,
  secureA,
  secureTlsa,
  tlsaName,
  daneResolver,
} from "./dnssec-lookup";
export { waitUntilReady, WAIT_INTERVAL_MS } from "./wait";
export type { WaitResult } from "./wait";
export { readStackOutputs, stackOutputArgs } from "./stack-outputs";
export { MAX_LINE_BYTES, MAX_READ_BYTES } from "./line-socket";
export { MAX_REPLY_LINES } from "./starttls-probe";
export type { CheckSettings } from "./run-check";
export type * from "./types";

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CheckInputError(
      `cannot read ${what} "${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** Reads files, the stack and the environment, and builds targets + settings (throws CheckInputError). */
async function prepare(
  raw: RawCheckOptions,
  env: NodeJS.ProcessEnv,
): Promise<{
  targets: CheckTargets;
  settings: CheckSettings;
  json: boolean;
  waitSeconds: number | undefined;
}> {
  const options = parseCheckOptions(raw);
  let targets: CheckTargets;
  if (options.source.kind === "outputs") {
    const text = readText(options.source.file, "--outputs");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CheckInputError(
        `--outputs "${options.source.file}" is not JSON (${(error as Error).message}); write it with "pulumi stack output --json"`,
      );
    }
    targets = targetsFromOutputs(parsed);
  } else if (options.source.kind === "stack") {
    targets = targetsFromOutputs(await readStackOutputs(options.source.stack, env.MSGW_PULUMI));
  } else {
    const gateway = options.source.gateways[0] ?? "";
    // Wait mode checks one host before any MX record exists: the mail domain only names the report.
    const mailDomain =
      options.source.mailDomain ??
      (options.waitSeconds !== undefined ? gateway.split("=")[0] : undefined);
    targets = targetsFromFlags(mailDomain, options.source.gateways);
  }
  // One place for the ports: outputs that carry them win over nothing, and conflict with a flag.
  const portFlags = [
    ...(raw.smtpPort !== undefined ? ["--smtp-port"] : []),
    ...(raw.pop3Port !== undefined ? ["--pop3-port"] : []),
  ];
  if (portFlags.length > 0 && targets.gateways.some((g) => g.ports !== undefined)) {
    throw new CheckInputError(
      `${portFlags.join(" and ")}: the stack outputs carry the ports the pool uses (gateways[].ports); drop the option`,
    );
  }
  let trust: CheckSettings["trust"];
  if (options.caFile !== undefined || options.caEnv !== undefined) {
    const pem =
      options.caFile !== undefined
        ? readText(options.caFile, "--ca")
        : (env[options.caEnv as string] ?? "");
    const where =
      options.caFile !== undefined
        ? `--ca "${options.caFile}"`
        : `--ca-env ${options.caEnv as string}`;
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new CheckInputError(`${where} holds no PEM certificate`);
    }
    trust = {
      pem,
      source:
        options.caFile !== undefined
          ? `the CA file ${options.caFile}`
          : `the CA in $${options.caEnv as string}`,
    };
  } else if (targets.caCertificatePem !== undefined) {
    trust = { pem: targets.caCertificatePem, source: "the pool CA from the stack outputs" };
  }
  return {
    targets,
    json: options.json,
    waitSeconds: options.waitSeconds,
    settings: {
      resolver: options.resolver,
      trust,
      minDays: options.minDays,
      warnDays: options.warnDays,
      timeoutMs: options.timeoutMs,
      deadlineMs: options.deadlineMs,
      ports: options.ports,
      complete: options.source.kind !== "flags",
      dane: options.dane,
    },
  };
}

/**
 * Adds `check` to the msgw CLI. Sets `process.exitCode`: 0 healthy (warnings allowed), 1 problems
 * (in wait mode: not ready in time), 2 bad input.
 */
export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description(
      "check every gateway of a pool from here: MX and A/AAAA records, SMTP and POP3 with STARTTLS (the ports in the stack outputs, else 25 and 110), certificate names, usage, keys, chain and expiry, and DANE (TLSA records against the certificates, DNSSEC-validated)",
    )
    .option(
      "--outputs <file>",
      "stack outputs written by `pulumi stack output --json` (gateways, mailDomain)",
    )
    .option(
      "--stack <name>",
      "read the outputs of this stack through the Pulumi CLI (instead of --outputs)",
    )
    .option("--mail-domain <domain>", "the pool's mail domain (instead of --outputs)")
    .option(
      "--gateway <host[=address]>",
      "a gateway host name, optionally with its expected address; repeat for each (instead of --outputs)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      "--resolver <ip[:port]>",
      "DNS server to ask instead of the system resolver (for DANE: a validating one; its AD bit is read)",
    )
    .option(
      "--ca <file>",
      "PEM CA certificate(s) to verify against (default: the pool CA in the outputs, else public roots)",
    )
    .option("--ca-env <name>", "like --ca, but the PEM is in this environment variable")
    .option(
      "--min-days <n>",
      `a certificate (or CA) with fewer days left is a problem (default ${CHECK_DEFAULTS.minDays})`,
    )
    .option(
      "--warn-days <n>",
      `a certificate (or CA) with fewer days left is a warning (default ${CHECK_DEFAULTS.warnDays})`,
    )
    .option(
      "--timeout <ms>",
      `bound on each network step: connect, one reply, the TLS handshake, one DNS try (default ${CHECK_DEFAULTS.timeoutMs})`,
    )
    .option(
      "--deadline <ms>",
      `bound on everything checked for one gateway (default ${CHECK_DEFAULTS.deadlineMs})`,
    )
    .option(
      "--wait <seconds>",
      "readiness gate: check the one --gateway HOST=ADDRESS until SMTP and POP3 pass, at most this long",
    )
    .option(
      "--dane <mode>",
      "DANE: auto checks every MX host and gateway that has TLSA records (default), require makes every one need matching, DNSSEC-validated TLSA records (with --wait: the gate of a DANE pool), off skips it (the default with --wait)",
    )
    .option("--smtp-port <port>", `SMTP port (default ${CHECK_DEFAULTS.smtpPort})`)
    .option("--pop3-port <port>", `POP3 port (default ${CHECK_DEFAULTS.pop3Port})`)
    .option("--json", `print the report as JSON (shape: ${shippedDoc("mail-path.md")})`)
    .action(async (raw: RawCheckOptions, command: Command) => {
      let prepared: Awaited<ReturnType<typeof prepare>>;
      try {
        prepared = await prepare(raw, process.env);
      } catch (error) {
        if (error instanceof CheckInputError)
          command.error(`msgw check: ${error.message}`, { exitCode: 2, code: "msgw.check.input" });
        throw error;
      }
      let report: CheckReport;
      if (prepared.waitSeconds !== undefined) {
        const result = await waitUntilReady(
          prepared.targets,
          prepared.settings,
          prepared.waitSeconds,
          (line) => process.stderr.write(`${line}\n`),
        );
        report = result.report;
        process.stderr.write(
          result.ready
            ? `msgw check: ${prepared.targets.gateways[0]?.hostname} is ready (attempt ${result.attempts})\n`
            : `msgw check: ${prepared.targets.gateways[0]?.hostname} did not become ready within ${prepared.waitSeconds} s (${result.attempts} attempts); its MX record must not be created\n`,
        );
      } else {
        report = await runCheck(prepared.targets, prepared.settings);
      }
      process.stdout.write(
        prepared.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report),
      );
      process.exitCode = exitCodeOf(report);
    });
}
