/** I/O: the backup store in a versioned S3 bucket (SSE-KMS). */
import { checkFileName, checkRevision, parseManifest } from "./manifest";
import {
  checkAgainstManifest,
  revisionTaken,
  type BackupStore,
  type StoredSnapshot,
} from "./store";
import type { FileContent, Manifest } from "./types";

/** The few S3 operations the store needs; {@link sdkS3Objects} adapts the AWS SDK v3 client. */
export interface S3Objects {
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string): Promise<Buffer | undefined>;
  /** Puts an object encrypted at rest (SSE-KMS). */
  put(key: string, body: Buffer): Promise<void>;
  /** The bucket's versioning status ("Enabled", "Suspended" or undefined). */
  versioning(): Promise<string | undefined>;
}

/**
 * Snapshots and backups in an S3 bucket: versioned (checked before first use) and encrypted with
 * SSE-KMS. Layout: `<prefix>snapshots/<rev>/manifest.json`, `.../files/<name>`, and
 * `<prefix>backups/<host>/<id>/...`.
 */
export class S3Store implements BackupStore {
  private checked = false;
  constructor(
    private readonly s3: S3Objects,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  describe(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  private async ready(): Promise<void> {
    if (this.checked) return;
    const v = await this.s3.versioning();
    if (v !== "Enabled") {
      throw new Error(
        `${this.describe()}: bucket versioning is ${v ?? "off"}; enable versioning on bucket ${this.bucket} so an overwritten or deleted snapshot can be recovered`,
      );
    }
    this.checked = true;
  }

  async getSnapshot(revision: string): Promise<StoredSnapshot | undefined> {
    checkRevision(revision);
    await this.ready();
    const base = `${this.prefix}snapshots/${revision}/`;
    const text = await this.s3.get(`${base}manifest.json`);
    if (!text) return undefined;
    const manifest = parseManifest(
      text.toString("utf8"),
      `${this.describe()}snapshots/${revision}`,
    );
    const files: FileContent[] = [];
    for (const f of manifest.files) {
      checkFileName(f.name);
      files.push({
        name: f.name,
        data: (await this.s3.get(`${base}files/${f.name}`)) ?? Buffer.alloc(0),
      });
    }
    checkAgainstManifest(manifest, files, `${this.describe()}snapshots/${revision}`);
    return { manifest, files };
  }

  async putSnapshot(snapshot: StoredSnapshot): Promise<"stored" | "already-stored"> {
    const old = await this.getSnapshot(snapshot.manifest.revision);
    if (old) {
      if (old.manifest.digest === snapshot.manifest.digest) return "already-stored";
      throw revisionTaken(
        snapshot.manifest.revision,
        this.describe(),
        old.manifest,
        snapshot.manifest,
      );
    }
    await this.putSet(
      `${this.prefix}snapshots/${snapshot.manifest.revision}/`,
      snapshot.manifest,
      snapshot.files,
    );
    return "stored";
  }

  async putBackup(
    host: string,
    id: string,
    manifest: Manifest,
    files: FileContent[],
  ): Promise<string> {
    await this.ready();
    const base = `${this.prefix}backups/${host}/${id}/`;
    await this.putSet(base, manifest, files);
    return `s3://${this.bucket}/${base}`;
  }

  async seen(host: string, generation: string): Promise<boolean> {
    checkFileName(host);
    checkFileName(generation);
    await this.ready();
    return (await this.s3.get(`${this.prefix}seen/${host}/${generation}`)) !== undefined;
  }

  async markSeen(host: string, generation: string): Promise<void> {
    checkFileName(host);
    checkFileName(generation);
    await this.ready();
    await this.s3.put(`${this.prefix}seen/${host}/${generation}`, Buffer.alloc(0));
  }

  /** Files first, manifest last: a reader never sees a manifest whose files are not there yet. */
  private async putSet(base: string, manifest: Manifest, files: FileContent[]): Promise<void> {
    for (const f of files) {
      checkFileName(f.name);
      await this.s3.put(`${base}files/${f.name}`, f.data);
    }
    await this.s3.put(
      `${base}manifest.json`,
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
    );
  }
}

/**
 * Adapts the AWS SDK v3 S3 client, loaded on first use so that a local store needs no AWS packages.
 * Install `@aws-sdk/client-s3` to use an s3 store. Credentials come from the SDK's usual chain.
 */
export function sdkS3Objects(
  bucket: string,
  region: string,
  kmsKeyId: string | undefined,
  endpoint?: string,
): S3Objects {
  let sdk: Record<string, new (...a: unknown[]) => unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sdk = require("@aws-sdk/client-s3") as typeof sdk;
  } catch {
    throw new Error(
      `the s3 store needs the package @aws-sdk/client-s3: npm install @aws-sdk/client-s3 (or use {"kind":"local"})`,
    );
  }
  const client = new sdk.S3Client({
    region,
    ...(endpoint !== undefined ? { endpoint, forcePathStyle: true } : {}),
    // Every request has a deadline; the SDK retries throttling and 5xx answers itself.
    requestHandler: { requestTimeout: 60_000, connectionTimeout: 10_000 },
    maxAttempts: 4,
  }) as {
    send(c: unknown): Promise<Record<string, unknown>>;
  };
  return {
    async get(key) {
      try {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = out.Body as { transformToByteArray(): Promise<Uint8Array> };
        return Buffer.from(await body.transformToByteArray());
      } catch (e) {
        if ((e as { name?: string }).name === "NoSuchKey") return undefined;
        throw s3Error(`read s3://${bucket}/${key}`, e);
      }
    },
    async put(key, body) {
      await send(`write s3://${bucket}/${key}`, () =>
        client.send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ServerSideEncryption: "aws:kms",
            ...(kmsKeyId !== undefined ? { SSEKMSKeyId: kmsKeyId } : {}),
          }),
        ),
      );
    },
    async versioning() {
      const out = await send(`read the versioning of bucket ${bucket}`, () =>
        client.send(new sdk.GetBucketVersioningCommand({ Bucket: bucket })),
      );
      return out.Status as string | undefined;
    },
  };
}

/** An SDK error as one line: what was attempted, the error's name and message. */
function s3Error(what: string, e: unknown): Error {
  const err = e as { name?: string; message?: string };
  return new Error(`${what}: ${err.name ?? "Error"}: ${err.message ?? String(e)}`);
}

async function send<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw s3Error(what, e);
  }
}
