/**
 * The drill's lab on its own: one gateway stand-in host behind an MX record, the Postfix sender,
 * the archiver. Proves the pieces the drill relies on before any stage runs: mail only for
 * configured mailboxes (5xx otherwise), TLS before mail and credentials, storage as files,
 * POP3 with STLS that deletes what it served, and service control.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { issueCertificate, type IssuedCert } from "../e2e/mail-path/lib/certs";
import { queuedMessages } from "../e2e/mail-path/lib/postfix";
import { waitFor } from "../e2e/mail-path/lib/netns";
import { Archiver } from "./lib/archiver";
import { Journal } from "./lib/journal";
import { DrillLab, mailboxRecord, newMailbox } from "./lib/lab";
import { smtpProbe } from "./lib/smtp-probe";
import { runPrefix } from "../lab/fixtures";
import { readFileSync } from "node:fs";
import { connect } from "node:net";

const ZONE = "example.test";
const DOMAIN = "msgw.example.test";
const HOST = "msgw1.example.test";
const journalBox = newMailbox("lab-journal");
const otherBox = newMailbox("lab-other");

let lab: DrillLab;
let ca: IssuedCert;

before(async () => {
  lab = await DrillLab.create({
    // Unique per run: two runs (or a crashed one's leftovers) never share a namespace.
    prefix: runPrefix("dr-t"),
    zoneName: ZONE,
    mailDomain: DOMAIN,
  });
  const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
  ca = await issueCertificate(lab.dir, "lab-ca", {
    commonName: "lab CA",
    dnsNames: [],
    isCa: true,
    keyAlgorithm: "ECDSA",
    notAfter: hours(24),
  });
  const cert = await issueCertificate(
    lab.dir,
    HOST,
    { commonName: HOST, dnsNames: [HOST], isCa: false, keyAlgorithm: "ECDSA", notAfter: hours(24) },
    ca,
  );
  await lab.addGateway(HOST, "gw1", 11, { mailboxes: [mailboxRecord(DOMAIN, journalBox)] });
  await lab.deployCertificate(HOST, cert.certPem, readFileSync(cert.keyFile, "utf8"));
  await lab.mustService(HOST, "start");
  await lab.serveZone(
    [
      `$ORIGIN ${ZONE}.`,
      `msgw1 300 IN A ${lab.gateway(HOST).address}`,
      `msgw 300 IN MX 0 ${HOST}.`,
    ].join("\n"),
  );
  await lab.trust("lab", ca.certPem);
});

after(async () => {
  await lab?.destroy();
});

test("service control: status exits 0 exactly while the stand-in runs", async () => {
  assert.equal((await lab.service(HOST, "status")).code, 0);
  assert.deepEqual(await lab.query(HOST, "A"), [lab.gateway(HOST).address]);
  assert.deepEqual(await lab.query(DOMAIN, "MX"), [`0 ${HOST}`]);
});

test("SMTP: mail in clear is refused, an unknown mailbox gets 550, a known one is stored", async () => {
  const address = lab.gateway(HOST).address;
  const plain = await smtpProbe({
    address,
    servername: HOST,
    ca: ca.certPem,
    to: `${journalBox.id}@${DOMAIN}`,
    messageId: "<plain@probe>",
    plain: true,
  });
  assert.equal(plain.rcpt, "530 5.7.0 Must issue a STARTTLS command first");
  const unknown = await smtpProbe({
    address,
    servername: HOST,
    ca: ca.certPem,
    to: `${otherBox.id}@${DOMAIN}`,
    messageId: "<unknown@probe>",
  });
  assert.equal(unknown.rcpt, `550 5.1.1 <${otherBox.id}@${DOMAIN}>: no such mailbox on ${HOST}`);
  const otherDomain = await smtpProbe({
    address,
    servername: HOST,
    ca: ca.certPem,
    to: `${journalBox.id}@elsewhere.example.test`,
    messageId: "<domain@probe>",
  });
  assert.match(otherDomain.rcpt, /^550 5\.1\.1 /);
  const known = await smtpProbe({
    address,
    servername: HOST,
    ca: ca.certPem,
    to: `${journalBox.id}@${DOMAIN}`,
    messageId: "<known@probe>",
  });
  assert.equal(known.rcpt, "250 2.1.5 Ok");
  assert.equal(known.data, "250 2.0.0 Ok: stored <known@probe>");
  const folder = join(lab.gateway(HOST).root, "data", journalBox.id);
  assert.equal(readdirSync(folder).filter((n) => n.endsWith(".eml")).length, 1);
});

test("a certificate for another name fails the probe's verification", async () => {
  await assert.rejects(
    smtpProbe({
      address: lab.gateway(HOST).address,
      servername: "msgw9.example.test",
      ca: ca.certPem,
      to: `${journalBox.id}@${DOMAIN}`,
      messageId: "<wrong@probe>",
    }),
    /Hostname\/IP does not match certificate's altnames/,
  );
});

test("journal mail through Postfix (MX, verified TLS) is archived over POP3 STLS and deleted", async () => {
  const journal = new Journal(lab);
  journal.set("lab", [`${journalBox.id}@${DOMAIN}`]);
  journal.start(50);
  await waitFor(
    "20 messages handed to Postfix",
    () => (journal.sent().length >= 20 ? true : undefined),
    60_000,
    200,
  );
  await journal.stop();
  const sent = journal.sent();
  await waitFor(
    "the sender's queue to empty",
    () => (queuedMessages(lab.sender) === 0 ? true : undefined),
    60_000,
    250,
  );
  const archiver = new Archiver(join(lab.dir, "archive"), lab.dnsAddress);
  archiver.configure([{ server: HOST, port: 110, caPem: ca.certPem }], [journalBox, otherBox]);
  const runs = await archiver.cycle();
  assert.deepEqual(
    runs.map((r) => [r.mailbox, r.retrieved, r.error]),
    [
      [journalBox.id, sent.length + 1, undefined],
      [otherBox.id, 0, `"PASS ***" got "-ERR [AUTH] Authentication failed"`],
    ],
  );
  const archivedIds = archiver.archived.map((m) => m.messageId).sort();
  assert.deepEqual(archivedIds, [...sent.map((m) => m.messageId), "<known@probe>"].sort());
  const folder = join(lab.gateway(HOST).root, "data", journalBox.id);
  assert.deepEqual(readdirSync(folder), []);
  assert.equal((await archiver.cycle())[0]?.retrieved, 0);
});

test("POP3 credentials before STLS are refused; a wrong CA fails the archiver's verification", async () => {
  const archiver = new Archiver(join(lab.dir, "archive-wrong"), lab.dnsAddress);
  const other = await issueCertificate(lab.dir, "other-ca", {
    commonName: "other CA",
    dnsNames: [],
    isCa: true,
    keyAlgorithm: "ECDSA",
    notAfter: new Date(Date.now() + 3_600_000),
  });
  archiver.configure([{ server: HOST, port: 110, caPem: other.certPem }], [journalBox]);
  const [run] = await archiver.cycle();
  assert.equal(run?.error, "unable to verify the first certificate");
  const transcript = await new Promise<string>((resolve, reject) => {
    const socket = connect(110, lab.gateway(HOST).address);
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (text.split("\r\n").length === 3) socket.write(`PASS ${journalBox.password}\r\n`);
      if (text.split("\r\n").length === 4) socket.end("QUIT\r\n");
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
    socket.write(`USER ${journalBox.id}\r\n`);
  });
  assert.deepEqual(transcript.split("\r\n").slice(1, 3), [
    "-ERR [AUTH] Plaintext authentication disallowed; use STLS first",
    "-ERR [AUTH] Plaintext authentication disallowed; use STLS first",
  ]);
  assert.equal(existsSync(join(lab.dir, "archive-wrong", "index.jsonl")), false);
});

test("service stop: status exits 1 and SMTP is closed; start brings it back", async () => {
  await lab.mustService(HOST, "stop");
  assert.equal((await lab.service(HOST, "status")).code, 1);
  await assert.rejects(
    smtpProbe({
      address: lab.gateway(HOST).address,
      servername: HOST,
      ca: ca.certPem,
      to: `${journalBox.id}@${DOMAIN}`,
      messageId: "<stopped@probe>",
    }),
    /ECONNREFUSED/,
  );
  await lab.mustService(HOST, "start");
  assert.equal((await lab.service(HOST, "status")).code, 0);
});
