/** I/O: reads the replication inventory (a file or `MSGW_INVENTORY`) and validates it against its schema. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as z from "zod";
import { EC2_INSTANCE_ARN } from "./boot-step";
import {
  WINDOWS_DATA_DIR,
  WINDOWS_SERVICE_NAME,
  envVarName,
  folderProblem,
  foldersOverlap,
  problemsOf,
  replicatedHostRules,
  report,
  serviceControl,
  sshKeyPath,
  sshPublicKey,
  sshUser,
  strictObject,
  tcpPort,
  trimFolder,
  windowsServiceName,
} from "../schema";
import { exact, exactOutput } from "../schema/exact";
import { windowsServiceControl, type ServiceControl } from "./service-control";

/** A store in a folder on the operator's machine. */
export interface LocalStoreSpec {
  kind: "local";
  /** Folder for snapshots and backups (created 0700). Relative paths are taken from the inventory file's folder. */
  path: string;
}

/** A store in a versioned S3 bucket. */
export interface S3StoreSpec {
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
}

/** Where snapshots and backups are kept. */
export type StoreSpec = LocalStoreSpec | S3StoreSpec;

/** `T` with the keys `K` optional. */
type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * The store entry of an inventory as written (by the GatewayPool component, or by hand) and read by
 * `msgw config`: a {@link StoreSpec} whose defaulted fields may be left out.
 */
export type InventoryStore = LocalStoreSpec | Optional<S3StoreSpec, "prefix">;

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
  /**
   * Where the host's first-boot step is read through SSM Run Command when the boot wait ends without an
   * SSH answer: the EC2 instance's ARN and the step file on it. The component writes it for AWS hosts.
   */
  bootStep?: { instanceArn: string; file: string };
  /** Deadline of one SFTP request (a 32 KiB write, a rename, a listing); a stalled server fails it. @default - 30 */
  operationTimeoutSeconds: number;
  /** How long a restore waits for the gateway service to be installed (`serviceControl.exists`). @default - 0 */
  serviceWaitSeconds: number;
  /** How long to wait for the service to stop or start. @default - 120 */
  serviceTimeoutSeconds: number;
  /** After the service reports running, check again after this long to catch a start that dies at once. @default - 2 */
  settleSeconds: number;
}

/** Host fields the reader fills in when an inventory leaves them out. */
type DefaultedHostField =
  | "port"
  | "platform"
  | "dataDir"
  | "backupDir"
  | "serviceName"
  | "serviceControl"
  | "connectTimeoutSeconds"
  | "bootWaitSeconds"
  | "operationTimeoutSeconds"
  | "serviceWaitSeconds"
  | "serviceTimeoutSeconds"
  | "settleSeconds";

/**
 * One host entry of an inventory as written (by the GatewayPool component, or by hand) and read by
 * `msgw config`, under its host name: a {@link HostSpec} without `name`, whose defaulted fields may be
 * left out.
 */
export type InventoryHost = Optional<Omit<HostSpec, "name">, DefaultedHostField>;

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

// From their own modules, so the published declarations need no zod (see stripInternal in tsconfig.build.json).
export { WINDOWS_DATA_DIR } from "../schema/data-directory";
export { WINDOWS_SERVICE_NAME } from "../schema/service-control";
export { parseHostKey } from "../schema/ssh";
export const DEFAULT_MAILBOX_ID_PATTERN = "mbx-[0-9a-f]{32}";
export const DEFAULT_STORE_PATH = ".msgw/config-store";

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
const FIELD = { noun: "inventory field" } as const;
const message =
  (tail: string) =>
  (iss: { input?: unknown }): string =>
    `${showValue(iss.input)} ${tail}`;
const nonEmpty = (tail: string) =>
  z.string({ error: message(tail) }).min(1, { error: message(tail) });
const seconds = (min: number, max: number) =>
  z
    .number({ error: message(`must be a number from ${min} to ${max}`) })
    .min(min, { error: message(`must be a number from ${min} to ${max}`) })
    .max(max, { error: message(`must be a number from ${min} to ${max}`) });

// Unknown keys that look like inline secrets get a message of their own: never accepted, say where to put them.
const SECRET_HINT =
  "secrets are never accepted inline; put the private key in a file and give privateKeyPath, or name an environment variable in privateKeyEnv (passphrase: passphraseEnv)";
const SECRET_FIELDS = ["privateKey", "password", "passphrase", "key"];

const hostShape = {
  // address, username and hostKey are required: hostRules says what to give when one is missing.
  address: nonEmpty("must be a non-empty string").optional(),
  port: tcpPort().default(22),
  username: sshUser().optional(),
  privateKeyPath: sshKeyPath().optional(),
  privateKeyEnv: envVarName().optional(),
  passphraseEnv: envVarName().optional(),
  hostKey: sshPublicKey().optional(),
  platform: z
    .enum(["windows", "linux"], { error: message('must be "windows" or "linux"') })
    .default("windows"),
  // Checked against the platform in hostRules.
  dataDir: z.string({ error: message("must be a folder path") }).optional(),
  backupDir: z.string({ error: message("must be a folder path") }).optional(),
  serviceName: windowsServiceName().optional(),
  serviceControl: exact<ServiceControl>()(serviceControl(FIELD.noun)).optional(),
  connectTimeoutSeconds: seconds(1, 600).default(20),
  bootWaitSeconds: seconds(0, 3600).default(0),
  generation: z
    .string({ error: message("must be an id such as an EC2 instance id") })
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, {
      error: message("must be an id such as an EC2 instance id"),
    })
    .optional(),
  bootStep: strictObject(
    {
      instanceArn: z
        .string({ error: message("must be an EC2 instance ARN") })
        .regex(EC2_INSTANCE_ARN, {
          error: message(
            'must be an EC2 instance ARN such as "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0"',
          ),
        }),
      file: z
        .string({ error: message("must be a Windows file path") })
        .regex(/^[A-Za-z]:\\[^'\r\n\0]+$/, {
          error: message(
            'must be a Windows file path such as "C:\\ProgramData\\msgw\\bootstrap.step"',
          ),
        }),
    },
    FIELD,
  ).optional(),
  operationTimeoutSeconds: seconds(1, 3600).default(30),
  serviceWaitSeconds: seconds(0, 7200).default(0),
  serviceTimeoutSeconds: seconds(1, 3600).default(120),
  settleSeconds: seconds(0, 600).default(2),
};
type RawHost = z.output<z.ZodObject<typeof hostShape>>;

/**
 * One host of the inventory: its fields' rules, strict keys, and the rules that compare its fields. It
 * accepts exactly an {@link InventoryHost}, except that address, username and hostKey may be missing
 * here: hostRules words what to give.
 */
const hostSchema = exact<Optional<InventoryHost, "address" | "username" | "hostKey">>()(
  strictObject(hostShape, {
    ...FIELD,
    missing: "give address, username, hostKey and a private key",
    keyHints: Object.fromEntries(SECRET_FIELDS.map((k) => [k, SECRET_HINT])),
  }),
).superRefine((h, ctx) => hostRules(h, ctx), {
  when: (payload) => typeof payload.value === "object" && payload.value !== null,
});

const MISSING: Partial<Record<keyof RawHost, string>> = {
  address: "is missing; give the IP address or DNS name SSH connects to",
  username: "is missing; give the SSH user (an administrator on Windows)",
  hostKey:
    "is missing; pin the host's public key as \"ssh-ed25519 AAAA...\" (read it from the host's console or build, not by trusting the first connection)",
};

function hostRules(h: RawHost, ctx: z.core.$RefinementCtx<unknown>): void {
  for (const [key, text] of Object.entries(MISSING)) {
    if ((h as Record<string, unknown>)[key] === undefined) report(ctx, [key], text);
  }
  if (h.privateKeyPath === undefined && h.privateKeyEnv === undefined) {
    report(
      ctx,
      [],
      ": no private key; give privateKeyPath (a key file) or privateKeyEnv (the name of an environment variable holding the key)",
    );
  } else if (h.privateKeyPath !== undefined && h.privateKeyEnv !== undefined) {
    report(ctx, [], ": both privateKeyPath and privateKeyEnv are set; keep one");
  }
  const platform = h.platform ?? "windows";
  if (platform !== "windows" && platform !== "linux") return;
  const dataDir = replicatedHostRules(
    ctx,
    { platform, dataDir: h.dataDir, serviceControl: h.serviceControl },
    { dataDir: ["dataDir"], serviceControl: ["serviceControl"] },
    { replicated: true, windowsDefault: WINDOWS_DATA_DIR },
  );
  if (h.backupDir !== undefined) {
    const problem = folderProblem(platform, h.backupDir);
    if (problem !== undefined) {
      report(ctx, ["backupDir"], `${showValue(h.backupDir)} ${problem}`);
    } else if (dataDir !== undefined && foldersOverlap(platform, h.backupDir, dataDir)) {
      report(
        ctx,
        ["backupDir"],
        `${showValue(h.backupDir)} must not be inside (or contain) the data directory ${show(dataDir)}: its sub-folders are mailboxes; use a sibling such as ${show(`${dataDir}.msgw-backups`)}`,
      );
    }
  }
}

const localStore = strictObject(
  {
    kind: z.literal("local"),
    path: nonEmpty(`must be a folder path, e.g. "${DEFAULT_STORE_PATH}"`),
  },
  FIELD,
);
const s3Store = strictObject(
  {
    kind: z.literal("s3"),
    bucket: nonEmpty("is required for an s3 store; give the bucket's name"),
    region: nonEmpty("is required for an s3 store; give the bucket's region"),
    prefix: z.string({ error: message('must be a string such as "msgw/prod/"') }).default(""),
    kmsKeyId: z.string({ error: message("must be a KMS key id or ARN") }).optional(),
    endpoint: z
      .string({
        error: message(
          'must be the URL of an S3-compatible service, e.g. "https://minio.example.net:9000"',
        ),
      })
      .regex(/^https?:\/\/[^\s/]+(\/.*)?$/, {
        error: message(
          'must be the URL of an S3-compatible service, e.g. "https://minio.example.net:9000"',
        ),
      })
      .optional(),
  },
  FIELD,
);

// The documented types are what an inventory holds (InventoryStore) and what the engine gets (StoreSpec).
const storeSchema = exactOutput<StoreSpec>()(
  exact<InventoryStore>()(
    z.discriminatedUnion("kind", [localStore, s3Store], {
      error: (iss) =>
        `${show(isObject(iss.input) ? iss.input.kind : iss.input)} is not "local" or "s3"; use {"kind":"local","path":"DIR"} or {"kind":"s3","bucket":"B","prefix":"P","region":"R"}`,
    }),
  ),
);

const namePatterns = (which: string) =>
  z
    .array(z.string(), {
      error: message(
        `must be a list of file-name patterns such as "*.xml" (top-level names only, no folders)`,
      ),
    })
    .refine((v) => v.every((p) => p !== "" && !/[/\\]/.test(p)), {
      error: message(
        `must be a list of file-name patterns such as "*.xml" (top-level names only, no folders)`,
      ),
    })
    .describe(which);

const isRegExp = (p: string) => {
  try {
    new RegExp(p, "g");
    return p !== "";
  } catch {
    return false;
  }
};

/**
 * The inventory `msgw config` reads (JSON): where snapshots are kept, which files are configuration, and
 * how each host is reached. Strict at every level; the rules it shares with the pool's arguments (host
 * keys, ports, users, key paths, folders, service names and control) come from `components/schema/`.
 * @internal Left out of the published declarations: zod 4.6's types need `esModuleInterop`.
 */
export const inventorySchema = strictObject(
  {
    store: storeSchema.default((): StoreSpec => ({ kind: "local", path: DEFAULT_STORE_PATH })),
    files: strictObject(
      {
        include: namePatterns("include")
          .refine((v) => v.length > 0, {
            error: () =>
              'is empty, so no file would be configuration; use ["*"] or list the configuration files',
          })
          .default(() => ["*"]),
        exclude: namePatterns("exclude").default(() => []),
        maxFileMiB: z
          .number({ error: message("must be a number from 1 to 1024") })
          .min(1, { error: message("must be a number from 1 to 1024") })
          .max(1024, { error: message("must be a number from 1 to 1024") })
          .default(64),
      },
      FIELD,
    ).prefault({}),
    mailboxIdPattern: z
      .string({
        error: message(`is not a regular expression; use e.g. "${DEFAULT_MAILBOX_ID_PATTERN}"`),
      })
      .refine(isRegExp, {
        error: message(`is not a regular expression; use e.g. "${DEFAULT_MAILBOX_ID_PATTERN}"`),
      })
      .default(DEFAULT_MAILBOX_ID_PATTERN),
    hosts: z
      .record(z.string(), hostSchema, {
        error: message(
          'must be an object with at least one host: {"msgw1.example.com": {"address": ..., "hostKey": ...}}',
        ),
      })
      .superRefine(
        (hosts, ctx) => {
          if (!isObject(hosts)) return;
          if (Object.keys(hosts).length === 0) {
            report(
              ctx,
              [],
              `${show(hosts)} must be an object with at least one host: {"msgw1.example.com": {"address": ..., "hostKey": ...}}`,
            );
          }
          for (const name of Object.keys(hosts)) {
            if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(name)) {
              report(
                ctx,
                [name],
                `: host name ${show(name)} may hold only letters, digits, dots and dashes`,
              );
            }
          }
        },
        { when: () => true },
      ),
  },
  FIELD,
);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const showValue = (v: unknown): string => (v === undefined ? "undefined" : show(v));

/** A path on the operator's machine: `~/…` is the home directory (as a shell would read it), others resolve against baseDir. */
export function resolveLocalPath(baseDir: string, p: string): string {
  if (p === "~" || p.startsWith("~/")) return path.join(os.homedir(), p.slice(1));
  return path.resolve(baseDir, p);
}

/**
 * Validates an inventory object (pure) against `inventorySchema`, then fills in the defaults.
 * Relative local paths are resolved against `baseDir`.
 * Throws an {@link InventoryError} naming each bad field, its value and the fix.
 */
export function validateInventory(raw: unknown, baseDir: string): Inventory {
  if (!isObject(raw)) {
    throw new InventoryError([`the inventory must be a JSON object, got ${show(raw)}`]);
  }
  const problems = problemsOf(inventorySchema, raw, Object.keys(inventorySchema.shape));
  if (problems.length > 0) throw new InventoryError(problems);
  const inv = inventorySchema.parse(raw);

  const s = inv.store;
  const store: StoreSpec =
    s.kind === "local"
      ? { kind: "local", path: resolveLocalPath(baseDir, s.path) }
      : {
          kind: "s3",
          bucket: s.bucket,
          region: s.region,
          prefix: s.prefix,
          ...(s.kmsKeyId !== undefined ? { kmsKeyId: s.kmsKeyId } : {}),
          ...(s.endpoint !== undefined ? { endpoint: s.endpoint } : {}),
        };
  const hosts: Record<string, HostSpec> = {};
  for (const [name, h] of Object.entries(inv.hosts)) {
    const platform = h.platform;
    const dataDir = trimFolder(h.dataDir ?? WINDOWS_DATA_DIR);
    const serviceName =
      h.serviceName ?? (platform === "windows" ? WINDOWS_SERVICE_NAME : "gateway");
    hosts[name] = {
      name,
      address: h.address as string,
      port: h.port,
      username: h.username as string,
      ...(h.privateKeyPath !== undefined
        ? { privateKeyPath: resolveLocalPath(baseDir, h.privateKeyPath) }
        : {}),
      ...(h.privateKeyEnv !== undefined ? { privateKeyEnv: h.privateKeyEnv } : {}),
      ...(h.passphraseEnv !== undefined ? { passphraseEnv: h.passphraseEnv } : {}),
      hostKey: h.hostKey as string,
      platform,
      dataDir,
      backupDir: h.backupDir ?? `${dataDir}.msgw-backups`,
      serviceName,
      serviceControl: h.serviceControl ?? windowsServiceControl(serviceName),
      connectTimeoutSeconds: h.connectTimeoutSeconds,
      bootWaitSeconds: h.bootWaitSeconds,
      ...(h.generation !== undefined ? { generation: h.generation } : {}),
      ...(h.bootStep !== undefined ? { bootStep: { ...h.bootStep } } : {}),
      operationTimeoutSeconds: h.operationTimeoutSeconds,
      serviceWaitSeconds: h.serviceWaitSeconds,
      serviceTimeoutSeconds: h.serviceTimeoutSeconds,
      settleSeconds: h.settleSeconds,
    };
  }
  return {
    store,
    files: {
      include: inv.files.include,
      exclude: inv.files.exclude,
      maxFileMiB: inv.files.maxFileMiB,
    },
    mailboxIdPattern: inv.mailboxIdPattern,
    hosts,
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
