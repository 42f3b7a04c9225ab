// The inventory's schema: strict at every level, the rule pieces it shares with the pool, and the
// contract that whatever `msgw config` refuses in an inventory the pool generates, the pool refuses first.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  InventoryError,
  validateInventory,
  windowsServiceControl,
} from "../../../components/config-sync";
import {
  planGatewayPool,
  validateGatewayPoolArgs,
  type GatewayPoolArgs,
} from "../../../components";
import {
  inventoryHost,
  isSynced,
  type ReplicationEndpoint,
} from "../../../components/gateway-pool/plan/replication";
import { baseArgs } from "../../helpers/pool-harness";
import { ED25519_KEY_C as KEY, ED25519_KEY_A as KEY2 } from "../../lab/fixtures";

const win = {
  address: "203.0.113.10",
  username: "Administrator",
  privateKeyPath: "keys/id_ed25519",
  hostKey: KEY,
};
const sc = {
  start: "systemctl start gw",
  stop: "systemctl stop gw",
  status: "systemctl is-active gw",
};

function problems(raw: unknown): string[] {
  try {
    validateInventory(raw, "/base");
  } catch (e) {
    assert.ok(e instanceof InventoryError);
    return e.problems;
  }
  return [];
}

const rows: Array<[string, unknown, string[]]> = [
  [
    "Windows data directory with forward slashes",
    { hosts: { h: { ...win, dataDir: "D:/MailStore/Gateway" } } },
    [
      'hosts.h.dataDir "D:/MailStore/Gateway" uses "/"; write Windows folders with backslashes, e.g. "D:\\\\MailStore\\\\Gateway"',
    ],
  ],
  [
    "drive root as data directory (once reported as a backupDir problem)",
    { hosts: { h: { ...win, dataDir: "C:\\" } } },
    [
      'hosts.h.dataDir "C:\\\\" is a drive root; give the gateway a folder of its own (backups are kept beside it), e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
    ],
  ],
  [
    "linux file-system root as data directory",
    { hosts: { h: { ...win, platform: "linux", dataDir: "/", serviceControl: sc } } },
    [
      'hosts.h.dataDir "/" is the file-system root; give the gateway a folder of its own, e.g. "/var/lib/msgw"',
    ],
  ],
  [
    "unknown serviceControl field",
    { hosts: { h: { ...win, serviceControl: { ...sc, restart: "x" } } } },
    ["hosts.h.serviceControl.restart is not an inventory field; did you mean start?"],
  ],
  [
    "empty and missing service commands",
    { hosts: { h: { ...win, serviceControl: { start: "a", stop: "" } } } },
    [
      'hosts.h.serviceControl.stop "" is not a command; give one line that stops the service (exit 0 when the stop was accepted)',
      "hosts.h.serviceControl.status undefined is not a command; give the command that exits 0 exactly when the service runs",
    ],
  ],
  [
    "a field of the other store kind",
    { store: { kind: "local", path: "x", bucket: "b" }, hosts: { h: win } },
    ["store.bucket is not an inventory field; the inventory fields here are kind, path"],
  ],
  [
    "unknown store kind",
    { store: { kind: "gcs" }, hosts: { h: win } },
    [
      'store.kind "gcs" is not "local" or "s3"; use {"kind":"local","path":"DIR"} or {"kind":"s3","bucket":"B","prefix":"P","region":"R"}',
    ],
  ],
  [
    "misspelt files.include",
    { files: { includes: ["*"] }, hosts: { h: win } },
    ["files.includes is not an inventory field; did you mean include?"],
  ],
  [
    "service name with a typographic quote",
    { hosts: { h: { ...win, serviceName: "Gate’way" } } },
    [
      'hosts.h.serviceName "Gate’way" contains "’" (U+2019); a service name may hold only letters, digits, spaces, dots, dashes and underscores (the value is written into PowerShell)',
    ],
  ],
  [
    "empty user name",
    { hosts: { h: { ...win, username: "" } } },
    [
      'hosts.h.username "" is not an SSH user name; give the account replication logs in as, e.g. "Administrator" (letters, digits and . _ @ \\ - only)',
    ],
  ],
  [
    "host key comment with a typographic quote",
    { hosts: { h: { ...win, hostKey: `${KEY} ’x` } } },
    [
      'hosts.h.hostKey "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBeGabOArVWnyyiBEdWmhYcM…" has "’" (U+2019) in its comment; a key comment may hold only letters, digits, spaces and . _ @ + = : , / ( ) - (the key is written into PowerShell)',
    ],
  ],
  [
    "inline password",
    { hosts: { h: { ...win, password: "x" } } },
    [
      "hosts.h.password: secrets are never accepted inline; put the private key in a file and give privateKeyPath, or name an environment variable in privateKeyEnv (passphrase: passphraseEnv)",
    ],
  ],
  [
    "both key sources",
    { hosts: { h: { ...win, privateKeyEnv: "K" } } },
    ["hosts.h: both privateKeyPath and privateKeyEnv are set; keep one"],
  ],
  [
    "no hosts at all",
    { hosts: {} },
    [
      'hosts {} must be an object with at least one host: {"msgw1.example.com": {"address": ..., "hostKey": ...}}',
    ],
  ],
];
for (const [title, raw, expected] of rows) {
  test(`inventory refuses: ${title}`, () => assert.deepEqual(problems(raw), expected));
}

/**
 * The inventory the pool's wiring writes (resources/replication.ts `inventoryHost`), for every pool host
 * and the migrating legacy gateway, with the endpoints gateway-pool.ts builds (AWS hosts get the address
 * and host key their instance would report).
 */
function inventoryFor(args: GatewayPoolArgs): { store: unknown; hosts: Record<string, unknown> } {
  const plan = planGatewayPool(args);
  assert.ok(isSynced(plan));
  const sync = plan.configSync;
  const endpoints: ReplicationEndpoint[] = plan.hosts.map((h, i) => ({
    hostname: h.hostname,
    address: (h.address as string | undefined) ?? `203.0.113.${10 + i}`,
    sshHostKey: h.sshHostKey ?? KEY,
    port: h.sshPort,
    username: h.sshUser,
    platform: h.platform,
    dataDirectory: h.dataDirectory,
    serviceControl: h.serviceControl,
    freshlyCreated: h.placement === "aws",
  }));
  if (plan.legacy?.phase === "migrating") {
    const l = plan.legacy;
    endpoints.push({
      hostname: l.hostname,
      address: l.address as string,
      sshHostKey: l.sshHostKey as string,
      port: l.sshPort,
      username: l.sshUser,
      platform: l.platform,
      dataDirectory: l.dataDirectory,
      serviceControl: l.serviceControl,
      freshlyCreated: false,
    });
  }
  return {
    store: { kind: "local", path: sync.backupDirectory },
    hosts: Object.fromEntries(endpoints.map((e) => [e.hostname, inventoryHost(plan, e, true)])),
  };
}

// Each value goes into the pool's arguments and, through the plan, into the inventory msgw config reads.
const SC = {
  start: "sudo systemctl start mailstore-gateway",
  stop: "sudo systemctl stop mailstore-gateway",
  status: "systemctl is-active --quiet mailstore-gateway",
};
const probes: Array<[string, unknown[], (v: unknown) => Partial<GatewayPoolArgs>]> = [
  [
    "gateway.dataDirectory / dataDir",
    [
      "C:\\ProgramData\\MailStore\\Gateway",
      "D:\\Gateway\\",
      "D:/MailStore/Gateway",
      "\\\\fs01\\share\\Gateway",
      "MailStore\\Gateway",
      "C:\\",
      "C:\\a\\..\\b",
      "C:\\Data\\Gate’way",
      "",
    ],
    (v) => ({ gateway: { dataDirectory: v as string } }),
  ],
  [
    "gateway.serviceName / serviceName",
    ["MailStoreGateway", "MailStore Gateway", "Gate'way", "Gate’way", ""],
    (v) => ({ gateway: { serviceName: v as string } }),
  ],
  [
    "existing.sshUser / username",
    ["Administrator", "CORP\\svc-msgw", "", "o'brien"],
    (v) => ({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: { address: "192.0.2.20", sshHostKey: KEY2, sshUser: v as string },
        },
      ],
    }),
  ],
  [
    "existing.sshHostKey / hostKey",
    [
      KEY2,
      `${KEY2} ops@example`,
      KEY2.replace("ssh-ed25519", "ecdsa-sha2-nistp256"),
      "ssh-ed25519 AAAA",
      `${KEY2} ’`,
    ],
    (v) => ({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: { address: "192.0.2.20", sshHostKey: v as string },
        },
      ],
    }),
  ],
  [
    "existing.sshPort / port",
    [22, 2222, 0, 65536, 22.5],
    (v) => ({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: { address: "192.0.2.20", sshHostKey: KEY2, sshPort: v as number },
        },
      ],
    }),
  ],
  [
    "linux existing.dataDirectory / dataDir",
    [
      "/var/lib/msgw",
      "/srv/gw/",
      "/",
      "var/lib/msgw",
      "/srv/../etc",
      "/srv/mail gw",
      "C:\\Gateway",
      "",
    ],
    (v) => ({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: {
            address: "192.0.2.20",
            sshHostKey: KEY2,
            platform: "linux",
            dataDirectory: v as string,
            serviceControl: SC,
          },
        },
      ],
    }),
  ],
  [
    "windows existing.dataDirectory / dataDir",
    ["D:\\Gateway", "D:/Gateway", "/var/lib/msgw", "C:\\", ""],
    (v) => ({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: { address: "192.0.2.20", sshHostKey: KEY2, dataDirectory: v as string },
        },
      ],
    }),
  ],
  [
    "linux legacy.dataDirectory and serviceControl / dataDir and serviceControl",
    [
      ["/var/lib/msgw", SC],
      ["/var/lib/msgw", undefined],
      [undefined, SC],
      ["/", SC],
      ["/var/lib/msgw", { ...SC, status: "" }],
      ["/var/lib/msgw", { start: "a", stop: "b" }],
    ],
    (v) => {
      const [dataDirectory, serviceControl] = v as [string | undefined, typeof SC | undefined];
      return {
        legacy: {
          hostname: "msgw.example.com",
          address: "198.51.100.5",
          phase: "migrating",
          sshHostKey: KEY2,
          platform: "linux",
          ...(dataDirectory !== undefined ? { dataDirectory } : {}),
          ...(serviceControl !== undefined ? { serviceControl } : {}),
        },
      };
    },
  ],
  [
    "configSync.sshPrivateKeyPath / privateKeyPath",
    ["~/.ssh/id_ed25519", "keys/k", ""],
    (v) => ({ configSync: { revision: 1, sshPrivateKeyPath: v as string } }),
  ],
  [
    "configSync.backupDirectory / store.path",
    [".msgw/backups", "/var/backups/msgw", ""],
    (v) => ({ configSync: { revision: 1, backupDirectory: v as string } }),
  ],
];

for (const [what, values, set] of probes) {
  test(`one rule: the pool refuses exactly the ${what} values msgw config would refuse`, () => {
    for (const value of values) {
      const args = baseArgs({
        hosts: [
          { hostname: "msgw1.example.com" },
          { hostname: "msgw2.example.com", existing: { address: "192.0.2.20", sshHostKey: KEY2 } },
        ],
        configSync: { revision: 1 },
        ...set(value),
      });
      const poolRefuses = validateGatewayPoolArgs(args).length > 0;
      if (poolRefuses) continue;
      assert.deepEqual(
        problems(inventoryFor(args)),
        [],
        `${what} ${JSON.stringify(value)} passes the pool`,
      );
    }
    // And the values the pool accepts are not all trivially refused: at least the first one passes both.
    const first = baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", existing: { address: "192.0.2.20", sshHostKey: KEY2 } },
      ],
      configSync: { revision: 1 },
      ...set(values[0]),
    });
    assert.deepEqual(validateGatewayPoolArgs(first), []);
  });
}

test("one rule: every probe value msgw config refuses in its own inventory is refused by the pool too", () => {
  const refusedByInventory = [
    ["dataDir", "D:/MailStore/Gateway"],
    ["dataDir", "C:\\"],
    ["dataDir", "MailStore\\Gateway"],
    ["serviceName", "Gate’way"],
    ["username", ""],
    ["port", 0],
    ["privateKeyPath", ""],
  ] as const;
  const poolArgs: Record<string, (v: never) => Partial<GatewayPoolArgs>> = {
    dataDir: (v) => ({ gateway: { dataDirectory: v } }),
    serviceName: (v) => ({ gateway: { serviceName: v } }),
    username: (v) => ({ configSync: { revision: 1, sshUser: v } }),
    port: (v) => ({
      hosts: [{ hostname: "msgw1.example.com", existing: { address: "192.0.2.20", sshPort: v } }],
    }),
    privateKeyPath: (v) => ({ configSync: { revision: 1, sshPrivateKeyPath: v } }),
  };
  for (const [field, value] of refusedByInventory) {
    assert.equal(problems({ hosts: { h: { ...win, [field]: value } } }).length, 1, field);
    assert.equal(
      validateGatewayPoolArgs(baseArgs(poolArgs[field](value as never))).length,
      1,
      field,
    );
  }
});

test("contract: msgw config accepts the inventory the pool writes for a mixed windows/linux pool and a linux legacy source", () => {
  const args = baseArgs({
    hosts: [
      { hostname: "msgw1.example.com" },
      {
        hostname: "msgw2.example.com",
        existing: { address: "192.0.2.20", sshHostKey: KEY2, dataDirectory: "D:\\Gateway\\" },
      },
      {
        hostname: "msgw3.example.com",
        existing: {
          address: "192.0.2.21",
          sshHostKey: KEY2,
          sshUser: "msgw",
          platform: "linux",
          dataDirectory: "/var/lib/mailstore-gateway",
          serviceControl: SC,
        },
      },
    ],
    legacy: {
      hostname: "msgw.example.com",
      address: "198.51.100.5",
      phase: "migrating",
      sshHostKey: KEY2,
      sshUser: "root",
      platform: "linux",
      dataDirectory: "/srv/gateway",
      serviceControl: {
        start: "rc-service gw start",
        stop: "rc-service gw stop",
        status: "rc-service gw status",
      },
    },
    configSync: { revision: 7 },
  });
  assert.deepEqual(validateGatewayPoolArgs(args), []);
  const raw = inventoryFor(args);
  const inv = validateInventory(raw, "/base");
  const pick = (name: string) => {
    const h = inv.hosts[name];
    return {
      platform: h.platform,
      dataDir: h.dataDir,
      backupDir: h.backupDir,
      serviceName: h.serviceName,
      serviceControl: h.serviceControl,
    };
  };
  // Windows hosts: the pool's (or their own) folder and PowerShell control of the pool's service name.
  assert.deepEqual(pick("msgw1.example.com"), {
    platform: "windows",
    dataDir: "C:\\ProgramData\\MailStore\\Gateway",
    backupDir: "C:\\ProgramData\\MailStore\\Gateway.msgw-backups",
    serviceName: "MailStoreGateway",
    serviceControl: windowsServiceControl("MailStoreGateway"),
  });
  assert.deepEqual(pick("msgw2.example.com"), {
    platform: "windows",
    dataDir: "D:\\Gateway",
    backupDir: "D:\\Gateway.msgw-backups",
    serviceName: "MailStoreGateway",
    serviceControl: windowsServiceControl("MailStoreGateway"),
  });
  // Linux hosts: their own folder and commands, never the pool's Windows ones.
  assert.deepEqual(pick("msgw3.example.com"), {
    platform: "linux",
    dataDir: "/var/lib/mailstore-gateway",
    backupDir: "/var/lib/mailstore-gateway.msgw-backups",
    serviceName: "gateway",
    serviceControl: SC,
  });
  assert.deepEqual(pick("msgw.example.com"), {
    platform: "linux",
    dataDir: "/srv/gateway",
    backupDir: "/srv/gateway.msgw-backups",
    serviceName: "gateway",
    serviceControl: {
      start: "rc-service gw start",
      stop: "rc-service gw stop",
      status: "rc-service gw status",
    },
  });
  assert.equal(inv.hosts["msgw3.example.com"].username, "msgw");
  assert.equal(inv.hosts["msgw.example.com"].username, "root");
  // The Windows entries are exactly what the pool wrote before linux hosts could take part.
  assert.deepEqual(raw.hosts["msgw1.example.com"], {
    address: "203.0.113.10",
    port: 22,
    username: "Administrator",
    privateKeyPath: "~/.ssh/id_ed25519",
    hostKey: KEY,
    platform: "windows",
    dataDir: "C:\\ProgramData\\MailStore\\Gateway",
    serviceName: "MailStoreGateway",
    // configSync.bootWaitSeconds, default: the first boot's bounds plus allowances.
    bootWaitSeconds: 2040,
    serviceWaitSeconds: 1800,
  });
});

test("inventoryHost refuses a linux endpoint without data directory or service control (the pool's rules refuse it first)", () => {
  const plan = planGatewayPool(baseArgs({ configSync: { revision: 1 } }));
  assert.ok(isSynced(plan));
  const e: ReplicationEndpoint = {
    hostname: "msgw9.example.com",
    address: "192.0.2.9",
    sshHostKey: KEY2,
    port: 22,
    username: "root",
    platform: "linux",
    dataDirectory: "/var/lib/msgw",
    serviceControl: undefined,
    freshlyCreated: false,
  };
  const text =
    "msgw9.example.com: a linux host needs dataDirectory and serviceControl for configuration replication";
  assert.throws(() => inventoryHost(plan, e, true), { message: text });
  assert.throws(
    () => inventoryHost(plan, { ...e, serviceControl: SC, dataDirectory: undefined }, true),
    {
      message: text,
    },
  );
});
