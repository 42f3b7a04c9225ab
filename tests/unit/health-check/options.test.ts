import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatResolverAddress,
  parseCheckOptions,
  parseResolverAddress,
} from "../../../components/health-check";

describe("parseResolverAddress", () => {
  const good: Array<[string, string, number, string]> = [
    ["10.0.0.53", "10.0.0.53", 53, "10.0.0.53:53"],
    ["10.0.0.53:5353", "10.0.0.53", 5353, "10.0.0.53:5353"],
    ["2001:db8::53", "2001:db8::53", 53, "[2001:db8::53]:53"],
    ["[2001:db8::53]", "2001:db8::53", 53, "[2001:db8::53]:53"],
    ["[2001:db8::53]:5353", "2001:db8::53", 5353, "[2001:db8::53]:5353"],
  ];
  for (const [input, address, port, formatted] of good) {
    it(`reads ${input}`, () => {
      const parsed = parseResolverAddress(input);
      assert.deepEqual(parsed, { address, port });
      assert.equal(formatResolverAddress(parsed), formatted);
    });
  }
  for (const input of [
    "dns.example.com",
    "10.0.0.53:0",
    "10.0.0.53:65536",
    "10.0.0.53:",
    "10.0.0:53",
    "[10.0.0.53]:53",
    "[::1]:x",
    "",
  ]) {
    it(`rejects "${input}"`, () => {
      assert.throws(() => parseResolverAddress(input), {
        name: "CheckInputError",
        message: `--resolver "${input}" must be an IP address with an optional port: 10.0.0.53, 10.0.0.53:5353 or [2001:db8::53]:5353`,
      });
    });
  }
});

describe("parseCheckOptions", () => {
  it("applies the defaults", () => {
    assert.deepEqual(parseCheckOptions({ outputs: "outputs.json" }), {
      source: { kind: "outputs", file: "outputs.json" },
      resolver: undefined,
      caFile: undefined,
      caEnv: undefined,
      minDays: 30,
      warnDays: 45,
      timeoutMs: 10_000,
      deadlineMs: 60_000,
      waitSeconds: undefined,
      ports: { smtp: 25, pop3: 110 },
      dane: "auto",
      json: false,
    });
  });

  it("reads every flag", () => {
    assert.deepEqual(
      parseCheckOptions({
        mailDomain: "msgw.example.com",
        gateway: ["msgw1.example.com"],
        resolver: "10.0.0.53:5353",
        ca: "ca.pem",
        minDays: "0",
        warnDays: "14",
        timeout: "2500",
        deadline: "20000",
        smtpPort: "2525",
        pop3Port: "1110",
        dane: "require",
        json: true,
      }),
      {
        source: { kind: "flags", mailDomain: "msgw.example.com", gateways: ["msgw1.example.com"] },
        resolver: { address: "10.0.0.53", port: 5353 },
        caFile: "ca.pem",
        caEnv: undefined,
        minDays: 0,
        warnDays: 14,
        timeoutMs: 2500,
        deadlineMs: 20_000,
        waitSeconds: undefined,
        ports: { smtp: 2525, pop3: 1110 },
        dane: "require",
        json: true,
      },
    );
  });

  const bad: Array<[Record<string, unknown>, string]> = [
    [
      { outputs: "o.json", gateway: ["a.example.com"] },
      "give one of --outputs FILE, --stack NAME, or --mail-domain with --gateway, not several",
    ],
    [
      { outputs: "o.json", mailDomain: "msgw.example.com" },
      "give one of --outputs FILE, --stack NAME, or --mail-domain with --gateway, not several",
    ],
    [
      { stack: "prod", outputs: "o.json" },
      "give one of --outputs FILE, --stack NAME, or --mail-domain with --gateway, not several",
    ],
    [
      { stack: "prod; rm -rf /" },
      '--stack "prod; rm -rf /" is not a stack name (letters, digits, . _ - and / for org/project/stack)',
    ],
    [{ ca: "ca.pem", caEnv: "CA" }, "give --ca FILE or --ca-env NAME, not both"],
    [{ caEnv: "1CA" }, '--ca-env "1CA" is not an environment variable name'],
    [
      { wait: "60", gateway: ["a.example.com"] },
      "--wait checks one gateway: give exactly one --gateway HOST=ADDRESS (no --outputs or --stack)",
    ],
    [
      { wait: "60", gateway: ["a.example.com=192.0.2.1", "b.example.com=192.0.2.2"] },
      "--wait checks one gateway: give exactly one --gateway HOST=ADDRESS (no --outputs or --stack)",
    ],
    [{ wait: "0" }, '--wait "0" must be a whole number from 1 to 86400'],
    [{ warnDays: "10" }, "--warn-days 10 is below --min-days 30; warnings come before problems"],
    [{ deadline: "999" }, '--deadline "999" must be a whole number from 1000 to 600000'],
    [{ minDays: "-1" }, '--min-days "-1" must be a whole number from 0 to 3650'],
    [{ minDays: "1.5" }, '--min-days "1.5" must be a whole number from 0 to 3650'],
    [{ timeout: "50" }, '--timeout "50" must be a whole number from 100 to 120000'],
    [{ smtpPort: "0" }, '--smtp-port "0" must be a whole number from 1 to 65535'],
    [{ pop3Port: "pop3" }, '--pop3-port "pop3" must be a whole number from 1 to 65535'],
    [
      { dane: "on" },
      '--dane "on" must be auto (check hosts that publish TLSA records), require (every host must have matching, DNSSEC-validated TLSA records) or off',
    ],
  ];
  for (const [raw, message] of bad) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      assert.throws(() => parseCheckOptions(raw), { name: "CheckInputError", message });
    });
  }

  it("reads wait mode and --stack", () => {
    const wait = parseCheckOptions({
      wait: "900",
      gateway: ["msgw1.example.com=203.0.113.11"],
      caEnv: "MSGW_CHECK_CA_PEM",
    });
    assert.equal(wait.waitSeconds, 900);
    assert.equal(wait.caEnv, "MSGW_CHECK_CA_PEM");
    // The readiness gate checks DANE only when asked (a pool with DANE passes --dane require).
    assert.equal(wait.dane, "off");
    const gate = parseCheckOptions({
      wait: "900",
      gateway: ["msgw1.example.com=203.0.113.11"],
      dane: "require",
      resolver: "10.0.0.53",
    });
    assert.equal(gate.dane, "require");
    assert.deepEqual(gate.resolver, { address: "10.0.0.53", port: 53 });
    assert.deepEqual(parseCheckOptions({ stack: "acme/msgw/prod" }).source, {
      kind: "stack",
      stack: "acme/msgw/prod",
    });
  });
});
