/** Pure: file names, sizes and remote text made safe and short for messages. */
import { printable } from "../shared/printable";

export { printable };

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
