/** Pure: reading SMTP (RFC 5321) and POP3 (RFC 1939/2449/2595) server replies. */

/** A complete SMTP reply: its code and the text of each line. */
export interface SmtpReply {
  code: number;
  lines: string[];
}

/** True for the last line of an SMTP reply (`250 ...`, not `250-...`). */
export function isLastSmtpLine(line: string): boolean {
  return /^\d{3}(?: |$)/.test(line);
}

/**
 * Parses the lines of one SMTP reply.
 * @throws Error when a line is not `NNN-text` / `NNN text` or the codes differ
 */
export function parseSmtpReply(lines: readonly string[]): SmtpReply {
  if (lines.length === 0) throw new Error("empty SMTP reply");
  let code: number | undefined;
  const texts: string[] = [];
  for (const line of lines) {
    const match = /^(\d{3})(?:[ -](.*))?$/.exec(line);
    if (!match) throw new Error(`malformed SMTP reply line "${line.slice(0, 80)}"`);
    const lineCode = Number(match[1]);
    if (code !== undefined && lineCode !== code) {
      throw new Error(`SMTP reply mixes codes ${code} and ${lineCode}`);
    }
    code = lineCode;
    texts.push(match[2] ?? "");
  }
  return { code: code as number, lines: texts };
}

/** True when an EHLO reply lists the STARTTLS extension (any line after the greeting). */
export function ehloOffersStarttls(reply: SmtpReply): boolean {
  return reply.lines
    .slice(1)
    .some((text) => text.trim().split(/\s+/)[0]?.toUpperCase() === "STARTTLS");
}

/** True for a POP3 positive status line. */
export function isPop3Ok(line: string): boolean {
  return line === "+OK" || line.startsWith("+OK ");
}

/** True when a CAPA listing (lines after `+OK`, without the closing `.`) contains STLS. */
export function capaOffersStls(lines: readonly string[]): boolean {
  return lines.some((line) => line.trim().split(/\s+/)[0]?.toUpperCase() === "STLS");
}
