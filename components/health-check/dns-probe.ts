/** I/O: A and MX lookups through a chosen DNS server (or the system's), never throwing. */
import { Resolver } from "node:dns/promises";
import { formatResolverAddress } from "./resolver-address";
import type { Lookup, MxObservation, ResolverAddress } from "./types";

/** A resolver asking `server` (or the system's configured servers), `timeoutMs` per try, 2 tries. */
export function makeResolver(server: ResolverAddress | undefined, timeoutMs: number): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (server !== undefined) resolver.setServers([formatResolverAddress(server)]);
  return resolver;
}

function failure(error: unknown): { ok: false; error: string } {
  const code = (error as NodeJS.ErrnoException).code;
  return { ok: false, error: code ?? (error instanceof Error ? error.message : String(error)) };
}

/** The IPv4 addresses of `name`. */
export async function lookupA(resolver: Resolver, name: string): Promise<Lookup<string>> {
  try {
    return { ok: true, records: await resolver.resolve4(name) };
  } catch (error) {
    return failure(error);
  }
}

/** The MX records of `domain`, exchanges lower-cased without a trailing dot. */
export async function lookupMx(resolver: Resolver, domain: string): Promise<Lookup<MxObservation>> {
  try {
    const records = await resolver.resolveMx(domain);
    return {
      ok: true,
      records: records.map((r) => ({
        exchange: r.exchange.toLowerCase().replace(/\.$/, ""),
        priority: r.priority,
      })),
    };
  } catch (error) {
    return failure(error);
  }
}
