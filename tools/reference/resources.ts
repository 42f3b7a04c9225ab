// Pure: the resource table, from what a representative pool registered under the offline plan: each child
// name with the pool, host, legacy and region parts replaced by placeholders, and for which of them it exists.
import type { PlannedResource } from "../offline-plan";
import { code, table } from "./markdown";

/** The representative pool's parts, to turn concrete names back into patterns. */
export interface PoolParts {
  pool: string;
  /** Host key -> what kind of host it is in the representative pool. */
  hosts: Record<string, "aws" | "existing">;
  legacy: string | undefined;
  regions: string[];
}

/** One row: a resource type and name pattern, and where it exists. */
export interface ResourceRow {
  type: string;
  name: string;
  per: string;
  options: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `msgw-msgw1-in-smtp-0-0-0-0-0` -> `<pool>-<host>-in-smtp-<cidr>`, and which part it belongs to. */
export function namePattern(
  name: string,
  parts: PoolParts,
): { name: string; host?: string; region?: string; legacy?: boolean } {
  let rest = name;
  if (rest === parts.pool) return { name: "<pool>" };
  if (rest.startsWith(`${parts.pool}-`)) rest = rest.slice(parts.pool.length + 1);
  else return { name };
  const out: { name: string; host?: string; region?: string; legacy?: boolean } = { name: "" };
  // Longest host key first, so msgw3-dc2 wins over msgw3.
  for (const host of Object.keys(parts.hosts).sort((a, b) => b.length - a.length)) {
    const m = new RegExp(`(^|-)${escape(host)}(-|$)`).exec(rest);
    if (m !== null) {
      rest = rest.replace(m[0], `${m[1]}<host>${m[2]}`);
      out.host = host;
      break;
    }
  }
  if (parts.legacy !== undefined && rest.startsWith(`legacy-${parts.legacy}`)) {
    rest = rest.replace(`legacy-${parts.legacy}`, "legacy-<legacy>");
    out.legacy = true;
  }
  for (const region of parts.regions) {
    if (rest.endsWith(`-${region}`)) {
      rest = `${rest.slice(0, -region.length - 1)}-<region>`;
      out.region = region;
    }
  }
  rest = rest.replace(/-(\d+-){4}\d+$/, "-<cidr>");
  out.name = `<pool>-${rest}`;
  return out;
}

/** The rows, one per resource type and name pattern, in registration order. */
export function resourceRows(
  resources: readonly PlannedResource[],
  parts: PoolParts,
): ResourceRow[] {
  const groups = new Map<
    string,
    {
      type: string;
      name: string;
      hosts: Set<string>;
      regions: Set<string>;
      legacy: boolean;
      options: Set<string>;
    }
  >();
  for (const r of resources) {
    if (r.type.startsWith("pulumi:providers:")) continue;
    const p = namePattern(r.name, parts);
    const key = `${r.type} ${p.name}`;
    const g = groups.get(key) ?? {
      type: r.type,
      name: p.name,
      hosts: new Set<string>(),
      regions: new Set<string>(),
      legacy: false,
      options: new Set<string>(),
    };
    if (p.host !== undefined) g.hosts.add(p.host);
    if (p.region !== undefined) g.regions.add(p.region);
    if (p.legacy === true) g.legacy = true;
    for (const [option, value] of Object.entries(r.options)) {
      if (option === "import") continue;
      g.options.add(
        option === "ignoreChanges" ? `ignoreChanges: ${(value as string[]).join(", ")}` : option,
      );
    }
    groups.set(key, g);
  }
  const all = Object.keys(parts.hosts);
  const aws = all.filter((h) => parts.hosts[h] === "aws");
  const existing = all.filter((h) => parts.hosts[h] === "existing");
  const same = (a: Set<string>, b: string[]) => a.size === b.length && b.every((x) => a.has(x));
  return [...groups.values()].map((g) => ({
    type: g.type,
    name: g.name,
    per:
      g.hosts.size > 0
        ? same(g.hosts, all)
          ? "every host"
          : same(g.hosts, aws)
            ? "AWS host"
            : same(g.hosts, existing)
              ? "existing host"
              : `host (${[...g.hosts].join(", ")} here)`
        : g.regions.size > 0
          ? "region with AWS hosts"
          : g.legacy
            ? "legacy gateway"
            : "pool",
    options: [...g.options].sort().join("; "),
  }));
}

/** The resource table as Markdown, grouped: pool, region, every host, AWS host, existing host, legacy. */
export function renderResources(rows: readonly ResourceRow[]): string {
  const order = [
    "pool",
    "region with AWS hosts",
    "every host",
    "AWS host",
    "existing host",
    "legacy gateway",
  ];
  const rank = (per: string) => (order.includes(per) ? order.indexOf(per) : order.length);
  const sorted = rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.per) - rank(b.r.per) || a.r.name.localeCompare(b.r.name) || a.i - b.i)
    .map(({ r }) => r);
  return table(
    ["one per", "name", "type", "resource options"],
    sorted.map((r) => [r.per, code(r.name), code(r.type), r.options]),
  );
}
