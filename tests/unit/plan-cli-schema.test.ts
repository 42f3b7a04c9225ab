// `npm run plan` refuses a stack file with misspelt keys or values msgw config would refuse: exit 2, every
// problem named, nothing planned. (Each value on its own is pinned in tests/unit/schema.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { validateInventory } from "../../components/config-sync";
import { ED25519_KEY_A } from "../lab/fixtures";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

test("npm run plan exits 2 for misspelt keys and values msgw config would refuse, naming each", () => {
  const prod = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8");
  const misspelt = prod
    .replace("      strategy: tiered", "      stratgey: tiered")
    .replace("    legacy:\n", "    legasy:\n")
    .replace(
      "          region: eu-west-1\n",
      "          region: eu-west-1\n      - hostname: msgw3.example.com\n        exisiting:\n          address: 192.0.2.50\n",
    )
    .replace("    gateway:\n", "    gateway:\n      dataDirectory: 'C:\\'\n")
    .replace("      revision: 1\n", "      revision: '-rf'\n      backupDirectory: ''\n");
  const file = path.join(ROOT, "stacks", "Pulumi.schema-test.yaml");
  try {
    fs.writeFileSync(file, misspelt);
    const run = spawnSync(TSX, [path.join(ROOT, "tools", "plan.ts"), "--stack", "schema-test"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, "");
    for (const line of [
      "hosts[2].exisiting is not an argument; did you mean existing?",
      "mx.stratgey is not an argument; did you mean strategy?",
      'gateway.dataDirectory "C:\\\\" is a drive root; give the gateway a folder of its own (backups are kept beside it), e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
      'configSync.revision "-rf" is not a usable revision; use a whole number (0 or more) or up to 128 letters, digits, ".", "_" and "-" starting with a letter or digit, e.g. "2026-11-28.1"',
      'configSync.backupDirectory "" is empty or spans several lines; give a folder, e.g. ".msgw/backups"',
      "legasy is not an argument; did you mean legacy?",
    ]) {
      assert.ok(run.stderr.split("\n").includes(line), `missing: ${line}\n${run.stderr}`);
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test("npm run plan exits 0 for linux existing hosts and a linux legacy source with configSync; msgw config accepts every inventory", () => {
  const prod = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8");
  const KEY = ED25519_KEY_A;
  const control = (unit: string, indent: string) =>
    [
      `${indent}serviceControl:`,
      `${indent}  start: sudo systemctl start ${unit}`,
      `${indent}  stop: sudo systemctl stop ${unit}`,
      `${indent}  status: systemctl is-active --quiet ${unit}`,
      "",
    ].join("\n");
  const linux = prod
    .replace(
      "          region: eu-west-1\n",
      "          region: eu-west-1\n" +
        "      - hostname: msgw3.example.com\n" +
        "        existing:\n" +
        "          address: 192.0.2.50\n" +
        `          sshHostKey: ${KEY}\n` +
        "          sshUser: msgw\n" +
        "          platform: linux\n" +
        "          dataDirectory: /var/lib/mailstore-gateway\n" +
        control("mailstore-gateway", "          "),
    )
    .replace(
      "      phase: migrating\n",
      "      phase: migrating\n" +
        "      platform: linux\n" +
        "      dataDirectory: /srv/gateway\n" +
        control("gateway", "      "),
    );
  assert.notEqual(linux, prod);
  const file = path.join(ROOT, "stacks", "Pulumi.linux-replication-test.yaml");
  try {
    fs.writeFileSync(file, linux);
    const run = spawnSync(
      TSX,
      [path.join(ROOT, "tools", "plan.ts"), "--stack", "linux-replication-test", "--json"],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const plan = JSON.parse(run.stdout) as {
      resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
    };
    const commands = plan.resources.filter((r) => r.type === "command:local:Command");
    // One snapshot of the legacy gateway, one restore per pool host (the linux one included).
    assert.deepEqual(commands.map((c) => c.name).sort(), [
      "msgw-config-snapshot",
      "msgw-msgw1-config-restore",
      "msgw-msgw2-config-restore",
      "msgw-msgw3-config-restore",
    ]);
    const hosts: Record<string, unknown> = {};
    for (const c of commands) {
      const raw = JSON.parse(
        (c.inputs.environment as { MSGW_INVENTORY: string }).MSGW_INVENTORY,
      ) as { hosts: Record<string, unknown> };
      validateInventory(raw, ROOT); // throws InventoryError with every problem
      Object.assign(hosts, raw.hosts);
    }
    const entry = (name: string) => {
      const h = hosts[name] as Record<string, unknown>;
      return { platform: h.platform, dataDir: h.dataDir, serviceControl: h.serviceControl };
    };
    assert.deepEqual(entry("msgw3.example.com"), {
      platform: "linux",
      dataDir: "/var/lib/mailstore-gateway",
      serviceControl: {
        start: "sudo systemctl start mailstore-gateway",
        stop: "sudo systemctl stop mailstore-gateway",
        status: "systemctl is-active --quiet mailstore-gateway",
      },
    });
    assert.deepEqual(entry("msgw.example.com"), {
      platform: "linux",
      dataDir: "/srv/gateway",
      serviceControl: {
        start: "sudo systemctl start gateway",
        stop: "sudo systemctl stop gateway",
        status: "systemctl is-active --quiet gateway",
      },
    });
    assert.deepEqual(entry("msgw1.example.com"), {
      platform: "windows",
      dataDir: "C:\\ProgramData\\MailStore\\Gateway",
      serviceControl: undefined,
    });
  } finally {
    fs.rmSync(file, { force: true });
  }
});
