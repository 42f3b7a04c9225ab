// Pure: Markdown table helpers for the generated reference (cells escaped, one row per line).

/** A cell's text: pipes escaped, line breaks folded, empty as "–". */
export function cell(text: string): string {
  const t = text
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|")
    .trim();
  return t === "" ? "–" : t;
}

/** A Markdown table; prettier may align it later, so cells are not padded here. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** Inline code, safe for backticks inside. */
export const code = (text: string): string =>
  text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
