/**
 * I/O orchestration of `msgw check`: DNS lookups, then the SMTP and POP3 probes of every gateway
 * (in parallel), then the pure evaluation and report.
 */
import { lookupA, lookupMx, makeResolver } from "./dns-probe";
import { evaluateGateway, evaluatePool } from "./evaluate";
import { buildReport } from "./report";
import { formatResolverAddress } from "./resolver-address";
import { probePop3, probeSmtp } from "./starttls-probe";
import type {
  CheckReport,
  CheckTargets,
  GatewayObservation,
  GatewayTarget,
  ResolverAddress,
  StarttlsObservation,
} from "./types";

/** How to run the check. */
export interface CheckSettings {
  /** DNS server to ask; undefined: the system resolver. */
  resolver: ResolverAddress | undefined;
  /** PEM CA bundle and a description of where it came from; undefined: Node's public roots. */
  trust: { pem: string; source: string } | undefined;
  /** Certificates expiring in fewer days are problems. */
  minDays: number;
  /** Bound on each network step. */
  timeoutMs: number;
  ports: { smtp: number; pop3: number };
  /** True when the targets are the stack's complete gateway list. */
  complete: boolean;
}

function unreachable(
  protocol: "SMTP" | "POP3",
  port: number,
  hostname: string,
): StarttlsObservation {
  return {
    protocol,
    port,
    address: "(none)",
    error: `not probed: ${hostname} has no A record and the stack gave no address`,
    starttlsOffered: undefined,
    tlsVersion: undefined,
    chainError: undefined,
    certificate: undefined,
  };
}

async function observe(
  target: GatewayTarget,
  settings: CheckSettings,
  resolver: ReturnType<typeof makeResolver>,
): Promise<GatewayObservation> {
  const a = await lookupA(resolver, target.hostname);
  // Probe what senders reach: the published address; fall back to the stack's address.
  const address = a.ok && a.records.length > 0 ? a.records[0] : target.address;
  if (address === undefined) {
    return {
      target,
      a,
      smtp: unreachable("SMTP", settings.ports.smtp, target.hostname),
      pop3: unreachable("POP3", settings.ports.pop3, target.hostname),
    };
  }
  const probe = {
    address,
    hostname: target.hostname,
    ca: settings.trust?.pem,
    timeoutMs: settings.timeoutMs,
  };
  const [smtp, pop3] = await Promise.all([
    probeSmtp({ ...probe, port: settings.ports.smtp }),
    probePop3({ ...probe, port: settings.ports.pop3 }),
  ]);
  return { target, a, smtp, pop3 };
}

/** Checks every gateway of `targets` and returns the report (never throws for network failures). */
export async function runCheck(
  targets: CheckTargets,
  settings: CheckSettings,
  now: () => Date = () => new Date(),
): Promise<CheckReport> {
  const resolver = makeResolver(settings.resolver, settings.timeoutMs);
  const mx = await lookupMx(resolver, targets.mailDomain);
  const observations = await Promise.all(
    targets.gateways.map((g) => observe(g, settings, resolver)),
  );
  const checkedAt = now();
  const options = {
    minDays: settings.minDays,
    now: checkedAt,
    trustSource: settings.trust?.source ?? "the public root CAs bundled with Node.js",
  };
  return buildReport(
    targets.mailDomain,
    settings.resolver === undefined ? "system" : formatResolverAddress(settings.resolver),
    checkedAt,
    evaluatePool(targets.mailDomain, mx, targets.gateways, settings.complete),
    observations.map((o) => ({
      hostname: o.target.hostname,
      state: o.target.state,
      findings: evaluateGateway(o, targets.mailDomain, mx, options),
    })),
  );
}
