// The first-boot and settings scripts, read step by step: every file, folder, registry key and service
// they touch must exist (created by an earlier step, or checked by a guard that stops with a message)
// before a step reads or writes it. The scripts run under $ErrorActionPreference = 'Stop', so a write to
// something missing stops the whole first boot. PowerShell is not available here: this is a structural
// check of the text. Each line that names a path or a service must match one of the forms below; an
// unknown form fails the test, so a new step has to be classified here before it can be shipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planGatewayPool, planIngressRules, openPorts } from "../../components";
import {
  renderSettingsCommand,
  renderWindowsUserData,
  type WindowsUserDataInput,
} from "../../components/gateway-pool/plan/user-data";
import { baseArgs } from "../helpers/pool-harness";
import { ED25519_KEY_A } from "../lab/fixtures";

/** What exists on a fresh EC2 Windows Server before its first boot runs. */
const FRESH = [
  "c:\\programdata",
  "c:\\windows\\system32",
  "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe",
  "hklm:\\software",
  "$env:temp",
];

/** What the OpenSSH server capability puts in place when it is installed. */
const OPENSSH_FILES = ["c:\\windows\\system32\\openssh\\sshd_config_default"];

type Effect =
  { kind: "needs" | "creates" | "checks"; what: string } | { kind: "needs-parent"; what: string };

const lc = (p: string) => p.toLowerCase();
const parentOf = (p: string) => p.slice(0, Math.max(p.lastIndexOf("\\"), 0));
const isPath = (s: string) => /^([a-z]:\\|hklm:\\|\$env:temp)/i.test(s);
const svc = (name: string) => `service ${lc(name)}`;

/** The statement forms the scripts use, each with what it needs and creates. */
const FORMS: { re: RegExp; effects: (m: RegExpExecArray) => Effect[] }[] = [
  {
    re: /New-Item -ItemType Directory -Force -Path '([^']+)'/g,
    effects: (m) => [{ kind: "creates", what: m[1] }],
  },
  {
    re: /if \(-not \(Test-Path -LiteralPath '([^']+)'\)\) \{ New-Item -Path '\1' \| Out-Null \}/g,
    effects: (m) => [
      { kind: "needs-parent", what: m[1] },
      { kind: "creates", what: m[1] },
    ],
  },
  {
    re: /if \(-not \(Test-Path -LiteralPath '([^']+)'\)\) \{ throw '[^']*' \}/g,
    effects: (m) => [{ kind: "checks", what: m[1] }],
  },
  {
    re: /Copy-Item -LiteralPath '([^']+)' -Destination '([^']+)'/g,
    effects: (m) => [
      { kind: "needs", what: m[1] },
      { kind: "needs-parent", what: m[2] },
      { kind: "creates", what: m[2] },
    ],
  },
  // Test-Path alone reads nothing (a guard or a wait).
  { re: /Test-Path -LiteralPath '([^']+)'/g, effects: () => [] },
  { re: /New-ItemProperty -Path '([^']+)'/g, effects: (m) => [{ kind: "needs", what: m[1] }] },
  {
    re: /(?:Set-Content -LiteralPath |\[IO\.File\]::WriteAllText\(|New-Item -ItemType Junction -Path )'([^']+)'/g,
    effects: (m) => [
      { kind: "needs-parent", what: m[1] },
      { kind: "creates", what: m[1] },
    ],
  },
  { re: /-Target '([^']+)'/g, effects: (m) => [{ kind: "needs", what: m[1] }] },
  {
    re: /(?:icacls\.exe |Get-Content -LiteralPath |Get-ChildItem -LiteralPath |-Destination |\[IO\.Directory\]::Delete\(|Rename-Item -LiteralPath |Remove-Item -LiteralPath |-Value )'([^']+)'/g,
    effects: (m) => [{ kind: "needs", what: m[1] }],
  },
  // A comparison touches nothing.
  { re: /-eq '([^']+)'/g, effects: () => [] },
  {
    re: /Start-Transcript -Path '([^']+)'/g,
    effects: (m) => [{ kind: "needs-parent", what: m[1] }],
  },
  // Reads that tolerate absence.
  {
    re: /(?:Get-ChildItem|Get-Item -LiteralPath) '([^']+)'(?: -Force)? -ErrorAction SilentlyContinue/g,
    effects: () => [],
  },
  {
    re: /Add-WindowsCapability -Online -Name 'OpenSSH\.Server~~~~0\.0\.1\.0'/g,
    effects: () => OPENSSH_FILES.map((what) => ({ kind: "creates" as const, what })),
  },
  // A service looked up without failing, and a guard that stops with a message when it is missing.
  {
    re: /if \(-not \(Get-Service -Name '([^']+)' -ErrorAction SilentlyContinue\)\) \{ throw '[^']*' \}/g,
    effects: (m) => [{ kind: "checks", what: svc(m[1]) }],
  },
  { re: /Get-Service -Name '([^']+)' -ErrorAction SilentlyContinue/g, effects: () => [] },
  // Name lookups that fail when the service does not exist.
  {
    re: /(?:Set-Service|Start-Service|Stop-Service|Restart-Service|Get-Service)(?: -Name)? (?:'([^']+)'|([A-Za-z][\w.-]*))(?! -ErrorAction SilentlyContinue)/g,
    effects: (m) => [{ kind: "needs", what: svc(m[1] ?? m[2]) }],
  },
];

/** Replaces `$name` by the literal it was assigned (`$link = '…'`; `'{0}:\…' -f …` as drive X:). */
function substitute(line: string, vars: Map<string, string>): string {
  let out = line;
  for (const [name, value] of vars)
    out = out.replace(new RegExp(`\\$${name}\\b(?! =)`, "g"), `'${value}'`);
  return out.replace(/\(Split-Path -Parent '([^']+)'\)/g, (_, p: string) => `'${parentOf(p)}'`);
}

/**
 * Walks `script` from the state `world` (lower-case names) and returns the faults: each use of
 * something that does not exist yet, and each line naming a path or service in a form not classified.
 */
function orderFaults(script: string, world: Set<string>): string[] {
  const faults: string[] = [];
  const vars = new Map<string, string>();
  /** `$item = Get-Item -LiteralPath X … SilentlyContinue`: inside `if ($item …) {` X exists. */
  const found = new Map<string, string>();
  const scopes: { depth: number; path: string }[] = [];
  let depth = 0;
  const exists = (p: string) => world.has(lc(p)) || scopes.some((s) => lc(s.path) === lc(p));
  for (const raw of script.split("\n")) {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    // Block depth; a line starting with "}" leaves its block before it opens another.
    if (trimmed.startsWith("}")) {
      depth--;
      while (scopes.length && scopes[scopes.length - 1].depth > depth) scopes.pop();
    }
    const cond = /^(?:\} )?(?:if|elseif) \(\$(\w+)[ )]/.exec(trimmed);
    const opens = (trimmed.match(/\{/g) ?? []).length - (trimmed.match(/\}/g) ?? []).length;
    const assign = /^\$(\w+) = '([^']*)'( -f .*)?$/.exec(trimmed);
    if (assign) {
      const value = assign[3] ? assign[2].replace("{0}", "X") : assign[2];
      vars.set(assign[1], value);
      if (assign[3] && /^X:\\/.test(value)) world.add("x:"); // a drive letter was assigned just before
      continue;
    }
    // Messages are not paths: double-quoted text is only ever logged here.
    const line = substitute(trimmed.replace(/"(?:[^"`]|`.)*"/g, '"<text>"'), vars);
    const probe =
      /^\$(\w+) = Get-Item -LiteralPath '([^']+)' -Force -ErrorAction SilentlyContinue$/.exec(line);
    if (probe) found.set(probe[1], probe[2]);
    if (cond && found.has(cond[1]) && opens + (trimmed.startsWith("}") ? 1 : 0) > 0)
      scopes.push({ depth: depth + 1, path: found.get(cond[1])! });
    depth += opens + (trimmed.startsWith("}") ? 1 : 0);
    // Messages are not paths: leave out the text of throw statements.
    const code = line.replace(/throw '(?:[^']|'')*'/g, "throw '<message>'");
    const effects: Effect[] = [];
    const consumed = new Set<number>();
    for (const form of FORMS) {
      form.re.lastIndex = 0;
      for (let m = form.re.exec(code); m; m = form.re.exec(code)) {
        // A literal already claimed by an earlier (more specific) form is not counted twice.
        const at = m.index + m[0].indexOf("'");
        if (consumed.has(at) && m[0].includes("'")) continue;
        for (let i = m.index; i < m.index + m[0].length; i++) if (code[i] === "'") consumed.add(i);
        // Values that are not paths (-Value 'text') touch nothing.
        effects.push(
          ...form.effects(m).filter((e) => isPath(e.what) || e.what.startsWith("service ")),
        );
      }
    }
    for (const l of code.matchAll(/'([^']*)'/g))
      if (isPath(l[1]) && !consumed.has(l.index!))
        faults.push(`unclassified use of ${l[1]}: ${trimmed}`);
    const order = { checks: 0, needs: 1, "needs-parent": 1, creates: 2 } as const;
    for (const e of effects.sort((a, b) => order[a.kind] - order[b.kind])) {
      if (e.kind === "checks") world.add(lc(e.what));
      else if (e.kind === "needs" && !exists(e.what))
        faults.push(`${e.what} is used before anything created it: ${trimmed}`);
      else if (e.kind === "needs-parent" && !exists(parentOf(e.what)))
        faults.push(`${parentOf(e.what)} does not exist when ${e.what} is written: ${trimmed}`);
      else if (e.kind === "creates")
        for (let p = lc(e.what); p.length > 2 && !world.has(p); p = parentOf(p)) world.add(p);
    }
  }
  return faults;
}

const KEY = `${ED25519_KEY_A} ops`;

function fullInput(): WindowsUserDataInput {
  const plan = planGatewayPool(
    baseArgs({
      gateway: {
        installerUrl: "https://downloads.example.com/MailStoreGatewaySetup.exe",
        installerSha256: "a".repeat(64),
      },
      configSync: { revision: 1, sshPublicKey: KEY },
    }),
  );
  return {
    hostname: "msgw1.example.com",
    gateway: plan.gateway,
    openPorts: openPorts(planIngressRules(plan, { ssh: true })),
    sshHostKeyParameter: "/msgw/pool/msgw1/ssh-host-key",
    sshAuthorizedKey: KEY,
    dataVolumeId: "vol-0123456789abcdef0",
  };
}

test("first boot: every path, registry key and service exists before a step uses it", () => {
  const world = new Set(FRESH);
  assert.deepEqual(orderFaults(renderWindowsUserData(fullInput()), world), []);
  // What the first boot leaves in place, in the order it is created (ancestors included).
  assert.deepEqual(
    [...world].filter((w) => !FRESH.includes(w)),
    [
      "c:\\programdata\\msgw",
      "x:",
      "x:\\mailstore\\gateway",
      "x:\\mailstore",
      "c:\\programdata\\mailstore",
      "c:\\programdata\\mailstore\\gateway",
      "c:\\windows\\system32\\openssh\\sshd_config_default",
      "c:\\windows\\system32\\openssh",
      "service sshd",
      "c:\\programdata\\ssh",
      "c:\\programdata\\ssh\\sshd_config",
      "c:\\programdata\\ssh\\ssh_host_ed25519_key",
      "hklm:\\software\\openssh",
      "c:\\programdata\\ssh\\administrators_authorized_keys",
      "service mailstoregateway",
      "c:\\programdata\\msgw\\bootstrap.done",
      "c:\\programdata\\msgw\\bootstrap.step",
    ],
  );
});

test("first boot without a data volume, SSH or installer: the same holds", () => {
  const { sshHostKeyParameter, sshAuthorizedKey, dataVolumeId, ...rest } = fullInput();
  void [sshHostKeyParameter, sshAuthorizedKey, dataVolumeId];
  const plan = planGatewayPool(baseArgs({}));
  const world = new Set(FRESH);
  const script = renderWindowsUserData({ ...rest, gateway: plan.gateway });
  assert.deepEqual(orderFaults(script, world), []);
});

test("settings command (SSM, on a running host): every use is preceded by its creation or a guard", () => {
  // It runs only once the first boot is done; start from what the first boot guarantees.
  const world = new Set(FRESH);
  orderFaults(renderWindowsUserData(fullInput()), world);
  // The gateway service may have been removed since: the settings' own guard must cover it.
  world.delete("service mailstoregateway");
  assert.deepEqual(orderFaults(renderSettingsCommand(fullInput()), world), []);
});

test("the check catches the faults it is for: a registry key, a service and a file used before they exist", () => {
  const old = [
    "New-ItemProperty -Path 'HKLM:\\SOFTWARE\\OpenSSH' -Name DefaultShell -Value 'x' -PropertyType String -Force | Out-Null",
    "if (-not (Get-Service -Name 'MailStoreGateway' -ErrorAction SilentlyContinue)) {",
    "}",
    "Set-Service -Name 'MailStoreGateway' -StartupType Automatic",
    "if ((Get-Service sshd).Status -ne 'Running') { Start-Service sshd }",
    "Set-Content -LiteralPath 'C:\\ProgramData\\ssh\\administrators_authorized_keys' -Value 'k' -Encoding Ascii",
    "Clear-Content -LiteralPath 'C:\\ProgramData\\x'",
  ].join("\n");
  assert.deepEqual(orderFaults(old, new Set(FRESH)), [
    "HKLM:\\SOFTWARE\\OpenSSH is used before anything created it: New-ItemProperty -Path 'HKLM:\\SOFTWARE\\OpenSSH' -Name DefaultShell -Value 'x' -PropertyType String -Force | Out-Null",
    "service mailstoregateway is used before anything created it: Set-Service -Name 'MailStoreGateway' -StartupType Automatic",
    "service sshd is used before anything created it: if ((Get-Service sshd).Status -ne 'Running') { Start-Service sshd }",
    "service sshd is used before anything created it: if ((Get-Service sshd).Status -ne 'Running') { Start-Service sshd }",
    "C:\\ProgramData\\ssh does not exist when C:\\ProgramData\\ssh\\administrators_authorized_keys is written: Set-Content -LiteralPath 'C:\\ProgramData\\ssh\\administrators_authorized_keys' -Value 'k' -Encoding Ascii",
    "unclassified use of C:\\ProgramData\\x: Clear-Content -LiteralPath 'C:\\ProgramData\\x'",
  ]);
});
