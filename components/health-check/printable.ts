/** Pure: server and DNS text shortened for reports and made safe to print (the shared `printable`). */
import { printable } from "../shared/printable";

export { printable };

/** `printable`, cut to `max` characters with an ellipsis and the original length. */
export function quoteServerText(text: string, max = 120): string {
  const safe = printable(text);
  return safe.length <= max ? safe : `${safe.slice(0, max)}... (${text.length} characters)`;
}
