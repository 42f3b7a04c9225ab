import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where snapshots and backups are kept. */
export type StoreSpec =
  | {
      kind: "local";
      /** Folder for snapshots and backups (created 0700). Relative paths are taken from the inventory file's folder. */
      path: string;
    }
  | {
      kind: "s3";
      /** Bucket name; the bucket must have versioning enabled. */
      bucket: string;
      /** Key prefix, e.g. `"msgw/prod/"`. @default - "" */
      prefix: string;
      /** The bucket's region. */
      region: string;
      /** KMS key id for SSE-KMS. @default - the bucket's default key (`aws:kms`) */
      kmsKeyId?: string;
      /**
       * Endpoint of an S3-compatible service (path-style requests), e.g. `"https://minio.example.net:9000"`.
       * @default - AWS S3 of `region`
       */
      endpoint?: string;
    };

/** How the gateway service is stopped, started and checked on a host: commands run over SSH. */
export interface ServiceControl {
  /** Starts the service; exit 0 when the start was accepted. */
  start: string;
  /** Stops the service; exit 0 when the stop was accepted. */
  stop: string;
  /** Exit 0 exactly when the service is running. */
  status: string;
  /**
   * Exit 0 when the service is installed (running or not). A restore waits (bounded by
   * `serviceWaitSeconds`) for it: on a host just created the gateway's installer may still be running.
   * @default - PowerShell `Get-Service` on Windows; none on linux (the service is taken as installed)
   */
  exists?: string;
}

/** One gateway host, as the engine reaches it. */
export interface HostSpec {
  /** The inventory key (the gateway's host name). */
  name: string;
  /** Address or DNS name SSH connects to. */
  address: string;
  /** @default - 22 */
  port: number;
  /** SSH user. */
  username: string;
  /** Path of the SSH private key file (relative to the inventory file's folder). One of this or `privateKeyEnv`. */
  privateKeyPath?: string;
  /** Name of an environment variable that holds the private key text. */
  privateKeyEnv?: string;
  /** Name of an environment variable that holds the key's passphrase. */
  passphraseEnv?: string;
  /** The pinned host key, `"ssh-ed25519 AAAA..."`; a host presenting any other key is refused. */
  hostKey: string;
  /** @default - "windows" */
  platform: "windows" | "linux";
  /** The gateway's data directory. @default - `C:\ProgramData\MailStore\Gateway` on Windows; required on linux */
  dataDir: string;
  /** Where pre-restore backups are kept on the host. @default - `<dataDir>.msgw-backups`, beside the data directory (never inside it: sub-folders there are mailboxes) */
  backupDir: string;
  /** Windows service name (an assumption about MailStore Gateway). @default - "MailStoreGateway" */
  serviceName: string;
  /** Service control commands. @default - PowerShell Stop-Service/Start-Service/Get-Service on Windows; required on linux */
  serviceControl: ServiceControl;
  /** Deadline of one SSH connection attempt (TCP, handshake, login, SFTP). @default - 20 */
  connectTimeoutSeconds: number;
  /**
   * How long to keep trying a host that refuses or ignores SSH because it was just created and is
   * still booting. Only for such hosts: an unreachable host otherwise fails after one attempt.
   * @default - 0
   */
  bootWaitSeconds: number;
  /**
   * An opaque id of the machine behind this name (the component gives the EC2 instance id). The boot
   * wait applies only until the store has seen this generation answer once: a revision bump on a host
   * that answered before fails fast when it is out of reach.
   */
  generation?: string;
  /** Deadline of one SFTP request (a 32 KiB write, a rename, a listing); a stalled server fails it. @default - 30 */
  operationTimeoutSeconds: number;
  /** How long a restore waits for the gateway service to be installed (`serviceControl.exists`). @default - 0 */
  serviceWaitSeconds: number;
  /** How long to wait for the service to stop or start. @default - 120 */
  serviceTimeoutSeconds: number;
  /** After the service reports running, check again after this long to catch a start that dies at once. @default - 2 */
  settleSeconds: number;
}

/** Which top-level files of the data directory count as configuration. */
export interface FileSelection {
  /** Name patterns (`*`, `?`) of files that are configuration. @default - ["*"] */
  include: string[];
  /** Name patterns excluded even when included. @default - [] */
  exclude: string[];
  /**
   * Largest configuration file accepted, in MiB: a bigger file is refused by name before anything is
   * read or stopped (it is almost certainly not configuration: exclude it). Files are held in memory.
   * @default - 64
   */
  maxFileMiB: number;
}

/** A validated inventory. */
export interface Inventory {
  store: StoreSpec;
  files: FileSelection;
  /** Regular expression (source text) that matches a mailbox id in configuration files. @default - "mbx-[0-9a-f]{32}" */
  mailboxIdPattern: string;
  hosts: Record<string, HostSpec>;
}

/** Thrown for an inventory that cannot be used; its message lists every problem with its fix. */
export class InventoryError extends Error {
  constructor(public readonly problems: string[]) {
    super(`inventory is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InventoryError";
  }
}

export const WINDOWS_DATA_DIR = "C:\\ProgramData\\MailStore\\Gateway";
export const WINDOWS_SERVICE_NAME = "MailStoreGateway";
export const DEFAULT_MAILBOX_ID_PATTERN = "mbx-[0-9a-f]{32}";
export const DEFAULT_STORE_PATH = ".msgw/config-store";

const HOST_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];
const HOST_FIELDS = new Set([
  "address",
  "port",
  "username",
  "privateKeyPath",
  "privateKeyEnv",
  "passphraseEnv",
  "hostKey",
  "platform",
  "dataDir",
  "backupDir",
  "serviceName",
  "serviceControl",
  "connectTimeoutSeconds",
  "bootWaitSeconds",
  "generation",
  "operationTimeoutSeconds",
  "serviceWaitSeconds",
  "serviceTimeoutSeconds",
  "settleSeconds",
]);
const SECRET_FIELDS = ["privateKey", "password", "passphrase", "key"];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Parses the `"type base64"` form of a public key; returns undefined when it is not one. */
export function parseHostKey(text: string): { type: string; blob: Buffer } | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 2 || !HOST_KEY_TYPES.includes(parts[0])) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1])) return undefined;
  const blob = Buffer.from(parts[1], "base64");
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  const embedded = blob.subarray(4, 4 + len).toString("latin1");
  const expected = parts[0].startsWith("rsa-sha2") ? "ssh-rsa" : parts[0];
  if (embedded !== expected) return undefined;
  return { type: expected, blob };
}

/** A path on the operator's machine: `~/…` is the home directory (as a shell would read it), others resolve against baseDir. */
export function resolveLocalPath(baseDir: string, p: string): string {
  if (p === "~" || p.startsWith("~/")) return path.join(os.homedir(), p.slice(1));
  return path.resolve(baseDir, p);
}

function isAbsoluteFor(platform: "windows" | "linux", p: string): boolean {
  return platform === "windows" ? /^[A-Za-z]:\\/.test(p) : p.startsWith("/");
}

/**
 * Validates an inventory object (pure). Relative local paths are resolved against `baseDir`.
 * Throws an {@link InventoryError} naming each bad field, its value and the fix.
 */
export function validateInventory(raw: unknown, baseDir: string): Inventory {
  const problems: string[] = [];
  if (!isObject(raw))
    throw new InventoryError([`the inventory must be a JSON object, got ${show(raw)}`]);
  for (const k of Object.keys(raw)) {
    if (!["store", "hosts", "files", "mailboxIdPattern"].includes(k)) {
      problems.push(
        `unknown field "${k}"; the inventory has store, hosts, files and mailboxIdPattern`,
      );
    }
  }

  let store: StoreSpec = { kind: "local", path: path.resolve(baseDir, DEFAULT_STORE_PATH) };
  const s = raw.store;
  if (s !== undefined) {
    if (!isObject(s) || (s.kind !== "local" && s.kind !== "s3")) {
      problems.push(
        `store.kind ${show(isObject(s) ? s.kind : s)} is not "local" or "s3"; use {"kind":"local","path":"DIR"} or {"kind":"s3","bucket":"B","prefix":"P","region":"R"}`,
      );
    } else if (s.kind === "local") {
      if (typeof s.path !== "string" || s.path === "") {
        problems.push(
          `store.path ${show(s.path)} must be a folder path, e.g. "${DEFAULT_STORE_PATH}"`,
        );
      } else store = { kind: "local", path: resolveLocalPath(baseDir, s.path) };
    } else {
      const bad = ["bucket", "region"].filter((f) => typeof s[f] !== "string" || s[f] === "");
      for (const f of bad)
        problems.push(
          `store.${f} ${show(s[f])} is required for an s3 store; give the bucket's ${f === "bucket" ? "name" : "region"}`,
        );
      if (s.prefix !== undefined && typeof s.prefix !== "string")
        problems.push(`store.prefix ${show(s.prefix)} must be a string such as "msgw/prod/"`);
      if (s.kmsKeyId !== undefined && typeof s.kmsKeyId !== "string")
        problems.push(`store.kmsKeyId ${show(s.kmsKeyId)} must be a KMS key id or ARN`);
      if (
        s.endpoint !== undefined &&
        !(typeof s.endpoint === "string" && /^https?:\/\/[^\s/]+(\/.*)?$/.test(s.endpoint))
      )
        problems.push(
          `store.endpoint ${show(s.endpoint)} must be the URL of an S3-compatible service, e.g. "https://minio.example.net:9000"`,
        );
      if (bad.length === 0) {
        store = {
          kind: "s3",
          bucket: s.bucket as string,
          region: s.region as string,
          prefix: (s.prefix as string | undefined) ?? "",
          ...(typeof s.kmsKeyId === "string" ? { kmsKeyId: s.kmsKeyId } : {}),
          ...(typeof s.endpoint === "string" ? { endpoint: s.endpoint } : {}),
        };
      }
    }
  }

  const files: FileSelection = { include: ["*"], exclude: [], maxFileMiB: 64 };
  if (raw.files !== undefined) {
    const f = raw.files;
    if (!isObject(f))
      problems.push(`files ${show(f)} must be an object {"include":["*"],"exclude":[]}`);
    else {
      for (const k of ["include", "exclude"] as const) {
        const v = f[k];
        if (v === undefined) continue;
        if (
          !Array.isArray(v) ||
          v.some((p) => typeof p !== "string" || p === "" || /[/\\]/.test(p))
        ) {
          problems.push(
            `files.${k} ${show(v)} must be a list of file-name patterns such as "*.xml" (top-level names only, no folders)`,
          );
        } else files[k] = v as string[];
      }
      if (f.maxFileMiB !== undefined) {
        if (typeof f.maxFileMiB !== "number" || !(f.maxFileMiB > 0) || f.maxFileMiB > 1024)
          problems.push(`files.maxFileMiB ${show(f.maxFileMiB)} must be a number from 1 to 1024`);
        else files.maxFileMiB = f.maxFileMiB;
      }
      if (files.include.length === 0)
        problems.push(
          `files.include is empty, so no file would be configuration; use ["*"] or list the configuration files`,
        );
    }
  }

  let mailboxIdPattern = DEFAULT_MAILBOX_ID_PATTERN;
  if (raw.mailboxIdPattern !== undefined) {
    const p = raw.mailboxIdPattern;
    let ok = typeof p === "string" && p !== "";
    if (ok) {
      try {
        new RegExp(p as string, "g");
      } catch {
        ok = false;
      }
    }
    if (ok) mailboxIdPattern = p as string;
    else
      problems.push(
        `mailboxIdPattern ${show(p)} is not a regular expression; use e.g. "${DEFAULT_MAILBOX_ID_PATTERN}"`,
      );
  }

  const hosts: Record<string, HostSpec> = {};
  if (!isObject(raw.hosts) || Object.keys(raw.hosts).length === 0) {
    problems.push(
      `hosts ${show(raw.hosts)} must be an object with at least one host: {"msgw1.example.com": {"address": ..., "hostKey": ...}}`,
    );
  } else {
    for (const [name, h] of Object.entries(raw.hosts)) {
      const spec = validateHost(name, h, baseDir, problems);
      if (spec) hosts[name] = spec;
    }
  }
  if (problems.length > 0) throw new InventoryError(problems);
  return { store, files, mailboxIdPattern, hosts };
}

function validateHost(
  name: string,
  h: unknown,
  baseDir: string,
  problems: string[],
): HostSpec | undefined {
  const at = `hosts.${name}`;
  const before = problems.length;
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(name)) {
    problems.push(`${at}: host name ${show(name)} may hold only letters, digits, dots and dashes`);
  }
  if (!isObject(h)) {
    problems.push(`${at} must be an object with address, username, hostKey and a private key`);
    return undefined;
  }
  for (const k of Object.keys(h)) {
    if (SECRET_FIELDS.includes(k)) {
      problems.push(
        `${at}.${k}: secrets are never accepted inline; put the private key in a file and give privateKeyPath, or name an environment variable in privateKeyEnv (passphrase: passphraseEnv)`,
      );
    } else if (!HOST_FIELDS.has(k)) {
      problems.push(`${at}: unknown field "${k}"; a host has ${[...HOST_FIELDS].join(", ")}`);
    }
  }
  const str = (k: string): string | undefined => {
    const v = h[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") {
      problems.push(`${at}.${k} ${show(v)} must be a non-empty string`);
      return undefined;
    }
    return v;
  };
  const num = (k: string, dflt: number, min: number, max: number): number => {
    const v = h[k];
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      problems.push(`${at}.${k} ${show(v)} must be a number from ${min} to ${max}`);
      return dflt;
    }
    return v;
  };

  const address = str("address");
  if (h.address === undefined)
    problems.push(`${at}.address is missing; give the IP address or DNS name SSH connects to`);
  const port = num("port", 22, 1, 65535);
  if (h.port !== undefined && !Number.isInteger(h.port))
    problems.push(`${at}.port ${show(h.port)} must be a whole number`);
  const username = str("username");
  if (h.username === undefined)
    problems.push(`${at}.username is missing; give the SSH user (an administrator on Windows)`);

  const privateKeyPath = str("privateKeyPath");
  const privateKeyEnv = str("privateKeyEnv");
  const passphraseEnv = str("passphraseEnv");
  if (h.privateKeyPath === undefined && h.privateKeyEnv === undefined) {
    problems.push(
      `${at}: no private key; give privateKeyPath (a key file) or privateKeyEnv (the name of an environment variable holding the key)`,
    );
  } else if (h.privateKeyPath !== undefined && h.privateKeyEnv !== undefined) {
    problems.push(`${at}: both privateKeyPath and privateKeyEnv are set; keep one`);
  }
  for (const [k, v] of [
    ["privateKeyEnv", privateKeyEnv],
    ["passphraseEnv", passphraseEnv],
  ] as const) {
    if (v !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) {
      problems.push(
        `${at}.${k} ${show(v)} must be the NAME of an environment variable (e.g. MSGW_SSH_KEY), not its value`,
      );
    }
  }

  const hostKey = str("hostKey");
  if (h.hostKey === undefined) {
    problems.push(
      `${at}.hostKey is missing; pin the host's public key as "ssh-ed25519 AAAA..." (read it from the host's console or build, not by trusting the first connection)`,
    );
  } else if (hostKey !== undefined && !parseHostKey(hostKey)) {
    problems.push(
      `${at}.hostKey ${show(hostKey.slice(0, 40))} is not a public key; give "TYPE BASE64" as in a known_hosts line without the host name, e.g. "ssh-ed25519 AAAAC3Nza..."`,
    );
  }

  const platform = h.platform ?? "windows";
  if (platform !== "windows" && platform !== "linux") {
    problems.push(`${at}.platform ${show(platform)} must be "windows" or "linux"`);
    return undefined;
  }
  let dataDir = str("dataDir");
  if (dataDir === undefined && platform === "windows") dataDir = WINDOWS_DATA_DIR;
  if (dataDir === undefined) {
    if (h.dataDir === undefined)
      problems.push(
        `${at}.dataDir is missing; linux hosts need the gateway's data directory, e.g. "/var/lib/msgw"`,
      );
  } else if (!isAbsoluteFor(platform, dataDir)) {
    problems.push(
      `${at}.dataDir ${show(dataDir)} must be an absolute ${platform} path, e.g. ${platform === "windows" ? show(WINDOWS_DATA_DIR) : '"/var/lib/msgw"'}`,
    );
    dataDir = undefined;
  } else {
    dataDir = dataDir.replace(/[\\/]+$/, "");
  }
  let backupDir = str("backupDir");
  if (backupDir === undefined && dataDir !== undefined) backupDir = `${dataDir}.msgw-backups`;
  if (backupDir !== undefined && !isAbsoluteFor(platform, backupDir)) {
    problems.push(
      `${at}.backupDir ${show(backupDir)} must be an absolute ${platform} path outside the data directory`,
    );
  } else if (backupDir !== undefined && dataDir !== undefined) {
    const sep = platform === "windows" ? "\\" : "/";
    const norm = (p: string) =>
      (platform === "windows" ? p.toLowerCase() : p).replace(/[\\/]+$/, "") + sep;
    if (norm(backupDir).startsWith(norm(dataDir)) || norm(dataDir).startsWith(norm(backupDir))) {
      problems.push(
        `${at}.backupDir ${show(backupDir)} must not be inside (or contain) the data directory ${show(dataDir)}: its sub-folders are mailboxes; use a sibling such as ${show(`${dataDir}.msgw-backups`)}`,
      );
    }
  }

  const serviceName =
    str("serviceName") ?? (platform === "windows" ? WINDOWS_SERVICE_NAME : "gateway");
  if (!/^[A-Za-z0-9_.\- ]+$/.test(serviceName)) {
    problems.push(
      `${at}.serviceName ${show(serviceName)} may hold only letters, digits, spaces, dots, dashes and underscores`,
    );
  }
  let serviceControl: ServiceControl | undefined;
  const sc = h.serviceControl;
  if (sc !== undefined) {
    if (
      !isObject(sc) ||
      ["start", "stop", "status"].some((k) => typeof sc[k] !== "string" || sc[k] === "") ||
      (sc.exists !== undefined && (typeof sc.exists !== "string" || sc.exists === ""))
    ) {
      problems.push(
        `${at}.serviceControl must be {"start": CMD, "stop": CMD, "status": CMD} (status exits 0 exactly when the service runs)`,
      );
    } else {
      const extra = Object.keys(sc).filter(
        (k) => !["start", "stop", "status", "exists"].includes(k),
      );
      if (extra.length > 0)
        problems.push(
          `${at}.serviceControl: unknown field "${extra[0]}"; it has start, stop, status and exists`,
        );
      serviceControl = {
        start: sc.start as string,
        stop: sc.stop as string,
        status: sc.status as string,
        ...(typeof sc.exists === "string" ? { exists: sc.exists } : {}),
      };
    }
  } else if (platform === "windows") {
    serviceControl = windowsServiceControl(serviceName);
  } else {
    problems.push(
      `${at}.serviceControl is missing; linux hosts need {"start": CMD, "stop": CMD, "status": CMD} (status exits 0 exactly when the service runs)`,
    );
  }
  const connectTimeoutSeconds = num("connectTimeoutSeconds", 20, 1, 600);
  const bootWaitSeconds = num("bootWaitSeconds", 0, 0, 3600);
  const generation = str("generation");
  if (generation !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(generation))
    problems.push(`${at}.generation ${show(generation)} must be an id such as an EC2 instance id`);
  const operationTimeoutSeconds = num("operationTimeoutSeconds", 30, 1, 3600);
  const serviceWaitSeconds = num("serviceWaitSeconds", 0, 0, 7200);
  const serviceTimeoutSeconds = num("serviceTimeoutSeconds", 120, 1, 3600);
  const settleSeconds = num("settleSeconds", 2, 0, 600);
  if (problems.length > before) return undefined;
  return {
    name,
    address: address!,
    port,
    username: username!,
    ...(privateKeyPath !== undefined
      ? { privateKeyPath: resolveLocalPath(baseDir, privateKeyPath) }
      : {}),
    ...(privateKeyEnv !== undefined ? { privateKeyEnv } : {}),
    ...(passphraseEnv !== undefined ? { passphraseEnv } : {}),
    hostKey: hostKey!,
    platform,
    dataDir: dataDir!,
    backupDir: backupDir!,
    serviceName,
    serviceControl: serviceControl!,
    connectTimeoutSeconds,
    bootWaitSeconds,
    ...(generation !== undefined ? { generation } : {}),
    operationTimeoutSeconds,
    serviceWaitSeconds,
    serviceTimeoutSeconds,
    settleSeconds,
  };
}

/** Runs a PowerShell script through Windows OpenSSH's default shell without any quoting trouble. */
export function powershell(script: string): string {
  const encoded = Buffer.from(script, "utf16le").toString("base64");
  return `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}`;
}

/**
 * The default service control for a Windows host: PowerShell `Stop-Service` / `Start-Service` /
 * `Get-Service`, each waiting (bounded) for the service to reach the state it asked for.
 */
export function windowsServiceControl(serviceName: string): ServiceControl {
  const n = serviceName.replace(/'/g, "''");
  const wait = (state: string) =>
    `(Get-Service -Name '${n}').WaitForStatus('${state}', [TimeSpan]::FromSeconds(110))`;
  return {
    stop: powershell(
      `$ErrorActionPreference = 'Stop'; Stop-Service -Name '${n}'; ${wait("Stopped")}`,
    ),
    start: powershell(
      `$ErrorActionPreference = 'Stop'; Start-Service -Name '${n}'; ${wait("Running")}`,
    ),
    status: powershell(
      `$s = Get-Service -Name '${n}' -ErrorAction Stop; if ($s.Status -eq 'Running') { exit 0 } else { exit 3 }`,
    ),
    exists: powershell(
      `if (Get-Service -Name '${n}' -ErrorAction SilentlyContinue) { exit 0 } else { exit 4 }`,
    ),
  };
}

/**
 * Loads the inventory from `--inventory FILE`, else from the `MSGW_INVENTORY` environment variable
 * (JSON text). Relative paths resolve against the file's folder, or the working directory for the variable.
 */
export function loadInventory(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Inventory {
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new InventoryError([`cannot read --inventory ${show(file)}: ${(e as Error).message}`]);
    }
    return validateInventory(
      parseJson(text, `--inventory ${file}`),
      path.dirname(path.resolve(file)),
    );
  }
  const text = env.MSGW_INVENTORY;
  if (text === undefined || text.trim() === "") {
    throw new InventoryError([
      "no inventory: pass --inventory FILE or set MSGW_INVENTORY to the inventory's JSON text",
    ]);
  }
  return validateInventory(parseJson(text, "MSGW_INVENTORY"), process.cwd());
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InventoryError([`${where} is not valid JSON: ${(e as Error).message}`]);
  }
}
