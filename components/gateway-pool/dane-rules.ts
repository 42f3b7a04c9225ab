// Pure: rules of GatewayPoolArgs.dane that compare it with other arguments (called from poolRules). They read the
// arguments defensively, like poolRules: a field that failed its own rule is skipped here.
import type * as z from "zod";
import type { GatewayPoolArgs } from "./args";
import { isInZone, isValidHostName, normalizeDnsName, report, show } from "../schema";
import { spkiOfPem } from "./plan/dane";

type Ctx = z.core.$RefinementCtx<unknown>;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string";

/** Cloudflare serves TTL 1 ("automatic") as 300 seconds (Cloudflare DNS docs, "Time to Live (TTL)"). */
export const AUTOMATIC_TTL_SECONDS = 300;

/** Cross-argument rules of `dane`; each problem is reported at the path it concerns. */
export function daneRules(a: Partial<Record<keyof GatewayPoolArgs, unknown>>, ctx: Ctx): void {
  if (!isObject(a.dane)) return;
  const dane = a.dane as Partial<Record<keyof NonNullable<GatewayPoolArgs["dane"]>, unknown>>;
  const hosts = Array.isArray(a.hosts) ? (a.hosts as unknown[]) : [];
  const hostNames = new Set(
    hosts
      .map((h) => (isObject(h) ? h.hostname : undefined))
      .filter((n): n is string => isString(n) && isValidHostName(n))
      .map(normalizeDnsName),
  );
  if (isObject(dane.keys)) {
    for (const name of Object.keys(dane.keys)) {
      if (!isValidHostName(name) || !hostNames.has(normalizeDnsName(name))) {
        report(
          ctx,
          ["dane", "keys", name],
          `names no host of the pool; key generations are kept per host, so use one of ${[...hostNames].map((n) => `"${n}"`).join(", ") || "the hosts' names"}`,
        );
      }
    }
  }
  const legacy = isObject(a.legacy) ? a.legacy : undefined;
  if (dane.legacyPublicKeyPem !== undefined && isString(dane.legacyPublicKeyPem)) {
    if (legacy === undefined) {
      report(
        ctx,
        ["dane", "legacyPublicKeyPem"],
        "is set but there is no legacy gateway; remove it, or describe the old gateway in legacy",
      );
    } else if (dane.legacyPublicKeyPem.includes("-----BEGIN")) {
      try {
        spkiOfPem(dane.legacyPublicKeyPem);
      } catch (e) {
        report(
          ctx,
          ["dane", "legacyPublicKeyPem"],
          `cannot be read (${(e as Error).message}); paste the legacy gateway's whole PEM certificate`,
        );
      }
    }
  }
  if (dane.enabled !== true) return;

  // The pool holds no key of a Let's Encrypt certificate the gateway requests itself.
  const certs = isObject(a.certificates) ? a.certificates : {};
  if (certs.mode === "gateway-lets-encrypt") {
    report(
      ctx,
      ["dane", "enabled"],
      'is true but certificates.mode is "gateway-lets-encrypt": the gateway creates that key itself and renews it with a new key, so the pool cannot publish or roll its TLSA record. Use certificates.mode "pool-ca" or "self-signed" with DANE',
    );
  }

  // Every name with a TLSA record, and the mail domain (its MX answer), must be inside the signed zone.
  const zoneName = isObject(a.zone) ? a.zone.name : undefined;
  if (isString(zoneName) && isValidHostName(zoneName)) {
    const zone = normalizeDnsName(zoneName);
    const outside = (path: PropertyKey[], value: unknown): void => {
      if (isString(value) && isValidHostName(value) && !isInZone(normalizeDnsName(value), zone)) {
        report(
          ctx,
          path,
          `"${value}" is outside the signed zone "${zone}": a sender validates its ${path[0] === "mailDomain" ? "MX" : "TLSA"} answer only in a signed zone, so DANE would not protect it. Use a name ending in .${zone}, or turn dane off`,
        );
      }
    };
    outside(["mailDomain"], a.mailDomain);
    hosts.forEach((h, i) =>
      outside(["hosts", i, "hostname"], isObject(h) ? h.hostname : undefined),
    );
    if (legacy !== undefined && dane.legacyPublicKeyPem !== undefined) {
      outside(["legacy", "hostname"], legacy.hostname);
    }
  }

  // A rollover waits 2 x TTL before serving the next key; it must fit in the certificate's renewal window,
  // so a rollover begun when renewal falls due ends before the certificate expires (Exchange Online
  // refuses an expired certificate even under DANE-EE: NDR 5.7.322).
  const ttl = dane.ttl ?? AUTOMATIC_TTL_SECONDS;
  const early = certs.earlyRenewalDays ?? 30;
  if (Number.isInteger(ttl) && Number.isInteger(early) && certs.mode !== "gateway-lets-encrypt") {
    const seconds = 2 * (ttl === 1 ? AUTOMATIC_TTL_SECONDS : (ttl as number));
    if (seconds > (early as number) * 86400) {
      report(
        ctx,
        ["dane", "ttl"],
        `${show(ttl)} makes a key rollover wait ${seconds} s (twice the TTL), longer than certificates.earlyRenewalDays (${show(early)} days): a rollover begun when the certificate falls due for renewal would outlast it. Lower dane.ttl or raise certificates.earlyRenewalDays`,
      );
    }
  }
}
