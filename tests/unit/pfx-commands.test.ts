// Every PFX command a user is given (README, docs, the runbook's generator) writes the SHA-1/3DES bags and
// MAC that every supported Windows Server imports: OpenSSL 3's default (AES-256, PBKDF2) fails on 2016.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const FLAGS = "-certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1";

test("every `openssl pkcs12 -export` in the README and docs carries the flags Windows Server 2016 needs", () => {
  const files = [
    "README.md",
    ...fs
      .readdirSync(path.join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const found: string[] = [];
  const bad: string[] = [];
  for (const file of files) {
    for (const line of fs.readFileSync(path.join(ROOT, file), "utf8").split("\n")) {
      if (!line.includes("pkcs12 -export")) continue;
      found.push(file);
      if (!line.includes(`pkcs12 -export ${FLAGS}`)) bad.push(`${file}: ${line.trim()}`);
    }
  }
  assert.ok(found.includes("README.md"), "the README's certificate hand-over has a PFX command");
  assert.deepEqual(bad, []);
});
