/**
 * DANE proven with a real DANE-enforcing MTA: Postfix (`smtp_dns_support_level = dnssec`,
 * `smtp_tls_security_level = dane`) resolving through a validating Unbound delivers journal mail to a gateway
 * stand-in serving the pool's certificate, over a connection it logs as "Verified", when the signed zone
 * carries the pool's TLSA 3 1 1 record. Three negative controls must each make it defer and never deliver: a
 * TLSA record that does not match, a bogus zone (expired signatures) and a stripped STARTTLS (a plain-text
 * receiver that would accept the mail). After each fix the queue drains: nothing lost, nothing twice.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateKeyPairSync } from "node:crypto";
import {
  planCertificates,
  planDane,
  planGatewayPool,
  renderZoneFile,
  tlsaSha256,
  type GatewayPoolArgs,
} from "../../../components";
import { issueCertificate, type IssuedCert } from "./lib/certs";
import { DaneLab } from "./lib/dane-lab";
import { gatewayHost, poolArgs } from "./lib/pools";
import { formatTally, tally } from "./lib/tally";
import { mailLog, queuedMessages, verifiedSessions } from "./lib/postfix";

const HOST = "msgw1.example.test";
const BATCH = 5;

/** The pool's zone fragment: its A and MX records (renderZoneFile) and its TLSA records. */
function zoneFragment(args: GatewayPoolArgs, hashes: Record<string, string>): string {
  const plan = planGatewayPool(args);
  const dane = planDane(args, plan);
  const addresses = Object.fromEntries(
    args.hosts.map((h) => [h.hostname, h.existing?.address as string]),
  );
  const tlsa = dane.hosts.map(
    (h) => `${h.recordName}. ${dane.ttl} IN TLSA 3 1 1 ${hashes[h.hostname] as string}`,
  );
  return `${renderZoneFile(plan, addresses)}${tlsa.join("\n")}\n`;
}

test(
  "Postfix enforcing DANE: verified delivery; a TLSA mismatch, a bogus zone and a stripped STARTTLS defer, then the queue drains",
  { timeout: 240_000 },
  async () => {
    const args = poolArgs([gatewayHost(1)], "balanced", { dane: { enabled: true, ttl: 60 } });
    const plan = planGatewayPool(args);
    const certPlan = planCertificates(plan);
    const lab = await DaneLab.create({
      prefix: "mp-dane",
      zoneName: plan.zoneName,
      mailDomain: plan.mailDomain,
      gateways: { [HOST]: "10.232.1.11" },
    });
    try {
      // The pool's certificate for msgw1, issued as planned (pool CA, ECDSA P-256, the host's own name).
      const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
      const ca = certPlan.ca as NonNullable<typeof certPlan.ca>;
      const caCert = await issueCertificate(lab.dir, "pool-ca", {
        commonName: ca.commonName,
        dnsNames: [],
        isCa: true,
        keyAlgorithm: ca.keyAlgorithm,
        ecdsaCurve: ca.ecdsaCurve,
        notAfter: hours(ca.validityHours),
      });
      const h = certPlan.hosts[0] as (typeof certPlan.hosts)[number];
      const cert: IssuedCert = await issueCertificate(
        lab.dir,
        HOST,
        {
          commonName: h.commonName ?? HOST,
          organization: h.organization,
          dnsNames: h.dnsNames,
          isCa: false,
          keyAlgorithm: h.keyAlgorithm,
          ecdsaCurve: h.ecdsaCurve,
          notAfter: hours(h.validityHours),
        },
        caCert,
      );
      const good = zoneFragment(args, { [HOST]: tlsaSha256(cert.certPem) });
      const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
        type: "spki",
        format: "pem",
      }) as string;
      const mismatch = zoneFragment(args, { [HOST]: tlsaSha256(otherKey) });

      await lab.serveSignedZone(good);
      await lab.startResolver(lab.ds);
      const tlsa = await (lab.resolver as NonNullable<typeof lab.resolver>).query(
        `_25._tcp.${HOST}`,
        "TLSA",
      );
      assert.deepEqual(tlsa, {
        rcode: "NOERROR",
        ad: true,
        records: [`3 1 1 ${tlsaSha256(cert.certPem)}`],
      });
      await lab.startReceiver(HOST, cert);
      const sent: string[] = [];

      // Positive: delivered over a DANE-verified connection.
      const first = await lab.inject(BATCH, "dane-ok");
      sent.push(...first);
      await lab.waitDelivered(first, 30_000);
      assert.deepEqual(verifiedSessions(lab.sender), { [HOST]: BATCH });
      assert.match(
        mailLog(lab.sender),
        /Verified TLS connection established to msgw1\.example\.test\[10\.232\.1\.11\]:25/,
      );

      // Each control: serve the fault, send, see deferrals and no delivery, undo the fault, drain.
      const control = async (
        tag: string,
        fault: () => Promise<void>,
        reason: RegExp,
        fix: () => Promise<void>,
      ): Promise<void> => {
        const before = lab.received().length;
        await fault();
        const ids = await lab.inject(BATCH, tag);
        sent.push(...ids);
        await lab.waitLogged(reason, BATCH, 30_000);
        assert.equal(
          lab.received().length,
          before,
          `${tag}: nothing delivered while the fault lasts`,
        );
        assert.equal(queuedMessages(lab.sender), BATCH, `${tag}: deferred mail stays queued`);
        await fix();
        await lab.flushQueue();
        await lab.waitDelivered(ids, 30_000);
      };
      await control(
        "dane-mismatch",
        () => lab.serveSignedZone(mismatch),
        /msgw1\.example\.test\[10\.232\.1\.11\]:25, .*status=deferred \(Server certificate not verified\)/,
        () => lab.serveSignedZone(good),
      );
      await control(
        "dane-bogus",
        () =>
          lab.serveSignedZone(good, {
            inception: "2020-01-01T00:00:00Z",
            expiration: "2020-02-01T00:00:00Z",
          }),
        /status=deferred \(Host or domain name not found\. Name service error for name=msgw\.example\.test type=MX: Host not found, try again\)/,
        () => lab.serveSignedZone(good),
      );
      await control(
        "dane-strip",
        () => lab.startReceiver(HOST, cert, true),
        /status=deferred \(TLS is required, but was not offered by host msgw1\.example\.test\[10\.232\.1\.11\]\)/,
        () => lab.startReceiver(HOST, cert),
      );

      await lab.settle();
      const t = tally(sent, lab.received(), [HOST]);
      console.log(
        formatTally(
          "DANE: verified, mismatch, bogus, stripped STARTTLS",
          t,
          ` verified=${verifiedSessions(lab.sender)[HOST]}`,
        ),
      );
      assert.deepEqual(t.perHost, { [HOST]: 4 * BATCH });
      assert.deepEqual(t.lost, []);
      assert.deepEqual(t.duplicated, []);
      assert.equal(queuedMessages(lab.sender), 0);
      // Every delivery went over TLS the sender verified by DANE (none in plain text to the stripper).
      assert.ok(
        lab.received().every((m) => m.tls),
        "no message was delivered without TLS",
      );
      assert.deepEqual(verifiedSessions(lab.sender), { [HOST]: 4 * BATCH });
    } finally {
      await lab.destroy();
    }
  },
);
