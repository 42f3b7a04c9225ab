import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { commandPackage } from "./command";
import { checkFailures, testProvider, type TestProvider } from "./harness";

const CMD = "command:local:Command";
const providers: TestProvider[] = [];
const dirs: string[] = [];
function command(): TestProvider {
  const t = testProvider(commandPackage);
  providers.push(t);
  return t;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "pv-cmd-"));
  dirs.push(d);
  return d;
}
after(() => {
  providers.forEach((t) => t.cleanup());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe("command stand-in: local.Command (pulumi-command 1.2.1 semantics)", () => {
  it("create runs /bin/sh -c in dir with environment; stdout/stderr lose one trailing newline", async () => {
    const t = command();
    const dir = tempDir();
    const c = await t.create(CMD, "snap", {
      create: 'pwd; echo "$MSGW_X" >&2; printf "a\\n\\n" > out.txt',
      dir,
      environment: { MSGW_X: "from-env" },
    });
    assert.match(c.id, /^snap[0-9a-f]{8}$/);
    assert.equal(c.outs.stdout, dir);
    assert.equal(c.outs.stderr, "from-env");
    assert.equal(readFileSync(join(dir, "out.txt"), "utf8"), "a\n\n", "ran in dir");
  });

  it("without dir it runs in the provider's working directory (the program's)", async () => {
    const t = command();
    const c = await t.create(CMD, "c", { create: "pwd" });
    assert.equal(c.outs.stdout, process.cwd());
  });

  it("logging picks what reaches the engine: stderr only, none, or both by default", async () => {
    const t = command();
    await t.create(CMD, "a", { create: "echo manifest; echo progress >&2", logging: "stderr" });
    await t.create(CMD, "b", { create: "echo secret-out; echo secret-err >&2", logging: "none" });
    await t.create(CMD, "c", { create: "echo out; echo err >&2" });
    assert.deepEqual(t.logs.map((l) => `${l.urn.split("::").pop()}: ${l.message}`).sort(), [
      "a: progress",
      "c: err",
      "c: out",
    ]);
    assert.deepEqual(await checkFailures(t, CMD, { create: "x", logging: "all" }), [
      'logging: value must be one of "stdout", "stderr", "stdoutAndStderr", "none"; got "all"',
    ]);
  });

  it("triggers replace; any other change updates, and without `update` the create command runs again", async () => {
    const t = command();
    const dir = tempDir();
    const c = await t.create(CMD, "c", { create: "echo one >> log", dir, triggers: ["1"] });
    assert.deepEqual(
      (await t.diff(c, { create: "echo one >> log", dir, triggers: ["2"] })).replaces,
      ["triggers"],
    );
    assert.equal(
      (await t.diff(c, { create: "echo one >> log", dir, triggers: ["1"] })).changes,
      false,
    );
    const edited = await t.diff(c, { create: "echo two >> log", dir, triggers: ["1"] });
    assert.deepEqual([edited.changes, edited.replaces], [true, []]);
    await t.provider.update!(c.id, c.urn, c.outs, edited.inputs);
    assert.equal(
      readFileSync(join(dir, "log"), "utf8"),
      "one\ntwo\n",
      "the edited create command ran on update",
    );
  });

  it("update runs `update` with the previous output in PULUMI_COMMAND_STDOUT; delete runs `delete`", async () => {
    const t = command();
    const dir = tempDir();
    const inputs = {
      create: "echo first",
      update: 'echo "after $PULUMI_COMMAND_STDOUT"',
      delete: 'echo "$PULUMI_COMMAND_STDOUT" > deleted',
      dir,
    };
    const c = await t.create(CMD, "c", inputs);
    const d = await t.diff(c, { ...inputs, environment: { X: "1" } });
    const updated = (await t.provider.update!(c.id, c.urn, c.outs, d.inputs)).outs as Record<
      string,
      unknown
    >;
    assert.equal(updated.stdout, "after first");
    await t.provider.delete!(c.id, c.urn, updated);
    assert.equal(readFileSync(join(dir, "deleted"), "utf8"), "after first\n");
  });

  it("a failing create fails with the exit status, the command and its output, and is recorded as partially created", async () => {
    const t = command();
    await assert.rejects(
      t.create(CMD, "bad", { create: "echo out; echo oops >&2; exit 3" }),
      (e) => {
        const err = e as Error & {
          id: string;
          properties: Record<string, unknown>;
          reasons: string[];
        };
        assert.equal(
          err.message,
          'exit status 3: running "echo out; echo oops >&2; exit 3":\nout\noops\n',
        );
        assert.match(err.id, /^bad[0-9a-f]{8}$/);
        assert.equal(err.properties.stdout, "out");
        assert.deepEqual(err.reasons, [err.message]);
        return true;
      },
    );
    await assert.rejects(t.create(CMD, "nodir", { create: "true", dir: "/nonexistent/pv" }), {
      message: 'chdir /nonexistent/pv: no such file or directory: running "true":\n',
    });
  });
});
