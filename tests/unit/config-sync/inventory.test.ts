import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as os from "node:os";
import * as path from "node:path";
import {
  InventoryError,
  loadInventory,
  parseHostKey,
  validateInventory,
  windowsServiceControl,
} from "../../../components/config-sync";
import { ED25519_KEY_C as KEY } from "../../lab/fixtures";

const win = {
  address: "203.0.113.10",
  username: "Administrator",
  privateKeyPath: "keys/id_ed25519",
  hostKey: KEY,
};

function problems(raw: unknown): string[] {
  try {
    validateInventory(raw, "/base");
  } catch (e) {
    assert.ok(e instanceof InventoryError);
    return e.problems;
  }
  assert.fail("expected an InventoryError");
}

describe("inventory", () => {
  test("~/ in privateKeyPath and the store path means the operator's home directory, as in a shell", () => {
    const inv = validateInventory(
      {
        store: { kind: "local", path: "~/msgw-store" },
        hosts: { h: { ...win, privateKeyPath: "~/.ssh/id_ed25519" } },
      },
      "/base",
    );
    assert.equal(inv.hosts.h.privateKeyPath, path.join(os.homedir(), ".ssh/id_ed25519"));
    assert.deepEqual(inv.store, { kind: "local", path: path.join(os.homedir(), "msgw-store") });
  });

  test("a Windows host gets the documented defaults; relative paths resolve against the inventory's folder", () => {
    const inv = validateInventory({ hosts: { "msgw1.example.com": win } }, "/base");
    assert.deepEqual(inv.store, { kind: "local", path: "/base/.msgw/config-store" });
    assert.deepEqual(inv.files, { include: ["*"], exclude: [], maxFileMiB: 64 });
    assert.equal(inv.mailboxIdPattern, "mbx-[0-9a-f]{32}");
    const h = inv.hosts["msgw1.example.com"];
    assert.equal(h.platform, "windows");
    assert.equal(h.port, 22);
    assert.equal(h.dataDir, "C:\\ProgramData\\MailStore\\Gateway");
    assert.equal(h.backupDir, "C:\\ProgramData\\MailStore\\Gateway.msgw-backups");
    assert.equal(h.serviceName, "MailStoreGateway");
    assert.equal(h.privateKeyPath, "/base/keys/id_ed25519");
    assert.deepEqual(h.serviceControl, windowsServiceControl("MailStoreGateway"));
    assert.equal(h.connectTimeoutSeconds, 20);
    assert.equal(h.bootWaitSeconds, 0, "only a host the inventory says is booting is waited for");
    assert.equal(h.operationTimeoutSeconds, 30);
    assert.equal(h.serviceWaitSeconds, 0);
    assert.equal(h.serviceTimeoutSeconds, 120);
    assert.equal(h.settleSeconds, 2);
  });

  test("Windows service control is PowerShell Stop-/Start-/Get-Service, encoded so no quoting can break it", () => {
    const sc = windowsServiceControl("MailStoreGateway");
    const decode = (cmd: string) => {
      const m =
        /^powershell\.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand (\S+)$/.exec(
          cmd,
        );
      assert.ok(m, cmd);
      return Buffer.from(m[1], "base64").toString("utf16le");
    };
    assert.equal(
      decode(sc.stop),
      "$ErrorActionPreference = 'Stop'; Stop-Service -Name 'MailStoreGateway'; (Get-Service -Name 'MailStoreGateway').WaitForStatus('Stopped', [TimeSpan]::FromSeconds(110))",
    );
    assert.equal(
      decode(sc.start),
      "$ErrorActionPreference = 'Stop'; Start-Service -Name 'MailStoreGateway'; (Get-Service -Name 'MailStoreGateway').WaitForStatus('Running', [TimeSpan]::FromSeconds(110))",
    );
    assert.equal(
      decode(sc.status),
      "$s = Get-Service -Name 'MailStoreGateway' -ErrorAction Stop; if ($s.Status -eq 'Running') { exit 0 } else { exit 3 }",
    );
  });

  test("an s3 store and file selection are taken as given", () => {
    const inv = validateInventory(
      {
        store: { kind: "s3", bucket: "b", region: "eu-central-1", prefix: "msgw/" },
        files: { include: ["*.xml", "*.json"], exclude: ["*.log"] },
        hosts: { h1: win },
      },
      "/base",
    );
    assert.deepEqual(inv.store, {
      kind: "s3",
      bucket: "b",
      region: "eu-central-1",
      prefix: "msgw/",
    });
    assert.deepEqual(inv.files, {
      include: ["*.xml", "*.json"],
      exclude: ["*.log"],
      maxFileMiB: 64,
    });
  });

  const bad: [string, unknown, string[]][] = [
    ["not an object", [], ["the inventory must be a JSON object, got []"]],
    [
      "no hosts",
      {},
      [
        'hosts undefined must be an object with at least one host: {"msgw1.example.com": {"address": ..., "hostKey": ...}}',
      ],
    ],
    [
      "unknown top-level field",
      { hosts: { h: win }, host: {} },
      ["host is not an inventory field; did you mean hosts?"],
    ],
    [
      "missing host key",
      { hosts: { h: { ...win, hostKey: undefined } } },
      [
        "hosts.h.hostKey is missing; pin the host's public key as \"ssh-ed25519 AAAA...\" (read it from the host's console or build, not by trusting the first connection)",
      ],
    ],
    [
      "host key that is not a key",
      { hosts: { h: { ...win, hostKey: "ssh-ed25519 AAAAB3NzaC1yc2E" } } },
      [
        'hosts.h.hostKey "ssh-ed25519 AAAAB3NzaC1yc2E" is not an OpenSSH public key; paste the one-line key "TYPE BASE64 [comment]" as in a .pub file or a known_hosts line without the host name, e.g. "ssh-ed25519 AAAAC3Nza…"',
      ],
    ],
    [
      "inline private key",
      { hosts: { h: { ...win, privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" } } },
      [
        "hosts.h.privateKey: secrets are never accepted inline; put the private key in a file and give privateKeyPath, or name an environment variable in privateKeyEnv (passphrase: passphraseEnv)",
      ],
    ],
    [
      "no private key",
      { hosts: { h: { ...win, privateKeyPath: undefined } } },
      [
        "hosts.h: no private key; give privateKeyPath (a key file) or privateKeyEnv (the name of an environment variable holding the key)",
      ],
    ],
    [
      "a key value where an env var name belongs",
      { hosts: { h: { ...win, privateKeyPath: undefined, privateKeyEnv: "-----BEGIN" } } },
      [
        'hosts.h.privateKeyEnv "-----BEGIN" must be the NAME of an environment variable (e.g. MSGW_SSH_KEY), not its value',
      ],
    ],
    [
      "linux without commands or data dir",
      { hosts: { h: { ...win, platform: "linux" } } },
      [
        'hosts.h.dataDir is missing; linux hosts need the gateway\'s data directory, e.g. "/var/lib/msgw"',
        'hosts.h.serviceControl is missing; linux hosts need {"start": CMD, "stop": CMD, "status": CMD} (status exits 0 exactly when the service runs)',
      ],
    ],
    [
      "backup folder inside the data directory",
      { hosts: { h: { ...win, backupDir: "C:\\ProgramData\\MailStore\\Gateway\\backups" } } },
      [
        'hosts.h.backupDir "C:\\\\ProgramData\\\\MailStore\\\\Gateway\\\\backups" must not be inside (or contain) the data directory "C:\\\\ProgramData\\\\MailStore\\\\Gateway": its sub-folders are mailboxes; use a sibling such as "C:\\\\ProgramData\\\\MailStore\\\\Gateway.msgw-backups"',
      ],
    ],
    [
      "relative data dir",
      { hosts: { h: { ...win, dataDir: "Gateway" } } },
      [
        'hosts.h.dataDir "Gateway" is not an absolute windows path; start with a drive letter, e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
      ],
    ],
    [
      "bad port",
      { hosts: { h: { ...win, port: 70000 } } },
      ["hosts.h.port 70000 is not a TCP port; use a whole number from 1 to 65535"],
    ],
    [
      "bad platform",
      { hosts: { h: { ...win, platform: "macos" } } },
      ['hosts.h.platform "macos" must be "windows" or "linux"'],
    ],
    [
      "unknown host field",
      { hosts: { h: { ...win, adress: "x" } } },
      ["hosts.h.adress is not an inventory field; did you mean address?"],
    ],
    [
      "s3 without bucket",
      { store: { kind: "s3", region: "r" }, hosts: { h: win } },
      ["store.bucket undefined is required for an s3 store; give the bucket's name"],
    ],
    [
      "include with a folder",
      { files: { include: ["sub/*"] }, hosts: { h: win } },
      [
        'files.include ["sub/*"] must be a list of file-name patterns such as "*.xml" (top-level names only, no folders)',
      ],
    ],
    [
      "bad mailbox pattern",
      { mailboxIdPattern: "mbx-[", hosts: { h: win } },
      ['mailboxIdPattern "mbx-[" is not a regular expression; use e.g. "mbx-[0-9a-f]{32}"'],
    ],
  ];
  for (const [name, raw, want] of bad) {
    test(`rejects ${name} with a message that names the field and the fix`, () => {
      assert.deepEqual(problems(raw), want);
    });
  }

  test("the error lists every problem at once", () => {
    assert.throws(
      () => validateInventory({ hosts: { h: { ...win, port: 0, username: undefined } } }, "/"),
      {
        message:
          "inventory is not valid:\n  - hosts.h.port 0 is not a TCP port; use a whole number from 1 to 65535\n  - hosts.h.username is missing; give the SSH user (an administrator on Windows)",
      },
    );
  });

  test("parseHostKey checks that the blob's own type matches", () => {
    assert.equal(parseHostKey(KEY)?.type, "ssh-ed25519");
    assert.equal(parseHostKey(KEY.replace("ssh-ed25519", "ecdsa-sha2-nistp256")), undefined);
    assert.equal(parseHostKey("ssh-ed25519"), undefined);
  });

  test("loadInventory: --inventory wins, else MSGW_INVENTORY, else a clear error", () => {
    const env = { MSGW_INVENTORY: JSON.stringify({ hosts: { fromenv: win } }) };
    assert.deepEqual(Object.keys(loadInventory(undefined, env).hosts), ["fromenv"]);
    assert.throws(() => loadInventory(undefined, {}), {
      message:
        "inventory is not valid:\n  - no inventory: pass --inventory FILE or set MSGW_INVENTORY to the inventory's JSON text",
    });
    assert.throws(
      () => loadInventory(undefined, { MSGW_INVENTORY: "{" }),
      /MSGW_INVENTORY is not valid JSON/,
    );
    assert.throws(
      () => loadInventory("/nonexistent/inv.json", env),
      /cannot read --inventory "\/nonexistent\/inv.json": ENOENT/,
    );
  });
});
