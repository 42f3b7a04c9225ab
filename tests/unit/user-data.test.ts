import { test } from "node:test";
import assert from "node:assert/strict";
import {
  planGatewayPool,
  planIngressRules,
  openPorts,
  renderWindowsUserData,
} from "../../components";
import { baseArgs } from "../helpers/pool-harness";

test("user data: firewall ports, pinned SSH host key from SSM, verified silent install, no secrets", () => {
  const plan = planGatewayPool(
    baseArgs({
      gateway: {
        installerUrl: "https://downloads.example.com/MailStoreGatewaySetup.exe",
        installerSha256: "A".repeat(64),
        serviceName: "MailStore Gateway",
      },
      configSync: {
        revision: 1,
        sshPublicKey:
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv msgw-replication@ops",
      },
    }),
  );
  const rules = planIngressRules(plan, { ssh: true });
  assert.deepEqual(openPorts(rules), [22, 25, 110, 8450]);
  const script = renderWindowsUserData({
    hostname: "msgw1.example.com",
    gateway: plan.gateway,
    openPorts: openPorts(rules),
    sshHostKeyParameter: "/msgw/pool/msgw1/ssh-host-key",
    sshAuthorizedKey: plan.configSync?.sshPublicKey,
  });
  const lines = script.split("\n");
  assert.equal(lines[0], "<powershell>");
  assert.equal(lines.at(-2), "</powershell>");
  assert.deepEqual(
    lines
      .filter((l) => l.includes("New-NetFirewallRule"))
      .map((l) => /-LocalPort (\d+)/.exec(l)?.[1]),
    ["22", "25", "110", "8450"],
  );
  assert.ok(
    lines.includes(
      "$hostKey = (Get-SSMParameter -Name '/msgw/pool/msgw1/ssh-host-key' -WithDecryption $true -Region $region).Value",
    ),
  );
  // Single quotes inside values are doubled, so a comment cannot break out of the literal.
  assert.ok(
    lines.includes(
      "Set-Content -Path 'C:\\ProgramData\\ssh\\administrators_authorized_keys' -Value 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv msgw-replication@ops'",
    ),
  );
  assert.ok(
    lines.includes(
      `if ((Get-FileHash -Algorithm SHA256 $installer).Hash.ToLower() -ne '${"a".repeat(64)}') { throw 'installer checksum mismatch; refusing to run it' }`,
    ),
  );
  assert.ok(
    lines.includes(
      "$p = Start-Process -FilePath $installer -ArgumentList '/VERYSILENT /SUPPRESSMSGBOXES /NORESTART' -Wait -PassThru",
    ),
  );
  assert.ok(lines.includes("Start-Service -Name 'MailStore Gateway'"));
  assert.doesNotMatch(script, /PRIVATE KEY|password/i);
});

test("user data without replication or installer: no SSH at all, manual install noted", () => {
  const plan = planGatewayPool(baseArgs());
  const rules = planIngressRules(plan, { ssh: false });
  const script = renderWindowsUserData({
    hostname: "msgw1.example.com",
    gateway: plan.gateway,
    openPorts: openPorts(rules),
  });
  assert.doesNotMatch(script, /OpenSSH|sshd|-LocalPort 22 /);
  assert.match(
    script,
    /# No installer URL configured: install MailStore Gateway by hand \(see the runbook\)\./,
  );
  assert.deepEqual(
    rules.map((r) => r.key),
    ["smtp-0-0-0-0-0", "pop3-198-51-100-10-32", "mgmt-198-51-100-0-24"],
  );
});

test("POP3S, when enabled, is opened to MailStore Server only", () => {
  const plan = planGatewayPool(baseArgs({ gateway: { ports: { pop3s: 995 } } }));
  assert.deepEqual(
    planIngressRules(plan, { ssh: false })
      .filter((r) => r.port === 995)
      .map((r) => [r.service, r.cidr]),
    [["pop3s", "198.51.100.10/32"]],
  );
});
