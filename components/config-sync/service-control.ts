/** Pure: how the gateway service is controlled over SSH: the commands' shape, and the PowerShell default for Windows hosts. */

/** How the gateway service is stopped, started and checked on a host: commands run over SSH. */
export interface ServiceControl {
  /**
   * Starts the service; exit 0 when the start was accepted, and also when it already runs: a restore
   * that cannot learn the service's state (a hung status command) starts it anyway.
   */
  start: string;
  /** Stops the service; exit 0 when the stop was accepted, and also when it is already stopped. */
  stop: string;
  /** Exit 0 exactly when the service is running. */
  status: string;
  /**
   * Exit 0 when the service is installed (running or not). A restore waits (bounded by
   * `serviceWaitSeconds`) for it: on a host just created the gateway's installer may still be running.
   * @default - PowerShell `Get-Service` on Windows; none on linux (the service is taken as installed)
   */
  exists?: string;
}

/** Runs a PowerShell script through Windows OpenSSH's default shell without any quoting trouble. */
export function powershell(script: string): string {
  const encoded = Buffer.from(script, "utf16le").toString("base64");
  return `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}`;
}

/**
 * The default service control for a Windows host: PowerShell `Stop-Service` / `Start-Service` /
 * `Get-Service`, each waiting (bounded) for the service to reach the state it asked for.
 */
export function windowsServiceControl(serviceName: string): ServiceControl {
  const n = serviceName.replace(/'/g, "''");
  const wait = (state: string) =>
    `(Get-Service -Name '${n}').WaitForStatus('${state}', [TimeSpan]::FromSeconds(110))`;
  return {
    stop: powershell(
      `$ErrorActionPreference = 'Stop'; Stop-Service -Name '${n}'; ${wait("Stopped")}`,
    ),
    start: powershell(
      `$ErrorActionPreference = 'Stop'; Start-Service -Name '${n}'; ${wait("Running")}`,
    ),
    status: powershell(
      `$s = Get-Service -Name '${n}' -ErrorAction Stop; if ($s.Status -eq 'Running') { exit 0 } else { exit 3 }`,
    ),
    exists: powershell(
      `if (Get-Service -Name '${n}' -ErrorAction SilentlyContinue) { exit 0 } else { exit 4 }`,
    ),
  };
}
