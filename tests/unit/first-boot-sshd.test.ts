// The first boot's sshd_config edit, checked by Debian's real `sshd -t` on a copy of the Windows OpenSSH
// default file. Stand-ins: the fixture is our own rendition of the Windows default's shape (it ends with a
// Match block), and `__PROGRAMDATA__`, which Windows OpenSSH expands to C:\ProgramData, is expanded to a
// temporary directory here. The grammar sshd checks is the same on both platforms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  PINNED_HOST_KEY,
  SSHD_HOSTKEY_LINE,
  SSHD_MATCH_LINE,
  pinSshdHostKey,
  renderWindowsUserData,
} from "../../components/gateway-pool/plan/user-data";
import { planGatewayPool } from "../../components";
import { baseArgs } from "../helpers/pool-harness";
import { makeSshKey } from "../lab/fixtures";

const SSHD = "/usr/sbin/sshd";
const haveSshd = fs.existsSync(SSHD);
// CI installs openssh-server (.ci/apt-packages.txt): there a missing sshd is a failure, not a skip.
const skip = !haveSshd && process.env.CI !== "true" ? "openssh-server is not installed" : false;

const windowsDefault = fs.readFileSync(
  path.join(__dirname, "fixtures", "windows-openssh-sshd_config_default"),
  "utf8",
);

/** Runs `sshd -t -f` on `config` as Windows would read it, with a real host key in place. */
function sshdCheck(config: string): { status: number | null; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "do-sshd-"));
  try {
    fs.mkdirSync(path.join(dir, "ssh"));
    makeSshKey(path.join(dir, "ssh", "ssh_host_ed25519_key"));
    const file = path.join(dir, "sshd_config");
    fs.writeFileSync(file, config.replaceAll("__PROGRAMDATA__", dir));
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const r = spawnSync(SSHD, ["-t", "-f", file], { encoding: "utf8", timeout: 10_000 });
    return { status: r.status, stderr: r.stderr.replaceAll(dir, "<dir>") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test(
  "the fixture ends with a Match block and passes sshd -t unchanged apart from a host key",
  { skip },
  () => {
    const lines = windowsDefault.trimEnd().split("\n");
    assert.match(lines.at(-2) ?? "", /^Match Group administrators$/);
    // Without any HostKey line sshd falls back to its default key paths; give it one at the top to check
    // that nothing else in the fixture is rejected.
    const r = sshdCheck(`HostKey ${PINNED_HOST_KEY}\n${windowsDefault}`);
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
  },
);

test("the old edit (HostKey appended at the end) is refused by sshd -t", { skip }, () => {
  const old = `${windowsDefault}HostKey ${PINNED_HOST_KEY}\n`;
  const r = sshdCheck(old);
  assert.equal(r.status, 255);
  assert.match(r.stderr, /Directive 'HostKey' is not allowed within a Match block/);
});

test(
  "the first boot's edit of the Windows default passes sshd -t and is idempotent",
  { skip },
  () => {
    const once = pinSshdHostKey(windowsDefault);
    const r = sshdCheck(once);
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    // Exactly one active HostKey, directly before the Match block; CRLF as Set-Content writes.
    const lines = once.split("\r\n");
    assert.equal(lines.at(-1), "");
    const hostKeys = lines.filter((l) => new RegExp(SSHD_HOSTKEY_LINE, "i").test(l));
    assert.deepEqual(hostKeys, [`HostKey ${PINNED_HOST_KEY}`]);
    const at = lines.indexOf(`HostKey ${PINNED_HOST_KEY}`);
    assert.equal(lines[at + 1], "Match Group administrators");
    // Running the bootstrap again changes nothing.
    assert.equal(pinSshdHostKey(once), once);
  },
);

test(
  "the edit repairs a file the old bootstrap broke, and handles siblings of the Match case",
  { skip },
  () => {
    const cases: Array<[string, string]> = [
      ["old edit already applied", `${windowsDefault}HostKey ${PINNED_HOST_KEY}\n`],
      ["CRLF file", windowsDefault.replace(/\n/g, "\r\n")],
      ["no final newline", windowsDefault.trimEnd()],
      ["lower-case keywords, '=' syntax", windowsDefault.replace("Match Group", "match=Group")],
      [
        "indented Match, other host keys",
        `hostkey=/etc/x\n${windowsDefault.replace("Match", "  Match")}`,
      ],
      ["no Match block at all", windowsDefault.split("Match Group")[0]],
      ["two Match blocks", `${windowsDefault}Match User backup\n  PermitTTY no\n`],
    ];
    for (const [label, config] of cases) {
      const r = sshdCheck(pinSshdHostKey(config));
      assert.equal(`${label}: ${r.stderr}`, `${label}: `);
      assert.equal(r.status, 0, label);
    }
  },
);

test("the PowerShell performs the same edit: shared patterns, insertion before the first Match", () => {
  const plan = planGatewayPool(baseArgs({ configSync: { revision: 1 } }));
  const script = renderWindowsUserData({
    hostname: "msgw1.example.com",
    gateway: plan.gateway,
    openPorts: [22, 25],
    sshHostKeyParameter: "/msgw/unit/pool/msgw1/ssh-host-key",
  });
  const lines = script.split("\n").map((l) => l.trim());
  const edit = [
    "$sshdLines = [System.Collections.Generic.List[string]]::new()",
    `foreach ($line in @(Get-Content -LiteralPath 'C:\\ProgramData\\ssh\\sshd_config')) { if ($line -notmatch '${SSHD_HOSTKEY_LINE}') { $sshdLines.Add($line) } }`,
    "$at = 0",
    `while ($at -lt $sshdLines.Count -and $sshdLines[$at] -notmatch '${SSHD_MATCH_LINE}') { $at++ }`,
    `$sshdLines.Insert($at, 'HostKey ${PINNED_HOST_KEY}')`,
    "Set-Content -LiteralPath 'C:\\ProgramData\\ssh\\sshd_config' -Value $sshdLines -Encoding Ascii",
  ];
  const start = lines.indexOf(edit[0]);
  assert.ok(start > 0);
  assert.deepEqual(lines.slice(start, start + edit.length), edit);
  // Nothing appends to sshd_config any more.
  assert.doesNotMatch(script, /Add-Content[^\n]*sshd_config/);
});
