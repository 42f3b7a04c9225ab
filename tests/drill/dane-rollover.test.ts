/**
 * A DANE key rollover through successive real `pulumi up`s of the stack program (the Pulumi CLI built here,
 * the stand-in providers: the Cloudflare one writes and signs the zone the lab's NSD serves), with journal
 * mail flowing from Postfix enforcing DANE through a validating Unbound to the gateway stand-in, which serves
 * whatever certificate and key the stack outputs (the operator's install step):
 *
 * 0. `dane.enabled` on a fresh stack: TLSA g1 published, the DS record is the resolver's trust anchor;
 * 1. `rollover: "publish"`: TLSA g2 beside g1, the served certificate unchanged;
 *    control: serving the new key now (skipping the wait) makes Postfix defer, since the resolver still
 *    holds the old TLSA set; back on the old key the queue drains;
 *    `rollover: "serve"` at once is refused by the update ("wait until <time>") and changes no certificate;
 * 2. after twice the TTL, `rollover: "serve"`: the certificate on key g2, installed on the gateway;
 * 3. `generation: 2`: TLSA g1 removed;
 * then `pulumi destroy`: the TLSA records go, the zone stays signed.
 * From step 0 to 3: 0 deliveries deferred for a DANE reason, 0 lost, 0 duplicated.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { stringify } from "yaml";
import { tlsaSha256, type DaneOutput, type GatewayOutput } from "../../components";
import { engineEnv, requireEngine, ROOT } from "../../tools/engine/paths";
import { installStandInPlugins } from "../engine/providers/install";
import { Cloud } from "../engine/providers/context";
import { activeZoneDs, zoneRecords } from "../engine/providers/cloudflare";
import { DaneLab, DNS_ADDRESS, type ServedCert } from "../e2e/mail-path/lib/dane-lab";
import { mailLog, queuedMessages } from "../e2e/mail-path/lib/postfix";
import { formatTally, tally } from "../e2e/mail-path/lib/tally";
import { engineErrors } from "./lib/drivers";

const ZONE = "example.test";
const HOST = "msgw1.example.test";
const STACK = "dane";
const TTL = 60;
/** A deferral for a DANE reason: certificate not matching the TLSA records, or TLS/TLSA missing. */
const DANE_DEFERRAL =
  /status=deferred \((Server certificate not verified|TLS is required[^)]*|[^)]*TLSA[^)]*)\)/g;

interface StackOutputs {
  gateways: GatewayOutput[];
  certificatePrivateKeys: Record<string, string>;
  dane: DaneOutput;
}

function poolConfig(key: { generation?: number; rollover?: "publish" | "serve" }) {
  return {
    zone: { name: ZONE },
    mailDomain: `msgw.${ZONE}`,
    hosts: [{ hostname: HOST, existing: { address: "10.232.1.11", allowPrivateAddress: true } }],
    mx: { ttl: TTL },
    dns: { addressTtl: TTL },
    certificates: { mode: "pool-ca" },
    access: { mailStoreServerCidrs: ["10.232.9.0/24"], adminCidrs: ["10.232.9.0/24"] },
    dane: { enabled: true, ttl: TTL, keys: { [HOST]: key } },
  };
}

test(
  "DANE key rollover through successive pulumi ups with mail flowing: no DANE deferral, nothing lost or twice; skipping the wait defers",
  { timeout: 480_000 },
  async () => {
    const engine = requireEngine();
    const lab = await DaneLab.create({
      prefix: "dr-dane",
      zoneName: ZONE,
      mailDomain: `msgw.${ZONE}`,
      gateways: { [HOST]: "10.232.1.11" },
    });
    try {
      // The engine: stand-in plugins writing the zone into the lab's NSD, a local backend, a checkout.
      const home = join(lab.dir, "pulumi-home");
      const backend = join(lab.dir, "state");
      const project = join(lab.dir, "project");
      mkdirSync(backend, { recursive: true });
      await installStandInPlugins(home, {
        dnsZoneDir: lab.dns.zonesDir,
        nsdControl: lab.dns.control,
        nsAddress: DNS_ADDRESS,
        zones: [ZONE],
      });
      mkdirSync(project, { recursive: true });
      for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) {
        cpSync(join(ROOT, f), join(project, f));
      }
      for (const d of ["stacks", "components", "bin"]) {
        cpSync(join(ROOT, d), join(project, d), { recursive: true });
      }
      symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"));
      const env = {
        ...engineEnv(engine, { pulumiHome: home, backendUrl: `file://${backend}` }),
        CLOUDFLARE_API_TOKEN: "dane-drill-token",
        HOME: join(lab.dir, "user-home"),
      };
      const pulumi = (args: string[]) => {
        const began = Date.now();
        const r = spawnSync(engine.pulumi, [...args, "--stack", STACK, "--non-interactive"], {
          cwd: project,
          env,
          encoding: "utf8",
          timeout: 300_000,
          maxBuffer: 256 * 1024 * 1024,
        });
        return {
          code: r.status,
          stdout: r.stdout ?? "",
          stderr: r.stderr ?? "",
          ms: Date.now() - began,
        };
      };
      const ok = (args: string[]) => {
        const r = pulumi(args);
        if (r.code !== 0) {
          throw new Error(
            `pulumi ${args.join(" ")} exited ${r.code}:\n${engineErrors(r.stdout).join("\n") || r.stdout.slice(-3000)}\n${r.stderr}`,
          );
        }
        return r;
      };
      const sent: string[] = [];
      /** `pulumi up` of `key` while mail flows: a message every 2 s from before until after it. */
      const up = async (key: { generation?: number; rollover?: "publish" | "serve" }) => {
        const stream = lab.startInjection(8, `flow-${sent.length}`, 2_000);
        await new Promise((res) => setTimeout(res, 1_000));
        const result = upNow(key);
        const ids = await stream;
        sent.push(...ids);
        if (result.code === 0) await lab.waitDelivered(ids, 60_000);
        return result;
      };
      const upNow = (key: { generation?: number; rollover?: "publish" | "serve" }) => {
        writeFileSync(
          join(project, "stacks", `Pulumi.${STACK}.yaml`),
          stringify({ config: { "aws:region": "eu-central-1", "msgw:pool": poolConfig(key) } }),
        );
        return pulumi(["up", "--yes", "--skip-preview", "--json"]);
      };
      const outputs = (): StackOutputs =>
        JSON.parse(ok(["stack", "output", "--json", "--show-secrets"]).stdout) as StackOutputs;
      const served = (o: StackOutputs, tag: string): ServedCert & { pem: string } => {
        const pem = (o.gateways.find((g) => g.hostname === HOST) as GatewayOutput)
          .certificatePem as string;
        const certFile = join(lab.dir, `${tag}.crt`);
        const keyFile = join(lab.dir, `${tag}.key`);
        writeFileSync(certFile, pem);
        writeFileSync(keyFile, o.certificatePrivateKeys[HOST] as string, { mode: 0o600 });
        return { certFile, keyFile, pem };
      };
      const resolver = () => lab.resolver as NonNullable<typeof lab.resolver>;
      const tlsaNow = async () => (await resolver().query(`_25._tcp.${HOST}`, "TLSA")).records;
      const batch = async (tag: string, n = 4) => {
        const ids = await lab.inject(n, tag);
        sent.push(...ids);
        await lab.waitDelivered(ids, 60_000);
      };
      const timings: string[] = [];
      ok(["stack", "init"]);

      // 0. DANE on: TLSA g1, zone signed; the DS record becomes the resolver's trust anchor.
      let r = upNow({ generation: 1 });
      assert.equal(r.code, 0, engineErrors(r.stdout).join("\n"));
      timings.push(`up0=${r.ms}ms`);
      const o0 = outputs();
      assert.match(o0.dane.ds ?? "", /^example\.test\. 3600 IN DS \d+ 13 2 [0-9A-F]{64}$/);
      await lab.startResolver(o0.dane.ds as string);
      const cert1 = served(o0, "g1");
      const g1 = `3 1 1 ${tlsaSha256(cert1.pem)}`;
      assert.deepEqual(
        o0.dane.hosts[0]?.records.map((x) => x.rdata),
        [g1],
      );
      assert.deepEqual(await resolver().query(`_25._tcp.${HOST}`, "TLSA"), {
        rcode: "NOERROR",
        ad: true,
        records: [g1],
      });
      await lab.startReceiver(HOST, cert1);
      await batch("roll-0");

      // 1. Publish the next key's record. The resolver's cache is fresh (60 s) just before.
      await resolver().flush(ZONE);
      assert.deepEqual(await tlsaNow(), [g1]);
      r = await up({ generation: 1, rollover: "publish" });
      assert.equal(r.code, 0, engineErrors(r.stdout).join("\n"));
      timings.push(`up1=${r.ms}ms`);
      const o1 = outputs();
      assert.equal(served(o1, "g1-again").pem, cert1.pem, "publishing changes no certificate");
      const h1 = o1.dane.hosts[0] as DaneOutput["hosts"][number];
      assert.equal(h1.rollover, "publish");
      const g2 = (h1.records.find((x) => x.role === "next") as { rdata: string }).rdata;
      assert.deepEqual(
        h1.records.map((x) => [x.generation, x.role]),
        [
          [1, "current"],
          [2, "next"],
        ],
      );
      const allowedFrom = Date.parse(h1.serveAllowedFrom as string);
      assert.ok(allowedFrom > Date.now(), "serving the next key is not allowed yet");

      // Control: the next key served now, before senders' caches hold its record.
      assert.deepEqual(await tlsaNow(), [g1], "the resolver still holds the old TLSA set");
      const state = JSON.parse(ok(["stack", "export", "--show-secrets"]).stdout) as {
        deployment: { resources: Array<{ urn: string; outputs?: Record<string, unknown> }> };
      };
      const nextKey = state.deployment.resources.find((x) =>
        x.urn.endsWith("::msgw-msgw1-tls-key-g2"),
      );
      const secret = nextKey?.outputs?.privateKeyPem as { plaintext?: string } | string;
      const nextKeyPem =
        typeof secret === "string" ? secret : (JSON.parse(secret.plaintext as string) as string);
      const early: ServedCert = {
        certFile: join(lab.dir, "early.crt"),
        keyFile: join(lab.dir, "early.key"),
      };
      writeFileSync(early.keyFile, nextKeyPem, { mode: 0o600 });
      const made = spawnSync(
        "openssl",
        [
          "req",
          "-x509",
          "-key",
          early.keyFile,
          "-days",
          "1",
          "-subj",
          `/CN=${HOST}`,
          "-addext",
          `subjectAltName=DNS:${HOST}`,
          "-out",
          early.certFile,
        ],
        { encoding: "utf8" },
      );
      assert.equal(made.status, 0, made.stderr);
      assert.equal(`3 1 1 ${tlsaSha256(readFileSync(early.certFile, "utf8"))}`, g2);
      const before = lab.received().length;
      const deferralsBefore = (mailLog(lab.sender).match(DANE_DEFERRAL) ?? []).length;
      await lab.startReceiver(HOST, early);
      const skipped = await lab.inject(3, "roll-skip");
      sent.push(...skipped);
      const controlDeferrals =
        (await lab.waitLogged(DANE_DEFERRAL, deferralsBefore + 3, 30_000)) - deferralsBefore;
      assert.equal(
        lab.received().length,
        before,
        "nothing delivered to the new key while senders hold the old set",
      );
      await lab.startReceiver(HOST, cert1);
      await lab.flushQueue();
      await lab.waitDelivered(skipped, 60_000);
      const mark = mailLog(lab.sender).length;

      // The pool refuses to serve the next key before twice the TTL has passed.
      r = await up({ generation: 1, rollover: "serve" });
      assert.notEqual(r.code, 0, "serving the next key at once must fail");
      const refusal = engineErrors(r.stdout).join("\n");
      assert.match(
        refusal,
        new RegExp(
          `DANE: ${HOST.replace(/\./g, "\\.")} may serve key generation 2 only once its TLSA record \\(published [^)]+\\) has been cached by every sender, twice its TTL \\(120 s\\): wait until ${new Date(allowedFrom).toISOString().replace(/\./g, "\\.")}, then run pulumi up again`,
        ),
      );
      assert.equal(
        served(outputs(), "g1-still").pem,
        cert1.pem,
        "the refused update issued no certificate",
      );

      // Mail keeps flowing during the wait.
      while (Date.now() < allowedFrom + 2_000) {
        await batch(`roll-wait-${sent.length}`, 2);
        await new Promise((res) =>
          setTimeout(res, Math.min(10_000, Math.max(0, allowedFrom + 2_000 - Date.now()))),
        );
      }

      // 2. Serve the next key, then install it on the gateway.
      r = await up({ generation: 1, rollover: "serve" });
      assert.equal(r.code, 0, engineErrors(r.stdout).join("\n"));
      timings.push(`up2=${r.ms}ms`);
      const o2 = outputs();
      const cert2 = served(o2, "g2");
      assert.notEqual(cert2.pem, cert1.pem);
      assert.equal(`3 1 1 ${tlsaSha256(cert2.pem)}`, g2);
      assert.deepEqual(
        o2.dane.hosts[0]?.records.map((x) => [x.generation, x.role]),
        [
          [2, "current"],
          [1, "previous"],
        ],
      );
      await batch("roll-2a");
      await lab.startReceiver(HOST, cert2);
      await batch("roll-2b");

      // 3. Retire the old record.
      r = await up({ generation: 2 });
      assert.equal(r.code, 0, engineErrors(r.stdout).join("\n"));
      timings.push(`up3=${r.ms}ms`);
      const o3 = outputs();
      assert.equal(
        served(o3, "g2-again").pem,
        cert2.pem,
        "retiring the old record changes no certificate",
      );
      assert.deepEqual(
        o3.dane.hosts[0]?.records.map((x) => x.rdata),
        [g2],
      );
      await resolver().flush(ZONE);
      assert.deepEqual(await tlsaNow(), [g2]);
      await batch("roll-3");
      await lab.settle();

      const t = tally(sent, lab.received(), [HOST]);
      const daneDeferrals = (mailLog(lab.sender).slice(mark).match(DANE_DEFERRAL) ?? []).length;
      console.log(
        formatTally(
          "DANE rollover under the engine",
          t,
          ` DANE deferrals after the control=${daneDeferrals} control deferrals=${controlDeferrals} ${timings.join(" ")}`,
        ),
      );
      assert.deepEqual(t.lost, []);
      assert.deepEqual(t.duplicated, []);
      assert.equal(daneDeferrals, 0);
      assert.ok(controlDeferrals >= 3);
      assert.equal(queuedMessages(lab.sender), 0);

      // Destroy: the TLSA records go, DNSSEC stays on (retained).
      r = pulumi(["destroy", "--yes", "--skip-preview", "--json"]);
      assert.equal(r.code, 0, engineErrors(r.stdout).join("\n"));
      const cloud = new Cloud(join(home, "standin-cloud"));
      assert.equal(activeZoneDs(cloud, { zones: [ZONE] }, ZONE), o0.dane.ds);
      assert.deepEqual(
        zoneRecords(cloud, { zones: [ZONE] }, ZONE).map((x) => x.type),
        [],
      );
      assert.ok(existsSync(join(lab.dns.zonesDir, `${ZONE}.zone`)));
    } finally {
      await lab.destroy();
    }
  },
);
