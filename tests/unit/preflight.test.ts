// `msgw preflight`: what `pulumi up` needs from the machine it runs on, planned from the stack
// configuration and outputs, then probed for real against loopback listeners (reachable, refused, and
// a listener whose accept queue is full so the connection attempt times out).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  planPreflight,
  preflightMain,
  resolveKeyPath,
  runPreflight,
} from "../../components/preflight";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { GatewayPoolArgs } from "../../components";
import { ED25519_KEY_B, ED25519_KEY_D } from "../lab/fixtures";

const ROOT = path.resolve(__dirname, "../..");
const prod = () =>
  (
    parseYaml(readFileSync(path.join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8")) as {
      config: { "msgw:pool": GatewayPoolArgs };
    }
  ).config["msgw:pool"];

describe("planPreflight (pure)", () => {
  it("prod as shipped, before its first up: the key file, SSH to the legacy gateway, hosts not created yet", () => {
    const plan = planPreflight(prod(), {});
    assert.equal(plan.keyFile, "~/.ssh/msgw_replication");
    assert.deepEqual(plan.probes, [
      {
        purpose: "replication",
        hostname: "msgw.example.com",
        address: "198.51.100.5",
        port: 22,
        source: "legacy.address",
      },
    ]);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.notYetKnown, ["msgw1.example.com", "msgw2.example.com"]);
  });

  it("prod promoting msgw1 after its first up: SSH to every endpoint, SMTP and POP3 (configured ports) of msgw1", () => {
    const pool = prod();
    pool.hosts[0].state = "active";
    pool.gateway = { ...pool.gateway, ports: { smtp: 2525, pop3: 1110 } };
    const outputs = {
      gateways: [
        { hostname: "msgw1.example.com", address: "203.0.113.11" },
        { hostname: "msgw2.example.com", address: "203.0.113.12" },
      ],
    };
    const plan = planPreflight(pool, outputs);
    assert.deepEqual(
      plan.probes.map((p) => `${p.purpose} ${p.hostname} ${p.address}:${p.port} ${p.source}`),
      [
        "replication msgw.example.com 198.51.100.5:22 legacy.address",
        "replication msgw1.example.com 203.0.113.11:22 outputs gateways[0].address",
        "replication msgw2.example.com 203.0.113.12:22 outputs gateways[1].address",
        "readiness gate msgw1.example.com 203.0.113.11:2525 outputs gateways[0].address",
        "readiness gate msgw1.example.com 203.0.113.11:1110 outputs gateways[0].address",
      ],
    );
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.notYetKnown, []);
  });

  it("an active AWS host this update would create is refused before anything is created", () => {
    const pool = prod();
    pool.hosts.push({ hostname: "msgw3.example.com" });
    const plan = planPreflight(pool, {
      gateways: [
        { hostname: "msgw1.example.com", address: "203.0.113.11" },
        { hostname: "msgw2.example.com", address: "203.0.113.12" },
      ],
    });
    assert.deepEqual(plan.problems, [
      'hosts[2] msgw3.example.com is active but its machine does not exist yet (no address in the stack outputs): this update would create it and its readiness gate cannot pass (the certificate is imported by hand afterwards). Add it with state "standby", complete it, check it with msgw check --wait, then set it active',
    ]);
    assert.deepEqual(plan.notYetKnown, []);
  });

  it("bad configuration is refused with the pool's own messages", () => {
    const pool = prod();
    pool.hosts[0].hostname = "msgw.example.com";
    assert.throws(
      () => planPreflight(pool, {}),
      /hosts\[0\]\.hostname "msgw\.example\.com" equals mailDomain/,
    );
  });

  it("the key path: ~ from the home directory, a relative path from the project root", () => {
    assert.equal(resolveKeyPath("~/.ssh/k", "/proj", "/home/ops"), "/home/ops/.ssh/k");
    assert.equal(resolveKeyPath("keys/k", "/proj", "/home/ops"), "/proj/keys/k");
    assert.equal(resolveKeyPath("/etc/k", "/proj", "/home/ops"), "/etc/k");
  });
});

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("runPreflight and msgw preflight against loopback listeners", () => {
  const servers: net.Server[] = [];
  const sockets: net.Socket[] = [];
  let stuck: ChildProcess | undefined;
  let smtp = 0;
  let pop3 = 0;
  let ssh = 0;
  let refused = 0;
  let full = 0;
  let dir = "";

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "msgw-preflight-"));
    const listen = async () => {
      const server = net.createServer((s) => s.destroy());
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      servers.push(server);
      return (server.address() as net.AddressInfo).port;
    };
    [smtp, pop3, ssh] = [await listen(), await listen(), await listen()];
    refused = await closedPort();
    // A listener that never accepts, its accept queue filled: the kernel drops further SYNs, so a
    // connection attempt hangs until the preflight's own timeout.
    stuck = spawn(
      "python3",
      [
        "-c",
        "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    full = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("listener did not start in 10 s")), 10_000);
      stuck?.stdout?.once("data", (d: Buffer) => {
        clearTimeout(timer);
        resolve(Number(String(d).trim()));
      });
    });
    // listen(0): one completed connection fills the accept queue.
    const s = net.connect(full, "127.0.0.1");
    s.on("error", () => {});
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("could not fill the accept queue in 5 s")),
        5_000,
      );
      s.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  });
  after(() => {
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
    if (stuck?.pid !== undefined) stuck.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reachable, refused and timed-out connections, each bounded, and a missing key file", async () => {
    const started = Date.now();
    const report = await runPreflight(
      {
        keyFile: path.join(dir, "missing-key"),
        probes: [
          {
            purpose: "replication",
            hostname: "a.example.com",
            address: "127.0.0.1",
            port: ssh,
            source: "x",
          },
          {
            purpose: "readiness gate",
            hostname: "a.example.com",
            address: "127.0.0.1",
            port: refused,
            source: "x",
          },
          {
            purpose: "readiness gate",
            hostname: "b.example.com",
            address: "127.0.0.1",
            port: full,
            source: "x",
          },
        ],
        problems: [],
        notYetKnown: ["c.example.com"],
      },
      { cwd: dir, timeoutMs: 500 },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 3_000, `took ${elapsed} ms`);
    assert.deepEqual(report.lines, [
      `MISSING the replication private key file ${dir}/missing-key (configSync.sshPrivateKeyPath "${dir}/missing-key") is not readable on this machine; run pulumi up where that key is (an admin workstation or the self-hosted deploy runner)`,
      `ok      replication a.example.com 127.0.0.1:${ssh} (from x)`,
      `MISSING TCP to readiness gate a.example.com 127.0.0.1:${refused} (from x): connection refused; this machine must reach it (access.smtpSourceCidrs opens SMTP, access.mailStoreServerCidrs opens POP3 to this machine's address)`,
      `MISSING TCP to readiness gate b.example.com 127.0.0.1:${full} (from x): timed out after 0.5 s; this machine must reach it (access.smtpSourceCidrs opens SMTP, access.mailStoreServerCidrs opens POP3 to this machine's address)`,
      "later   c.example.com: no address yet (created by this update)",
    ]);
    assert.equal(report.problems.length, 3);
  });

  const stackFile = (pool: Record<string, unknown>) => {
    const file = path.join(dir, "Pulumi.lab.yaml");
    fs.writeFileSync(file, JSON.stringify({ config: { "msgw:pool": pool } }));
    return file;
  };
  const labPool = (key: string, sshPort: number) => ({
    zone: { name: "example.com" },
    mailDomain: "msgw.example.com",
    hosts: [
      {
        hostname: "msgw1.example.com",
        existing: {
          address: "127.0.0.1",
          allowPrivateAddress: true,
          sshPort,
          sshHostKey: ED25519_KEY_D,
        },
      },
    ],
    gateway: { ports: { smtp, pop3 } },
    access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: ["198.51.100.0/24"] },
    readinessGate: {},
    configSync: {
      revision: 1,
      source: "msgw1.example.com",
      sshPrivateKeyPath: key,
      sshPublicKey: `${ED25519_KEY_B} ops`,
    },
  });

  it("msgw preflight: exit 0 when the key is there and every port answers", async () => {
    const key = path.join(dir, "id_ed25519");
    fs.writeFileSync(key, "key", { mode: 0o600 });
    const out: string[] = [];
    const code = await preflightMain(
      {
        stack: "lab",
        config: stackFile(labPool(key, ssh)),
        outputs: "/dev/null/none",
        timeout: "500",
      },
      {},
      (l) => out.push(l),
    );
    assert.equal(code, 2);
    assert.match(out[0] ?? "", /^msgw preflight: --outputs "\/dev\/null\/none" is not a JSON file/);
    const outputs = path.join(dir, "outputs.json");
    fs.writeFileSync(outputs, "{}");
    out.length = 0;
    const ok = await preflightMain(
      { stack: "lab", config: stackFile(labPool(key, ssh)), outputs, timeout: "500" },
      {},
      (l) => out.push(l),
    );
    assert.deepEqual(out, [
      `ok      replication key ${key} (configSync.sshPrivateKeyPath)`,
      `ok      replication msgw1.example.com 127.0.0.1:${ssh} (from hosts[0].existing.address)`,
      `ok      readiness gate msgw1.example.com 127.0.0.1:${smtp} (from hosts[0].existing.address)`,
      `ok      readiness gate msgw1.example.com 127.0.0.1:${pop3} (from hosts[0].existing.address)`,
      "preflight: pulumi up --stack lab can reach everything it needs from here",
    ]);
    assert.equal(ok, 0);
  });

  it("msgw preflight: exit 1 naming what is missing when SSH is refused", async () => {
    const key = path.join(dir, "id_ed25519");
    const outputs = path.join(dir, "outputs.json");
    const out: string[] = [];
    const code = await preflightMain(
      { stack: "lab", config: stackFile(labPool(key, refused)), outputs, timeout: "500" },
      {},
      (l) => out.push(l),
    );
    assert.equal(code, 1);
    assert.equal(
      out[1],
      `MISSING TCP to replication msgw1.example.com 127.0.0.1:${refused} (from hosts[0].existing.address): connection refused; this machine must reach it (access.adminCidrs opens SSH to this machine's address)`,
    );
    assert.equal(
      out.at(-1),
      "preflight: 1 missing; pulumi up --stack lab would fail on this machine (nothing was created or changed)",
    );
    const bad = await preflightMain(
      { stack: "lab", config: stackFile(labPool(key, ssh)), outputs, timeout: "5" },
      {},
      (l) => out.push(l),
    );
    assert.equal(bad, 2);
    assert.equal(
      out.at(-1),
      'msgw preflight: --timeout "5" must be a whole number of milliseconds from 100 to 60000',
    );
  });
});
