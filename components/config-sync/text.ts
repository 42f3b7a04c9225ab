/**
 * Text that came from a host (file names, command output) made safe to print: C0 and C1 control
 * characters, DEL and the Unicode bidirectional overrides become visible escapes, so a file named
 * `"\x1b]0;pwned\x07"` cannot retitle or repaint the operator's terminal.
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (keepNewlines && c === "\n") return c;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** A file name for messages: escaped, and quoted when it holds spaces or escapes. */
export function showName(name: string): string {
  const p = printable(name);
  return p !== name || /\s/.test(name) ? `"${p}"` : name;
}

/** Bytes for people: `512 B`, `64.0 KiB`, `600.0 MiB`. */
export function showBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
