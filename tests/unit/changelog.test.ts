// The release a user can pin: the version in package.json and the lock file is the CHANGELOG's newest
// section, each release's headings appear once, breaking changes come first, and the LICENSE is there.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const changelog = read("CHANGELOG.md");
const releases = changelog.split(/^## /m).slice(1);

test("package.json, package-lock.json and the CHANGELOG's newest section name one version", () => {
  const pkg = JSON.parse(read("package.json")) as { version: string; license: string };
  const lock = JSON.parse(read("package-lock.json")) as {
    version: string;
    packages: Record<string, { version?: string }>;
  };
  assert.equal(pkg.version, "0.2.0");
  assert.equal(lock.version, pkg.version);
  assert.equal(lock.packages[""].version, pkg.version);
  assert.match(releases[0], new RegExp(`^${pkg.version.replace(/\./g, "\\.")} - `));
  assert.equal(pkg.license, "Apache-2.0");
});

test("one section per release, no Unreleased section beside it, no heading twice in a release", () => {
  const versions = releases.map((r) => r.split("\n")[0].split(" ")[0]);
  assert.deepEqual(versions, ["0.2.0", "0.1.0"]);
  assert.doesNotMatch(changelog, /^## Unreleased/m);
  for (const release of releases) {
    const headings = release.split("\n").filter((l) => l.startsWith("### "));
    assert.deepEqual(
      headings.filter((h, i) => headings.indexOf(h) !== i),
      [],
      release.split("\n")[0],
    );
  }
});

test("0.2.0 lists its breaking changes first", () => {
  const headings = releases[0].split("\n").filter((l) => l.startsWith("### "));
  assert.deepEqual(headings, ["### Breaking changes", "### Added", "### Changed"]);
});

test("the LICENSE is the Apache License 2.0 and ships in the package", () => {
  const license = read("LICENSE");
  assert.match(license, /^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
  assert.match(license, /END OF TERMS AND CONDITIONS/);
  assert.ok((JSON.parse(read("package.json")) as { files: string[] }).files.includes("LICENSE"));
});
