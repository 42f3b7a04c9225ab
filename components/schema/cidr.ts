// Pure: CIDR list rules (syntax, host bits, whole-family blocks) for the arguments.
import * as z from "zod";
import { show } from "./format";

// The arithmetic lives in cidr-math.ts, which the policy pack shares (policy/rules/no-world-open-ingress.ts).
export { type Cidr, parseCidr, isCanonicalCidr, cidrKey, coversWholeFamily } from "./cidr-math";
import { type Cidr, parseCidr, isCanonicalCidr, cidrKey, coversWholeFamily } from "./cidr-math";

/** Options of {@link cidrList}. */
export interface CidrListOptions {
  /** What the list opens, for messages: "POP3 for MailStore Server". */
  purpose: string;
  /** False: a list whose union is a whole address family (`0.0.0.0/0`, two /1 blocks, `::/0`) is refused. */
  worldOpenAllowed: boolean;
}

/**
 * A non-empty list of canonical, distinct CIDR blocks (IPv4 or IPv6) for one security-group rule. Unless
 * world-open is allowed, the union of the list must not be a whole address family.
 * @internal A zod schema: left out of the published declarations.
 */
export function cidrList(opts: CidrListOptions) {
  const notList = (input: unknown) =>
    `${show(input)} must be a list of CIDR blocks such as ["198.51.100.0/24"]`;
  const notCidr = (input: unknown) =>
    `${show(input)} is not a CIDR block; write an address and prefix, e.g. "198.51.100.7/32"`;
  const entry = z.string({ error: (iss) => notCidr(iss.input) });
  return z.array(entry, { error: (iss) => notList(iss.input) }).superRefine(
    (list: unknown[], ctx) => {
      if (!Array.isArray(list)) return;
      const at = (i: number, message: string) =>
        ctx.addIssue({ code: "custom", path: [i], message, input: list[i] });
      if (list.length === 0) {
        ctx.addIssue({
          code: "custom",
          message: `is empty; ${opts.purpose} would be unreachable. List the networks that need it, e.g. ["198.51.100.0/24"]`,
          input: list,
        });
        return;
      }
      const seen = new Set<string>();
      const parsed: Cidr[] = [];
      let entryOpensWorld = false;
      list.forEach((entry, i) => {
        const cidr = typeof entry === "string" ? parseCidr(entry) : undefined;
        if (typeof entry !== "string" || cidr === undefined) {
          at(i, notCidr(entry));
          return;
        }
        if (!isCanonicalCidr(cidr)) {
          at(
            i,
            `"${entry}" has address bits set below the /${cidr.prefix} prefix; use the network address of the block`,
          );
          return;
        }
        if (!opts.worldOpenAllowed && cidr.prefix === 0) {
          at(
            i,
            `"${entry}" opens ${opts.purpose} to the whole internet; list only the networks that need it`,
          );
          entryOpensWorld = true;
          return;
        }
        if (seen.has(cidrKey(entry))) {
          at(i, `"${entry}" is listed twice; remove the duplicate`);
          return;
        }
        seen.add(cidrKey(entry));
        parsed.push(cidr);
      });
      if (!opts.worldOpenAllowed && !entryOpensWorld) {
        for (const family of [4, 6] as const) {
          if (coversWholeFamily(parsed, family)) {
            ctx.addIssue({
              code: "custom",
              message: `${show(list)} together cover every IPv${family} address, which opens ${opts.purpose} to the whole internet; list only the networks that need it`,
              input: list,
            });
          }
        }
      }
    },
    { when: () => true },
  );
}
