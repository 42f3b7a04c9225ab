/**
 * The migration drill (`npm run drill`): from one legacy gateway to a pool and back down, stage by
 * stage, with journal mail flowing through a real Postfix and archived over POP3 STLS throughout.
 * Prints one line per stage and, last, one JSON line with the figures; exits 1 when a check
 * failed or a message was lost or duplicated.
 *
 *   npm run drill [-- --driver direct|pulumi|auto] [--interval-ms 100] [--dwell-ms 4000]
 *
 * `auto` (the default) takes `pulumi` when the engine of `npm run engine:setup` is present, else
 * `direct`; `pulumi` runs `pulumi up`; `direct` applies each stage without the engine.
 *
 * See docs/drill.md for the stages and what each checks.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { mailLog, queuedMessages } from "../e2e/mail-path/lib/postfix";
import { sleep, waitFor } from "../e2e/mail-path/lib/netns";
import { issueCertificate } from "../e2e/mail-path/lib/certs";
import { Archiver, type ArchiveSource } from "./lib/archiver";
import { engineMissing, labEngine } from "./lib/engine";
import {
  DirectDriver,
  PulumiDriver,
  labInventory,
  msgwCheck,
  msgwConfig,
  type DrillOutputs,
  type StageDriver,
  type UpResult,
} from "./lib/drivers";
import { Journal, type SentMessage } from "./lib/journal";
import {
  DrillLab,
  GATEWAY_DATA_DIR,
  SERVICE_SCRIPT,
  mailboxRecord,
  newMailbox,
  type Mailbox,
} from "./lib/lab";
import { smtpProbe } from "./lib/smtp-probe";
import { planGatewayPool } from "../../components";
import {
  changesOutside,
  drillStages,
  hostKey,
  poolHasArgument,
  type LabFacts,
  type StageSpec,
} from "./lib/stages";
import { tallyDrill, type StageWindow } from "./lib/figures";

const ZONE = "example.test";
const DOMAIN = "msgw.example.test";
const LEGACY = "msgw.example.test";
const POOL = ["msgw1.example.test", "msgw2.example.test"];

const { values } = parseArgs({
  options: {
    driver: { type: "string", default: "auto" },
    "interval-ms": { type: "string", default: "100" },
    "dwell-ms": { type: "string", default: "4000" },
    // Namespaces `<prefix>-*`; by default unique per run, so two drills (or a crashed one's leftovers)
    // never share a namespace, folder or stack.
    prefix: { type: "string", default: `dr-${randomBytes(4).toString("hex").slice(0, 6)}` },
  },
});
const intervalMs = Number(values["interval-ms"]);
const dwellMs = Number(values["dwell-ms"]);
for (const [flag, n, min] of [
  ["--interval-ms", intervalMs, 10],
  ["--dwell-ms", dwellMs, 1_000],
] as const) {
  if (!Number.isInteger(n) || n < min || n > 600_000) {
    process.stderr.write(
      `drill: ${flag} ${JSON.stringify(values[flag.slice(2) as "interval-ms" | "dwell-ms"])} must be a whole number of milliseconds from ${min} to 600000\n`,
    );
    process.exit(2);
  }
}

if (!["direct", "pulumi", "auto"].includes(values.driver ?? "")) {
  process.stderr.write(
    `drill: --driver ${JSON.stringify(values.driver)} is not a driver; use direct, pulumi or auto\n`,
  );
  process.exit(2);
}

/** One failed expectation; the drill goes on and reports every one. */
const failures: string[] = [];
function check(stage: string, what: string, ok: boolean, detail = ""): void {
  if (!ok) failures.push(`stage ${stage}: ${what}${detail ? ` (${detail})` : ""}`);
}

const log = (line: string) =>
  process.stderr.write(`[drill ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  const lab = await DrillLab.create({
    prefix: values.prefix as string,
    zoneName: ZONE,
    mailDomain: DOMAIN,
  });
  const journalBox = newMailbox("journal-1");
  const newBox = newMailbox("journal-2");
  const mailboxes: Mailbox[] = [journalBox];
  const probes = new Set<string>();
  let archiver: Archiver | undefined;
  const journal = new Journal(lab);
  try {
    // The legacy gateway: one mailbox, a certificate from its own (non-pool) CA.
    const legacyCa = await issueCertificate(lab.dir, "legacy-ca", {
      commonName: "legacy gateway CA",
      dnsNames: [],
      isCa: true,
      keyAlgorithm: "ECDSA",
      notAfter: new Date(Date.now() + 86_400_000),
    });
    const legacyCert = await issueCertificate(
      lab.dir,
      LEGACY,
      {
        commonName: LEGACY,
        dnsNames: [LEGACY],
        isCa: false,
        keyAlgorithm: "ECDSA",
        notAfter: new Date(Date.now() + 86_400_000),
      },
      legacyCa,
    );
    const legacy = await lab.addGateway(LEGACY, "legacy", 10, {
      mailboxes: [mailboxRecord(DOMAIN, journalBox)],
    });
    await lab.deployCertificate(
      LEGACY,
      legacyCert.certPem,
      readFileSync(legacyCert.keyFile, "utf8"),
    );
    const pool = [
      await lab.addGateway(POOL[0] as string, "gw1", 11, { mailboxes: [] }),
      await lab.addGateway(POOL[1] as string, "gw2", 12, { mailboxes: [] }),
    ];
    // Every gateway runs from boot (a fresh install has no mailbox and its own certificate).
    for (const h of [LEGACY, ...POOL]) await lab.mustService(h, "start");
    await lab.trust("legacy", legacyCa.certPem);

    const facts: LabFacts = {
      zoneName: ZONE,
      mailDomain: DOMAIN,
      legacy: { hostname: LEGACY, address: legacy.address, hostKey: legacy.hostKey },
      hosts: pool.map((h) => ({ hostname: h.hostname, address: h.address, hostKey: h.hostKey })),
      operatorCidr: `${lab.rootAddress}/32`,
      sshPrivateKeyPath: lab.clientKey,
      backupDirectory: join(lab.dir, "config-store"),
      dataDirectory: GATEWAY_DATA_DIR,
      serviceScript: SERVICE_SCRIPT,
    };
    if (poolHasArgument(planGatewayPool, "readinessGate", {})) {
      // MX records only after `msgw check` passes for the host (bounded: 2 minutes per host).
      facts.readinessGate = { waitSeconds: 120 };
    }
    const driver = await chooseDriver(values.driver ?? "auto", lab);
    archiver = new Archiver(join(lab.dir, "archive"), lab.dnsAddress);
    const trusted = () => lab.trustedPems();
    let legacyArchived = true;
    const configureArchiver = (outputs: DrillOutputs | undefined) => {
      const sources: ArchiveSource[] = [];
      if (legacyArchived) sources.push({ server: LEGACY, port: 110, caPem: trusted() });
      for (const g of outputs?.gateways ?? []) {
        sources.push({
          server: g.archivingProfile.server,
          port: g.archivingProfile.port,
          caPem: trusted(),
        });
      }
      archiver?.configure(sources, [...mailboxes]);
    };
    configureArchiver(undefined);
    archiver.start(2_000);

    const stages = drillStages(facts);
    const windows: StageWindow[] = [];
    const ups: { stage: string; counts: UpResult["counts"]; wallMs: number }[] = [];
    let aborted = false;
    const accepted = (h: string) => lab.smtpEvents(h).filter((e) => e.event === "accepted").length;
    const newMail = async (h: string, ms: number) => {
      const before = accepted(h);
      await sleep(ms);
      return accepted(h) - before;
    };
    const waitMail = (stage: string, h: string, n: number) =>
      waitFor(
        `${n} new messages at ${h}`,
        () => (accepted(h) >= n ? true : undefined),
        60_000,
        200,
      ).catch((e: Error) => check(stage, `mail reaches ${h}`, false, e.message));
    const waitEmpty = (stage: string, h: string) =>
      waitFor(
        `${h}'s mailbox folders to be archived empty`,
        () => (lab.waitingMail(h) === 0 ? true : undefined),
        90_000,
        500,
      ).catch((e: Error) => check(stage, `${h} archived empty`, false, e.message));
    const checkDns = async (s: StageSpec) => {
      // What the zone should answer; the Cloudflare stand-in reloads NSD asynchronously, so the
      // answers get a bounded time (10 s) to settle before a difference counts.
      const names = [LEGACY, ...POOL];
      const want = {
        a: names.map((n) => s.expect.a[n] ?? []),
        mx: [...s.expect.mx].sort(),
      };
      const answers = async () => ({
        a: await Promise.all(names.map((n) => lab.query(n, "A"))),
        mx: await lab.query(DOMAIN, "MX"),
      });
      let got = await answers();
      const deadline = Date.now() + 10_000;
      while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < deadline) {
        await sleep(250);
        got = await answers();
      }
      names.forEach((name, i) => {
        const g = JSON.stringify(got.a[i]);
        const w = JSON.stringify(want.a[i]);
        check(s.id, `A ${name}`, g === w, `got ${g}, want ${w}`);
      });
      const g = JSON.stringify(got.mx);
      check(
        s.id,
        `MX ${DOMAIN}`,
        g === JSON.stringify(want.mx),
        `got ${g}, want ${JSON.stringify(want.mx)}`,
      );
    };
    const deploy = async (outputs: DrillOutputs) => {
      if (outputs.caCertificatePem !== undefined) await lab.trust("pool", outputs.caCertificatePem);
      for (const g of outputs.gateways) {
        const key = outputs.certificatePrivateKeys[g.hostname];
        if (g.certificatePem !== null && key !== undefined) {
          if (await lab.deployCertificate(g.hostname, g.certificatePem, key))
            log(`${g.hostname}: certificate deployed`);
        }
      }
      configureArchiver(outputs);
    };
    const probe = async (host: string, box: Mailbox, tag: string) => {
      const messageId = `<probe-${tag}@sender.example.test>`;
      probes.add(messageId);
      const gw = lab.gateway(host);
      return smtpProbe({
        address: gw.address,
        servername: host,
        ca: trusted(),
        to: `${box.id}@${DOMAIN}`,
        messageId,
      });
    };

    /**
     * The runbook's check of a standby host before it is promoted: `msgw check` by name and
     * address. The check reports the host's missing MX record as a problem (a standby host has
     * none), so the drill requires every other finding about the host to be ok.
     */
    const hostCheck = async (stage: string, host: string) => {
      const caFile = join(lab.dir, "check-ca.pem");
      writeFileSync(caFile, trusted());
      const r = await msgwCheck([
        "--json",
        "--mail-domain",
        DOMAIN,
        "--gateway",
        `${host}=${lab.gateway(host).address}`,
        "--resolver",
        lab.dnsAddress,
        "--ca",
        caFile,
      ]);
      const report = JSON.parse(r.stdout || "{}") as {
        gateways?: { findings: { check: string; ok: boolean; message: string }[] }[];
      };
      const findings = report.gateways?.[0]?.findings ?? [];
      const bad = findings.filter((f) => f.check !== "MX" && !f.ok);
      check(
        stage,
        `msgw check passes for ${host} (MX aside)`,
        findings.length >= 9 && bad.length === 0,
        `exit ${r.code}; ${bad.map((f) => `${f.check}: ${f.message}`).join("; ")}${r.stderr}`,
      );
    };
    /**
     * The invariant at the end of every stage: each MX target the lab's DNS answers accepts mail
     * for every journal mailbox (a probe per target and mailbox must get 250). Returns the MX set.
     */
    const mxTargetsAccept = async (stage: string): Promise<string[]> => {
      const mx = await lab.query(DOMAIN, "MX");
      for (const record of mx) {
        const target = record.split(" ")[1] as string;
        const host = [LEGACY, ...POOL].find((h) => h === target);
        if (host === undefined) {
          check(stage, `MX ${record} points at a host of the lab`, false);
          continue;
        }
        for (const box of mailboxes) {
          const r = await probe(host, box, `mx-${stage}-${host}-${box.id.slice(4, 12)}`);
          check(
            stage,
            `MX target ${host} accepts mail for ${box.id}`,
            r.rcpt === "250 2.1.5 Ok",
            r.rcpt,
          );
        }
      }
      return mx;
    };
    const mxSets = new Map<string, string[]>();

    for (const s of stages) {
      const window: StageWindow = { stage: s.id, title: s.title, from: Date.now(), to: 0 };
      windows.push(window);
      journal.set(
        s.id,
        mailboxes.length > 1
          ? [`${journalBox.id}@${DOMAIN}`, `${newBox.id}@${DOMAIN}`]
          : [`${journalBox.id}@${DOMAIN}`],
      );
      log(`stage ${s.id}: ${s.title}`);

      // Before the up.
      if (s.id === "5") {
        // The new mailbox is created on the source (the Management Console shows its password once).
        const cfg = lab.readConfig(LEGACY);
        lab.writeConfig(LEGACY, {
          ...cfg,
          mailboxes: [...cfg.mailboxes, mailboxRecord(DOMAIN, newBox)],
        });
        await lab.mustService(LEGACY, "stop");
        await lab.mustService(LEGACY, "start");
        // Negative control: a host that has not received the new revision refuses the new mailbox.
        const refused = await probe(POOL[0] as string, newBox, "before-5");
        check(
          s.id,
          "msgw1 refuses the new mailbox before replication",
          refused.rcpt === `550 5.1.1 <${newBox.id}@${DOMAIN}>: no such mailbox on ${POOL[0]}`,
          refused.rcpt,
        );
      }
      if (s.id === "6a") {
        // Retire only when the legacy gateway has been archived empty (the runbook's condition).
        await waitEmpty(s.id, LEGACY);
      }
      if (s.id === "8") {
        await journal.stop();
        await waitFor(
          "the sender's queue to empty",
          () => (queuedMessages(lab.sender) === 0 ? true : undefined),
          120_000,
          250,
        ).catch((e: Error) => check(s.id, "sender queue empty before destroy", false, e.message));
        for (const h of [POOL[1] as string]) await waitEmpty(s.id, h);
      }

      // The up (stage 0: the records that exist before the pool).
      let result: UpResult | undefined;
      try {
        if (s.id === "0") await driver.seed(facts);
        else if (s.id === "8") result = await driver.destroy(facts);
        else result = await driver.up(facts, s);
      } catch (error) {
        // A failed up ends the stages; the mail sent so far is still drained, archived and counted.
        check(
          s.id,
          "the up succeeds",
          false,
          (error as Error).message.split("\n").slice(0, 8).join(" | "),
        );
        window.to = Date.now();
        aborted = true;
        break;
      }
      if (result) {
        ups.push({ stage: s.id, counts: result.counts, wallMs: result.wallMs });
        const keys = [LEGACY, ...POOL].map((h) => hostKey(h, ZONE));
        const outside = changesOutside(result.changes, s.concerns, keys);
        check(
          s.id,
          `only ${s.concerns.join(", ")} change`,
          outside.length === 0,
          outside.join(", "),
        );
        log(`stage ${s.id} changed: ${result.changes.map((c) => `${c.op} ${c.name}`).join(", ")}`);
        await deploy(result.outputs);
      }
      await checkDns(s);
      if (s.revision !== undefined && ["1", "5", "6a"].includes(s.id)) {
        // The runbook's check after a replication: every host holds the revision, services run.
        const hosts = [
          ...(s.legacy === "migrating" ? [LEGACY] : []),
          ...s.hosts.map(({ index }) => POOL[index] as string),
        ];
        const inventory = labInventory(lab, hosts, facts.backupDirectory);
        const verify = await msgwConfig(["verify", "--revision", String(s.revision)], inventory);
        check(
          s.id,
          `msgw config verify --revision ${s.revision}`,
          verify.code === 0,
          verify.stdout + verify.stderr,
        );
      }

      // After the up.
      const ids = (h: string) =>
        lab
          .readConfig(h)
          .mailboxes.map((m) => m.id)
          .join(",");
      switch (s.id) {
        case "0":
          journal.start(intervalMs);
          await waitMail(s.id, LEGACY, 5);
          break;
        case "1": {
          // The runbook: after the first successful up, remove `legacy.importId`.
          facts.legacyImportId = undefined;
          for (const h of POOL) {
            check(s.id, `${h} has the legacy configuration`, ids(h) === ids(LEGACY), ids(h));
          }
          const [n1, n2] = await Promise.all(POOL.map((h) => newMail(h, dwellMs)));
          check(s.id, "standby hosts get no mail", n1 === 0 && n2 === 0, `+${n1}, +${n2}`);
          break;
        }
        case "2":
          // The manual steps are done (certificates deployed from the outputs, archiving profiles
          // configured): each host passes the check before it is promoted.
          for (const h of POOL) await hostCheck(s.id, h);
          await sleep(dwellMs);
          break;
        case "3": {
          await waitMail(s.id, POOL[0] as string, 5);
          await sleep(2_000);
          check(
            s.id,
            "legacy gets no new mail once MX points at the pool",
            (await newMail(LEGACY, dwellMs)) === 0,
          );
          break;
        }
        case "4": {
          await sleep(2_000);
          const [n1, n2] = await Promise.all([
            newMail(POOL[0] as string, dwellMs),
            newMail(POOL[1] as string, dwellMs),
          ]);
          check(
            s.id,
            "tiered: the primary takes the mail, the fallback none",
            n1 > 0 && n2 === 0,
            `msgw1 +${n1}, msgw2 +${n2}`,
          );
          break;
        }
        case "5": {
          for (const h of POOL) {
            const r = await probe(h, newBox, `after-5-${h}`);
            check(
              s.id,
              `${h} accepts the new mailbox after replication`,
              r.rcpt === "250 2.1.5 Ok",
              r.rcpt,
            );
          }
          mailboxes.push(newBox);
          configureArchiver(result?.outputs);
          journal.set(s.id, [`${journalBox.id}@${DOMAIN}`, `${newBox.id}@${DOMAIN}`]);
          await sleep(dwellMs);
          break;
        }
        case "6a": {
          // The runbook: remove its archiving profile, shut the machine down, then delete its A
          // record by hand (the pool kept it) and remove `legacy` from the configuration (6b).
          legacyArchived = false;
          configureArchiver(result?.outputs);
          await lab.mustService(LEGACY, "stop");
          await driver.deleteRecordByHand(facts, LEGACY, "A");
          await checkDns({ ...s, expect: { ...s.expect, a: { ...s.expect.a, [LEGACY]: [] } } });
          await guardControl(lab, s.id, facts);
          await sleep(dwellMs);
          break;
        }
        case "7a":
          await sleep(2_000);
          await waitFor(
            `msgw1 to stop receiving`,
            async () => ((await newMail(POOL[0] as string, 2_000)) === 0 ? true : undefined),
            60_000,
            0,
          ).catch((e: Error) => check(s.id, "msgw1 stops receiving", false, e.message));
          await waitEmpty(s.id, POOL[0] as string);
          break;
        case "7b":
          await lab.mustService(POOL[0] as string, "stop");
          await sleep(dwellMs);
          break;
        default:
          await sleep(dwellMs);
          break;
      }
      mxSets.set(s.id, await mxTargetsAccept(s.id));
      window.to = Date.now();
      log(
        `stage ${s.id} done: ${result ? `${JSON.stringify(result.counts)} in ${result.wallMs} ms` : "no up"}`,
      );
    }

    if (aborted) {
      await journal.stop();
      await waitFor(
        "the sender's queue to empty",
        () => (queuedMessages(lab.sender) === 0 ? true : undefined),
        120_000,
        250,
      ).catch((e: Error) => check("end", "sender queue empty", false, e.message));
      for (const h of [LEGACY, ...POOL]) await waitEmpty("end", h);
    }
    await archiver.stop();
    const sent: SentMessage[] = journal.sent();
    const events = [LEGACY, ...POOL].flatMap((h) =>
      lab.smtpEvents(h).map((e) => ({ ...e, host: h })),
    );
    const bounced = (mailLog(lab.sender).match(/status=bounced/g) ?? []).length;
    const figures = tallyDrill({
      driver: driver.kind,
      windows,
      sent,
      archived: archiver.archived,
      events,
      probes,
      ups,
      bounced,
    });
    for (const st of figures.stages) {
      process.stdout.write(
        `stage ${st.stage.padEnd(2)} sent=${st.sent} archived=${st.archived} lost=${st.lost} duplicated=${st.duplicated} refused=${st.refused} ` +
          `accepted{${Object.entries(st.acceptedByHost)
            .map(([h, n]) => `${h.split(".")[0]}=${n}`)
            .join(" ")}}` +
          (st.up
            ? ` up: +${st.up.created} ~${st.up.updated} +-${st.up.replaced} -${st.up.deleted} ${st.up.wallMs} ms`
            : "") +
          ` mx=[${(mxSets.get(st.stage) ?? []).map((r) => r.replace(`.${ZONE}`, "")).join(", ")}]` +
          `  ${st.title}\n`,
      );
    }
    check("total", "no message lost", figures.total.lost === 0, `${figures.total.lost} lost`);
    check(
      "total",
      "no message duplicated",
      figures.total.duplicated === 0,
      `${figures.total.duplicated} duplicated`,
    );
    check("total", "no message bounced by the sender", bounced === 0, `${bounced} bounced`);
    for (const f of failures) process.stdout.write(`FAILED ${f}\n`);
    process.stdout.write(`${JSON.stringify({ ...figures.total, failures })}\n`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    await journal.stop().catch(() => undefined);
    await archiver?.stop();
    await lab.destroy();
  }
}

/**
 * Negative control: a mailbox password reset on the configuration source (msgw1) must not reach
 * msgw2. The reset record is snapshotted under a probe revision and restored with the real CLI;
 * the guard must refuse, leaving msgw2's files and service as they were.
 */
async function guardControl(lab: DrillLab, stage: string, facts: LabFacts): Promise<void> {
  const [h1, h2] = POOL as [string, string];
  const original = lab.readConfig(h1);
  const before2 = JSON.stringify(lab.readConfig(h2));
  const reset = {
    ...original,
    mailboxes: original.mailboxes.map((m, i) =>
      i === 0 ? { ...m, passwordSha256: "0".repeat(64), protectedKey: `${m.id}-key-RESET` } : m,
    ),
  };
  lab.writeConfig(h1, reset);
  try {
    const inventory = labInventory(lab, [h1, h2], facts.backupDirectory);
    const revision = `guard-probe-${Date.now()}`;
    const snap = await msgwConfig(["snapshot", "--source", h1, "--revision", revision], inventory);
    check(stage, "guard probe snapshot", snap.code === 0, snap.stderr);
    const restore = await msgwConfig(
      ["restore", "--revision", revision, "--target", h2],
      inventory,
    );
    check(
      stage,
      "the guard refuses a mailbox password reset (exit 1)",
      restore.code === 1,
      `exit ${restore.code}`,
    );
    check(
      stage,
      "the guard's refusal names the host and the guard",
      restore.stdout.includes(`${h2}: restore refused by the mailbox-password guard`) ||
        restore.stderr.includes(`${h2}: restore refused by the mailbox-password guard`),
      (restore.stdout + restore.stderr).slice(0, 400),
    );
    check(
      stage,
      "msgw2's configuration is untouched by the refused restore",
      JSON.stringify(lab.readConfig(h2)) === before2,
    );
    check(stage, "msgw2's service still runs", (await lab.service(h2, "status")).code === 0);
  } finally {
    lab.writeConfig(h1, original);
  }
}

async function chooseDriver(kind: string, lab: DrillLab): Promise<StageDriver> {
  if (kind === "direct") return new DirectDriver(lab, join(lab.dir, "direct"));
  if (kind === "pulumi") {
    // A stack name of its own per run (the backend is in the lab's own folder as well).
    return new PulumiDriver(
      await labEngine(lab),
      join(lab.dir, "pulumi"),
      `drill-${values.prefix}`,
    );
  }
  if (kind === "auto") {
    const missing = engineMissing();
    if (missing === undefined) return chooseDriver("pulumi", lab);
    log(`the real engine is not available (${missing}); applying stages with the direct driver`);
    return chooseDriver("direct", lab);
  }
  throw new Error(`--driver ${JSON.stringify(kind)} is not a driver; use direct, pulumi or auto`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`drill failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
