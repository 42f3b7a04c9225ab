/**
 * The migration's stages as data: per stage, the stack configuration (`msgw:pool`) that `pulumi up`
 * gets, and the DNS state the lab's server must hold afterwards. Pure: the drill and its tests read
 * the same table.
 */

/** Facts about the lab that go into the stack configuration. */
export interface LabFacts {
  zoneName: string;
  mailDomain: string;
  legacy: { hostname: string; address: string; hostKey: string };
  /** Pool hosts in the order they join: msgw1, msgw2. */
  hosts: { hostname: string; address: string; hostKey: string }[];
  /** The machine running `pulumi up` (and the archiver), as seen by the hosts. */
  operatorCidr: string;
  /** Private key path for replication (only the path enters the stack config). */
  sshPrivateKeyPath: string;
  /** Folder of the replication store. */
  backupDirectory: string;
  /** Pool-wide data directory of the gateway (the same path on every host). */
  dataDirectory: string;
  /** Service control command of the gateway stand-in, `<cmd> start|stop|status`. */
  serviceScript: string;
  /** `readinessGate` of the pool (MX only after `msgw check` passes), where the pool has it. */
  readinessGate?: { waitSeconds: number };
  /**
   * Import id of the legacy A record in the Cloudflare stand-in (`<zoneId>/<recordId>`): set when
   * the record is seeded, cleared after the first successful `up` (the runbook's step).
   */
  legacyImportId?: string;
}

/** A host's lifecycle state in a stage. */
export type StageHostState = "standby" | "active" | "draining";

/** What changes from stage to stage (everything else is fixed by {@link LabFacts}). */
export interface StageSpec {
  /** Stage id as printed: "0", "1", … "6a", "6b", … "8". */
  id: string;
  title: string;
  /** Pool hosts present (index into LabFacts.hosts) and their state; empty: no pool (stage 0, 8). */
  hosts: { index: number; state: StageHostState }[];
  strategy: "balanced" | "tiered";
  /** `removed`: no `legacy` block in the stack configuration any more. */
  legacy: "migrating" | "retired" | "removed";
  /** `configSync.revision`; undefined: no replication configured yet. */
  revision?: number;
  /** `configSync.source` (host name); undefined: the component's default. */
  source?: string;
  /**
   * Host keys (`msgw1`, `msgw` for the legacy gateway) and `pool` (CA, snapshot, providers) whose
   * resources this stage may change; a change to any other host's resource is a failure.
   */
  concerns: string[];
  /** What the lab's DNS must answer after the stage. */
  expect: { a: Record<string, string[]>; mx: string[] };
}

/**
 * The stages of the drill: the migration that stacks/Pulumi.prod.yaml ships, stage by stage as
 * docs/migration.md documents it (both hosts standby with the legacy configuration from the first
 * `up`; the manual steps and the check; msgw1, then msgw2 promoted, tiered; the legacy gateway
 * retired, then removed), followed by a configuration change, a host's removal and the destroy.
 * Stage 0 is the world before the pool, stage 8 the destroy.
 */
export function drillStages(f: LabFacts): StageSpec[] {
  const [h1, h2] = f.hosts as [LabFacts["hosts"][0], LabFacts["hosts"][0]];
  const legacyA = { [f.legacy.hostname]: [f.legacy.address] };
  const a1 = { [h1.hostname]: [h1.address] };
  const a2 = { [h2.hostname]: [h2.address] };
  const both = { ...legacyA, ...a1, ...a2 };
  const pool = (s1: StageHostState, s2: StageHostState) => [
    { index: 0, state: s1 },
    { index: 1, state: s2 },
  ];
  return [
    {
      id: "0",
      concerns: [],
      title: "only the legacy gateway, its A record; mail by implicit MX",
      hosts: [],
      strategy: "tiered",
      legacy: "migrating",
      expect: { a: { ...legacyA }, mx: [] },
    },
    {
      id: "1",
      concerns: ["pool", "msgw", "msgw1", "msgw2"],
      title:
        "prod as shipped: msgw1, msgw2 standby; legacy migrating (A record adopted), its configuration copied",
      hosts: pool("standby", "standby"),
      strategy: "tiered",
      legacy: "migrating",
      revision: 1,
      expect: { a: both, mx: [] },
    },
    {
      id: "2",
      // `msgw`: the first `up` after `legacy.importId` is dropped writes the pool's TTL and comment
      // onto the adopted legacy record (they were ignored only during the adoption).
      concerns: ["msgw"],
      title:
        "manual steps (certificates, archiving profiles) and msgw check --wait per host; importId dropped",
      hosts: pool("standby", "standby"),
      strategy: "tiered",
      legacy: "migrating",
      revision: 1,
      expect: { a: both, mx: [] },
    },
    {
      id: "3",
      concerns: ["msgw1"],
      title: "msgw1 active: MX after its readiness gate; mail moves to the pool",
      hosts: pool("active", "standby"),
      strategy: "tiered",
      legacy: "migrating",
      revision: 1,
      expect: { a: both, mx: [`0 ${h1.hostname}`] },
    },
    {
      id: "4",
      concerns: ["msgw2"],
      title: "msgw2 active: tiered, msgw1 primary, msgw2 fallback",
      hosts: pool("active", "active"),
      strategy: "tiered",
      legacy: "migrating",
      revision: 1,
      expect: { a: both, mx: [`0 ${h1.hostname}`, `10 ${h2.hostname}`] },
    },
    {
      id: "5",
      concerns: ["pool", "msgw1", "msgw2"],
      title: "a new mailbox created on the source and replicated to both hosts",
      hosts: pool("active", "active"),
      strategy: "tiered",
      legacy: "migrating",
      revision: 2,
      expect: { a: both, mx: [`0 ${h1.hostname}`, `10 ${h2.hostname}`] },
    },
    {
      id: "6a",
      concerns: ["pool", "msgw", "msgw1", "msgw2"],
      title: "legacy retired (its live A record kept); msgw1 becomes the configuration source",
      hosts: pool("active", "active"),
      strategy: "tiered",
      legacy: "retired",
      // As the runbook says: a new source, no new revision (its configuration is the same files).
      revision: 2,
      source: h1.hostname,
      // The pool stops managing the adopted record but never deletes it.
      expect: { a: both, mx: [`0 ${h1.hostname}`, `10 ${h2.hostname}`] },
    },
    {
      id: "6b",
      concerns: [],
      title: "legacy A record deleted by hand, legacy removed from the configuration",
      hosts: pool("active", "active"),
      strategy: "tiered",
      legacy: "removed",
      revision: 2,
      source: h1.hostname,
      expect: { a: { ...a1, ...a2 }, mx: [`0 ${h1.hostname}`, `10 ${h2.hostname}`] },
    },
    {
      id: "7a",
      concerns: ["pool", "msgw1", "msgw2"],
      title: "msgw1 draining: no MX, archived until empty",
      hosts: pool("draining", "active"),
      strategy: "tiered",
      legacy: "removed",
      revision: 2,
      source: h2.hostname,
      // Tier positions count the draining host, so msgw2 keeps its preference 10.
      expect: { a: { ...a1, ...a2 }, mx: [`10 ${h2.hostname}`] },
    },
    {
      id: "7b",
      // Removing msgw1 moves msgw2 to list position 0: its MX preference becomes 0 (one update).
      concerns: ["msgw1", "msgw2"],
      title: "msgw1 removed",
      hosts: [{ index: 1, state: "active" }],
      strategy: "tiered",
      legacy: "removed",
      revision: 2,
      source: h2.hostname,
      expect: { a: { ...a2 }, mx: [`0 ${h2.hostname}`] },
    },
    {
      id: "8",
      concerns: ["pool", "msgw", "msgw1", "msgw2"],
      title: "pulumi destroy",
      hosts: [],
      strategy: "tiered",
      legacy: "removed",
      expect: { a: {}, mx: [] },
    },
  ];
}

/** Stable resource-name key of a host: its name relative to the zone, dots as dashes. */
export function hostKey(hostname: string, zoneName: string): string {
  const rel = hostname === zoneName ? "@" : hostname.slice(0, -(zoneName.length + 1));
  return rel.replace(/\./g, "-");
}

/**
 * Changes outside a stage's concerns: a resource name `<pool>-…` that names a host key (a token
 * after the pool name equal to one of `hostKeys`) not in `concerns`, or a pool-level resource
 * when `pool` is not in `concerns`.
 */
export function changesOutside(
  changes: { op: string; name: string }[],
  concerns: string[],
  hostKeys: string[],
  pool = "msgw",
): string[] {
  const outside: string[] = [];
  for (const c of changes) {
    if (!c.name.startsWith(`${pool}-`)) {
      // Providers and the stack itself.
      if (!concerns.includes("pool")) outside.push(`${c.op} ${c.name}`);
      continue;
    }
    const tokens = c.name.slice(pool.length + 1).split("-");
    const host = hostKeys.find((k) => tokens.includes(k));
    if (!concerns.includes(host ?? "pool")) outside.push(`${c.op} ${c.name}`);
  }
  return outside;
}

/** The `msgw:pool` stack configuration of a stage (undefined for stages without a pool). */
export function poolConfig(f: LabFacts, s: StageSpec): Record<string, unknown> | undefined {
  if (s.hosts.length === 0) return undefined;
  // The lab's addresses are private (RFC 1918): published on purpose, as in split-horizon DNS.
  const existing = (h: { address: string; hostKey: string }) => ({
    address: h.address,
    allowPrivateAddress: true,
    sshHostKey: h.hostKey,
    sshUser: "root",
    platform: "linux",
    // Linux hosts take part in replication with their data directory and service control.
    dataDirectory: f.dataDirectory,
    serviceControl: {
      start: `sh ${f.serviceScript} start`,
      stop: `sh ${f.serviceScript} stop`,
      status: `sh ${f.serviceScript} status`,
    },
  });
  return {
    zone: { name: f.zoneName },
    mailDomain: f.mailDomain,
    hosts: s.hosts.map(({ index, state }) => {
      const h = f.hosts[index] as LabFacts["hosts"][0];
      return { hostname: h.hostname, state, existing: existing(h) };
    }),
    mx: { strategy: s.strategy, step: 10, ttl: 60 },
    ...(f.readinessGate !== undefined ? { readinessGate: f.readinessGate } : {}),
    dns: { addressTtl: 60 },
    certificates: { mode: "pool-ca" },
    access: { mailStoreServerCidrs: [f.operatorCidr], adminCidrs: [f.operatorCidr] },
    ...(s.legacy === "removed"
      ? {}
      : {
          legacy: {
            hostname: f.legacy.hostname,
            ...existing(f.legacy),
            phase: s.legacy,
            ...(f.legacyImportId !== undefined ? { importId: f.legacyImportId } : {}),
          },
        }),
    ...(s.revision === undefined
      ? {}
      : {
          configSync: {
            revision: s.revision,
            ...(s.source !== undefined ? { source: s.source } : {}),
            sshUser: "root",
            sshPrivateKeyPath: f.sshPrivateKeyPath,
            backupDirectory: f.backupDirectory,
            cliCommand: "npx --no-install tsx bin/msgw.ts",
          },
        }),
  };
}

/**
 * Whether the pool's arguments know a top-level argument `name`: a minimal valid pool with it is
 * planned, and only an "is not an argument" refusal of that name counts as no.
 */
export function poolHasArgument(
  plan: (args: never) => unknown,
  name: string,
  value: unknown,
): boolean {
  try {
    plan({
      zone: { name: "example.com" },
      mailDomain: "msgw.example.com",
      hosts: [{ hostname: "msgw1.example.com", existing: { address: "198.51.100.20" } }],
      access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.0/24"] },
      [name]: value,
    } as never);
    return true;
  } catch (error) {
    return !(error as Error).message.includes(`${name} is not an argument`);
  }
}

/** The engine's summary of one `up`/`destroy`, as counted by the drill. */
export interface ResourceCounts {
  created: number;
  updated: number;
  replaced: number;
  deleted: number;
}

/**
 * Counts from the `changeSummary` of `pulumi up --json` / `pulumi destroy --json` (keys `create`,
 * `update`, `replace`, `delete`, `same`, and the replacement steps `create-replacement`,
 * `delete-replaced`, which belong to a replacement and are not counted twice).
 */
export function countsFromSummary(summary: Record<string, number | undefined>): ResourceCounts {
  return {
    created: summary.create ?? 0,
    updated: summary.update ?? 0,
    replaced: summary.replace ?? 0,
    deleted: summary.delete ?? 0,
  };
}
