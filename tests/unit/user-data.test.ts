import { test } from "node:test";
import assert from "node:assert/strict";
import {
  planGatewayPool,
  planIngressRules,
  openPorts,
  renderWindowsUserData,
} from "../../components";
import {
  renderHostSettingsScript,
  renderSettingsCommand,
} from "../../components/gateway-pool/plan/user-data";
import { baseArgs } from "../helpers/pool-harness";
import { ED25519_KEY_A } from "../lab/fixtures";

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
        sshPublicKey: `${ED25519_KEY_A} msgw-replication@ops`,
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
  const lines = script.split("\n").map((l) => l.trim());
  assert.equal(lines[0], "<powershell>");
  assert.equal(lines.at(-2), "</powershell>");
  assert.ok(lines.includes("$ports = @(22, 25, 110, 8450)"));
  // The SSM read is retried with a bound and says what to do when it gives up.
  assert.ok(
    lines.includes(
      "try { $hostKey = (Get-SSMParameter -Name '/msgw/pool/msgw1/ssh-host-key' -WithDecryption $true -Region $region).Value }",
    ),
  );
  assert.ok(
    lines.includes("for ($attempt = 1; $attempt -le 30 -and $null -eq $hostKey; $attempt++) {"),
  );
  assert.ok(
    lines.includes(
      "if ($null -eq $hostKey) { throw 'SSM parameter /msgw/pool/msgw1/ssh-host-key unreadable after 30 attempts; check the instance role and the key policy, then run the bootstrap again (runbook)' }",
    ),
  );
  // ACLs by well-known SID (localized Windows has no group called "Administrators"), exit code checked.
  assert.deepEqual(
    lines.filter((l) => l.includes("icacls")),
    [
      "Invoke-Checked icacls.exe 'C:\\ProgramData\\ssh\\ssh_host_ed25519_key' /inheritance:r /grant '*S-1-5-18:(F)' /grant '*S-1-5-32-544:(F)'",
      "Invoke-Checked icacls.exe 'C:\\ProgramData\\ssh\\administrators_authorized_keys' /inheritance:r /grant '*S-1-5-18:(F)' /grant '*S-1-5-32-544:(F)'",
    ],
  );
  assert.doesNotMatch(script, /SYSTEM:F|Administrators:F/);
  // Single quotes inside values are doubled, so a comment cannot break out of the literal.
  assert.ok(
    lines.includes(
      "Set-Content -LiteralPath 'C:\\ProgramData\\ssh\\administrators_authorized_keys' -Value 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv msgw-replication@ops' -Encoding Ascii",
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
  // sshd never starts before its pinned key and config are in place, and only after the gateway exists.
  assert.doesNotMatch(script, /Start-Service sshd; Stop-Service sshd/);
  const at = (needle: string): number => lines.findIndex((l) => l.includes(needle));
  const order = [
    at("Add-WindowsCapability"),
    at("ssh_host_ed25519_key', $hostKey"),
    at("$sshdLines.Insert"),
    at("Invoke-WebRequest"),
    at("Start-Service -Name 'MailStore Gateway'"),
    at("Start-Service sshd"),
  ];
  assert.ok(
    order.every((i) => i > 0),
    JSON.stringify(order),
  );
  assert.deepEqual(
    [...order].sort((x, y) => x - y),
    order,
  );
  assert.equal(lines.filter((l) => /Start-Service sshd/.test(l)).length, 1);
  // Every step is logged; failures are logged before the script stops.
  assert.ok(
    lines.includes("Start-Transcript -Path 'C:\\ProgramData\\msgw\\bootstrap.log' -Append"),
  );
  assert.ok(lines.includes('Write-Output "msgw: bootstrap FAILED: $($_.Exception.Message)"'));
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

test("data volume: found by serial, formatted only when blank, folder moved before install, junction", () => {
  const plan = planGatewayPool(
    baseArgs({
      gateway: { installerUrl: "https://downloads.example.com/MailStoreGatewaySetup.exe" },
    }),
  );
  const script = renderWindowsUserData({
    hostname: "msgw1.example.com",
    gateway: plan.gateway,
    openPorts: [25, 110, 8450],
    dataVolumeId: "vol-0123456789abcdef0",
  });
  const lines = script.split("\n").map((l) => l.trim());
  assert.ok(
    lines.includes(
      "$disk = Get-Disk | Where-Object { $_.SerialNumber -and ($_.SerialNumber -replace '-', '') -like 'vol0123456789abcdef0*' } | Select-Object -First 1",
    ),
  );
  // Format-Volume appears once, inside the RAW (blank disk) branch: a disk with data is never formatted.
  const format = lines.findIndex((l) => l.includes("Format-Volume"));
  assert.equal(lines.filter((l) => l.includes("Format-Volume")).length, 1);
  assert.equal(lines[format - 2], "if ($disk.PartitionStyle -eq 'RAW') {");
  // A real folder is moved only onto an empty volume; otherwise it is kept aside, never overwritten.
  assert.ok(lines.includes("if (@(Get-ChildItem -LiteralPath $dataRoot -Force).Count -gt 0) {"));
  assert.ok(
    lines.includes("Get-ChildItem -LiteralPath $link -Force | Move-Item -Destination $dataRoot"),
  );
  // The service is stopped around a move and the junction is in place before the installer runs.
  const at = (needle: string): number => lines.findIndex((l) => l.includes(needle));
  assert.ok(at("Stop-Service -InputObject $service") < at("Move-Item"));
  assert.ok(at("New-Item -ItemType Junction") < at("Invoke-WebRequest"));
  assert.ok(
    lines.includes(
      "if ((Get-Date) -gt $deadline) { throw 'data volume vol-0123456789abcdef0 is not attached after 15 minutes; check its VolumeAttachment (same availability zone as the instance), then run the bootstrap again (runbook)' }",
    ),
  );
});

test("settings command: the same idempotent settings, firewall reconciled, waits for the first boot", () => {
  const plan = planGatewayPool(
    baseArgs({
      configSync: {
        revision: 1,
        sshPublicKey: `${ED25519_KEY_A} ops`,
      },
    }),
  );
  const input = {
    hostname: "msgw1.example.com",
    gateway: plan.gateway,
    openPorts: [8450, 22, 25, 110, 25],
    sshAuthorizedKey: plan.configSync?.sshPublicKey,
  };
  const command = renderSettingsCommand(input).split("\n");
  assert.equal(command[0], "# MailStore Gateway pool host msgw1.example.com: settings (generated)");
  assert.ok(command.includes("$ports = @(22, 25, 110, 8450)"));
  // Ports no longer wanted are closed again.
  assert.ok(command.some((l) => l.includes("Remove-NetFirewallRule -Name $_.Name")));
  assert.ok(
    command.includes(
      "Set-Content -LiteralPath 'C:\\ProgramData\\ssh\\administrators_authorized_keys' -Value 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5qdK5Ziv ops' -Encoding Ascii",
    ),
  );
  assert.ok(
    command.includes(
      "while (-not (Test-Path -LiteralPath 'C:\\ProgramData\\msgw\\bootstrap.done')) {",
    ),
  );
  // The first boot runs exactly the same settings lines.
  const firstBoot = renderWindowsUserData(input)
    .split("\n")
    .map((l) => l.trim());
  for (const line of renderHostSettingsScript(input)) {
    if (line.trim() !== "") assert.ok(firstBoot.includes(line.trim()), line);
  }
  // No installer URL: the settings never try to install.
  assert.doesNotMatch(command.join("\n"), /Invoke-WebRequest/);
});

test("volume growth: both partitions extended to their disks' maximum, only when smaller, in first boot and settings", () => {
  const plan = planGatewayPool(baseArgs({}));
  const input = {
    hostname: "msgw1.example.com",
    gateway: plan.gateway,
    openPorts: [25, 110, 8450],
    dataVolumeId: "vol-0123456789abcdef0",
    dataVolumeGiB: 150,
    rootVolumeGiB: 60,
  };
  const settings = renderSettingsCommand(input).split("\n");
  const from = settings.indexOf(
    "# Volumes grown in EBS: each partition is extended to its disk's size (a change of size re-runs these settings).",
  );
  assert.ok(from > 0);
  assert.deepEqual(settings.slice(from + 1, from + 15), [
    "# Volume sizes: root 60 GiB, data vol-0123456789abcdef0 150 GiB",
    "Update-HostStorageCache",
    "function Expand-ToDisk($part) {",
    "  $max = (Get-PartitionSupportedSize -DiskNumber $part.DiskNumber -PartitionNumber $part.PartitionNumber).SizeMax",
    "  if ($max -gt $part.Size + 1MB) {",
    "    Resize-Partition -DiskNumber $part.DiskNumber -PartitionNumber $part.PartitionNumber -Size $max",
    "    Write-Step ('partition {0}: extended to {1:N1} GiB' -f $part.DriveLetter, ($max / 1GB))",
    "  }",
    "}",
    "Expand-ToDisk (Get-Partition -DriveLetter C)",
    "$dataDisk = Get-Disk | Where-Object { $_.SerialNumber -and ($_.SerialNumber -replace '-', '') -like 'vol0123456789abcdef0*' } | Select-Object -First 1",
    "if (-not $dataDisk) { throw 'data volume vol-0123456789abcdef0 is not attached; check its VolumeAttachment, then run the settings again (runbook)' }",
    "Expand-ToDisk (Get-Partition -DiskNumber $dataDisk.Number | Where-Object { $_.Type -eq 'Basic' } | Select-Object -First 1)",
    "# Windows firewall: exactly the gateway's ports; the security group decides who may reach them.",
  ]);
  // First boot: after the data volume is set up (a volume restored from a smaller snapshot grows too).
  const boot = renderWindowsUserData(input)
    .split("\n")
    .map((l) => l.trim());
  assert.ok(
    boot.indexOf("Expand-ToDisk (Get-Partition -DriveLetter C)") >
      boot.indexOf("New-Item -ItemType Junction -Path $link -Target $dataRoot | Out-Null"),
  );
  // A host without EBS volumes (no sizes, no volume) has no growth step.
  assert.doesNotMatch(
    renderSettingsCommand({ hostname: "h", gateway: plan.gateway, openPorts: [25] }),
    /Resize-Partition|Update-HostStorageCache/,
  );
});
