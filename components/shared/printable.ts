/**
 * Pure: text from hosts, servers and DNS (file names, command output, banners) made safe to print. A
 * hostile banner, DNS name or file name could otherwise carry terminal control sequences (retitle or clear
 * the screen, move the cursor, recolour, reorder text) into an operator's terminal or a monitoring log.
 * The one implementation the check and the replication tool share.
 */

/**
 * C0 controls (U+0000-U+001F), DEL, C1 controls (U+0080-U+009F; U+009B is an 8-bit CSI), Unicode
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), the line and paragraph separators
 * and the byte-order mark.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Replaces every control, bidi-override and separator character with a visible escape: `\x1b` below
 * U+0100, `\u{202e}` above. Idempotent: escapes are printable already.
 * @param keepNewlines - leave `\n` as it is (multi-line command output)
 * @example printable("220 \x1b[2J") // "220 \\x1b[2J"
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(UNSAFE, (c) => {
    if (keepNewlines && c === "\n") return c;
    const code = c.codePointAt(0) as number;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
