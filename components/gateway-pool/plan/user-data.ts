import type { GatewayPoolPlan } from "./pool-plan";

/** What one Windows host's first-boot script needs. All plain values: the script is pure text. */
export interface WindowsUserDataInput {
  hostname: string;
  gateway: GatewayPoolPlan["gateway"];
  /** Ports the Windows firewall opens (the security group restricts their sources). */
  openPorts: number[];
  /**
   * SSM SecureString parameter holding the pinned SSH host private key; the instance role may read just
   * this one. Undefined: no SSH (replication is not configured).
   */
  sshHostKeyParameter?: string;
  /** OpenSSH public key authorised for administrators (replication). */
  sshAuthorizedKey?: string;
}

/** PowerShell single-quoted literal: the only escape is a doubled quote. */
export function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * First-boot PowerShell for an EC2 Windows host. It never contains a secret: the SSH host key is fetched
 * from SSM with the instance role, the authorised key is public. Steps are idempotent, and a failing step
 * stops the script (the EC2 launch log shows which).
 */
export function renderWindowsUserData(input: WindowsUserDataInput): string {
  const g = input.gateway;
  const lines: string[] = [
    "<powershell>",
    `# MailStore Gateway pool host ${input.hostname} (generated)`,
    "$ErrorActionPreference = 'Stop'",
    "Start-Transcript -Path 'C:\\ProgramData\\msgw-bootstrap.log' -Append",
    "",
    "# Windows firewall: open the gateway's ports; the security group decides who may reach them.",
  ];
  for (const port of input.openPorts) {
    lines.push(
      `if (-not (Get-NetFirewallRule -Name 'msgw-tcp-${port}' -ErrorAction SilentlyContinue)) { New-NetFirewallRule -Name 'msgw-tcp-${port}' -DisplayName 'MailStore Gateway pool tcp/${port}' -Direction Inbound -Protocol TCP -LocalPort ${port} -Action Allow | Out-Null }`,
    );
  }
  lines.push("", "# Data directory (configuration files at top level, mailbox folders below).");
  lines.push(`New-Item -ItemType Directory -Force -Path ${psQuote(g.dataDirectory)} | Out-Null`);

  if (input.sshHostKeyParameter !== undefined) {
    lines.push(
      "",
      "# OpenSSH server for configuration replication, with a host key pinned by the pool (read from SSM, never from user data).",
      "Add-WindowsCapability -Online -Name OpenSSH.Server~~~~0.0.1.0 | Out-Null",
      "Start-Service sshd; Stop-Service sshd",
      "$token = Invoke-RestMethod -Method PUT -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }",
      "$region = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/placement/region' -Headers @{ 'X-aws-ec2-metadata-token' = $token }",
      `$hostKey = (Get-SSMParameter -Name ${psQuote(input.sshHostKeyParameter)} -WithDecryption $true -Region $region).Value`,
      "Get-ChildItem 'C:\\ProgramData\\ssh\\ssh_host_*' | Remove-Item -Force",
      '[IO.File]::WriteAllText(\'C:\\ProgramData\\ssh\\ssh_host_ed25519_key\', $hostKey.Replace("`r`n", "`n"))',
      "Remove-Variable hostKey",
      "icacls 'C:\\ProgramData\\ssh\\ssh_host_ed25519_key' /inheritance:r /grant 'SYSTEM:F' /grant 'Administrators:F' | Out-Null",
      "Add-Content -Path 'C:\\ProgramData\\ssh\\sshd_config' -Value 'HostKey __PROGRAMDATA__/ssh/ssh_host_ed25519_key'",
    );
    if (input.sshAuthorizedKey !== undefined) {
      lines.push(
        `Set-Content -Path 'C:\\ProgramData\\ssh\\administrators_authorized_keys' -Value ${psQuote(input.sshAuthorizedKey)}`,
        "icacls 'C:\\ProgramData\\ssh\\administrators_authorized_keys' /inheritance:r /grant 'SYSTEM:F' /grant 'Administrators:F' | Out-Null",
      );
    }
    lines.push(
      "New-ItemProperty -Path 'HKLM:\\SOFTWARE\\OpenSSH' -Name DefaultShell -Value 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' -PropertyType String -Force | Out-Null",
      "Set-Service sshd -StartupType Automatic; Start-Service sshd",
    );
  }

  if (g.installerUrl !== undefined) {
    lines.push(
      "",
      "# MailStore Gateway, installed silently (switches are an assumption; see README).",
      `$installer = Join-Path $env:TEMP 'MailStoreGatewaySetup.exe'`,
      `Invoke-WebRequest -UseBasicParsing -Uri ${psQuote(g.installerUrl)} -OutFile $installer`,
    );
    if (g.installerSha256 !== undefined) {
      lines.push(
        `if ((Get-FileHash -Algorithm SHA256 $installer).Hash.ToLower() -ne ${psQuote(g.installerSha256)}) { throw 'installer checksum mismatch; refusing to run it' }`,
      );
    }
    lines.push(
      `$p = Start-Process -FilePath $installer -ArgumentList ${psQuote(g.installerArgs)} -Wait -PassThru`,
      'if ($p.ExitCode -ne 0) { throw "installer exited with $($p.ExitCode)" }',
      `Set-Service -Name ${psQuote(g.serviceName)} -StartupType Automatic`,
      `Start-Service -Name ${psQuote(g.serviceName)}`,
    );
  } else {
    lines.push(
      "",
      "# No installer URL configured: install MailStore Gateway by hand (see the runbook).",
    );
  }
  lines.push("Stop-Transcript", "</powershell>", "");
  return lines.join("\n");
}
