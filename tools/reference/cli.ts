// Pure: the CLI reference, walked from the commander parser itself (every command, argument and option,
// with its description and default), so it cannot drift from `msgw --help`.
import type { Command, Option } from "commander";
import { code, table } from "./markdown";

/** Absolute paths of the package's own files in help texts become `<package>/…`. */
function portable(text: string, packageRoot: string): string {
  const escaped = packageRoot.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // As code: a bare <package> would be an HTML tag to a Markdown renderer.
  return text.replace(new RegExp(`${escaped}(/[^\\s)]*)?`, "g"), (_, rest: string | undefined) =>
    code(`<package>${rest ?? ""}`),
  );
}

const optionRow = (o: Option, root: string): string[] => [
  code(o.flags),
  portable(o.description, root),
  o.defaultValue === undefined ? "" : code(JSON.stringify(o.defaultValue)),
];

/** One section per command, depth first: usage, description, options. */
export function renderCli(program: Command, packageRoot: string): string {
  const out: string[] = [];
  const visit = (cmd: Command, prefix: string): void => {
    const name = prefix === "" ? cmd.name() : `${prefix} ${cmd.name()}`;
    out.push(`### \`${name}\``, "", portable(cmd.description(), packageRoot), "");
    out.push("```", `${name} ${cmd.usage()}`, "```", "");
    const options = cmd.options.filter((o) => !o.hidden);
    if (options.length > 0) {
      out.push(
        table(
          ["option", "meaning", "default"],
          options.map((o) => optionRow(o, packageRoot)),
        ),
        "",
      );
    }
    for (const sub of cmd.commands) visit(sub, name);
  };
  visit(program, "");
  return out.join("\n").trimEnd();
}
