import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildManifest,
  compareToManifest,
  digestOf,
  guardFindings,
  mapBounded,
  parseManifest,
  planRestore,
} from "../../../components/config-sync";
import { mailboxRecord } from "../../../components/config-sync/guard";
import { checkRevision } from "../../../components/config-sync/manifest";
import { isConfigFile, matchesPattern } from "../../../components/config-sync/select";
import { sftpPath } from "../../../components/config-sync/transport";

const f = (name: string, text: string) => ({ name, data: Buffer.from(text) });
const A = `mbx-${"a".repeat(32)}`;
const B = `mbx-${"b".repeat(32)}`;

describe("manifest", () => {
  test("is deterministic, sorted, and carries no content", () => {
    const m = buildManifest("r1", "src", [f("b.xml", "<b/>"), f("a.json", "{}")]);
    assert.deepEqual(m, {
      format: "msgw-config-manifest/1",
      revision: "r1",
      source: "src",
      files: [
        {
          name: "a.json",
          size: 2,
          sha256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        },
        {
          name: "b.xml",
          size: 4,
          sha256: "c5a1c182c87ac852d7d4621a27899d9d002b02dd501be9355d1fc4f58e9ccc7f",
        },
      ],
      digest: digestOf(m.files),
    });
    assert.deepEqual(buildManifest("r1", "src", [f("a.json", "{}"), f("b.xml", "<b/>")]), m);
    assert.deepEqual(parseManifest(JSON.stringify(m), "x"), m);
    assert.throws(() => parseManifest(JSON.stringify({ ...m, digest: "0" }), "store/r1"), {
      message:
        "store/r1: not a valid msgw-config-manifest/1 (format, file list or digest is wrong)",
    });
  });

  test("refuses file names that could leave the data directory, and unusable revisions", () => {
    assert.throws(() => buildManifest("r", "s", [f("../x", "")]), {
      message: 'configuration file name "../x" is not a plain file name',
    });
    assert.throws(
      () => checkRevision("../r"),
      /revision "..\/r" is not usable; use letters, digits/,
    );
    checkRevision("2026-11-28.1");
  });

  test("compare: missing, changed and extra files; Windows names ignore case", () => {
    const m = buildManifest("r", "s", [f("a", "1"), f("b", "2"), f("c", "3")]);
    const host = buildManifest("h", "h", [f("a", "1"), f("b", "X"), f("d", "4")]).files;
    assert.deepEqual(compareToManifest(m, host, false), [
      { name: "b", problem: "changed" },
      { name: "c", problem: "missing" },
      { name: "d", problem: "extra" },
    ]);
    assert.deepEqual(
      compareToManifest(
        m,
        buildManifest("h", "h", [f("A", "1"), f("b", "2"), f("c", "3")]).files,
        true,
      ),
      [{ name: "a", problem: "changed" }],
    );
  });
});

describe("plan", () => {
  test("writes what differs, removes what the snapshot lacks, leaves equal files alone", () => {
    const m = buildManifest("r", "s", [f("a", "1"), f("b", "2"), f("c", "3")]);
    assert.deepEqual(
      planRestore(m, buildManifest("h", "h", [f("a", "1"), f("b", "X"), f("d", "4")]).files, false),
      {
        write: ["b", "c"],
        remove: ["d"],
        unchanged: ["a"],
      },
    );
    assert.deepEqual(planRestore(m, m.files, false), {
      write: [],
      remove: [],
      unchanged: ["a", "b", "c"],
    });
  });
});

describe("file selection", () => {
  test("patterns, exclusions and the engine's own temporary files", () => {
    assert.equal(matchesPattern("gateway.json", "*.json", false), true);
    assert.equal(matchesPattern("Gateway.JSON", "*.json", false), false);
    assert.equal(matchesPattern("Gateway.JSON", "*.json", true), true);
    assert.equal(matchesPattern("a+b.xml", "a+b.?ml", false), true);
    const sel = { include: ["*"], exclude: ["*.log"] };
    assert.equal(isConfigFile("gateway.log", sel, false), false);
    assert.equal(isConfigFile("gateway.json.msgw-tmp", sel, false), false);
    assert.equal(isConfigFile("gateway.json", sel, false), true);
  });

  test("SFTP paths on Windows", () => {
    assert.equal(
      sftpPath("windows", "C:\\ProgramData\\MailStore\\Gateway"),
      "/C:/ProgramData/MailStore/Gateway",
    );
    assert.equal(sftpPath("linux", "/var/lib/msgw"), "/var/lib/msgw");
  });
});

describe("password-trap guard", () => {
  const cfg = (mailboxes: object[]) =>
    f("gateway.json", JSON.stringify({ port: 25, mailboxes }, null, 2));
  const input = (
    current: ReturnType<typeof f>[],
    snapshot: ReturnType<typeof f>[],
    folders = [{ folder: A, files: 3 }],
  ) => ({
    current,
    snapshot,
    mailboxFolders: folders,
    mailboxIdPattern: "mbx-[0-9a-f]{32}",
    caseInsensitive: false,
  });

  test("adding a mailbox is fine; an unchanged mailbox record is fine", () => {
    const before = [cfg([{ id: A, key: "k1" }])];
    const after = [
      cfg([
        { id: A, key: "k1" },
        { id: B, key: "k2" },
      ]),
    ];
    assert.deepEqual(guardFindings(input(before, after)), []);
  });

  test("a changed key of an existing mailbox is found (JSON: the smallest object naming it)", () => {
    const findings = guardFindings(
      input([cfg([{ id: A, key: "k1" }])], [cfg([{ id: A, key: "RESET" }])]),
    );
    assert.deepEqual(findings, [
      {
        kind: "mailbox-record-changed",
        mailbox: A,
        mailFiles: 3,
        message: `mailbox ${A} exists on the target and its record differs in the snapshot (a password reset changes its key material); 3 file(s) of mail wait in its folder`,
      },
    ]);
  });

  test("a removed mailbox whose folder holds mail, and the file that shrinks with it", () => {
    const findings = guardFindings(
      input(
        [
          cfg([
            { id: A, key: "k1" },
            { id: B, key: "k2" },
          ]),
        ],
        [cfg([{ id: B, key: "k2" }])],
      ),
    );
    assert.deepEqual(
      findings.map((x) => [x.kind, x.file, x.mailbox, x.mailFiles]),
      [
        ["file-shrinks", "gateway.json", undefined, undefined],
        ["mailbox-removed", undefined, A, 3],
      ],
    );
    assert.match(
      findings[1].message,
      /its folder still holds 3 file\(s\) of mail that would become unreachable$/,
    );
  });

  test("a configuration file that would disappear", () => {
    assert.deepEqual(guardFindings(input([f("keys.dat", "x"), f("a", "1")], [f("a", "1")], [])), [
      {
        kind: "file-removed",
        file: "keys.dat",
        message:
          "configuration file keys.dat exists on the target but not in the snapshot; restoring would remove it",
      },
    ]);
  });

  test("in other formats the lines naming the mailbox are its record; folders named in the config count as mailboxes", () => {
    const xml = (key: string) =>
      f("s.xml", `<mailboxes>\n  <mailbox name="box1" key="${key}"/>\n</mailboxes>\n`);
    assert.equal(
      mailboxRecord("box1", [{ name: "s.xml", text: xml("k").data.toString() }]),
      's.xml\n<mailbox name="box1" key="k"/>',
    );
    const findings = guardFindings(input([xml("k1")], [xml("k2")], [{ folder: "box1", files: 1 }]));
    assert.deepEqual(
      findings.map((x) => [x.kind, x.mailbox]),
      [["mailbox-record-changed", "box1"]],
    );
  });
});

describe("fan-out", () => {
  test("mapBounded keeps order and never runs more than the bound", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0, 60]);
    assert.equal(peak, 3);
  });
});
