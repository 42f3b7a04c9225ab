// Pure: the defaults the plan fills in, under the names docs and tests quote.
import { DEFAULTS } from "../defaults";

/**
 * Defaults, including the facts about MailStore Gateway its vendor does not document (service name,
 * installer switches, data directory, ports). Exported so docs and tests quote one source.
 */
export const GATEWAY_DEFAULTS = {
  serviceName: DEFAULTS.gateway.serviceName,
  dataDirectory: DEFAULTS.gateway.dataDirectory,
  installerArgs: DEFAULTS.gateway.installerArgs,
  ports: {
    smtp: DEFAULTS.gateway.ports.smtp,
    pop3: DEFAULTS.gateway.ports.pop3,
    managementConsole: DEFAULTS.gateway.ports.managementConsole,
    ssh: DEFAULTS.hosts.existing.sshPort,
    http: 80,
  },
  instanceType: DEFAULTS.aws.instanceType,
  rootVolumeGiB: DEFAULTS.aws.rootVolumeGiB,
  dataVolumeGiB: DEFAULTS.aws.dataVolumeGiB,
  backup: {
    intervalHours: DEFAULTS.backup.intervalHours,
    startTime: DEFAULTS.backup.startTime,
    retainCount: DEFAULTS.backup.retainCount,
  },
  windowsAmiNamePattern: "Windows_Server-2022-English-Full-Base-*",
  ttl: DEFAULTS.mx.ttl,
  certificateValidityDays: DEFAULTS.certificates.validityDays,
  certificateEarlyRenewalDays: DEFAULTS.certificates.earlyRenewalDays,
  caValidityDays: DEFAULTS.certificates.ca.validityDays,
  organization: DEFAULTS.certificates.organization,
  /** configSync.bootWaitSeconds: the first boot's bounds plus allowances (see user-data.ts). */
  bootWaitSeconds: DEFAULTS.configSync.bootWaitSeconds,
} as const;
