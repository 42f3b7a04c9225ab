/**
 * `msgw check`: an operator's health check of every gateway of a pool, run from the operator's
 * machine: the A and MX records as published, SMTP on 25 and POP3 on 110 with STARTTLS, each
 * certificate's names against the host name, its chain and its days to expiry. Prints a report
 * and exits non-zero on any problem (1) or on bad input (2).
 *
 * @example
 * ```sh
 * pulumi stack output --json > outputs.json
 * msgw check --outputs outputs.json --ca pool-ca.pem
 * msgw check --mail-domain msgw.example.com --gateway msgw1.example.com --gateway msgw2.example.com --json
 * ```
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseCheckOptions, CHECK_DEFAULTS, type RawCheckOptions } from "./options";
import { exitCodeOf, renderText } from "./report";
import { runCheck, type CheckSettings } from "./run-check";
import { CheckInputError, targetsFromFlags, targetsFromOutputs } from "./targets";
import type { CheckReport, CheckTargets } from "./types";

export { CheckInputError, targetsFromFlags, targetsFromOutputs } from "./targets";
export { parseResolverAddress, formatResolverAddress } from "./resolver-address";
export { parseCheckOptions, CHECK_DEFAULTS } from "./options";
export type { CheckOptions, RawCheckOptions } from "./options";
export { evaluateGateway, evaluatePool } from "./evaluate";
export type { EvaluateOptions } from "./evaluate";
export { buildReport, renderText, exitCodeOf } from "./report";
export { certificateFacts, daysLeft, dnsNamesOf } from "./certificate-facts";
export { runCheck } from "./run-check";
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

/** Reads files and builds targets + settings from the command line (throws CheckInputError). */
function prepare(raw: RawCheckOptions): {
  targets: CheckTargets;
  settings: CheckSettings;
  json: boolean;
} {
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
  } else {
    targets = targetsFromFlags(options.source.mailDomain, options.source.gateways);
  }
  let trust: CheckSettings["trust"];
  if (options.caFile !== undefined) {
    const pem = readText(options.caFile, "--ca");
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new CheckInputError(`--ca "${options.caFile}" holds no PEM certificate`);
    }
    trust = { pem, source: `the CA file ${options.caFile}` };
  } else if (targets.caCertificatePem !== undefined) {
    trust = { pem: targets.caCertificatePem, source: "the pool CA from the stack outputs" };
  }
  return {
    targets,
    json: options.json,
    settings: {
      resolver: options.resolver,
      trust,
      minDays: options.minDays,
      timeoutMs: options.timeoutMs,
      ports: options.ports,
      complete: options.source.kind === "outputs",
    },
  };
}

/** Adds `check` to the msgw CLI. Sets `process.exitCode`: 0 healthy, 1 problems, 2 bad input. */
export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description(
      "check every gateway of a pool from here: A and MX records, SMTP 25 and POP3 110 with STARTTLS, certificate names, chain and expiry",
    )
    .option(
      "--outputs <file>",
      "stack outputs written by `pulumi stack output --json` (gateways, mailDomain)",
    )
    .option("--mail-domain <domain>", "the pool's mail domain (instead of --outputs)")
    .option(
      "--gateway <host[=address]>",
      "a gateway host name, optionally with its expected address; repeat for each (instead of --outputs)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--resolver <ip[:port]>", "DNS server to ask instead of the system resolver")
    .option(
      "--ca <file>",
      "PEM CA certificate(s) to verify against (default: the pool CA in the outputs, else public roots)",
    )
    .option(
      "--min-days <n>",
      `fewest days a certificate may have left (default ${CHECK_DEFAULTS.minDays})`,
    )
    .option("--timeout <ms>", `bound on each network step (default ${CHECK_DEFAULTS.timeoutMs})`)
    .option("--smtp-port <port>", `SMTP port (default ${CHECK_DEFAULTS.smtpPort})`)
    .option("--pop3-port <port>", `POP3 port (default ${CHECK_DEFAULTS.pop3Port})`)
    .option("--json", "print the report as JSON")
    .action(async (raw: RawCheckOptions, command: Command) => {
      let prepared: ReturnType<typeof prepare>;
      try {
        prepared = prepare(raw);
      } catch (error) {
        if (error instanceof CheckInputError)
          command.error(`msgw check: ${error.message}`, { exitCode: 2, code: "msgw.check.input" });
        throw error;
      }
      const report: CheckReport = await runCheck(prepared.targets, prepared.settings);
      process.stdout.write(
        prepared.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report),
      );
      process.exitCode = exitCodeOf(report);
    });
}
