import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
  buildManifest,
  LocalStore,
  S3Store,
  type S3Objects,
} from "../../../components/config-sync";

const files = [
  { name: "gateway.json", data: Buffer.from('{"a":1}') },
  { name: "cert.pfx", data: Buffer.from([0, 1, 2, 255]) },
];
const snap = { manifest: buildManifest("r1", "src", files), files };

describe("local store", () => {
  test("round-trips a snapshot, keeps it private, and refuses to overwrite a revision with other content", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "cs-store-"));
    try {
      const store = new LocalStore(path.join(root, "s"));
      assert.equal(await store.getSnapshot("r1"), undefined);
      assert.equal(await store.putSnapshot(snap), "stored");
      assert.equal(await store.putSnapshot(snap), "already-stored");
      const got = await store.getSnapshot("r1");
      assert.deepEqual(got?.manifest, snap.manifest);
      assert.deepEqual(
        got?.files.map((f) => [f.name, f.data.toString("hex")]),
        [
          ["cert.pfx", "000102ff"],
          ["gateway.json", Buffer.from('{"a":1}').toString("hex")],
        ],
      );
      assert.equal(
        fs.statSync(path.join(root, "s", "snapshots", "r1", "files", "gateway.json")).mode & 0o777,
        0o600,
      );
      const other = [{ name: "gateway.json", data: Buffer.from("{}") }];
      await assert.rejects(
        store.putSnapshot({ manifest: buildManifest("r1", "src2", other), files: other }),
        /^Error: revision r1 already holds a different snapshot in .* snapshots are immutable: use a new revision$/,
      );

      fs.writeFileSync(path.join(root, "s", "snapshots", "r1", "files", "gateway.json"), '{"a":2}');
      await assert.rejects(
        store.getSnapshot("r1"),
        /stored file gateway.json does not match its manifest \(missing or corrupted\); do not restore from it$/,
      );

      const where = await store.putBackup(
        "msgw2",
        "20261128T120000Z-before-r1",
        buildManifest("b", "msgw2", files),
        files,
      );
      assert.equal(where, path.join(root, "s", "backups", "msgw2", "20261128T120000Z-before-r1"));
      assert.deepEqual(fs.readdirSync(path.join(where, "files")).sort(), [
        "cert.pfx",
        "gateway.json",
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

class FakeS3 implements S3Objects {
  objects = new Map<string, Buffer>();
  puts: string[] = [];
  constructor(public status: string | undefined) {}
  async get(key: string) {
    return this.objects.get(key);
  }
  async put(key: string, body: Buffer) {
    this.puts.push(key);
    this.objects.set(key, body);
  }
  async versioning() {
    return this.status;
  }
}

describe("s3 store", () => {
  test("refuses a bucket without versioning", async () => {
    const store = new S3Store(new FakeS3("Suspended"), "bkt", "msgw/");
    await assert.rejects(store.putSnapshot(snap), {
      message:
        "s3://bkt/msgw/: bucket versioning is Suspended; enable versioning on bucket bkt so an overwritten or deleted snapshot can be recovered",
    });
  });

  test("writes files before the manifest, reads back and checks, keeps revisions immutable", async () => {
    const s3 = new FakeS3("Enabled");
    const store = new S3Store(s3, "bkt", "msgw/");
    assert.equal(await store.putSnapshot(snap), "stored");
    assert.deepEqual(s3.puts, [
      "msgw/snapshots/r1/files/gateway.json",
      "msgw/snapshots/r1/files/cert.pfx",
      "msgw/snapshots/r1/manifest.json",
    ]);
    assert.deepEqual((await store.getSnapshot("r1"))?.manifest, snap.manifest);
    assert.equal(await store.putSnapshot(snap), "already-stored");
    assert.equal(
      await store.putBackup("h", "id1", buildManifest("id1", "h", files), files),
      "s3://bkt/msgw/backups/h/id1/",
    );
  });
});
