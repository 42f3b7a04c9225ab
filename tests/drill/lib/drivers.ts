/**
 * How a stage is applied. The drill talks to a {@link StageDriver}; two implement it:
 *
 * - {@link PulumiDriver}: the real thing, `pulumi up --yes --json` of `stacks/` in a copy of the
 *   project (as a user's checkout), the stage's configuration written into the stack file, counts
 *   and changed resources from the engine's own events, outputs from `pulumi stack output --json
 *   --show-secrets`.
 * - {@link DirectDriver}: the same stage applied without the engine, for developing the lab: DNS
 *   records written straight into the lab's NSD, certificates issued with openssl as the pool's
 *   certificate plan describes them, replication run with the real `msgw config` CLI over SSH
 *   with the component's triggers (snapshot on a new revision or source; restore on a new
 *   revision, manifest or target). Its counts are the drill's own count of records, certificates
 *   and commands it changed, not an engine's.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { issueCertificate, type IssuedCert } from "../../e2e/mail-path/lib/certs";
import { REPO_ROOT } from "../../e2e/mail-path/lib/netns";
import { GATEWAY_DATA_DIR, SERVICE_SCRIPT, type DrillLab } from "./lab";
import { smtpProbe } from "./smtp-probe";
import {
  countsFromSummary,
  hostKey,
  poolConfig,
  type LabFacts,
  type ResourceCounts,
  type StageSpec,
} from "./stages";

const run = promisify(execFile);

/** The part of the stack outputs the drill uses. */
export interface DrillOutputs {
  gateways: {
    hostname: string;
    address: string;
    state: string;
    mxPreference: number | null;
    certificatePem: string | null;
    archivingProfile: { server: string; port: number; security: string };
  }[];
  caCertificatePem?: string;
  certificatePrivateKeys: Record<string, string>;
}

/** One resource the engine (or the direct driver) changed. */
export interface ResourceChange {
  /** `import`: an existing resource adopted (the legacy A record), not created. */
  op: "create" | "import" | "update" | "replace" | "delete";
  /** The resource's name (the last part of its URN), e.g. `msgw-msgw2-a`. */
  name: string;
}

/** The result of one `up` or `destroy`. */
export interface UpResult {
  counts: ResourceCounts;
  /** Every resource changed, by name. */
  changes: ResourceChange[];
  wallMs: number;
  outputs: DrillOutputs;
}

/** Applies stages. */
export interface StageDriver {
  /** `pulumi` or `direct` (printed with the figures). */
  readonly kind: "pulumi" | "direct";
  /** Records that exist before the pool (stage 0): the legacy A record. */
  seed(facts: LabFacts): Promise<void>;
  up(facts: LabFacts, stage: StageSpec): Promise<UpResult>;
  destroy(facts: LabFacts): Promise<UpResult>;
  /** An administrator deletes a record the pool does not manage (the runbook's last legacy step). */
  deleteRecordByHand(facts: LabFacts, name: string, type: "A" | "MX"): Promise<void>;
}

/** The replication inventory of the lab's hosts (what `msgw config` reads). */
export function labInventory(lab: DrillLab, hostnames: string[], storeDir: string): string {
  const hosts: Record<string, unknown> = {};
  for (const name of hostnames) {
    const h = lab.gateway(name);
    hosts[name] = {
      address: h.address,
      username: "root",
      privateKeyPath: lab.clientKey,
      hostKey: h.hostKey,
      platform: "linux",
      dataDir: GATEWAY_DATA_DIR,
      serviceName: "msgw-gateway",
      serviceControl: {
        start: `sh ${SERVICE_SCRIPT} start`,
        stop: `sh ${SERVICE_SCRIPT} stop`,
        status: `sh ${SERVICE_SCRIPT} status`,
      },
      connectTimeoutSeconds: 30,
      serviceTimeoutSeconds: 60,
      settleSeconds: 0.5,
    };
  }
  return JSON.stringify({ store: { kind: "local", path: storeDir }, hosts });
}

/** Runs `msgw config …` from the repository with an inventory; returns exit code and output. */
export function msgwConfig(
  args: string[],
  inventory: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return msgw(["config", ...args], { MSGW_INVENTORY: inventory });
}

/** Runs `msgw check …` from the repository; returns exit code and output. */
export function msgwCheck(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return msgw(["check", ...args], {});
}

function msgw(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(REPO_ROOT, "bin", "msgw.ts"), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

type DnsRecord = { name: string; type: "A" | "MX"; content: string; priority?: number };
const recordKey = (r: DnsRecord) => `${r.type} ${r.name} ${r.content}`;

/** The records a stage owns, as the component creates them (A per host and legacy; MX per active host). */
export function stageRecords(f: LabFacts, s: StageSpec): DnsRecord[] {
  const records: DnsRecord[] = [];
  if (s.legacy === "migrating") {
    records.push({ name: f.legacy.hostname, type: "A", content: f.legacy.address });
  }
  // Tiered: the host at list position i gets 10 * i. Positions count every host (standby and
  // draining ones included), so draining a host keeps the others' records; removing one renumbers.
  for (const [position, { index, state }] of s.hosts.entries()) {
    const h = f.hosts[index] as LabFacts["hosts"][0];
    records.push({ name: h.hostname, type: "A", content: h.address });
    if (state === "active") {
      const priority = s.strategy === "tiered" ? 10 * position : 0;
      records.push({ name: f.mailDomain, type: "MX", content: h.hostname, priority });
    }
  }
  return records;
}

/** A BIND fragment of `records` below the zone's SOA/NS. */
export function zoneFragment(zoneName: string, records: DnsRecord[]): string {
  const rel = (name: string) => (name === zoneName ? "@" : name.slice(0, -(zoneName.length + 1)));
  return [
    `$ORIGIN ${zoneName}.`,
    ...records.map((r) =>
      r.type === "A"
        ? `${rel(r.name)} 60 IN A ${r.content}`
        : `${rel(r.name)} 60 IN MX ${r.priority ?? 0} ${r.content}.`,
    ),
    "",
  ].join("\n");
}

/** Counts of a list of changes. */
export function countChanges(changes: ResourceChange[]): ResourceCounts {
  const n = (op: ResourceChange["op"]) => changes.filter((c) => c.op === op).length;
  return {
    created: n("create"),
    updated: n("update"),
    replaced: n("replace"),
    deleted: n("delete"),
  };
}

/** See the module comment. */
export class DirectDriver implements StageDriver {
  readonly kind = "direct" as const;
  /** Records the pool manages. */
  private records: DnsRecord[] = [];
  /** Records in the zone that the pool does not manage (before adoption, or kept after retiring). */
  private unmanaged: DnsRecord[] = [];
  private ca: IssuedCert | undefined;
  private readonly certs = new Map<string, { certPem: string; keyPem: string }>();
  private snapshotKey: string | undefined;
  private manifest = "";
  private readonly restored = new Map<string, string>();

  constructor(
    private readonly lab: DrillLab,
    private readonly dir: string,
    /** The pool's name (`poolName`), the prefix of every resource name. */
    private readonly pool = "msgw",
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async seed(f: LabFacts): Promise<void> {
    this.unmanaged = [{ name: f.legacy.hostname, type: "A", content: f.legacy.address }];
    await this.serve(f);
  }

  private async serve(f: LabFacts): Promise<void> {
    await this.lab.serveZone(zoneFragment(f.zoneName, [...this.unmanaged, ...this.records]));
  }

  async deleteRecordByHand(f: LabFacts, name: string, type: "A" | "MX"): Promise<void> {
    const before = this.unmanaged.length;
    this.unmanaged = this.unmanaged.filter((r) => !(r.name === name && r.type === type));
    if (this.unmanaged.length === before) throw new Error(`no unmanaged ${type} record ${name}`);
    await this.serve(f);
  }

  async up(f: LabFacts, s: StageSpec): Promise<UpResult> {
    const begin = Date.now();
    const changes: ResourceChange[] = [];
    const note = (op: ResourceChange["op"], name: string) => changes.push({ op, name });
    const p = this.pool;
    const key = (hostname: string) => hostKey(hostname, f.zoneName);
    const hostnames = s.hosts.map(({ index }) => (f.hosts[index] as LabFacts["hosts"][0]).hostname);

    // Certificates: the pool CA once, one per host (ECDSA P-256, subject and SAN = host name).
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
    if (this.ca === undefined) {
      this.ca = await issueCertificate(this.dir, "pool-ca", {
        commonName: `${f.mailDomain} gateway pool CA`,
        organization: "MailStore Gateway pool",
        dnsNames: [],
        isCa: true,
        keyAlgorithm: "ECDSA",
        ecdsaCurve: "P256",
        notAfter: hours(24 * 3650),
      });
      note("create", `${p}-ca-key`);
      note("create", `${p}-ca`);
    }
    for (const hostname of hostnames) {
      if (this.certs.has(hostname)) continue;
      const issued = await issueCertificate(
        this.dir,
        hostname,
        {
          commonName: hostname,
          organization: "MailStore Gateway pool",
          dnsNames: [hostname],
          isCa: false,
          keyAlgorithm: "ECDSA",
          ecdsaCurve: "P256",
          notAfter: hours(24 * 397),
        },
        this.ca,
      );
      this.certs.set(hostname, {
        certPem: issued.certPem,
        keyPem: readFileSync(issued.keyFile, "utf8"),
      });
      for (const r of ["tls-key", "csr", "cert"]) note("create", `${p}-${key(hostname)}-${r}`);
    }
    for (const hostname of [...this.certs.keys()]) {
      if (!hostnames.includes(hostname)) {
        this.certs.delete(hostname);
        for (const r of ["tls-key", "csr", "cert"]) note("delete", `${p}-${key(hostname)}-${r}`);
      }
    }

    // Replication, with the component's triggers.
    if (s.revision !== undefined) {
      const source = s.source ?? (s.legacy === "migrating" ? f.legacy.hostname : hostnames[0]);
      if (source === undefined) throw new Error(`stage ${s.id}: no configuration source`);
      const targets = [
        ...hostnames,
        ...(s.legacy === "migrating" ? [f.legacy.hostname] : []),
      ].filter((h) => h !== source);
      const store = f.backupDirectory;
      const inventory = labInventory(this.lab, [source, ...targets], store);
      const snapshotKey = `${s.revision}@${source}`;
      if (snapshotKey !== this.snapshotKey) {
        const snap = await msgwConfig(
          ["snapshot", "--source", source, "--revision", String(s.revision)],
          inventory,
        );
        if (snap.code !== 0) throw new Error(`stage ${s.id}: snapshot failed: ${snap.stderr}`);
        note(this.snapshotKey === undefined ? "create" : "replace", `${p}-config-snapshot`);
        this.snapshotKey = snapshotKey;
        this.manifest = snap.stdout;
      }
      for (const target of targets) {
        const trigger = `${s.revision}|${this.manifest}`;
        if (this.restored.get(target) === trigger) continue;
        const restore = await msgwConfig(
          ["restore", "--revision", String(s.revision), "--target", target],
          inventory,
        );
        if (restore.code !== 0) {
          throw new Error(
            `stage ${s.id}: restore to ${target} failed:\n${restore.stdout}${restore.stderr}`,
          );
        }
        note(
          this.restored.has(target) ? "replace" : "create",
          `${p}-${key(target)}-config-restore`,
        );
        this.restored.set(target, trigger);
      }
      for (const target of [...this.restored.keys()]) {
        if (!targets.includes(target)) {
          this.restored.delete(target);
          note("delete", `${p}-${key(target)}-config-restore`);
        }
      }
    }

    // Readiness gate: a host gets its MX record only once it answers SMTP with STARTTLS and a
    // certificate for its own name that chains to the pool CA.
    const wanted = stageRecords(f, s);
    for (const r of wanted) {
      if (r.type !== "MX" || this.records.some((x) => recordKey(x) === recordKey(r))) continue;
      const host = this.lab.gateway(r.content);
      await smtpProbe({ address: host.address, servername: r.content, ca: this.ca.certPem });
    }
    await this.applyRecords(f, wanted, note);
    return {
      counts: countChanges(changes),
      changes,
      wallMs: Date.now() - begin,
      outputs: this.outputs(f, s),
    };
  }

  private recordName(f: LabFacts, r: DnsRecord): string {
    return r.type === "A"
      ? `${this.pool}-${hostKey(r.name, f.zoneName)}-a`
      : `${this.pool}-mx-${hostKey(r.content, f.zoneName)}`;
  }

  private async applyRecords(
    f: LabFacts,
    wanted: DnsRecord[],
    note: (op: ResourceChange["op"], name: string) => void,
  ): Promise<void> {
    for (const r of wanted) {
      const old = this.records.find((x) => recordKey(x) === recordKey(r));
      const live = this.unmanaged.find((x) => recordKey(x) === recordKey(r));
      if (live !== undefined) {
        // The live record is adopted (`legacy.importId`), not created a second time.
        this.unmanaged = this.unmanaged.filter((x) => x !== live);
        note("import", this.recordName(f, r));
      } else if (old === undefined) note("create", this.recordName(f, r));
      else if (old.priority !== r.priority) note("update", this.recordName(f, r));
    }
    for (const r of this.records) {
      if (wanted.some((x) => recordKey(x) === recordKey(r))) continue;
      note("delete", this.recordName(f, r));
      // The legacy A record leaves the pool's state but stays in the zone (`retainOnDelete`).
      if (r.type === "A" && r.name === f.legacy.hostname) this.unmanaged.push(r);
    }
    this.records = wanted;
    await this.serve(f);
  }

  private outputs(f: LabFacts, s: StageSpec): DrillOutputs {
    const records = stageRecords(f, s);
    return {
      gateways: s.hosts.map(({ index, state }) => {
        const h = f.hosts[index] as LabFacts["hosts"][0];
        const mx = records.find((r) => r.type === "MX" && r.content === h.hostname);
        return {
          hostname: h.hostname,
          address: h.address,
          state,
          mxPreference: mx?.priority ?? null,
          certificatePem: this.certs.get(h.hostname)?.certPem ?? null,
          archivingProfile: { server: h.hostname, port: 110, security: "STARTTLS" },
        };
      }),
      caCertificatePem: this.ca?.certPem,
      certificatePrivateKeys: Object.fromEntries(
        [...this.certs].map(([hostname, c]) => [hostname, c.keyPem]),
      ),
    };
  }

  async destroy(f: LabFacts): Promise<UpResult> {
    const begin = Date.now();
    const changes: ResourceChange[] = [];
    const note = (op: ResourceChange["op"], name: string) => changes.push({ op, name });
    const p = this.pool;
    await this.applyRecords(f, [], note);
    for (const hostname of this.certs.keys()) {
      for (const r of ["tls-key", "csr", "cert"])
        note("delete", `${p}-${hostKey(hostname, f.zoneName)}-${r}`);
    }
    for (const target of this.restored.keys()) {
      note("delete", `${p}-${hostKey(target, f.zoneName)}-config-restore`);
    }
    if (this.snapshotKey !== undefined) note("delete", `${p}-config-snapshot`);
    if (this.ca !== undefined) {
      note("delete", `${p}-ca-key`);
      note("delete", `${p}-ca`);
    }
    this.certs.clear();
    this.restored.clear();
    this.ca = undefined;
    this.snapshotKey = undefined;
    return {
      counts: countChanges(changes),
      changes,
      wallMs: Date.now() - begin,
      outputs: { gateways: [], certificatePrivateKeys: {} },
    };
  }
}

/**
 * Counts and changed resources from what `pulumi up --json` / `destroy --json` prints: one JSON
 * document (`changeSummary`, `steps[]`), or a stream of engine events, one per line
 * (`summaryEvent.resourceChanges`, and `resOutputsEvent.metadata` `{op, urn}` per finished step).
 * Steps of a replacement (`create-replacement`, `delete-replaced`) are reported once, as `replace`.
 */
export function engineSummary(json: string): {
  counts: ResourceCounts;
  changes: ResourceChange[];
} {
  type Step = { op: string; urn: string };
  type Event = {
    summaryEvent?: { resourceChanges?: Record<string, number> };
    resOutputsEvent?: { metadata: Step };
  };
  let summary: Record<string, number> | undefined;
  let steps: Step[];
  try {
    const doc = JSON.parse(json) as { changeSummary?: Record<string, number>; steps?: Step[] };
    summary = doc.changeSummary;
    steps = doc.steps ?? [];
  } catch {
    const events = json
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Event);
    summary = events.find((e) => e.summaryEvent)?.summaryEvent?.resourceChanges;
    steps = events.flatMap((e) => (e.resOutputsEvent ? [e.resOutputsEvent.metadata] : []));
  }
  if (summary === undefined) {
    throw new Error(`the engine printed no change summary:\n${json.slice(0, 2000)}`);
  }
  const changes: ResourceChange[] = [];
  for (const step of steps) {
    if (!["create", "import", "update", "replace", "delete"].includes(step.op)) continue;
    const name = step.urn.split("::").pop() ?? step.urn;
    changes.push({ op: step.op as ResourceChange["op"], name });
  }
  return { counts: countsFromSummary(summary), changes };
}

/** The error diagnostics of an engine event stream (each cut to 12 lines, 1,500 characters). */
export function engineErrors(stream: string): string[] {
  const errors: string[] = [];
  for (const line of stream.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const event = JSON.parse(line) as {
        diagnosticEvent?: { message?: string; severity?: string; urn?: string };
      };
      const d = event.diagnosticEvent;
      if (d?.severity === "error" && d.message !== undefined) {
        // The message without stack frames and object dumps: the first 12 lines that say something.
        const lines = d.message
          .split("\n")
          .filter((l) => l.trim() !== "" && !/^\s+at /.test(l))
          .slice(0, 12);
        errors.push(`${d.urn ? `${d.urn}: ` : ""}${lines.join("\n").slice(0, 1_500)}`);
      }
    } catch {
      // not an event line
    }
  }
  return errors;
}

/** How to run the real engine: the CLI and the environment (backend, passphrase, plugins, PATH). */
export interface PulumiEngine {
  pulumi: string;
  env: Record<string, string>;
  /** Seeds the legacy A record in the Cloudflare stand-in's zone; returns its import id. */
  seedLegacyRecord(facts: LabFacts): Promise<string>;
  /** Deletes a record from the Cloudflare stand-in's zone, as in the dashboard. */
  deleteRecord(facts: LabFacts, name: string, type: string): Promise<void>;
}

/** See the module comment. */
export class PulumiDriver implements StageDriver {
  readonly kind = "pulumi" as const;
  /** A user's checkout: sources copied, dependencies linked; the stack file lives in it. */
  private readonly project: string;

  constructor(
    private readonly engine: PulumiEngine,
    dir: string,
    private readonly stack = "drill",
  ) {
    this.project = join(dir, "project");
  }

  private async pulumi(args: string[]): Promise<string> {
    try {
      const { stdout } = await run(
        this.engine.pulumi,
        [...args, "--stack", this.stack, "--non-interactive"],
        {
          cwd: this.project,
          env: { ...process.env, ...this.engine.env },
          timeout: 600_000,
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      return stdout;
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      const errors = engineErrors(e.stdout ?? "");
      const shown = errors.length > 0 ? errors.join("\n") : (e.stdout ?? "").slice(-4000);
      throw new Error(
        `pulumi ${args.join(" ")} exited ${e.code}\n--- the engine's errors\n${shown}\n--- stderr\n${e.stderr ?? ""}`,
      );
    }
  }

  async deleteRecordByHand(f: LabFacts, name: string, type: "A" | "MX"): Promise<void> {
    await this.engine.deleteRecord(f, name, type);
  }

  async seed(f: LabFacts): Promise<void> {
    mkdirSync(this.project, { recursive: true });
    for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json"]) {
      cpSync(join(REPO_ROOT, file), join(this.project, file));
    }
    for (const d of ["stacks", "components", "bin"]) {
      cpSync(join(REPO_ROOT, d), join(this.project, d), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, "node_modules"), join(this.project, "node_modules"));
    f.legacyImportId = await this.engine.seedLegacyRecord(f);
    await this.pulumi(["stack", "init"]);
  }

  /** Writes the stage's configuration into the stack file, keeping what `stack init` put there. */
  private writeConfig(f: LabFacts, s: StageSpec): void {
    const file = join(this.project, "stacks", `Pulumi.${this.stack}.yaml`);
    const doc = existsSync(file)
      ? ((parse(readFileSync(file, "utf8")) as Record<string, unknown>) ?? {})
      : {};
    doc.config = { "aws:region": "eu-central-1", "msgw:pool": poolConfig(f, s) };
    writeFileSync(file, stringify(doc));
  }

  async up(f: LabFacts, s: StageSpec): Promise<UpResult> {
    this.writeConfig(f, s);
    const begin = Date.now();
    const out = await this.pulumi(["up", "--yes", "--skip-preview", "--json"]);
    const wallMs = Date.now() - begin;
    return { ...engineSummary(out), wallMs, outputs: await this.outputs() };
  }

  private async outputs(): Promise<DrillOutputs> {
    const out = JSON.parse(
      await this.pulumi(["stack", "output", "--json", "--show-secrets"]),
    ) as Partial<DrillOutputs>;
    return {
      gateways: out.gateways ?? [],
      caCertificatePem: out.caCertificatePem,
      certificatePrivateKeys: out.certificatePrivateKeys ?? {},
    };
  }

  async destroy(): Promise<UpResult> {
    const begin = Date.now();
    const out = await this.pulumi(["destroy", "--yes", "--skip-preview", "--json"]);
    return {
      ...engineSummary(out),
      wallMs: Date.now() - begin,
      outputs: { gateways: [], certificatePrivateKeys: {} },
    };
  }
}
