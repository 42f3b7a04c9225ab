/**
 * The fault lab of `msgw check`: the mail-path world (NSD at 10.232.0.53, an operator namespace)
 * plus one namespace `cv` at 10.232.3.10 that serves every certificate variant by SNI name, on
 * SMTP (the fault server, port 25) and POP3 (Dovecot, port 110), and the bound faults on SMTP
 * ports 2501-2504. The zone holds one record set per DNS fault.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NetHost } from "../../mail-path/lib/netns";
import { gatewayHost, poolArgs } from "../../mail-path/lib/pools";
import { MailWorld } from "../../mail-path/lib/world";
import { labCert, type LabCert } from "./cert-lab";
import type { FaultServerConfig } from "./fault-server";
import { startPop3Lab } from "../../../lab/fixtures";

export const CV = "10.232.3.10";
export const RESOLVER = "10.232.0.53";
/** Variant names that the zone makes aliases (a CNAME excludes every other record). */
const ALIASES = ["alias.example.test"];
export const PORTS = {
  drip: 2501,
  endless: 2502,
  huge: 2503,
  control: 2504,
  rsa1024: 2505,
  tls11: 2506,
} as const;
const DAY = 86_400_000;

/** The zone: every certificate-variant name at CV, then one record set per DNS fault. */
export function faultZone(certNames: readonly string[]): string {
  const rel = (name: string) => name.replace(/\.example\.test$/, "");
  return [
    ...certNames
      .filter((n) => n.endsWith(".example.test") && !ALIASES.includes(n))
      .map((n) => `${rel(n)} IN A ${CV}`),
    "gooddom IN MX 0 good",
    // An MX target that is an alias (RFC 2181 10.3).
    "mxcname IN MX 0 alias",
    "alias IN CNAME good",
    // A stray AAAA beside the A record, and a host with only AAAA.
    `v6 IN A ${CV}`,
    "v6 IN AAAA 2001:db8::dead",
    "v6dom IN MX 0 v6",
    "v6only IN AAAA 2001:db8::1",
    // No MX, but an address: implicit MX (RFC 5321 5.1).
    `legacy IN A ${CV}`,
    // Null MX (RFC 7505), alone and beside another MX.
    "nullmx IN MX 0 .",
    "mixnull IN MX 0 .",
    "mixnull IN MX 10 good",
    // An MX target written as an address.
    "iplit IN MX 0 10.232.3.10.",
    // MX targets without an address: NXDOMAIN and NODATA.
    "noaddr IN MX 0 nowhere",
    "noaddr IN MX 10 txtonly",
    'txtonly IN TXT "no address here"',
    // A dangling alias and an alias loop.
    "dangledom IN MX 0 dangle",
    "dangle IN CNAME gone",
    "loopdom IN MX 0 loop1",
    "loop1 IN CNAME loop2",
    "loop2 IN CNAME loop1",
    // Addresses no sender can deliver to.
    "loopback IN A 127.0.0.1",
    "lbdom IN MX 0 loopback",
    // A mail domain that exists without MX or address (NODATA).
    'txtdom IN TXT "nothing else"',
    // DNS data carrying a terminal control sequence (ESC [2J) in an MX target.
    "ctldom IN MX 0 \\027[2J.example.test.",
  ].join("\n");
}

/** The certificate variants: SNI name -> how its certificate is made and which chain is sent. */
export interface Variant {
  leaf: LabCert;
  /** Certificates sent after the leaf. */
  extra: LabCert[];
}

/** Every CA and variant of the lab. */
export interface LabCerts {
  poolCa: LabCert;
  expiredCa: LabCert;
  soonCa: LabCert;
  variants: Map<string, Variant>;
}

/** Issues the CAs and every variant. */
export async function issueLabCerts(): Promise<LabCerts> {
  const poolCa = await labCert({ commonName: "Lab pool CA", ca: true, notAfterDays: 3650 });
  const expiredCa = await labCert({
    commonName: "Lab expired CA",
    ca: true,
    notBeforeDays: -400,
    notAfterDays: -30,
  });
  const soonCa = await labCert({ commonName: "Lab CA expiring soon", ca: true, notAfterDays: 20 });
  const expiredInter = await labCert(
    { commonName: "Lab expired intermediate", ca: true, notBeforeDays: -200, notAfterDays: -10 },
    poolCa,
  );
  const inter = await labCert({ commonName: "Lab intermediate", ca: true }, poolCa);
  const sha1Inter = await labCert(
    { commonName: "Lab SHA-1 intermediate", ca: true, key: "rsa-sha1" },
    poolCa,
  );
  const v = new Map<string, Variant>();
  const add = async (name: string, make: () => Promise<LabCert>, extra: LabCert[] = []) =>
    v.set(name, { leaf: await make(), extra });
  await add("good.example.test", () => labCert({ commonName: "good.example.test" }, poolCa));
  for (const name of [...ALIASES, "v6.example.test", "legacy.example.test"]) {
    await add(name, () => labCert({ commonName: name }, poolCa));
  }
  await add("expiredca.example.test", () =>
    labCert({ commonName: "expiredca.example.test" }, expiredCa),
  );
  await add(
    "expiredint.example.test",
    () => labCert({ commonName: "expiredint.example.test" }, expiredInter),
    [expiredInter],
  );
  await add("chained.example.test", () => labCert({ commonName: "chained.example.test" }, inter), [
    inter,
  ]);
  await add(
    "outoforder.example.test",
    () => labCert({ commonName: "outoforder.example.test" }, inter),
    [poolCa, inter],
  );
  await add("incomplete.example.test", () =>
    labCert({ commonName: "incomplete.example.test" }, inter),
  );
  await add("notyet.example.test", () =>
    labCert({ commonName: "notyet.example.test", notBeforeDays: 2 }, poolCa),
  );
  await add("expiring.example.test", () =>
    labCert({ commonName: "expiring.example.test", notAfterDays: 20 }, poolCa),
  );
  await add("cnonly.example.test", () =>
    labCert({ commonName: "cnonly.example.test", dnsNames: [] }, poolCa),
  );
  const wild = await labCert({ commonName: "wild", dnsNames: ["*.wild.example.test"] }, poolCa);
  v.set("a.wild.example.test", { leaf: wild, extra: [] });
  v.set("b.a.wild.example.test", { leaf: wild, extra: [] });
  await add("partial.example.test", () =>
    labCert({ commonName: "partial", dnsNames: ["part*.example.test"] }, poolCa),
  );
  await add("tldwild.test", () => labCert({ commonName: "tld", dnsNames: ["*.test"] }, poolCa));
  await add("ipsan.example.test", () =>
    labCert({ commonName: "ipsan", dnsNames: [], ipAddresses: [CV] }, poolCa),
  );
  await add("clientauth.example.test", () =>
    labCert({ commonName: "clientauth.example.test", eku: ["1.3.6.1.5.5.7.3.2"] }, poolCa),
  );
  await add("caleaf.example.test", () =>
    labCert(
      { commonName: "caleaf.example.test", ca: true, dnsNames: ["caleaf.example.test"] },
      poolCa,
    ),
  );
  await add("selfsigned.example.test", () => labCert({ commonName: "selfsigned.example.test" }));
  await add("sha1.example.test", () => labCert({ commonName: "sha1.example.test" }, sha1Inter), [
    sha1Inter,
  ]);
  await add("rsa1024.example.test", () =>
    labCert({ commonName: "rsa1024.example.test", key: "rsa1024" }, poolCa),
  );
  await add("soonca.example.test", () => labCert({ commonName: "soonca.example.test" }, soonCa));
  void DAY;
  return { poolCa, expiredCa, soonCa, variants: v };
}

/** A running fault lab; `destroy()` it in `after`. */
export interface FaultLab {
  world: MailWorld;
  cv: NetHost;
  certs: LabCerts;
  /** Trusted CAs: the pool CA, the expired CA and the CA expiring soon. */
  caFile: string;
}

/** Builds the lab under namespace prefix `prefix` (mp-...). */
export async function createFaultLab(prefix: string): Promise<FaultLab> {
  const world = await MailWorld.create({
    prefix,
    args: poolArgs([gatewayHost(1)], "tiered"),
    sender: false,
    operator: true,
  });
  try {
    const certs = await issueLabCerts();
    const cv = await world.net.addHost("cv", CV);
    const files: Record<string, { cert: string; key: string }> = {};
    for (const [name, variant] of certs.variants) {
      const cert = join(world.dir, `cv-${name}.crt`);
      const key = join(world.dir, `cv-${name}.key`);
      writeFileSync(cert, [variant.leaf, ...variant.extra].map((c) => c.certPem).join(""));
      writeFileSync(key, variant.leaf.keyPem);
      files[name] = { cert, key };
    }
    const config: FaultServerConfig = {
      listen: CV,
      ports: [
        { port: 25, mode: "smtp" },
        { port: PORTS.drip, mode: "drip" },
        { port: PORTS.endless, mode: "endless" },
        { port: PORTS.huge, mode: "huge" },
        { port: PORTS.control, mode: "control" },
        { port: PORTS.rsa1024, mode: "smtp", cert: "rsa1024.example.test" },
        { port: PORTS.tls11, mode: "smtp", maxTls: "TLSv1.1" },
      ],
      certs: files,
      defaultCert: "good.example.test",
    };
    const configFile = join(world.dir, "fault-server.json");
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    world.net.start(cv, "fault-server", process.execPath, [
      "--import",
      "tsx",
      join(__dirname, "fault-server.ts"),
      "--config",
      configFile,
    ]);
    await world.net.waitListening(cv, 25);
    await world.net.waitListening(cv, PORTS.control);
    const { "good.example.test": good, ...rest } = files;
    await startPop3Lab(world.net, cv, join(world.dir, "dovecot-cv"), good as never, {
      byName: rest,
      weakCertificates: true,
    });
    const caFile = join(world.dir, "lab-ca.pem");
    writeFileSync(
      caFile,
      [certs.poolCa, certs.expiredCa, certs.soonCa].map((c) => c.certPem).join(""),
    );
    await world.serveFragment(faultZone([...certs.variants.keys()]));
    return { world, cv, certs, caFile };
  } catch (error) {
    await world.destroy();
    throw error;
  }
}
