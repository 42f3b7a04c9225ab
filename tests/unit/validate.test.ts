import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GatewayPoolArgsError,
  planGatewayPool,
  validateGatewayPoolArgs,
  type GatewayPoolArgs,
} from "../../components";
import { baseArgs } from "../helpers/pool-harness";
import { ED25519_KEY_A as KEY } from "../lab/fixtures";

// Each row: a bad configuration and the exact error it must produce (and nothing else).
const cases: Array<[string, GatewayPoolArgs, string]> = [
  [
    "no hosts",
    baseArgs({ hosts: [] }),
    'hosts is empty; list at least one gateway host, e.g. [{ hostname: "msgw1.example.com" }]',
  ],
  [
    "duplicate hostnames (case, trailing dot)",
    baseArgs({ hosts: [{ hostname: "msgw1.example.com" }, { hostname: "MSGW1.Example.com." }] }),
    'hosts[1].hostname "MSGW1.Example.com." duplicates hosts[0].hostname; every gateway needs a unique name (names compare case-insensitively, trailing dot ignored)',
  ],
  [
    "hostname outside the zone",
    baseArgs({ hosts: [{ hostname: "msgw1.example.org" }] }),
    'hosts[0].hostname "msgw1.example.org" is outside zone "example.com"; use a name ending in .example.com',
  ],
  [
    "mailDomain outside the zone",
    baseArgs({ mailDomain: "msgw.example.org" }),
    'mailDomain "msgw.example.org" is outside zone "example.com"; use a name ending in .example.com',
  ],
  [
    "hostname equal to mailDomain (clone anti-pattern)",
    baseArgs({ hosts: [{ hostname: "msgw1.example.com" }, { hostname: "msgw.example.com." }] }),
    'hosts[1].hostname "msgw.example.com." equals mailDomain; give each gateway its own name (msgw2.example.com) and let MX records carry the mail domain',
  ],
  [
    "invalid DNS name",
    baseArgs({ hosts: [{ hostname: "msgw_1.example.com" }] }),
    'hosts[0].hostname "msgw_1.example.com" is not a valid DNS name; give the host its own name, e.g. "msgw1.example.com"',
  ],
  [
    "label with a leading hyphen",
    baseArgs({ mailDomain: "-msgw.example.com" }),
    'mailDomain "-msgw.example.com" is not a valid DNS name; use the domain journal rules deliver to, e.g. "msgw.example.com"',
  ],
  [
    "invalid zone",
    baseArgs({ zone: { name: "example" } }),
    'zone.name "example" is not a valid DNS zone name; use the Cloudflare zone, e.g. "example.com"',
  ],
  [
    "preference above 65535",
    baseArgs({ hosts: [{ hostname: "msgw1.example.com", mxPriority: 65536 }] }),
    "hosts[0].mxPriority 65536 is not a valid MX preference; use a whole number from 0 to 65535",
  ],
  [
    "negative preference",
    baseArgs({ mx: { priority: -1 } }),
    "mx.priority -1 is not a valid MX preference; use a whole number from 0 to 65535",
  ],
  [
    "tiered step overflowing 65535",
    baseArgs({ mx: { strategy: "tiered", priority: 65000, step: 1000 } }),
    "mx.step 1000 with mx.priority 65000 gives the last of 2 hosts preference 66000, above 65535; use a smaller step",
  ],
  [
    "TTL below 60",
    baseArgs({ mx: { ttl: 30 } }),
    "mx.ttl 30 is not a TTL Cloudflare accepts; use 1 (automatic) or 60 to 86400 seconds",
  ],
  [
    "TTL above a day",
    baseArgs({ dns: { addressTtl: 86401 } }),
    "dns.addressTtl 86401 is not a TTL Cloudflare accepts; use 1 (automatic) or 60 to 86400 seconds",
  ],
  [
    "every host draining",
    baseArgs({ hosts: [{ hostname: "msgw1.example.com", state: "draining" }] }),
    'hosts[*].state: every host is "draining", so mailDomain would have no MX record and mail would bounce; keep at least one host "active"',
  ],
  [
    "aws and existing together",
    baseArgs({
      hosts: [{ hostname: "msgw1.example.com", aws: {}, existing: { address: "192.0.2.1" } }],
    }),
    "hosts[0] sets both aws and existing; a host either runs on EC2 (aws) or is an existing machine (existing), not both",
  ],
  [
    "existing host with a name instead of an address",
    baseArgs({
      hosts: [{ hostname: "msgw1.example.com", existing: { address: "gw.dc2.example.com" } }],
    }),
    'hosts[0].existing.address "gw.dc2.example.com" is not an IPv4 address; the A record needs a dotted-quad address such as "198.51.100.20"',
  ],
  [
    "world-open admin CIDR",
    baseArgs({ access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["0.0.0.0/0"] } }),
    'access.adminCidrs[0] "0.0.0.0/0" opens the Management Console and SSH to the whole internet; list only the networks that need it',
  ],
  [
    "world-open MailStore Server CIDR (IPv6)",
    baseArgs({ access: { mailStoreServerCidrs: ["::/0"], adminCidrs: ["198.51.100.0/24"] } }),
    'access.mailStoreServerCidrs[0] "::/0" opens POP3 for MailStore Server to the whole internet; list only the networks that need it',
  ],
  [
    "invalid CIDR",
    baseArgs({
      access: { mailStoreServerCidrs: ["198.51.100.300/32"], adminCidrs: ["198.51.100.0/24"] },
    }),
    'access.mailStoreServerCidrs[0] "198.51.100.300/32" is not a CIDR block; write an address and prefix, e.g. "198.51.100.7/32"',
  ],
  [
    "CIDR with host bits",
    baseArgs({
      access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.7/24"] },
    }),
    'access.adminCidrs[0] "198.51.100.7/24" has address bits set below the /24 prefix; use the network address of the block',
  ],
  [
    "empty admin list",
    baseArgs({ access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: [] } }),
    'access.adminCidrs is empty; the Management Console and SSH would be unreachable. List the networks that need it, e.g. ["198.51.100.0/24"]',
  ],
  [
    "duplicate CIDR",
    baseArgs({
      access: {
        mailStoreServerCidrs: ["198.51.100.10/32", "198.51.100.10/32"],
        adminCidrs: ["198.51.100.0/24"],
      },
    }),
    'access.mailStoreServerCidrs[1] "198.51.100.10/32" is listed twice; remove the duplicate',
  ],
  [
    "legacy hostname equal to a pool host",
    baseArgs({
      legacy: { hostname: "msgw2.example.com", address: "198.51.100.5", phase: "retired" },
    }),
    'legacy.hostname "msgw2.example.com" equals hosts[1].hostname; the old gateway keeps its own name and each new host needs a new one',
  ],
  [
    "Let's Encrypt with a CA",
    baseArgs({ certificates: { mode: "gateway-lets-encrypt", ca: { commonName: "x" } } }),
    'certificates.ca is set but certificates.mode is "gateway-lets-encrypt"; a pool CA only exists in "pool-ca" mode, so remove certificates.ca or switch the mode',
  ],
  [
    "unknown strategy",
    baseArgs({ mx: { strategy: "round-robin" as never } }),
    'mx.strategy "round-robin" is not a strategy; use "balanced" or "tiered"',
  ],
  [
    "existing host without a pinned key while replicating",
    baseArgs({
      hosts: [
        { hostname: "msgw1.example.com" },
        { hostname: "msgw2.example.com", existing: { address: "192.0.2.20" } },
      ],
      configSync: { revision: 1 },
    }),
    "hosts[1].existing.sshHostKey is missing; configuration replication pins host keys, so give the host's public key (ssh-keyscan output, checked out of band)",
  ],
  [
    "replication source outside the pool",
    baseArgs({ configSync: { revision: 1, source: "msgw9.example.com" } }),
    'configSync.source "msgw9.example.com" is not one of the pool\'s hosts; name the host whose configuration is copied to the others',
  ],
  [
    "migrating legacy gateway not pinned",
    baseArgs({
      legacy: { hostname: "msgw.example.com", address: "198.51.100.5", phase: "migrating" },
      configSync: { revision: 1 },
    }),
    "legacy.sshHostKey is missing; the migrating legacy gateway is the configuration source and its SSH host key must be pinned",
  ],
  [
    "private key pasted as public key",
    baseArgs({ configSync: { revision: 1, sshPublicKey: "-----BEGIN OPENSSH PRIVATE KEY-----" } }),
    "configSync.sshPublicKey holds a private key; give only the public key (the one-line .pub file), never a private key",
  ],
  [
    "installer over plain HTTP",
    baseArgs({ gateway: { installerUrl: "http://downloads.example.com/setup.exe" } }),
    `gateway.installerUrl "http://downloads.example.com/setup.exe" must be an https:// URL of RFC 3986 characters other than ' and $, without spaces (it is downloaded on every host)`,
  ],
  [
    "one port for two services",
    baseArgs({ gateway: { ports: { pop3: 8450 } } }),
    "gateway.ports [25,8450,8450] uses one port for two services; give each service its own port",
  ],
  [
    "bad AWS region",
    baseArgs({ hosts: [{ hostname: "msgw1.example.com", aws: { region: "Frankfurt" } }] }),
    'hosts[0].aws.region "Frankfurt" is not an AWS region name such as "eu-central-1"',
  ],
];

for (const [title, args, expected] of cases) {
  test(`bad input: ${title}`, () => {
    assert.deepEqual(validateGatewayPoolArgs(args), [expected]);
    assert.throws(
      () => planGatewayPool(args),
      (err: unknown) => err instanceof GatewayPoolArgsError && err.message === expected,
    );
  });
}

test("several problems are all reported at once, in argument order", () => {
  const problems = validateGatewayPoolArgs(
    baseArgs({
      mailDomain: "msgw.example.org",
      mx: { ttl: 5 },
      access: { mailStoreServerCidrs: [], adminCidrs: ["10.0.0.0/8"] },
    }),
  );
  assert.deepEqual(problems, [
    'mailDomain "msgw.example.org" is outside zone "example.com"; use a name ending in .example.com',
    "mx.ttl 5 is not a TTL Cloudflare accepts; use 1 (automatic) or 60 to 86400 seconds",
    'access.mailStoreServerCidrs is empty; POP3 for MailStore Server would be unreachable. List the networks that need it, e.g. ["198.51.100.0/24"]',
  ]);
});

test("valid edge cases pass: priority 0, TTL 1, legacy on the mail domain, IPv6 admin range, apex mail domain with its opt-in", () => {
  assert.deepEqual(
    validateGatewayPoolArgs(
      baseArgs({
        mailDomain: "example.com",
        hosts: [
          { hostname: "msgw1.example.com", mxPriority: 0 },
          { hostname: "msgw2.example.com", existing: { address: "192.0.2.2", sshHostKey: KEY } },
        ],
        mx: { strategy: "tiered", priority: 0, step: 1, ttl: 1, allowZoneApex: true },
        access: {
          mailStoreServerCidrs: ["198.51.100.10/32"],
          adminCidrs: ["2001:db8::/32"],
          smtpSourceCidrs: ["0.0.0.0/0", "::/0"],
        },
        legacy: {
          hostname: "example.com",
          address: "198.51.100.5",
          phase: "migrating",
          sshHostKey: KEY,
        },
        configSync: { revision: "r1" },
      }),
    ),
    [],
  );
});
