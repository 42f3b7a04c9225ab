// The pool's schema: strict keys with suggestions, the values of issues 8 and 9 and their siblings, each
// with its exact message. Every row here was accepted (or worded differently) by the hand-written checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GatewayPoolArgsError,
  planGatewayPool,
  validateGatewayPoolArgs,
  type GatewayPoolArgs,
} from "../../components";
import { closestKey, coversWholeFamily, nonPublicReason, parseCidr } from "../../components/schema";
import { baseArgs } from "../helpers/pool-harness";
import { ED25519_KEY_A as KEY } from "../lab/fixtures";

const existing = (ex: Record<string, unknown>, extra: Partial<GatewayPoolArgs> = {}) =>
  baseArgs({
    hosts: [
      { hostname: "msgw1.example.com" },
      { hostname: "msgw2.example.com", existing: ex as never },
    ],
    ...extra,
  });
const REVISION_FIX =
  'is not a usable revision; use a whole number (0 or more) or up to 128 letters, digits, ".", "_" and "-" starting with a letter or digit, e.g. "2026-11-28.1"';
const FOLDER_CHARS =
  "folder names may hold only letters, digits, spaces and . _ - ( ) (the path is used in PowerShell and shell commands)";
const sync = { revision: 1 };

// Each row: arguments (as a stack file or a program would give them) and the exact problems.
const rows: Array<[string, unknown, string[]]> = [
  // Strict keys: every level, with the closest known key.
  [
    "misspelt mx.strategy",
    { mx: { stratgey: "tiered" } },
    ["mx.stratgey is not an argument; did you mean strategy?"],
  ],
  [
    "misspelt hosts[2].existing",
    {
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com" },
        { hostname: "msgw3.example.com", exisiting: { address: "192.0.2.50" } },
      ],
    },
    ["hosts[2].exisiting is not an argument; did you mean existing?"],
  ],
  [
    "misspelt top-level legacy",
    { legasy: { hostname: "msgw.example.com", address: "198.51.100.5", phase: "migrating" } },
    ["legasy is not an argument; did you mean legacy?"],
  ],
  [
    "unknown key with nothing close",
    { frobnicate: 1 },
    [
      "frobnicate is not an argument; the arguments here are zone, mailDomain, hosts, mx, dns, certificates, access, gateway, aws, backup, legacy, configSync, readinessGate, dane",
    ],
  ],
  [
    "misspelt key deep inside (certificates.ca)",
    { certificates: { ca: { comonName: "CA" } } },
    ["certificates.ca.comonName is not an argument; did you mean commonName?"],
  ],
  [
    "misspelt gateway.ports key",
    { gateway: { ports: { pop3S: 995 } } },
    ["gateway.ports.pop3S is not an argument; did you mean pop3s?"],
  ],
  // Data directory: every form msgw config would refuse after the hosts exist.
  [
    "data directory with forward slashes",
    { gateway: { dataDirectory: "D:/MailStore/Gateway" } },
    [
      'gateway.dataDirectory "D:/MailStore/Gateway" uses "/"; write Windows folders with backslashes, e.g. "D:\\\\MailStore\\\\Gateway"',
    ],
  ],
  [
    "data directory on a share",
    { gateway: { dataDirectory: "\\\\fs01\\share\\Gateway" } },
    [
      'gateway.dataDirectory "\\\\\\\\fs01\\\\share\\\\Gateway" is a network share; give a local folder such as "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
    ],
  ],
  [
    "relative data directory",
    { gateway: { dataDirectory: "MailStore\\Gateway" } },
    [
      'gateway.dataDirectory "MailStore\\\\Gateway" is not an absolute windows path; start with a drive letter, e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
    ],
  ],
  [
    "drive root as data directory",
    { gateway: { dataDirectory: "C:\\" } },
    [
      'gateway.dataDirectory "C:\\\\" is a drive root; give the gateway a folder of its own (backups are kept beside it), e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
    ],
  ],
  [
    "data directory that ends the user-data block",
    { gateway: { dataDirectory: "C:\\Data\\</powershell>" } },
    [`gateway.dataDirectory "C:\\\\Data\\\\</powershell>" contains "<"; ${FOLDER_CHARS}`],
  ],
  [
    "data directory with a typographic quote",
    { gateway: { dataDirectory: "C:\\Data\\Gate’way" } },
    [`gateway.dataDirectory "C:\\\\Data\\\\Gate’way" contains "’" (U+2019); ${FOLDER_CHARS}`],
  ],
  [
    "data directory climbing out with ..",
    { gateway: { dataDirectory: "C:\\Data\\..\\Windows" } },
    [
      'gateway.dataDirectory "C:\\\\Data\\\\..\\\\Windows" contains a ".." folder; give the folder\'s plain absolute path',
    ],
  ],
  // Revisions the replication store refuses.
  [
    "revision that looks like an option",
    { configSync: { revision: "-rf" } },
    [`configSync.revision "-rf" ${REVISION_FIX}`],
  ],
  ["revision ..", { configSync: { revision: ".." } }, [`configSync.revision ".." ${REVISION_FIX}`]],
  [
    "revision starting with _",
    { configSync: { revision: "_x" } },
    [`configSync.revision "_x" ${REVISION_FIX}`],
  ],
  [
    "revision 1e21 (text 1e+21)",
    { configSync: { revision: 1e21 } },
    [`configSync.revision 1e+21 ${REVISION_FIX}`],
  ],
  [
    "negative revision",
    { configSync: { revision: -1 } },
    [`configSync.revision -1 ${REVISION_FIX}`],
  ],
  [
    "fractional revision",
    { configSync: { revision: 1.5 } },
    [`configSync.revision 1.5 ${REVISION_FIX}`],
  ],
  [
    "revision of 129 characters",
    { configSync: { revision: "r".repeat(129) } },
    [`configSync.revision "${"r".repeat(129)}" ${REVISION_FIX}`],
  ],
  // Empty strings the replication CLI refuses.
  [
    "empty cliCommand",
    { configSync: { revision: 1, cliCommand: "" } },
    [
      'configSync.cliCommand "" is empty or spans several lines; give the command that runs msgw, e.g. "npx --no-install msgw"',
    ],
  ],
  [
    "empty backupDirectory",
    { configSync: { revision: 1, backupDirectory: "" } },
    [
      'configSync.backupDirectory "" is empty or spans several lines; give a folder, e.g. ".msgw/backups"',
    ],
  ],
  [
    "empty sshPrivateKeyPath",
    { configSync: { revision: 1, sshPrivateKeyPath: "" } },
    [
      'configSync.sshPrivateKeyPath "" is not a file path; give the private key file, e.g. "~/.ssh/id_ed25519"',
    ],
  ],
  [
    "private key pasted as its path (never echoed)",
    {
      configSync: { revision: 1, sshPrivateKeyPath: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn" },
    },
    [
      "configSync.sshPrivateKeyPath holds a private key; give the path of the key file, never the key itself",
    ],
  ],
  [
    "empty existing.sshUser",
    { ...existing({ address: "192.0.2.20", sshHostKey: KEY, sshUser: "" }), configSync: sync },
    [
      'hosts[1].existing.sshUser "" is not an SSH user name; give the account replication logs in as, e.g. "Administrator" (letters, digits and . _ @ \\ - only)',
    ],
  ],
  [
    "empty configSync.sshUser",
    { configSync: { revision: 1, sshUser: "" } },
    [
      'configSync.sshUser "" is not an SSH user name; give the account replication logs in as, e.g. "Administrator" (letters, digits and . _ @ \\ - only)',
    ],
  ],
  // Linux hosts in configuration replication: the rules msgw config applies to their inventory entries.
  [
    "linux existing host with replication but no data directory or service control",
    {
      ...existing({ address: "192.0.2.20", sshHostKey: KEY, platform: "linux" }),
      configSync: sync,
    },
    [
      'hosts[1].existing.dataDirectory is missing; linux hosts need the gateway\'s data directory, e.g. "/var/lib/msgw"',
      'hosts[1].existing.serviceControl is missing; linux hosts need {"start": CMD, "stop": CMD, "status": CMD} (status exits 0 exactly when the service runs)',
    ],
  ],
  [
    "linux legacy source with replication but no data directory or service control",
    {
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        sshHostKey: KEY,
        platform: "linux",
      },
      configSync: sync,
    },
    [
      'legacy.dataDirectory is missing; linux hosts need the gateway\'s data directory, e.g. "/var/lib/msgw"',
      'legacy.serviceControl is missing; linux hosts need {"start": CMD, "stop": CMD, "status": CMD} (status exits 0 exactly when the service runs)',
    ],
  ],
  [
    "a Windows folder on a linux host",
    existing({
      address: "192.0.2.20",
      platform: "linux",
      dataDirectory: "C:\\ProgramData\\MailStore\\Gateway",
    }),
    [
      'hosts[1].existing.dataDirectory "C:\\\\ProgramData\\\\MailStore\\\\Gateway" contains ":"; folder names may hold only letters, digits and . _ @ + - (the path is used in PowerShell and shell commands)',
    ],
  ],
  [
    "a linux folder on a windows host",
    existing({ address: "192.0.2.20", dataDirectory: "/var/lib/msgw" }),
    [
      'hosts[1].existing.dataDirectory "/var/lib/msgw" is not an absolute windows path; start with a drive letter, e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
    ],
  ],
  [
    "linux root, relative, dot-dot and space folders",
    {
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: { address: "192.0.2.20", platform: "linux", dataDirectory: "/" },
        },
        {
          hostname: "msgw3.example.com",
          existing: { address: "192.0.2.21", platform: "linux", dataDirectory: "var/lib/msgw" },
        },
        {
          hostname: "msgw4.example.com",
          existing: { address: "192.0.2.22", platform: "linux", dataDirectory: "/srv/../etc" },
        },
        {
          hostname: "msgw5.example.com",
          existing: { address: "192.0.2.23", platform: "linux", dataDirectory: "/srv/mail gw" },
        },
      ],
    },
    [
      'hosts[1].existing.dataDirectory "/" is the file-system root; give the gateway a folder of its own, e.g. "/var/lib/msgw"',
      'hosts[2].existing.dataDirectory "var/lib/msgw" is not an absolute linux path; start with "/", e.g. "/var/lib/msgw"',
      'hosts[3].existing.dataDirectory "/srv/../etc" contains a ".." folder; give the folder\'s plain absolute path',
      'hosts[4].existing.dataDirectory "/srv/mail gw" contains " "; folder names may hold only letters, digits and . _ @ + - (the path is used in PowerShell and shell commands)',
    ],
  ],
  [
    "legacy data directory of the wrong type, and a Windows share",
    {
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: { address: "192.0.2.20", dataDirectory: "\\\\fs01\\share\\Gateway" },
        },
      ],
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "retired",
        dataDirectory: 5,
      },
    },
    [
      'hosts[1].existing.dataDirectory "\\\\\\\\fs01\\\\share\\\\Gateway" is a network share; give a local folder such as "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
      'legacy.dataDirectory 5 is not a folder path; give the gateway\'s data directory, e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway" (windows) or "/var/lib/msgw" (linux)',
    ],
  ],
  [
    "service control: missing, empty, multi-line and unknown commands",
    {
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: {
            address: "192.0.2.20",
            sshHostKey: KEY,
            platform: "linux",
            dataDirectory: "/var/lib/msgw",
            serviceControl: { start: "", stop: "systemctl stop gw\nreboot", restart: "x" },
          },
        },
      ],
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        sshHostKey: KEY,
        platform: "linux",
        dataDirectory: "/var/lib/msgw",
        serviceControl: "systemctl restart gw",
      },
      configSync: sync,
    },
    [
      'hosts[1].existing.serviceControl.start "" is not a command; give one line that starts the service (exit 0 when the start was accepted)',
      'hosts[1].existing.serviceControl.stop "systemctl stop gw\\nreboot" is not a command; give one line that stops the service (exit 0 when the stop was accepted)',
      "hosts[1].existing.serviceControl.status undefined is not a command; give the command that exits 0 exactly when the service runs",
      "hosts[1].existing.serviceControl.restart is not an argument; did you mean start?",
      'legacy.serviceControl "systemctl restart gw" is not an object; give start, stop, status, exists',
    ],
  ],
  [
    "host key whose blob is another type",
    existing({
      address: "192.0.2.20",
      sshHostKey: KEY.replace("ssh-ed25519", "ecdsa-sha2-nistp256"),
    }),
    [
      'hosts[1].existing.sshHostKey "ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW…" is not an OpenSSH public key; paste the one-line key "TYPE BASE64 [comment]" as in a .pub file or a known_hosts line without the host name, e.g. "ssh-ed25519 AAAAC3Nza…"',
    ],
  ],
  // Values that reach PowerShell.
  [
    "installer switches with typographic quotes",
    { gateway: { installerArgs: "/VERYSILENT ’; Set-Content C:\\pwned.txt x; ’" } },
    [
      'gateway.installerArgs "/VERYSILENT ’; Set-Content C:\\\\pwned.txt x; ’" contains "’" (U+2019); silent-install switches may hold only letters, digits, spaces and / \\ - _ . : = , + (the value is written into PowerShell)',
    ],
  ],
  [
    "installer switches with U+201B",
    { gateway: { installerArgs: "/SILENT \u201b" } },
    [
      'gateway.installerArgs "/SILENT ‛" contains "‛" (U+201B); silent-install switches may hold only letters, digits, spaces and / \\ - _ . : = , + (the value is written into PowerShell)',
    ],
  ],
  [
    "installer switches with $(...)",
    { gateway: { installerArgs: "/DIR=$(whoami)" } },
    [
      'gateway.installerArgs "/DIR=$(whoami)" contains "$"; silent-install switches may hold only letters, digits, spaces and / \\ - _ . : = , + (the value is written into PowerShell)',
    ],
  ],
  [
    "SSH key comment with typographic quotes",
    { configSync: { revision: 1, sshPublicKey: `${KEY} ’; Set-Content C:\\pwned.txt x; ’` } },
    [
      'configSync.sshPublicKey "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh…" has "’" (U+2019) in its comment; a key comment may hold only letters, digits, spaces and . _ @ + = : , / ( ) - (the key is written into PowerShell)',
    ],
  ],
  [
    "service name with a quote",
    { gateway: { serviceName: "Gateway'; rm" } },
    [
      `gateway.serviceName "Gateway'; rm" contains "'"; a service name may hold only letters, digits, spaces, dots, dashes and underscores (the value is written into PowerShell)`,
    ],
  ],
  [
    "installer URL with a quote",
    { gateway: { installerUrl: "https://x.example.com/a'b.exe" } },
    [
      `gateway.installerUrl "https://x.example.com/a'b.exe" must be an https:// URL of RFC 3986 characters other than ' and $, without spaces (it is downloaded on every host)`,
    ],
  ],
  // Network rules judged as a whole.
  [
    "two /1 blocks are the whole IPv4 internet",
    {
      access: {
        mailStoreServerCidrs: ["198.51.100.10/32"],
        adminCidrs: ["0.0.0.0/1", "128.0.0.0/1"],
      },
    },
    [
      'access.adminCidrs ["0.0.0.0/1","128.0.0.0/1"] together cover every IPv4 address, which opens the Management Console and SSH to the whole internet; list only the networks that need it',
    ],
  ],
  [
    "four /2 blocks out of order, IPv6 halves",
    {
      access: {
        mailStoreServerCidrs: ["::/1", "8000::/1"],
        adminCidrs: ["192.0.0.0/2", "0.0.0.0/2", "128.0.0.0/2", "64.0.0.0/2"],
      },
    },
    [
      'access.mailStoreServerCidrs ["::/1","8000::/1"] together cover every IPv6 address, which opens POP3 for MailStore Server to the whole internet; list only the networks that need it',
      'access.adminCidrs ["192.0.0.0/2","0.0.0.0/2","128.0.0.0/2","64.0.0.0/2"] together cover every IPv4 address, which opens the Management Console and SSH to the whole internet; list only the networks that need it',
    ],
  ],
  [
    "SMTP on the SSH port while replicating",
    { gateway: { ports: { smtp: 22 } }, configSync: sync },
    [
      "gateway.ports.smtp 22 is also the SSH port for configuration replication (open to access.adminCidrs); SSH would become reachable from this service's sources. Give smtp another port",
    ],
  ],
  [
    "Management Console on the SSH port while replicating",
    { gateway: { ports: { managementConsole: 22 } }, configSync: sync },
    [
      "gateway.ports.managementConsole 22 is also the SSH port for configuration replication (open to access.adminCidrs); SSH would become reachable from this service's sources. Give managementConsole another port",
    ],
  ],
  [
    "POP3 on the Let's Encrypt port",
    { gateway: { ports: { pop3: 80 } }, certificates: { mode: "gateway-lets-encrypt" } },
    [
      "gateway.ports.pop3 80 is also the HTTP port the gateway's Let's Encrypt needs open to the whole internet; this service would become world-open. Give pop3 another port",
    ],
  ],
  [
    "POP3 over TLS on the Let's Encrypt port",
    { gateway: { ports: { pop3s: 80 } }, certificates: { mode: "gateway-lets-encrypt" } },
    [
      "gateway.ports.pop3s 80 is also the HTTP port the gateway's Let's Encrypt needs open to the whole internet; this service would become world-open. Give pop3s another port",
    ],
  ],
  ...(
    [
      ["10.0.0.5", "a private address (RFC 1918)"],
      ["127.0.0.1", "a loopback address (RFC 1122)"],
      ["169.254.169.254", "a link-local address (RFC 3927)"],
      ["100.64.0.1", "a carrier-grade NAT address (RFC 6598)"],
      ["172.31.255.255", "a private address (RFC 1918)"],
      ["0.0.0.0", "a 'this network' address (RFC 791)"],
      ["224.0.0.1", "a multicast address (RFC 5771)"],
      ["255.255.255.255", "a reserved address (RFC 1112)"],
    ] as const
  ).map(([address, reason]): [string, unknown, string[]] => [
    `existing host at ${address}`,
    existing({ address }),
    [
      `hosts[1].existing.address "${address}" is ${reason}, not reachable from the internet, yet it would be published in a public A record; give the machine's public address, or set hosts[1].existing.allowPrivateAddress: true for split-horizon DNS`,
    ],
  ]),
  [
    "legacy gateway at a private address",
    { legacy: { hostname: "msgw.example.com", address: "192.168.1.5", phase: "retired" } },
    [
      'legacy.address "192.168.1.5" is a private address (RFC 1918), not reachable from the internet, yet it would be published in a public A record; give the machine\'s public address, or set legacy.allowPrivateAddress: true for split-horizon DNS',
    ],
  ],
  [
    "mail domain at the zone apex without its opt-in",
    { mailDomain: "example.com" },
    [
      'mailDomain "example.com" is the zone apex: the pool\'s MX records would sit beside the company\'s own and take a share of its mail. Use a subdomain such as "msgw.example.com", or set mx.allowZoneApex: true if the whole domain is for journal mail',
    ],
  ],
  [
    "a host named as the zone apex",
    { hosts: [{ hostname: "example.com" }] },
    [
      'hosts[0].hostname "example.com" is the zone apex, whose A record is the company\'s own (website, mail); give the host a name below the zone, e.g. "msgw1.example.com"',
    ],
  ],
  // Host states.
  [
    "standby and draining but nobody active",
    {
      hosts: [
        { hostname: "msgw1.example.com", state: "standby" },
        { hostname: "msgw2.example.com", state: "draining" },
      ],
    },
    [
      'hosts[*].state: no host is "active" while hosts[1] is "draining", so mailDomain would have no MX record and mail would bounce; keep at least one host "active" ("standby" hosts take no mail)',
    ],
  ],
  [
    "unknown state",
    { hosts: [{ hostname: "msgw1.example.com", state: "paused" }] },
    ['hosts[0].state "paused" is not a host state; use "active", "draining" or "standby"'],
  ],
  // Types.
  [
    "a host given as a bare name",
    { hosts: ["msgw1.example.com"] },
    [
      'hosts[0] "msgw1.example.com" is not an object; give hostname, mxPriority, state, aws, existing, mxImportId',
    ],
  ],
  [
    "pop3s as text",
    { gateway: { ports: { pop3s: "995" } } },
    ['gateway.ports.pop3s "995" is not a TCP port; use a whole number from 1 to 65535, or false'],
  ],
  [
    "a tag value that is not text",
    { aws: { tags: { env: 1 } } },
    ["aws.tags.env 1 is not a tag value; tag values are text"],
  ],
  [
    "root volume below what Windows needs",
    { aws: { rootVolumeGiB: 20 } },
    [
      "aws.rootVolumeGiB 20 is out of range; Windows Server needs at least 30 GiB (at most 16384, the EBS gp3 limit)",
    ],
  ],
];

for (const [title, overrides, expected] of rows) {
  test(`schema refuses: ${title}`, () => {
    const args = baseArgs(overrides as Partial<GatewayPoolArgs>);
    assert.deepEqual(validateGatewayPoolArgs(args), expected);
    assert.throws(
      () => planGatewayPool(args),
      (err: unknown) => err instanceof GatewayPoolArgsError && err.message === expected.join("\n"),
    );
  });
}

test("opt-ins and new states pass: split-horizon addresses, apex mail domain, a pool of standby hosts", () => {
  assert.deepEqual(
    validateGatewayPoolArgs(
      baseArgs({
        mailDomain: "example.com",
        mx: { allowZoneApex: true },
        hosts: [
          { hostname: "msgw1.example.com", state: "standby" },
          {
            hostname: "msgw2.example.com",
            existing: { address: "10.0.0.5", allowPrivateAddress: true },
          },
        ],
        legacy: {
          hostname: "old.example.com",
          address: "192.168.1.5",
          allowPrivateAddress: true,
          phase: "retired",
        },
      }),
    ),
    [],
  );
  // Ports that only collide with a rule that is not there are fine.
  assert.deepEqual(
    validateGatewayPoolArgs(baseArgs({ gateway: { ports: { smtp: 22, pop3: 80 } } })),
    [],
  );
  // Lists that leave a gap are not the whole internet.
  assert.deepEqual(
    validateGatewayPoolArgs(
      baseArgs({
        access: {
          mailStoreServerCidrs: ["198.51.100.10/32"],
          adminCidrs: ["0.0.0.0/1", "128.0.0.0/2"],
        },
      }),
    ),
    [],
  );
});

test("values that are still Outputs or promises are skipped, plain ones checked", () => {
  const output = { __pulumiOutput: true } as never;
  assert.deepEqual(
    validateGatewayPoolArgs(
      baseArgs({
        zone: { name: "example.com", id: output },
        hosts: [
          { hostname: "msgw1.example.com", existing: { address: Promise.resolve("10.0.0.1") } },
        ],
      }),
    ),
    [],
  );
});

test("every problem at once, misspelt keys included, in argument order", () => {
  assert.deepEqual(
    validateGatewayPoolArgs({
      ...baseArgs({
        mx: { stratgey: "tiered", ttl: 5 } as never,
        gateway: { dataDirectory: "C:\\" },
      }),
      legasy: {},
    } as never),
    [
      "mx.ttl 5 is not a TTL Cloudflare accepts; use 1 (automatic) or 60 to 86400 seconds",
      "mx.stratgey is not an argument; did you mean strategy?",
      'gateway.dataDirectory "C:\\\\" is a drive root; give the gateway a folder of its own (backups are kept beside it), e.g. "C:\\\\ProgramData\\\\MailStore\\\\Gateway"',
      "legasy is not an argument; did you mean legacy?",
    ],
  );
});

test("closestKey suggests only plausible misspellings", () => {
  assert.equal(closestKey("stratgey", ["strategy", "priority", "step", "ttl"]), "strategy");
  assert.equal(closestKey("exisiting", ["hostname", "aws", "existing"]), "existing");
  assert.equal(closestKey("MailDomain", ["mailDomain", "hosts"]), "mailDomain");
  assert.equal(closestKey("frobnicate", ["zone", "hosts", "mx"]), undefined);
});

test("coversWholeFamily judges the union, not each entry", () => {
  const cidrs = (...l: string[]) => l.map((c) => parseCidr(c)!);
  assert.equal(coversWholeFamily(cidrs("0.0.0.0/1", "128.0.0.0/1"), 4), true);
  assert.equal(coversWholeFamily(cidrs("0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"), 4), true);
  assert.equal(coversWholeFamily(cidrs("0.0.0.0/1", "128.0.0.0/2"), 4), false);
  assert.equal(coversWholeFamily(cidrs("0.0.0.0/1", "128.0.0.0/1"), 6), false);
  assert.equal(coversWholeFamily(cidrs("0.0.0.0/1", "0.0.0.0/2", "128.0.0.0/1"), 4), true);
});

test("nonPublicReason: documentation ranges stay usable in examples, special-purpose blocks do not", () => {
  assert.equal(nonPublicReason("198.51.100.5"), undefined);
  assert.equal(nonPublicReason("203.0.113.9"), undefined);
  assert.equal(nonPublicReason("8.8.8.8"), undefined);
  assert.equal(nonPublicReason("172.15.255.255"), undefined);
  assert.equal(nonPublicReason("172.32.0.0"), undefined);
  assert.equal(nonPublicReason("198.18.0.1"), "a benchmarking address (RFC 2544)");
  assert.equal(nonPublicReason("192.0.0.8"), "an IETF protocol assignment (RFC 6890)");
});

test("linux existing and legacy hosts with their own data directory and service control pass; without configSync they need neither", () => {
  const control = {
    start: "sudo systemctl start mailstore-gateway",
    stop: "sudo systemctl stop mailstore-gateway",
    status: "systemctl is-active --quiet mailstore-gateway",
  };
  const linuxPool = (dataDirectory?: string, serviceControl?: typeof control) =>
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        {
          hostname: "msgw2.example.com",
          existing: {
            address: "192.0.2.20",
            sshHostKey: KEY,
            platform: "linux",
            ...(dataDirectory !== undefined ? { dataDirectory } : {}),
            ...(serviceControl !== undefined ? { serviceControl } : {}),
          },
        },
      ],
      legacy: {
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        phase: "migrating",
        sshHostKey: KEY,
        platform: "linux",
        ...(dataDirectory !== undefined ? { dataDirectory } : {}),
        ...(serviceControl !== undefined ? { serviceControl } : {}),
      },
    });
  for (const dir of ["/var/lib/mailstore-gateway", "/srv/gw/", "/opt/MailStore_Gateway-2.1@x+y"]) {
    assert.deepEqual(
      validateGatewayPoolArgs({ ...linuxPool(dir, control), configSync: sync }),
      [],
      dir,
    );
  }
  assert.deepEqual(validateGatewayPoolArgs(linuxPool()), []);
  // A retired legacy gateway is not replicated, so it needs neither.
  const retired = linuxPool("/var/lib/msgw", control);
  retired.legacy = { ...retired.legacy!, phase: "retired" };
  delete (retired.legacy as { dataDirectory?: string }).dataDirectory;
  delete (retired.legacy as { serviceControl?: unknown }).serviceControl;
  retired.configSync = { ...sync, source: "msgw1.example.com" };
  assert.deepEqual(validateGatewayPoolArgs(retired), []);
  // The plan carries each host's own facts; windows hosts fall back to the pool's data directory.
  const plan = planGatewayPool({
    ...linuxPool("/srv/gw/", control),
    gateway: { dataDirectory: "D:\\Gateway" },
    configSync: sync,
  });
  assert.deepEqual(
    plan.hosts.map((h) => [h.platform, h.dataDirectory, h.serviceControl]),
    [
      ["windows", "D:\\Gateway", undefined],
      ["linux", "/srv/gw/", control],
    ],
  );
  assert.deepEqual(
    [plan.legacy?.platform, plan.legacy?.dataDirectory, plan.legacy?.serviceControl],
    ["linux", "/srv/gw/", control],
  );
});
