/**
 * Pure: turns what the probes observed into verdicts. No I/O, no clock: the time comes in as
 * `now`, so every message here is pinned by unit tests.
 */
import { daysLeft } from "./certificate-facts";
import type {
  Finding,
  GatewayObservation,
  GatewayTarget,
  Lookup,
  MxObservation,
  StarttlsObservation,
} from "./types";

/** Settings that shape the verdicts. */
export interface EvaluateOptions {
  /** Certificates expiring in fewer days than this are problems. */
  minDays: number;
  now: Date;
  /** What chains were verified against, in words (e.g. `the pool CA from the stack outputs`). */
  trustSource: string;
}

const ok = (check: string, message: string): Finding => ({ check, ok: true, message });
const problem = (check: string, message: string): Finding => ({ check, ok: false, message });

function mxList(records: MxObservation[]): string {
  return [...records]
    .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange))
    .map((r) => `${r.priority} ${r.exchange}`)
    .join(", ");
}

/**
 * Checks the mail domain's MX set as a whole.
 * @param complete true when the targets are the stack's full gateway list, so an MX record
 *   pointing elsewhere is a problem; false for a hand-picked `--gateway` subset
 */
export function evaluatePool(
  mailDomain: string,
  mx: Lookup<MxObservation>,
  gateways: readonly GatewayTarget[],
  complete: boolean,
): Finding[] {
  if (!mx.ok)
    return [
      problem(
        "MX",
        `MX lookup for ${mailDomain} failed: ${mx.error}; journal mail cannot be delivered`,
      ),
    ];
  if (mx.records.length === 0)
    return [problem("MX", `${mailDomain} has no MX record; journal mail cannot be delivered`)];
  const findings = [ok("MX", `${mailDomain} MX ${mxList(mx.records)}`)];
  const known = new Set(gateways.map((g) => g.hostname));
  for (const record of mx.records) {
    if (known.has(record.exchange)) continue;
    const message = `MX ${record.priority} ${record.exchange} is not a gateway of this stack`;
    findings.push(
      complete
        ? problem("MX", `${message}; mail sent there is not archived by this pool`)
        : ok("MX", `${message} (not checked)`),
    );
  }
  return findings;
}

function evaluateA(observation: GatewayObservation): Finding {
  const { target, a } = observation;
  if (!a.ok) return problem("A", `no A record for ${target.hostname} (${a.error})`);
  if (a.records.length !== 1) {
    return problem(
      "A",
      `${a.records.length} A records (${a.records.join(", ")}); each gateway needs exactly one address of its own`,
    );
  }
  const address = a.records[0] as string;
  if (target.address !== undefined && target.address !== address) {
    return problem("A", `A record ${address}, but the stack assigned ${target.address}`);
  }
  return ok("A", address);
}

function evaluateMx(target: GatewayTarget, mailDomain: string, mx: Lookup<MxObservation>): Finding {
  if (!mx.ok)
    return problem("MX", `cannot check: MX lookup for ${mailDomain} failed (${mx.error})`);
  const mine = mx.records.filter((r) => r.exchange === target.hostname);
  if (target.state === "draining") {
    if (mine.length > 0) {
      return problem(
        "MX",
        `draining, but MX ${mine.map((r) => r.priority).join(", ")} of ${mailDomain} still points here; remove it so the host can be archived empty`,
      );
    }
    return ok("MX", `no MX record (draining)`);
  }
  if (mine.length === 0) {
    return problem(
      "MX",
      `no MX record of ${mailDomain} points here; this active gateway receives no mail`,
    );
  }
  const preferences = mine.map((r) => r.priority);
  if (target.mxPreference !== undefined && !preferences.includes(target.mxPreference)) {
    return problem(
      "MX",
      `MX preference ${preferences.join(", ")}, but the stack says ${target.mxPreference}`,
    );
  }
  return ok("MX", `${mailDomain} MX ${preferences.join(", ")} ${target.hostname}`);
}

function evaluateStarttls(
  hostname: string,
  o: StarttlsObservation,
  options: EvaluateOptions,
): Finding[] {
  const where = `${o.protocol} ${o.port}`;
  const command = o.protocol === "SMTP" ? "STARTTLS" : "STLS";
  if (o.starttlsOffered === false) {
    return [
      problem(
        o.protocol,
        `${where} at ${o.address} does not offer ${command}; credentials and mail would travel unencrypted`,
      ),
    ];
  }
  if (o.error !== undefined) return [problem(o.protocol, `${where} at ${o.address}: ${o.error}`)];
  const findings = [
    ok(o.protocol, `${where} at ${o.address}: ${command}, ${o.tlsVersion ?? "TLS"}`),
  ];
  const cert = o.certificate;
  if (cert === undefined)
    return [...findings, problem(`${o.protocol} certificate`, `${where} presented no certificate`)];

  const names =
    cert.dnsNames.length > 0 ? cert.dnsNames.join(", ") : `none (subject ${cert.subject})`;
  findings.push(
    cert.matchesHostname
      ? ok(`${o.protocol} certificate name`, `valid for ${hostname} (DNS names: ${names})`)
      : problem(
          `${o.protocol} certificate name`,
          `not valid for ${hostname}: DNS names ${names}; issue the certificate for the host's own name`,
        ),
  );

  const left = daysLeft(cert.validTo, options.now);
  const expiry = `${o.protocol} certificate expiry`;
  if (Date.parse(cert.validFrom) > options.now.getTime()) {
    findings.push(problem(expiry, `not valid before ${cert.validFrom}`));
  } else if (left < 0) {
    const ago = daysLeft(options.now.toISOString(), new Date(cert.validTo));
    const when = ago === 0 ? "today" : `${ago} day${ago === 1 ? "" : "s"} ago`;
    findings.push(problem(expiry, `expired ${when} (${cert.validTo})`));
  } else if (left < options.minDays) {
    findings.push(
      problem(
        expiry,
        `expires in ${left} days (${cert.validTo}), fewer than --min-days ${options.minDays}`,
      ),
    );
  } else {
    findings.push(ok(expiry, `${left} days left (until ${cert.validTo})`));
  }

  // An expired certificate fails the chain check with CERT_HAS_EXPIRED; the expiry line says it.
  if (o.chainError === undefined) {
    findings.push(ok(`${o.protocol} certificate chain`, `verifies against ${options.trustSource}`));
  } else if (o.chainError !== "CERT_HAS_EXPIRED") {
    findings.push(
      problem(
        `${o.protocol} certificate chain`,
        `does not verify against ${options.trustSource}: ${o.chainError}`,
      ),
    );
  }
  return findings;
}

/** Every verdict for one gateway: A, MX, then SMTP and POP3 with their certificates. */
export function evaluateGateway(
  observation: GatewayObservation,
  mailDomain: string,
  mx: Lookup<MxObservation>,
  options: EvaluateOptions,
): Finding[] {
  const { target } = observation;
  return [
    evaluateA(observation),
    evaluateMx(target, mailDomain, mx),
    ...evaluateStarttls(target.hostname, observation.smtp, options),
    ...evaluateStarttls(target.hostname, observation.pop3, options),
  ];
}
