// Pure: the first-boot PowerShell and the settings command of an AWS host.
import type { SettingsPlan } from "./settings";

/** What one Windows host's first-boot script needs. All plain values: the script is pure text. */
export interface WindowsUserDataInput {
  hostname: string;
  gateway: SettingsPlan["gateway"];
  /** Ports the Windows firewall opens (the security group restricts their sources). */
  openPorts: number[];
  /**
   * SSM SecureString parameter holding the pinned SSH host private key; the instance role may read just
   * this one. Undefined: no SSH (replication is not configured).
   */
  sshHostKeyParameter?: string;
  /** OpenSSH public key authorised for administrators (replication). */
  sshAuthorizedKey?: string;
  /**
   * EBS volume id (`vol-…`) of the host's mail data volume. The data directory is moved onto it and
   * replaced by a directory junction before the gateway is installed. Undefined: data stays on C:.
   */
  dataVolumeId?: string;
  /**
   * Sizes of the data volume and the root volume, in GiB, as deployed. They are part of the settings
   * text, so growing either volume changes the settings and the SSM association runs them again on the
   * running host, which extends each partition to its disk's new size. Undefined: not an AWS host.
   */
  dataVolumeGiB?: number;
  rootVolumeGiB?: number;
}

/** PowerShell single-quoted literal: the only escape is a doubled quote. */
export function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Where the first boot logs every step (transcript); the runbook points administrators here. */
export const BOOTSTRAP_LOG = "C:\\ProgramData\\msgw\\bootstrap.log";
/**
 * The first boot's current step (the text of its last `Write-Step`, or `FAILED: …`), one line; `msgw
 * config` reads it through SSM Run Command when a new host's SSH does not answer in time.
 */
export const BOOTSTRAP_STEP = "C:\\ProgramData\\msgw\\bootstrap.step";
/** Written when the first boot completed; the settings association waits for it. */
export const BOOTSTRAP_DONE = "C:\\ProgramData\\msgw\\bootstrap.done";
/** How long the settings association waits for a first boot still running, minutes. */
export const BOOTSTRAP_WAIT_MINUTES = 45;
/** Windows OpenSSH server configuration file. */
export const SSHD_CONFIG_PATH = "C:\\ProgramData\\ssh\\sshd_config";
/** The default configuration Windows OpenSSH copies to {@link SSHD_CONFIG_PATH} on its first start. */
export const SSHD_CONFIG_DEFAULT_PATH = "C:\\Windows\\System32\\OpenSSH\\sshd_config_default";
/** Pinned host key: the only `HostKey` of the server (`__PROGRAMDATA__` is expanded by Windows OpenSSH). */
export const PINNED_HOST_KEY = "__PROGRAMDATA__/ssh/ssh_host_ed25519_key";
/** NTFS label of the mail data volume; a disk with this label is never formatted again. */
export const DATA_VOLUME_LABEL = "msgw-data";
/** Bound of the SSM read: attempts and pause (a fresh role and key policy take seconds to work). */
export const SSM_READ_ATTEMPTS = 30;
export const SSM_READ_PAUSE_SECONDS = 10;
/** Bound of the wait for the data volume to be attached (the attachment follows the instance). */
export const DATA_VOLUME_WAIT_MINUTES = 15;
/**
 * From launch to user data: AWS asks to wait at least four minutes after launching a Windows instance
 * before connecting to it (EC2 User Guide for Windows instances, "Connect to your Windows instance").
 */
export const WINDOWS_BOOT_SECONDS = 240;
/**
 * Allowances for the first-boot steps that have no bound of their own and no published duration:
 * installing OpenSSH Server (a Windows capability, downloaded from Windows Update) and running the
 * gateway's installer (downloaded from `gateway.installerUrl`). Estimates: raise
 * `configSync.bootWaitSeconds` where downloads are slow.
 */
export const OPENSSH_INSTALL_SECONDS = 300;
export const GATEWAY_INSTALL_SECONDS = 300;
/**
 * How long replication waits for SSH on a host the pool just created, by default: sshd starts last in
 * the first boot, after every step above, so the window is the sum of the first boot's own bounds (the
 * data volume wait, the SSM read's attempts) and the allowances: 240 + 900 + 300 + 300 + 300 = 2040 s.
 */
export const FIRST_BOOT_SSH_WAIT_SECONDS =
  WINDOWS_BOOT_SECONDS +
  DATA_VOLUME_WAIT_MINUTES * 60 +
  SSM_READ_ATTEMPTS * SSM_READ_PAUSE_SECONDS +
  OPENSSH_INSTALL_SECONDS +
  GATEWAY_INSTALL_SECONDS;

/**
 * Line patterns of the `sshd_config` edit, shared verbatim by the PowerShell the host runs (`-match`,
 * case-insensitive like sshd's keywords) and by {@link pinSshdHostKey}, which the tests run through real
 * `sshd -t`. A keyword may be followed by whitespace or `=` (sshd_config(5)). Comment lines never match.
 */
export const SSHD_HOSTKEY_LINE = "^\\s*HostKey[\\s=]";
export const SSHD_MATCH_LINE = "^\\s*Match[\\s=]";

/**
 * The first boot's edit of `sshd_config`, as a pure function on the file's text; the PowerShell in
 * {@link renderWindowsUserData} performs exactly this: read the lines (`Get-Content`), drop every active
 * `HostKey` line, insert `HostKey <pinned key>` before the first `Match` line (a `HostKey` inside a Match
 * block stops sshd from starting: "Directive 'HostKey' is not allowed within a Match block"), or at the end
 * when there is none, and write the lines back with CRLF (`Set-Content`). Idempotent: applying it twice
 * gives the same text.
 */
export function pinSshdHostKey(config: string, hostKeyPath: string = PINNED_HOST_KEY): string {
  const hostKeyLine = new RegExp(SSHD_HOSTKEY_LINE, "i");
  const matchLine = new RegExp(SSHD_MATCH_LINE, "i");
  // Get-Content splits on CRLF, LF or CR and returns no element for the final line break.
  const lines = config.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const kept = lines.filter((l) => !hostKeyLine.test(l));
  let at = 0;
  while (at < kept.length && !matchLine.test(kept[at])) at++;
  kept.splice(at, 0, `HostKey ${hostKeyPath}`);
  // Set-Content writes each line followed by CRLF.
  return kept.map((l) => `${l}\r\n`).join("");
}

/** The `icacls` arguments that leave a file readable by SYSTEM and Administrators only, by SID. */
const OWNER_ONLY_ACL =
  "/inheritance:r /grant '*S-1-5-18:(F)' /grant '*S-1-5-32-544:(F)'"; /* S-1-5-18 = LocalSystem, S-1-5-32-544 = BUILTIN\Administrators: well-known SIDs, the same on every Windows language */

/**
 * The settings a running host must keep in line with the pool: Windows firewall ports (added and removed),
 * the administrators' authorised SSH key, and the gateway installed when it is missing. Idempotent: runs at
 * first boot and again through the host's SSM association whenever the settings change, without a
 * stop/start of the instance.
 */
export function renderHostSettingsScript(input: WindowsUserDataInput): string[] {
  const g = input.gateway;
  const ports = [...new Set(input.openPorts)].sort((x, y) => x - y);
  const lines: string[] = [
    ...volumeGrowthSteps(input),
    "# Windows firewall: exactly the gateway's ports; the security group decides who may reach them.",
    `$ports = @(${ports.join(", ")})`,
    "foreach ($port in $ports) {",
    '  if (-not (Get-NetFirewallRule -Name "msgw-tcp-$port" -ErrorAction SilentlyContinue)) {',
    '    New-NetFirewallRule -Name "msgw-tcp-$port" -DisplayName "MailStore Gateway pool tcp/$port" -Direction Inbound -Protocol TCP -LocalPort $port -Action Allow | Out-Null',
    '    Write-Output "msgw: firewall opened tcp/$port"',
    "  }",
    "}",
    "Get-NetFirewallRule -Name 'msgw-tcp-*' -ErrorAction SilentlyContinue | Where-Object { $ports -notcontains [int]($_.Name -replace '^msgw-tcp-', '') } | ForEach-Object {",
    "  Remove-NetFirewallRule -Name $_.Name",
    '  Write-Output "msgw: firewall closed $($_.Name)"',
    "}",
  ];
  if (input.sshAuthorizedKey !== undefined) {
    lines.push(
      "",
      "# The administrators' authorised key for configuration replication (public key only).",
      "New-Item -ItemType Directory -Force -Path 'C:\\ProgramData\\ssh' | Out-Null",
      `Set-Content -LiteralPath 'C:\\ProgramData\\ssh\\administrators_authorized_keys' -Value ${psQuote(input.sshAuthorizedKey)} -Encoding Ascii`,
      `Invoke-Checked icacls.exe 'C:\\ProgramData\\ssh\\administrators_authorized_keys' ${OWNER_ONLY_ACL}`,
      "Write-Output 'msgw: authorised key written'",
    );
  }
  if (g.installerUrl !== undefined) {
    lines.push(
      "",
      "# MailStore Gateway, installed silently when missing (switches are an assumption; see README).",
      `if (-not (Get-Service -Name ${psQuote(g.serviceName)} -ErrorAction SilentlyContinue)) {`,
      "  $installer = Join-Path $env:TEMP 'MailStoreGatewaySetup.exe'",
      `  Invoke-WebRequest -UseBasicParsing -Uri ${psQuote(g.installerUrl)} -OutFile $installer`,
    );
    if (g.installerSha256 !== undefined) {
      lines.push(
        `  if ((Get-FileHash -Algorithm SHA256 $installer).Hash.ToLower() -ne ${psQuote(g.installerSha256)}) { throw 'installer checksum mismatch; refusing to run it' }`,
      );
    }
    lines.push(
      `  $p = Start-Process -FilePath $installer -ArgumentList ${psQuote(g.installerArgs)} -Wait -PassThru`,
      '  if ($p.ExitCode -ne 0) { throw "installer exited with $($p.ExitCode)" }',
      "  Write-Output 'msgw: MailStore Gateway installed'",
      "}",
      "# The service's name is an assumption (README): say so rather than fail on its first use.",
      `if (-not (Get-Service -Name ${psQuote(g.serviceName)} -ErrorAction SilentlyContinue)) { throw ${psQuote(`no service named ${g.serviceName} after the installer ran; set gateway.serviceName to the name its installer gives the service, then run the bootstrap again (runbook)`)} }`,
      `Set-Service -Name ${psQuote(g.serviceName)} -StartupType Automatic`,
      `if ((Get-Service -Name ${psQuote(g.serviceName)}).Status -ne 'Running') { Start-Service -Name ${psQuote(g.serviceName)} }`,
    );
  } else {
    lines.push(
      "",
      "# No installer URL configured: install MailStore Gateway by hand (see the runbook).",
    );
  }
  return lines;
}

/** EC2 exposes an EBS volume's id without the dash as the disk's serial number (vol0123…). */
const diskBySerial = (volumeId: string) =>
  `Get-Disk | Where-Object { $_.SerialNumber -and ($_.SerialNumber -replace '-', '') -like '${volumeId.replace(/-/g, "")}*' } | Select-Object -First 1`;

/**
 * Extends C: and the data partition to their disks' sizes. EBS grows a volume in place
 * (`ModifyVolume`), but NTFS keeps its partition's size: without this a full disk stays full after a
 * successful `pulumi up`. Idempotent (a partition already at its maximum is left alone); runs at first
 * boot (a volume restored from a smaller snapshot) and from the settings association, which runs again
 * whenever the sizes in its text change.
 */
function volumeGrowthSteps(input: WindowsUserDataInput): string[] {
  if (input.dataVolumeId === undefined && input.rootVolumeGiB === undefined) return [];
  const sizes = [
    input.rootVolumeGiB === undefined ? undefined : `root ${input.rootVolumeGiB} GiB`,
    input.dataVolumeId === undefined
      ? undefined
      : `data ${input.dataVolumeId}${input.dataVolumeGiB === undefined ? "" : ` ${input.dataVolumeGiB} GiB`}`,
  ].filter((x) => x !== undefined);
  const lines = [
    "# Volumes grown in EBS: each partition is extended to its disk's size (a change of size re-runs these settings).",
    `# Volume sizes: ${sizes.join(", ")}`,
    "Update-HostStorageCache",
    "function Expand-ToDisk($part) {",
    "  $max = (Get-PartitionSupportedSize -DiskNumber $part.DiskNumber -PartitionNumber $part.PartitionNumber).SizeMax",
    "  if ($max -gt $part.Size + 1MB) {",
    "    Resize-Partition -DiskNumber $part.DiskNumber -PartitionNumber $part.PartitionNumber -Size $max",
    "    Write-Step ('partition {0}: extended to {1:N1} GiB' -f $part.DriveLetter, ($max / 1GB))",
    "  }",
    "}",
    "Expand-ToDisk (Get-Partition -DriveLetter C)",
  ];
  if (input.dataVolumeId !== undefined)
    lines.push(
      `$dataDisk = ${diskBySerial(input.dataVolumeId)}`,
      `if (-not $dataDisk) { throw 'data volume ${input.dataVolumeId} is not attached; check its VolumeAttachment, then run the settings again (runbook)' }`,
      "Expand-ToDisk (Get-Partition -DiskNumber $dataDisk.Number | Where-Object { $_.Type -eq 'Basic' } | Select-Object -First 1)",
    );
  return lines;
}

/** Shared helpers at the top of every script: step logging and native exit codes checked. */
const PRELUDE = [
  "$ErrorActionPreference = 'Stop'",
  "function Write-Step([string]$text) { Write-Output ('msgw {0:u}: {1}' -f (Get-Date).ToUniversalTime(), $text); if ($msgwStepFile) { Set-Content -LiteralPath $msgwStepFile -Value $text } }",
  'function Invoke-Checked { $exe, $rest = $args; & $exe @rest; if ($LASTEXITCODE -ne 0) { throw "$exe exited with $LASTEXITCODE" } }',
];

/** The data-volume steps: bring the disk online, format it only when blank, move the data folder onto it. */
function dataVolumeSteps(volumeId: string, g: SettingsPlan["gateway"]): string[] {
  return [
    "",
    `Write-Step 'mail data volume ${volumeId}'`,
    `$deadline = (Get-Date).AddMinutes(${DATA_VOLUME_WAIT_MINUTES})`,
    "$disk = $null",
    "while (-not $disk) {",
    `  $disk = ${diskBySerial(volumeId)}`,
    "  if (-not $disk) {",
    `    if ((Get-Date) -gt $deadline) { throw 'data volume ${volumeId} is not attached after ${DATA_VOLUME_WAIT_MINUTES} minutes; check its VolumeAttachment (same availability zone as the instance), then run the bootstrap again (runbook)' }`,
    "    Start-Sleep -Seconds 10",
    "  }",
    "}",
    "if ($disk.IsOffline) { Set-Disk -Number $disk.Number -IsOffline $false }",
    "if ($disk.IsReadOnly) { Set-Disk -Number $disk.Number -IsReadOnly $false }",
    "if ($disk.PartitionStyle -eq 'RAW') {",
    "  Initialize-Disk -Number $disk.Number -PartitionStyle GPT",
    `  New-Partition -DiskNumber $disk.Number -UseMaximumSize -AssignDriveLetter | Format-Volume -FileSystem NTFS -NewFileSystemLabel '${DATA_VOLUME_LABEL}' -Confirm:$false | Out-Null`,
    "  Write-Step 'blank data volume formatted'",
    "}",
    "$partition = Get-Partition -DiskNumber $disk.Number | Where-Object { $_.Type -eq 'Basic' } | Select-Object -First 1",
    "if (-not $partition) { throw 'data volume has no basic partition; it is not a volume this pool formatted. Inspect it by hand (runbook: restore drill)' }",
    "if ([string]$partition.DriveLetter -notmatch '^[A-Z]$') {",
    "  $partition | Add-PartitionAccessPath -AssignDriveLetter",
    "  $partition = Get-Partition -DiskNumber $disk.Number -PartitionNumber $partition.PartitionNumber",
    "}",
    "$dataRoot = '{0}:\\MailStore\\Gateway' -f $partition.DriveLetter",
    "New-Item -ItemType Directory -Force -Path $dataRoot | Out-Null",
    `$link = ${psQuote(g.dataDirectory)}`,
    "$item = Get-Item -LiteralPath $link -Force -ErrorAction SilentlyContinue",
    "if ($item -and $item.LinkType -eq 'Junction' -and @($item.Target)[0] -eq $dataRoot) {",
    '  Write-Step "data directory already links to $dataRoot"',
    "} else {",
    `  $service = Get-Service -Name ${psQuote(g.serviceName)} -ErrorAction SilentlyContinue`,
    "  $wasRunning = $service -and $service.Status -eq 'Running'",
    "  if ($wasRunning) {",
    "    Stop-Service -InputObject $service",
    "    $service.WaitForStatus('Stopped', [TimeSpan]::FromMinutes(2))",
    "  }",
    "  if ($item -and $item.LinkType -eq 'Junction') {",
    "    # A junction to another place (drive letter changed): replace the link only, never its target.",
    "    [IO.Directory]::Delete($link)",
    "  } elseif ($item) {",
    "    # A real folder: move its content onto the volume; never overwrite data the volume already holds.",
    "    if (@(Get-ChildItem -LiteralPath $dataRoot -Force).Count -gt 0) {",
    "      $aside = '{0}.local-{1:yyyyMMddHHmmss}' -f $link, (Get-Date)",
    "      Rename-Item -LiteralPath $link -NewName (Split-Path -Leaf $aside)",
    '      Write-Step "data volume already holds data; the local folder is kept as $aside"',
    "    } else {",
    "      Get-ChildItem -LiteralPath $link -Force | Move-Item -Destination $dataRoot",
    "      Remove-Item -LiteralPath $link -Force",
    '      Write-Step "moved $link to $dataRoot"',
    "    }",
    "  }",
    "  New-Item -ItemType Directory -Force -Path (Split-Path -Parent $link) | Out-Null",
    "  New-Item -ItemType Junction -Path $link -Target $dataRoot | Out-Null",
    '  Write-Step "$link is a junction to $dataRoot"',
    "  if ($wasRunning) { Start-Service -InputObject $service }",
    "}",
  ];
}

/** The OpenSSH steps: install, pinned key and config edit in place before the first start, then start. */
function sshSteps(parameter: string): string[] {
  return [
    "",
    "Write-Step 'OpenSSH server with the pinned host key'",
    "if ((Get-WindowsCapability -Online -Name 'OpenSSH.Server~~~~0.0.1.0').State -ne 'Installed') { Add-WindowsCapability -Online -Name 'OpenSSH.Server~~~~0.0.1.0' | Out-Null }",
    "if (-not (Get-Service -Name 'sshd' -ErrorAction SilentlyContinue)) { throw 'OpenSSH server is installed but its service sshd does not exist (a restart pending?); restart the instance, then run the bootstrap again (runbook)' }",
    "# sshd creates ProgramData\\ssh and sshd_config only on its first start, which comes last here.",
    "New-Item -ItemType Directory -Force -Path 'C:\\ProgramData\\ssh' | Out-Null",
    `if (-not (Test-Path -LiteralPath '${SSHD_CONFIG_PATH}')) { if (-not (Test-Path -LiteralPath '${SSHD_CONFIG_DEFAULT_PATH}')) { throw 'OpenSSH server is installed but ${SSHD_CONFIG_DEFAULT_PATH} does not exist; run the bootstrap again (runbook)' }; Copy-Item -LiteralPath '${SSHD_CONFIG_DEFAULT_PATH}' -Destination '${SSHD_CONFIG_PATH}' }`,
    "$token = Invoke-RestMethod -Method PUT -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }",
    "$region = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/placement/region' -Headers @{ 'X-aws-ec2-metadata-token' = $token }",
    "$hostKey = $null",
    `for ($attempt = 1; $attempt -le ${SSM_READ_ATTEMPTS} -and $null -eq $hostKey; $attempt++) {`,
    `  try { $hostKey = (Get-SSMParameter -Name ${psQuote(parameter)} -WithDecryption $true -Region $region).Value }`,
    `  catch { Write-Step "SSM read $attempt/${SSM_READ_ATTEMPTS} failed: $($_.Exception.Message)"; Start-Sleep -Seconds ${SSM_READ_PAUSE_SECONDS} }`,
    "}",
    `if ($null -eq $hostKey) { throw 'SSM parameter ${parameter} unreadable after ${SSM_READ_ATTEMPTS} attempts; check the instance role and the key policy, then run the bootstrap again (runbook)' }`,
    "Get-ChildItem 'C:\\ProgramData\\ssh\\ssh_host_*' -ErrorAction SilentlyContinue | Remove-Item -Force",
    '[IO.File]::WriteAllText(\'C:\\ProgramData\\ssh\\ssh_host_ed25519_key\', $hostKey.Replace("`r`n", "`n"))',
    "Remove-Variable hostKey",
    `Invoke-Checked icacls.exe 'C:\\ProgramData\\ssh\\ssh_host_ed25519_key' ${OWNER_ONLY_ACL}`,
    "# sshd_config: one HostKey, before the first Match block (see pinSshdHostKey).",
    "$sshdLines = [System.Collections.Generic.List[string]]::new()",
    `foreach ($line in @(Get-Content -LiteralPath '${SSHD_CONFIG_PATH}')) { if ($line -notmatch '${SSHD_HOSTKEY_LINE}') { $sshdLines.Add($line) } }`,
    "$at = 0",
    `while ($at -lt $sshdLines.Count -and $sshdLines[$at] -notmatch '${SSHD_MATCH_LINE}') { $at++ }`,
    `$sshdLines.Insert($at, 'HostKey ${PINNED_HOST_KEY}')`,
    `Set-Content -LiteralPath '${SSHD_CONFIG_PATH}' -Value $sshdLines -Encoding Ascii`,
    "# The key exists only once sshd has run; New-Item -Force would empty an existing key, hence Test-Path.",
    "if (-not (Test-Path -LiteralPath 'HKLM:\\SOFTWARE\\OpenSSH')) { New-Item -Path 'HKLM:\\SOFTWARE\\OpenSSH' | Out-Null }",
    "New-ItemProperty -Path 'HKLM:\\SOFTWARE\\OpenSSH' -Name DefaultShell -Value 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' -PropertyType String -Force | Out-Null",
  ];
}

/**
 * First-boot PowerShell for an EC2 Windows host. It never contains a secret: the SSH host key is fetched
 * from SSM with the instance role, the authorised key is public. Order: firewall, mail data volume (data
 * directory moved onto it, junction in its place), gateway installed, then OpenSSH configured with the
 * pinned key and started, so replication never meets a host without a gateway or with a generated key.
 * Every step is idempotent and logged to {@link BOOTSTRAP_LOG}; a failing step stops the script with a
 * message saying what to do next, and the whole script may be run again.
 */
export function renderWindowsUserData(input: WindowsUserDataInput): string {
  const lines: string[] = [
    "<powershell>",
    `# MailStore Gateway pool host ${input.hostname} (generated)`,
    ...PRELUDE,
    "New-Item -ItemType Directory -Force -Path 'C:\\ProgramData\\msgw' | Out-Null",
    "# Each step's name also goes to the step file (Write-Step), readable through SSM while SSH is not up yet.",
    `$msgwStepFile = '${BOOTSTRAP_STEP}'`,
    `Start-Transcript -Path '${BOOTSTRAP_LOG}' -Append`,
    "try {",
  ];
  const body: string[] = [];
  if (input.dataVolumeId !== undefined)
    body.push(...dataVolumeSteps(input.dataVolumeId, input.gateway));
  else {
    body.push(
      "",
      "# Data directory (configuration files at top level, mailbox folders below).",
      `New-Item -ItemType Directory -Force -Path ${psQuote(input.gateway.dataDirectory)} | Out-Null`,
    );
  }
  if (input.sshHostKeyParameter !== undefined) body.push(...sshSteps(input.sshHostKeyParameter));
  body.push("", "Write-Step 'host settings'", ...renderHostSettingsScript(input));
  if (input.sshHostKeyParameter !== undefined) {
    body.push(
      "",
      "Write-Step 'starting sshd (the gateway is in place)'",
      "Set-Service sshd -StartupType Automatic",
      "if ((Get-Service sshd).Status -ne 'Running') { Start-Service sshd }",
    );
  }
  body.push(
    "",
    `Set-Content -LiteralPath '${BOOTSTRAP_DONE}' -Value (Get-Date).ToUniversalTime().ToString('o')`,
    "Write-Step 'bootstrap complete'",
  );
  lines.push(...body.map((l) => (l === "" ? l : `  ${l}`)));
  lines.push(
    "} catch {",
    '  Write-Output "msgw: bootstrap FAILED: $($_.Exception.Message)"',
    '  Set-Content -LiteralPath $msgwStepFile -Value "FAILED: $($_.Exception.Message)"',
    "  throw",
    "} finally {",
    "  Stop-Transcript",
    "}",
    "</powershell>",
    "",
  );
  return lines.join("\n");
}

/**
 * The idempotent settings script an SSM association runs on a running host (AWS-RunPowerShellScript), so
 * a change of ports, authorised key or installer reaches the host without the stop/start a user-data edit
 * would cause.
 */
export function renderSettingsCommand(input: WindowsUserDataInput): string {
  return [
    `# MailStore Gateway pool host ${input.hostname}: settings (generated)`,
    ...PRELUDE,
    "# The first boot applies the same settings itself: wait for it rather than race it.",
    `$deadline = (Get-Date).AddMinutes(${BOOTSTRAP_WAIT_MINUTES})`,
    `while (-not (Test-Path -LiteralPath '${BOOTSTRAP_DONE}')) {`,
    `  if ((Get-Date) -gt $deadline) { throw 'first boot not finished after ${BOOTSTRAP_WAIT_MINUTES} minutes; read ${BOOTSTRAP_LOG} (runbook: getting onto a host)' }`,
    "  Start-Sleep -Seconds 30",
    "}",
    ...renderHostSettingsScript(input),
    "Write-Step 'settings applied'",
    "",
  ].join("\n");
}
