/**
 * I/O orchestration of `msgw check`: DNS lookups, then the SMTP and POP3 probes of every gateway
 * (in parallel), then the pure evaluation and report. Every gateway has a total deadline, so a
 * slow or hostile server bounds the check instead of stretching it.
 */
import { makeResolver, observeDomain, observeName } from "./dns-probe";
import { evaluateGateway, evaluatePool, type EvaluateOptions } from "./evaluate";
import type { Bounds } from "./line-socket";
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
  /** Certificates (at any depth of the chain) expiring in fewer days are problems. */
  minDays: number;
  /** Certificates expiring in fewer days are warnings (default: minDays, no warnings). */
  warnDays?: number;
  /** Bound on each network step (connect, one reply, the TLS handshake, one DNS try). */
  timeoutMs: number;
  /** Bound on everything done for one gateway (default: 6 steps). */
  deadlineMs?: number;
  ports: { smtp: number; pop3: number };
  /** True when the targets are the stack's complete gateway list. */
  complete: boolean;
  /** `readiness`: skip DNS, probe the given address only (wait mode). */
  scope?: "full" | "readiness";
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

/** The deadline of one gateway's checks. */
export function gatewayBounds(settings: CheckSettings, start = Date.now()): Bounds {
  const totalMs = settings.deadlineMs ?? settings.timeoutMs * 6;
  return { stepMs: settings.timeoutMs, deadline: start + totalMs, totalMs };
}

async function observe(
  target: GatewayTarget,
  settings: CheckSettings,
  resolver: ReturnType<typeof makeResolver>,
): Promise<GatewayObservation> {
  const bounds = gatewayBounds(settings);
  const readiness = settings.scope === "readiness";
  const dns = readiness ? undefined : await observeName(resolver, target.hostname, bounds.deadline);
  const a = dns?.a ?? {
    ok: true as const,
    records: target.address === undefined ? [] : [target.address],
  };
  // Probe what senders reach: the published address; fall back to the stack's address.
  const address = readiness
    ? target.address
    : a.ok && a.records.length > 0
      ? a.records[0]
      : target.address;
  const probe = { hostname: target.hostname, ca: settings.trust?.pem, bounds };
  // The ports the stack published for this gateway, else the command line's.
  const ports = target.ports ?? settings.ports;
  const v6 = dns !== undefined && dns.aaaa.ok ? dns.aaaa.records : [];
  const [smtp, pop3, ...smtpIpv6] = await Promise.all([
    address === undefined
      ? unreachable("SMTP", ports.smtp, target.hostname)
      : probeSmtp({ ...probe, address, port: ports.smtp }),
    address === undefined
      ? unreachable("POP3", ports.pop3, target.hostname)
      : probePop3({ ...probe, address, port: ports.pop3 }),
    ...v6.map((v6address) => probeSmtp({ ...probe, address: v6address, port: ports.smtp })),
  ]);
  return {
    target,
    a,
    dns,
    smtp: smtp as StarttlsObservation,
    pop3: pop3 as StarttlsObservation,
    smtpIpv6,
    deadlineHit: Date.now() > bounds.deadline,
  };
}

/** The evaluation settings implied by the check settings at time `now`. */
export function evaluateOptions(settings: CheckSettings, now: Date): EvaluateOptions {
  return {
    minDays: settings.minDays,
    warnDays: settings.warnDays,
    now,
    trustSource: settings.trust?.source ?? "the public root CAs bundled with Node.js",
    poolCa: settings.trust !== undefined,
    scope: settings.scope,
  };
}

/** Checks every gateway of `targets` and returns the report (never throws for network failures). */
export async function runCheck(
  targets: CheckTargets,
  settings: CheckSettings,
  now: () => Date = () => new Date(),
): Promise<CheckReport> {
  const resolver = makeResolver(settings.resolver, settings.timeoutMs);
  const readiness = settings.scope === "readiness";
  const domainBounds = gatewayBounds(settings);
  const [domain, observations] = await Promise.all([
    readiness ? undefined : observeDomain(resolver, targets.mailDomain, domainBounds.deadline),
    Promise.all(targets.gateways.map((g) => observe(g, settings, resolver))),
  ]).finally(() => {
    // Lookups given up at a deadline would otherwise keep the process alive for their own
    // timeouts and tries.
    resolver.cancel();
  });
  const checkedAt = now();
  const options = evaluateOptions(settings, checkedAt);
  const mx = domain ?? { ok: true as const, records: [] };
  return buildReport(
    targets.mailDomain,
    readiness
      ? "none (wait mode)"
      : settings.resolver === undefined
        ? "system"
        : formatResolverAddress(settings.resolver),
    checkedAt,
    domain === undefined
      ? []
      : evaluatePool(targets.mailDomain, domain, targets.gateways, settings.complete),
    observations.map((o) => ({
      hostname: o.target.hostname,
      state: o.target.state,
      findings: evaluateGateway(o, targets.mailDomain, mx, options),
    })),
  );
}
