/**
 * I/O orchestration of `msgw check`: DNS lookups, then the SMTP and POP3 probes of every gateway
 * (in parallel), then the pure evaluation and report. Every gateway has a total deadline, so a
 * slow or hostile server bounds the check instead of stretching it.
 */
import { evaluateDane, relabelBogus, type DaneEvaluation } from "./dane-evaluate";
import { observeDane } from "./dane-probe";
import { daneResolver } from "./dnssec-lookup";
import { makeResolver, observeDomain, observeName } from "./dns-probe";
import { evaluateGateway, evaluatePool, type EvaluateOptions } from "./evaluate";
import type { Bounds } from "./line-socket";
import { buildReport } from "./report";
import { formatResolverAddress } from "./resolver-address";
import { probePop3, probeSmtp } from "./starttls-probe";
import type {
  CheckReport,
  CheckTargets,
  DaneObservation,
  Finding,
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
  /** DANE verification (see CheckOptions.dane); default `off`. */
  dane?: "auto" | "require" | "off";
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
  const observing = Promise.all(targets.gateways.map((g) => observe(g, settings, resolver)));
  const [domain, observations, daneObservation] = await Promise.all([
    readiness ? undefined : observeDomain(resolver, targets.mailDomain, domainBounds.deadline),
    observing,
    // DNSSEC lookups run beside the probes; only the matching waits for the certificates.
    lookUpDane(targets, settings, observing),
  ]).finally(() => {
    // Lookups given up at a deadline would otherwise keep the process alive for their own
    // timeouts and tries.
    resolver.cancel();
  });
  const checkedAt = now();
  const options = evaluateOptions(settings, checkedAt);
  const mx = domain ?? { ok: true as const, records: [] };
  const dane = evaluateDaneObservation(targets, settings, daneObservation, checkedAt);
  // A SERVFAIL that the DNSSEC lookups proved bogus is named as such by every check.
  const bogus = new Set<string>();
  if (daneObservation !== undefined && daneObservation !== "none") {
    if (daneObservation.mx?.status === "bogus") bogus.add(targets.mailDomain);
    for (const h of daneObservation.hosts) if (h.a?.status === "bogus") bogus.add(h.hostname);
  }
  const resolverText =
    settings.resolver === undefined ? "system" : formatResolverAddress(settings.resolver);
  return buildReport(
    targets.mailDomain,
    readiness
      ? dane === undefined
        ? "none (wait mode)"
        : `${dane.report.resolver} (TLSA only, wait mode)`
      : resolverText,
    checkedAt,
    [
      ...relabelBogus(
        domain === undefined
          ? []
          : evaluatePool(targets.mailDomain, domain, targets.gateways, settings.complete),
        bogus,
      ),
      ...(dane?.pool ?? []),
    ],
    observations.map((o) => ({
      hostname: o.target.hostname,
      state: o.target.state,
      findings: [
        ...relabelBogus(evaluateGateway(o, targets.mailDomain, mx, options), bogus),
        ...(dane?.byHost.get(o.target.hostname) ?? []),
      ],
    })),
    dane?.report,
  );
}

const noResolver = (): Finding => ({
  check: "DANE",
  ok: false,
  severity: "problem",
  message:
    "no resolver to ask for DNSSEC-validated answers: the system has no name server configured; give --resolver with a validating resolver, or --dane off",
});

/** The DANE lookups, or undefined with `--dane off` ("none" without any resolver to ask). */
async function lookUpDane(
  targets: CheckTargets,
  settings: CheckSettings,
  observing: Promise<GatewayObservation[]>,
): Promise<DaneObservation | "none" | undefined> {
  if ((settings.dane ?? "off") === "off") return undefined;
  const server = daneResolver(settings.resolver);
  if (server === undefined) return "none";
  return observeDane({
    resolver: server,
    mailDomain: targets.mailDomain,
    smtpOf: async (hostname) => (await observing).find((o) => o.target.hostname === hostname)?.smtp,
    gateways: targets.gateways.map((g) => g.hostname),
    smtpPort: settings.ports.smtp,
    scope: settings.scope ?? "full",
    ca: settings.trust?.pem,
    bounds: gatewayBounds(settings),
    timeoutMs: settings.timeoutMs,
  });
}

/** The DANE verdicts, or undefined with `--dane off`. */
function evaluateDaneObservation(
  targets: CheckTargets,
  settings: CheckSettings,
  observation: DaneObservation | "none" | undefined,
  checkedAt: Date,
): DaneEvaluation | undefined {
  const mode = settings.dane ?? "off";
  if (mode === "off" || observation === undefined) return undefined;
  if (observation === "none") {
    return {
      pool: [noResolver()],
      byHost: new Map(),
      report: {
        mode,
        resolver: "none",
        mxAuthenticated: null,
        hosts: [],
        covered: [],
        uncovered: [],
      },
    };
  }
  return evaluateDane(observation, {
    mode,
    mailDomain: targets.mailDomain,
    gateways: targets.gateways.map((g) => g.hostname),
    now: checkedAt,
    scope: settings.scope ?? "full",
  });
}
