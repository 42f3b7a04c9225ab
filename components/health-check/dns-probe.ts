/**
 * I/O: the DNS lookups of the check through a chosen DNS server (or the system's), never
 * throwing. Every lookup is bounded by the resolver's own timeout and tries and, on top, by an
 * absolute deadline.
 */
import { Resolver } from "node:dns/promises";
import { formatResolverAddress } from "./resolver-address";
import type {
  CnameChain,
  DomainObservation,
  Lookup,
  MxObservation,
  NameObservation,
  ResolverAddress,
} from "./types";

/** A resolver asking `server` (or the system's configured servers), `timeoutMs` per try, 2 tries. */
export function makeResolver(server: ResolverAddress | undefined, timeoutMs: number): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (server !== undefined) resolver.setServers([formatResolverAddress(server)]);
  return resolver;
}

/** Longest CNAME chain followed (RFC 1034 3.6.2 asks resolvers to bound chains; BIND stops at 16). */
export const MAX_CNAME_HOPS = 8;

function failure(error: unknown): { ok: false; error: string } {
  const code = (error as NodeJS.ErrnoException).code;
  return { ok: false, error: code ?? (error instanceof Error ? error.message : String(error)) };
}

/** Runs `lookup`, or gives up with error `DEADLINE` at `deadline` (ms since the epoch). */
async function bounded<T>(lookup: () => Promise<T[]>, deadline: number): Promise<Lookup<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Lookup<T>>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: "DEADLINE" }),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([
      lookup().then(
        (records): Lookup<T> => ({ ok: true, records }),
        (error: unknown) => failure(error),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** The IPv4 addresses of `name`. */
export function lookupA(resolver: Resolver, name: string, deadline = Infinity) {
  return bounded(() => resolver.resolve4(name), deadline);
}

/** The IPv6 addresses of `name`. */
export function lookupAaaa(resolver: Resolver, name: string, deadline = Infinity) {
  return bounded(() => resolver.resolve6(name), deadline);
}

/**
 * The MX records of `domain`, exchanges lower-cased without a trailing dot; a null MX
 * (RFC 7505: `0 .`) appears as exchange `""`.
 */
export async function lookupMx(
  resolver: Resolver,
  domain: string,
  deadline = Infinity,
): Promise<Lookup<MxObservation>> {
  const result = await bounded(() => resolver.resolveMx(domain), deadline);
  if (!result.ok) return result;
  return {
    ok: true,
    records: result.records.map((r) => ({ exchange: normalize(r.exchange), priority: r.priority })),
  };
}

/** Follows CNAME records from `name` hop by hop, at most {@link MAX_CNAME_HOPS}. */
export async function followCnames(
  resolver: Resolver,
  name: string,
  deadline = Infinity,
): Promise<CnameChain> {
  const targets: string[] = [];
  const seen = new Set([normalize(name)]);
  let current = name;
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop += 1) {
    const answer = await bounded(() => resolver.resolveCname(current), deadline);
    if (!answer.ok) {
      // NODATA / NXDOMAIN for type CNAME: `current` is no alias (whether it exists is the A/AAAA
      // lookups' business).
      if (answer.error === "ENODATA" || answer.error === "ENOTFOUND")
        return { targets, end: "name" };
      return { targets, end: { error: answer.error } };
    }
    const next = normalize(answer.records[0] ?? "");
    targets.push(next);
    if (seen.has(next)) return { targets, end: "loop" };
    seen.add(next);
    current = next;
  }
  return { targets, end: "too-long" };
}

/** CNAME chain, A and AAAA of one name, in parallel. */
export async function observeName(
  resolver: Resolver,
  name: string,
  deadline = Infinity,
): Promise<NameObservation> {
  const [cname, a, aaaa] = await Promise.all([
    followCnames(resolver, name, deadline),
    lookupA(resolver, name, deadline),
    lookupAaaa(resolver, name, deadline),
  ]);
  return { name, cname, a, aaaa };
}

const IP_LIKE = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

/** True for an MX exchange written as an address (`10.0.0.1.`), which senders treat as a name. */
export function looksLikeAddress(exchange: string): boolean {
  return IP_LIKE.test(exchange);
}

/**
 * The mail domain: its MX set, its own addresses (for the implicit MX of RFC 5321 5.1), and
 * CNAME chain and addresses of each MX target that is neither a null MX nor an address literal.
 */
export async function observeDomain(
  resolver: Resolver,
  domain: string,
  deadline = Infinity,
): Promise<DomainObservation> {
  const [mx, a, aaaa] = await Promise.all([
    lookupMx(resolver, domain, deadline),
    lookupA(resolver, domain, deadline),
    lookupAaaa(resolver, domain, deadline),
  ]);
  const names = mx.ok
    ? [...new Set(mx.records.map((r) => r.exchange))].filter(
        (e) => e !== "" && !looksLikeAddress(e),
      )
    : [];
  const exchanges = await Promise.all(names.map((n) => observeName(resolver, n, deadline)));
  return { mx, a, aaaa, exchanges };
}
