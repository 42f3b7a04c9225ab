<powershell>
# MailStore Gateway pool host msgw2.example.com (generated)
$ErrorActionPreference = 'Stop'
function Write-Step([string]$text) { Write-Output ('msgw {0:u}: {1}' -f (Get-Date).ToUniversalTime(), $text) }
function Invoke-Checked { $exe, $rest = $args; & $exe @rest; if ($LASTEXITCODE -ne 0) { throw "$exe exited with $LASTEXITCODE" } }
New-Item -ItemType Directory -Force -Path 'C:\ProgramData\msgw' | Out-Null
Start-Transcript -Path 'C:\ProgramData\msgw\bootstrap.log' -Append
try {

  Write-Step 'mail data volume msgw-msgw2-data-id'
  $deadline = (Get-Date).AddMinutes(15)
  $disk = $null
  while (-not $disk) {
    $disk = Get-Disk | Where-Object { $_.SerialNumber -and ($_.SerialNumber -replace '-', '') -like 'msgwmsgw2dataid*' } | Select-Object -First 1
    if (-not $disk) {
      if ((Get-Date) -gt $deadline) { throw 'data volume msgw-msgw2-data-id is not attached after 15 minutes; check its VolumeAttachment (same availability zone as the instance), then run the bootstrap again (runbook)' }
      Start-Sleep -Seconds 10
    }
  }
  if ($disk.IsOffline) { Set-Disk -Number $disk.Number -IsOffline $false }
  if ($disk.IsReadOnly) { Set-Disk -Number $disk.Number -IsReadOnly $false }
  if ($disk.PartitionStyle -eq 'RAW') {
    Initialize-Disk -Number $disk.Number -PartitionStyle GPT
    New-Partition -DiskNumber $disk.Number -UseMaximumSize -AssignDriveLetter | Format-Volume -FileSystem NTFS -NewFileSystemLabel 'msgw-data' -Confirm:$false | Out-Null
    Write-Step 'blank data volume formatted'
  }
  $partition = Get-Partition -DiskNumber $disk.Number | Where-Object { $_.Type -eq 'Basic' } | Select-Object -First 1
  if (-not $partition) { throw 'data volume has no basic partition; it is not a volume this pool formatted. Inspect it by hand (runbook: restore drill)' }
  if ([string]$partition.DriveLetter -notmatch '^[A-Z]$') {
    $partition | Add-PartitionAccessPath -AssignDriveLetter
    $partition = Get-Partition -DiskNumber $disk.Number -PartitionNumber $partition.PartitionNumber
  }
  $dataRoot = '{0}:\MailStore\Gateway' -f $partition.DriveLetter
  New-Item -ItemType Directory -Force -Path $dataRoot | Out-Null
  $link = 'C:\ProgramData\MailStore\Gateway'
  $item = Get-Item -LiteralPath $link -Force -ErrorAction SilentlyContinue
  if ($item -and $item.LinkType -eq 'Junction' -and @($item.Target)[0] -eq $dataRoot) {
    Write-Step "data directory already links to $dataRoot"
  } else {
    $service = Get-Service -Name 'MailStoreGateway' -ErrorAction SilentlyContinue
    $wasRunning = $service -and $service.Status -eq 'Running'
    if ($wasRunning) {
      Stop-Service -Name 'MailStoreGateway'
      $service.WaitForStatus('Stopped', [TimeSpan]::FromMinutes(2))
    }
    if ($item -and $item.LinkType -eq 'Junction') {
      # A junction to another place (drive letter changed): replace the link only, never its target.
      [IO.Directory]::Delete($link)
    } elseif ($item) {
      # A real folder: move its content onto the volume; never overwrite data the volume already holds.
      if (@(Get-ChildItem -LiteralPath $dataRoot -Force).Count -gt 0) {
        $aside = '{0}.local-{1:yyyyMMddHHmmss}' -f $link, (Get-Date)
        Rename-Item -LiteralPath $link -NewName (Split-Path -Leaf $aside)
        Write-Step "data volume already holds data; the local folder is kept as $aside"
      } else {
        Get-ChildItem -LiteralPath $link -Force | Move-Item -Destination $dataRoot
        Remove-Item -LiteralPath $link -Force
        Write-Step "moved $link to $dataRoot"
      }
    }
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $link) | Out-Null
    New-Item -ItemType Junction -Path $link -Target $dataRoot | Out-Null
    Write-Step "$link is a junction to $dataRoot"
    if ($wasRunning) { Start-Service -Name 'MailStoreGateway' }
  }

  Write-Step 'OpenSSH server with the pinned host key'
  if ((Get-WindowsCapability -Online -Name 'OpenSSH.Server~~~~0.0.1.0').State -ne 'Installed') { Add-WindowsCapability -Online -Name 'OpenSSH.Server~~~~0.0.1.0' | Out-Null }
  New-Item -ItemType Directory -Force -Path 'C:\ProgramData\ssh' | Out-Null
  if (-not (Test-Path -LiteralPath 'C:\ProgramData\ssh\sshd_config')) { Copy-Item -LiteralPath 'C:\Windows\System32\OpenSSH\sshd_config_default' -Destination 'C:\ProgramData\ssh\sshd_config' }
  $token = Invoke-RestMethod -Method PUT -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }
  $region = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/placement/region' -Headers @{ 'X-aws-ec2-metadata-token' = $token }
  $hostKey = $null
  for ($attempt = 1; $attempt -le 30 -and $null -eq $hostKey; $attempt++) {
    try { $hostKey = (Get-SSMParameter -Name '/msgw/dev/msgw/msgw2/ssh-host-key' -WithDecryption $true -Region $region).Value }
    catch { Write-Step "SSM read $attempt/30 failed: $($_.Exception.Message)"; Start-Sleep -Seconds 10 }
  }
  if ($null -eq $hostKey) { throw 'SSM parameter /msgw/dev/msgw/msgw2/ssh-host-key unreadable after 30 attempts; check the instance role and the key policy, then run the bootstrap again (runbook)' }
  Get-ChildItem 'C:\ProgramData\ssh\ssh_host_*' -ErrorAction SilentlyContinue | Remove-Item -Force
  [IO.File]::WriteAllText('C:\ProgramData\ssh\ssh_host_ed25519_key', $hostKey.Replace("`r`n", "`n"))
  Remove-Variable hostKey
  Invoke-Checked icacls.exe 'C:\ProgramData\ssh\ssh_host_ed25519_key' /inheritance:r /grant '*S-1-5-18:(F)' /grant '*S-1-5-32-544:(F)'
  # sshd_config: one HostKey, before the first Match block (see pinSshdHostKey).
  $sshdLines = [System.Collections.Generic.List[string]]::new()
  foreach ($line in @(Get-Content -LiteralPath 'C:\ProgramData\ssh\sshd_config')) { if ($line -notmatch '^\s*HostKey[\s=]') { $sshdLines.Add($line) } }
  $at = 0
  while ($at -lt $sshdLines.Count -and $sshdLines[$at] -notmatch '^\s*Match[\s=]') { $at++ }
  $sshdLines.Insert($at, 'HostKey __PROGRAMDATA__/ssh/ssh_host_ed25519_key')
  Set-Content -LiteralPath 'C:\ProgramData\ssh\sshd_config' -Value $sshdLines -Encoding Ascii
  New-ItemProperty -Path 'HKLM:\SOFTWARE\OpenSSH' -Name DefaultShell -Value 'C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe' -PropertyType String -Force | Out-Null

  Write-Step 'host settings'
  # Windows firewall: exactly the gateway's ports; the security group decides who may reach them.
  $ports = @(22, 25, 110, 8450)
  foreach ($port in $ports) {
    if (-not (Get-NetFirewallRule -Name "msgw-tcp-$port" -ErrorAction SilentlyContinue)) {
      New-NetFirewallRule -Name "msgw-tcp-$port" -DisplayName "MailStore Gateway pool tcp/$port" -Direction Inbound -Protocol TCP -LocalPort $port -Action Allow | Out-Null
      Write-Output "msgw: firewall opened tcp/$port"
    }
  }
  Get-NetFirewallRule -Name 'msgw-tcp-*' -ErrorAction SilentlyContinue | Where-Object { $ports -notcontains [int]($_.Name -replace '^msgw-tcp-', '') } | ForEach-Object {
    Remove-NetFirewallRule -Name $_.Name
    Write-Output "msgw: firewall closed $($_.Name)"
  }

  # The administrators' authorised key for configuration replication (public key only).
  New-Item -ItemType Directory -Force -Path 'C:\ProgramData\ssh' | Out-Null
  Set-Content -LiteralPath 'C:\ProgramData\ssh\administrators_authorized_keys' -Value 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICyi78bUwUFxOEmd16poKINJIe5kkMcNU+rJOdcSrmNp msgw-replication' -Encoding Ascii
  Invoke-Checked icacls.exe 'C:\ProgramData\ssh\administrators_authorized_keys' /inheritance:r /grant '*S-1-5-18:(F)' /grant '*S-1-5-32-544:(F)'
  Write-Output 'msgw: authorised key written'

  # No installer URL configured: install MailStore Gateway by hand (see the runbook).

  Write-Step 'starting sshd (the gateway is in place)'
  Set-Service sshd -StartupType Automatic
  if ((Get-Service sshd).Status -ne 'Running') { Start-Service sshd }

  Set-Content -LiteralPath 'C:\ProgramData\msgw\bootstrap.done' -Value (Get-Date).ToUniversalTime().ToString('o')
  Write-Step 'bootstrap complete'
} catch {
  Write-Output "msgw: bootstrap FAILED: $($_.Exception.Message)"
  throw
} finally {
  Stop-Transcript
}
</powershell>
