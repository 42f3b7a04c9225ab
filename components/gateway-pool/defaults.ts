// Pure: every literal default of GatewayPoolArgs, shaped like the arguments (an array's items under its own
// name). The TSDoc `@default` of each argument states the same value; tests/unit/defaults.test.ts compares
// the two, so the docs and the code cannot drift apart.

import { FIRST_BOOT_SSH_WAIT_SECONDS } from "./plan/user-data";

/** The defaults table. Code reads defaults from here, never from a literal of its own. */
export const DEFAULTS = {
  hosts: {
    state: "active",
    existing: { allowPrivateAddress: false, sshPort: 22, platform: "windows" },
  },
  mx: { strategy: "balanced", priority: 0, step: 10, ttl: 300, allowZoneApex: false },
  dns: { addressTtl: 300 },
  certificates: {
    mode: "pool-ca",
    validityDays: 397,
    earlyRenewalDays: 30,
    organization: "MailStore Gateway pool",
    ca: { validityDays: 3650 },
  },
  // Journal senders come from anywhere.
  access: { smtpSourceCidrs: ["0.0.0.0/0"] },
  // Facts about MailStore Gateway its vendor does not document (service name, installer switches, data
  // directory) are assumptions a user can override.
  gateway: {
    installerArgs: "/VERYSILENT /SUPPRESSMSGBOXES /NORESTART",
    serviceName: "MailStoreGateway",
    dataDirectory: "C:\\ProgramData\\MailStore\\Gateway",
    ports: { smtp: 25, pop3: 110, pop3s: false, managementConsole: 8450 },
  },
  aws: { instanceType: "t3.medium", rootVolumeGiB: 60, dataVolumeGiB: 100 },
  backup: { enabled: true, intervalHours: 24, startTime: "03:00", retainCount: 14 },
  legacy: { allowPrivateAddress: false, sshPort: 22, platform: "windows" },
  configSync: {
    sshPrivateKeyPath: "~/.ssh/id_ed25519",
    sshUser: "Administrator",
    parallel: 4,
    cliCommand: "npx --no-install msgw",
    backupDirectory: ".msgw/backups",
    // The sum of the first boot's own bounds and allowances, itemised where they are defined.
    bootWaitSeconds: FIRST_BOOT_SSH_WAIT_SECONDS,
    store: { prefix: "" },
  },
  readinessGate: { waitSeconds: 900 },
  dane: { dnssec: "pool", ttl: 300 },
} as const;
