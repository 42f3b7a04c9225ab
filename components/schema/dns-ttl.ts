// Pure: DNS TTL rules (1 for Cloudflare automatic, else 60 to 86400 seconds).
import * as z from "zod";
import { show } from "./format";

/**
 * Cloudflare accepts 1 (automatic) or 60–86400 seconds outside Enterprise zones (API reference, DNS
 * records, `ttl`).
 */
export function isValidTtl(ttl: unknown): boolean {
  return (
    Number.isInteger(ttl) && (ttl === 1 || ((ttl as number) >= 60 && (ttl as number) <= 86400))
  );
}

/** A record TTL Cloudflare accepts, in seconds.
 * @internal A zod schema: left out of the published declarations.
 */
export function dnsTtl() {
  const message = (input: unknown) =>
    `${show(input)} is not a TTL Cloudflare accepts; use 1 (automatic) or 60 to 86400 seconds`;
  return z
    .int({ error: (iss) => message(iss.input) })
    .min(1, { error: (iss) => message(iss.input) })
    .max(86400, { error: (iss) => message(iss.input) })
    .refine(isValidTtl, { error: (iss) => message(iss.input) });
}
