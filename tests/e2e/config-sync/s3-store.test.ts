// The S3 store against a real S3-compatible server the test starts: moto's server (PyPI `moto[server]`,
// installed by .ci/python-deps.sh into /opt/msgw-python, or MSGW_PYTHON_VENV). Then snapshots taken on
// one "machine" and restored from another through it, with real sshd hosts in network namespaces.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { buildManifest, S3Store, sdkS3Objects } from "../../../components/config-sync";
import { MBX_A, readTree, v1, v2, writeConfig, writeMail } from "./lib/fixtures";
import { violations } from "./lib/invariant";
import { Lab } from "./lib/lab";

const VENV = process.env.MSGW_PYTHON_VENV ?? "/opt/msgw-python";
const MOTO = path.join(VENV, "bin", "moto_server");
const ENTRY = path.join(__dirname, "msgw-entry.ts");
// The tsx loader by absolute URL: the CLI runs with other working directories (stand-ins for runners).
const TSX = pathToFileURL(path.join(__dirname, "../../../node_modules/tsx/dist/loader.mjs")).href;
const CREDS = {
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: "us-east-1",
};

let moto: ChildProcess | undefined;
let endpoint = "";
let s3: S3Client;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function startMoto(): Promise<void> {
  assert.ok(
    fs.existsSync(MOTO),
    `${MOTO} is missing: run bash .ci/python-deps.sh (installs moto[server] from PyPI)`,
  );
  const port = await freePort();
  let log = "";
  moto = spawn(MOTO, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...CREDS },
  });
  moto.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  moto.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (moto.exitCode !== null) throw new Error(`moto_server exited: ${log}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer within 30s: ${log}`);
}

async function bucket(name: string, versioned: boolean): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  if (versioned)
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: name,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
}

const storeIn = (b: string, prefix = "prod/") =>
  new S3Store(sdkS3Objects(b, "us-east-1", undefined, endpoint), b, prefix);

describe("S3 store against moto's S3 server", { timeout: 180_000 }, () => {
  before(async () => {
    Object.assign(process.env, CREDS);
    await startMoto();
    s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true });
  });
  after(() => {
    if (moto?.pid) process.kill(moto.pid, "SIGKILL");
  });

  test("snapshots and backups: stored encrypted under the documented keys, read back checked, immutable", async () => {
    await bucket("msgw-a", true);
    const files = Object.entries(v2()).map(([name, data]) => ({ name, data }));
    const manifest = buildManifest("r1", "src", files);
    const store = storeIn("msgw-a");
    assert.equal(store.describe(), "s3://msgw-a/prod/");
    assert.equal(await store.getSnapshot("r1"), undefined);
    assert.equal(await store.putSnapshot({ manifest, files }), "stored");

    // Another machine (a new client, nothing shared but the bucket) reads the same snapshot.
    const elsewhere = storeIn("msgw-a");
    const got = await elsewhere.getSnapshot("r1");
    assert.deepEqual(got?.manifest, manifest);
    for (const f of files)
      assert.ok(got!.files.find((x) => x.name === f.name)!.data.equals(f.data), f.name);
    assert.equal(await elsewhere.putSnapshot({ manifest, files }), "already-stored");
    const other = buildManifest("r1", "src2", [{ name: "a", data: Buffer.from("x") }]);
    await assert.rejects(
      elsewhere.putSnapshot({ manifest: other, files: [{ name: "a", data: Buffer.from("x") }] }),
      /^Error: revision r1 already holds a different snapshot in s3:\/\/msgw-a\/prod\/ \(source src, digest [0-9a-f]{12}; now src2, [0-9a-f]{12}\); snapshots are immutable: use a new revision$/,
    );

    const at = await store.putBackup("t1", "20261129T000000Z-before-r1", manifest, files);
    assert.equal(at, "s3://msgw-a/prod/backups/t1/20261129T000000Z-before-r1/");
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: "msgw-a" })))
      .Contents!.map((o) => o.Key)
      .sort();
    assert.deepEqual(keys, [
      ...Object.keys(v2())
        .sort()
        .map((n) => `prod/backups/t1/20261129T000000Z-before-r1/files/${n}`),
      "prod/backups/t1/20261129T000000Z-before-r1/manifest.json",
      ...Object.keys(v2())
        .sort()
        .map((n) => `prod/snapshots/r1/files/${n}`),
      "prod/snapshots/r1/manifest.json",
    ]);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: "msgw-a", Key: "prod/snapshots/r1/files/gateway.json" }),
    );
    assert.equal(head.ServerSideEncryption, "aws:kms");
  });

  test("a corrupted object is refused; a bucket without versioning is refused with the fix", async () => {
    await bucket("msgw-b", true);
    const files = [{ name: "gateway.json", data: Buffer.from('{"v":1}\n') }];
    const store = storeIn("msgw-b", "");
    await store.putSnapshot({ manifest: buildManifest("r1", "src", files), files });
    await s3.send(
      new PutObjectCommand({
        Bucket: "msgw-b",
        Key: "snapshots/r1/files/gateway.json",
        Body: '{"v":2}\n',
      }),
    );
    await assert.rejects(storeIn("msgw-b", "").getSnapshot("r1"), {
      message:
        "s3://msgw-b/snapshots/r1: stored file gateway.json does not match its manifest (missing or corrupted); do not restore from it",
    });
    // Versioning keeps the good version: it can be recovered.
    const versions = await fetch(`${endpoint}/msgw-b?versions`).then((r) => r.text());
    assert.equal(
      (versions.match(/<Key>snapshots\/r1\/files\/gateway.json<\/Key>/g) ?? []).length,
      2,
    );

    await bucket("msgw-c", false);
    await assert.rejects(storeIn("msgw-c").getSnapshot("r1"), {
      message:
        "s3://msgw-c/prod/: bucket versioning is off; enable versioning on bucket msgw-c so an overwritten or deleted snapshot can be recovered",
    });
    await assert.rejects(storeIn("msgw-missing").getSnapshot("r1"), (e: Error) =>
      /^read the versioning of bucket msgw-missing: NoSuchBucket: /.test(e.message),
    );
  });

  test("snapshot on one machine, restore from another: nothing but the bucket is shared (real sshd)", async () => {
    await bucket("msgw-lab", true);
    const lab = new Lab();
    try {
      lab.addHost("src", 0);
      lab.addHost("t1", 1);
      await Promise.all([lab.startSshd("src"), lab.startSshd("t1")]);
      writeConfig(lab.host("src").dataDir, v2());
      writeConfig(lab.host("t1").dataDir, v1());
      writeMail(lab.host("t1").dataDir, MBX_A, 2);
      lab.service("src", "start");
      lab.service("t1", "start");
      const mail = readTree(lab.host("t1").dataDir).mail;
      const file = lab.inventory(["src", "t1"]);
      const inv = JSON.parse(fs.readFileSync(file, "utf8"));
      inv.store = {
        kind: "s3",
        bucket: "msgw-lab",
        region: "us-east-1",
        prefix: "pool/",
        endpoint,
      };
      fs.writeFileSync(file, JSON.stringify(inv));
      const run = (args: string[], cwd: string) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ["--import", TSX, ENTRY, ...args], {
            cwd,
            env: { ...process.env, ...CREDS },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
          child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
          child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
        });
      // Two working directories stand for two throw-away CI runners.
      const runnerA = fs.mkdtempSync(path.join(lab.dir, "runner-a-"));
      const runnerB = fs.mkdtempSync(path.join(lab.dir, "runner-b-"));
      const snap = await run(
        ["config", "snapshot", "--source", "src", "--revision", "r7", "--inventory", file],
        runnerA,
      );
      assert.equal(snap.code, 0, snap.stderr);
      assert.match(snap.stderr, /storing revision r7 in s3:\/\/msgw-lab\/pool\//);
      const res = await run(
        ["config", "restore", "--target", "t1", "--revision", "r7", "--inventory", file],
        runnerB,
      );
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, /^t1 +UPDATED +config=replaced service=running/m);
      assert.deepEqual(violations(lab, "t1", v1(), v2(), mail), []);
      assert.deepEqual(fs.readdirSync(runnerA), [], "nothing kept on runner A");
      assert.deepEqual(fs.readdirSync(runnerB), [], "nothing kept on runner B");
      const backup = (
        await s3.send(new ListObjectsV2Command({ Bucket: "msgw-lab", Prefix: "pool/backups/t1/" }))
      ).Contents!.map((o) => o.Key!);
      assert.ok(
        backup.some((k) => /\/files\/gateway\.json$/.test(k)),
        backup.join(", "),
      );
      const kept = await s3.send(
        new GetObjectCommand({
          Bucket: "msgw-lab",
          Key: backup.find((k) => k.endsWith("/files/gateway.json")),
        }),
      );
      assert.ok(
        Buffer.from(await kept.Body!.transformToByteArray()).equals(v1()["gateway.json"]),
        "the pre-restore backup in the bucket is t1's old gateway.json",
      );
    } finally {
      lab.destroy();
    }
  });
});
