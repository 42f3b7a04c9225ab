// Pure: text that can be placed in generated PowerShell without quoting surprises.
import * as z from "zod";
import { show } from "./format";

/**
 * Values that end up inside PowerShell (the EC2 user data, the encoded service-control commands) are
 * limited to small ASCII sets, so no value can leave its quoted string: PowerShell treats U+2018–U+201B
 * as single quotes besides `'`, `$` and backtick start expansions inside double quotes, and
 * `</powershell>` ends the user-data block. Each set below is the smallest one that fits the value.
 */
export const POWERSHELL_SAFE = {
  /** Installer switches: `/VERYSILENT /DIR=C:\Gateway`. */
  installerArgs: {
    chars: /^[A-Za-z0-9 /\\\-_.:=,+]*$/,
    describe: "letters, digits, spaces and / \\ - _ . : = , +",
  },
  /** Windows service names: letters, digits, spaces, dots, dashes and underscores. */
  serviceName: {
    chars: /^[A-Za-z0-9 _.-]*$/,
    describe: "letters, digits, spaces, dots, dashes and underscores",
  },
  /** URLs: RFC 3986 characters without `'` and `$` (sub-delimiters PowerShell would interpret). */
  url: {
    chars: /^[A-Za-z0-9\-._~:/?#[\]@!&()*+,;=%]*$/,
    describe: "RFC 3986 URL characters other than ' and $ (percent-encode anything else)",
  },
  /** OpenSSH key comments. */
  keyComment: {
    chars: /^[A-Za-z0-9 ._@+=:,/()-]*$/,
    describe: "letters, digits, spaces and . _ @ + = : , / ( ) -",
  },
} as const;

/** The first character of `value` outside `chars` (tested one character at a time), or undefined. */
export function firstUnsafeChar(value: string, chars: RegExp): string | undefined {
  for (const ch of value) if (!chars.test(ch)) return ch;
  return undefined;
}

/** `"’" (U+2019)` for a message. */
export function showChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code >= 0x20 && code < 0x7f
    ? show(ch)
    : `${show(ch)} (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
}

/**
 * A non-empty string from one of the {@link POWERSHELL_SAFE} sets. `what` names the value in messages
 * ("silent-install switches").
 */
export function powershellSafeString(set: keyof typeof POWERSHELL_SAFE, what: string) {
  const { chars, describe } = POWERSHELL_SAFE[set];
  const message = (input: unknown): string => {
    if (typeof input !== "string" || input.trim() === "") {
      return `${show(input)} is not valid ${what}; give non-empty text of ${describe}`;
    }
    const bad = firstUnsafeChar(input, chars) as string;
    return `${show(input)} contains ${showChar(bad)}; ${what} may hold only ${describe} (the value is written into PowerShell)`;
  };
  return z
    .string({ error: (iss) => message(iss.input) })
    .refine((v) => v.trim() !== "" && chars.test(v), { error: (iss) => message(iss.input) });
}
