/**
 * I/O: what DANE needs, asked of the validating resolver the check is pointed at: the mail
 * domain's MX answer, and per host (every MX target and every gateway) its A and TLSA answers
 * with the AD bit. MX hosts that are not gateways of the check and publish TLSA records get an
 * SMTP probe of their own, so their certificate can be matched too. Every lookup and probe is
 * bounded by the same deadline.
 */
import { looksLikeAddress } from "./dns-probe";
import { secureA, secureMx, secureTlsa, tlsaName, type SecureLookupBounds } from "./dnssec-lookup";
import type { Bounds } from "./line-socket";
import { formatResolverAddress } from "./resolver-address";
import { probeSmtp } from "./starttls-probe";
import type {
  DaneHostObservation,
  DaneObservation,
  ResolverAddress,
  StarttlsObservation,
} from "./types";

/** Where and how to look. */
export interface DaneProbeInput {
  resolver: ResolverAddress;
  mailDomain: string;
  /** Host names of the gateways of the check. */
  gateways: readonly string[];
  /** The SMTP probe of a gateway (run by the check beside these lookups). */
  smtpOf: (hostname: string) => Promise<StarttlsObservation | undefined>;
  smtpPort: number;
  /** `readiness`: no MX or A lookups; the gateways' TLSA only. */
  scope: "full" | "readiness";
  /** PEM CA certificates for the probes of other MX hosts (the chain is recorded either way). */
  ca: string | undefined;
  bounds: Bounds;
  timeoutMs: number;
}

/** Looks up the MX answer and every host's A and TLSA answers; probes other MX hosts. */
export async function observeDane(input: DaneProbeInput): Promise<DaneObservation> {
  const dns: SecureLookupBounds = { timeoutMs: input.timeoutMs, deadline: input.bounds.deadline };
  const readiness = input.scope === "readiness";
  const mx = readiness ? undefined : await secureMx(input.resolver, input.mailDomain, dns);
  const mxHosts =
    mx?.status === "records"
      ? [
          ...new Set(
            // In preference order, whatever order the resolver rotated the answer into.
            [...mx.records]
              .sort((x, y) => x.priority - y.priority || x.exchange.localeCompare(y.exchange))
              .map((r) => r.exchange),
          ),
        ].filter((e) => e !== "" && !looksLikeAddress(e))
      : [];
  const names = [...new Set([...mxHosts, ...input.gateways])];
  const hosts = await Promise.all(
    names.map(async (hostname): Promise<DaneHostObservation> => {
      const name = tlsaName(hostname, input.smtpPort);
      const [a, tlsa] = await Promise.all([
        readiness ? undefined : secureA(input.resolver, hostname, dns),
        secureTlsa(input.resolver, name, dns),
      ]);
      const gateway = input.gateways.includes(hostname);
      let smtp = gateway ? await input.smtpOf(hostname) : undefined;
      const address = a?.status === "records" ? a.records[0] : undefined;
      if (!gateway && tlsa.status === "records" && address !== undefined) {
        smtp = await probeSmtp({
          address,
          port: input.smtpPort,
          hostname,
          ca: input.ca,
          bounds: input.bounds,
        });
      }
      return { hostname, tlsaName: name, a, tlsa, mx: mxHosts.includes(hostname), smtp };
    }),
  );
  return { resolver: formatResolverAddress(input.resolver), mx, hosts };
}
