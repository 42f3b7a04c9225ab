// `msgw config --stack/--outputs`: the inventory comes straight from the stack's outputs, which the
// GatewayPool component fills (store, addresses, pinned host keys of AWS hosts, key path).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import {
  inventoryFromOutputsFile,
  inventoryFromStack,
  resolveInventory,
} from "../../../components/config-sync";
import { baseArgs, runPool } from "../../helpers/pool-harness";
import { ED25519_KEY_A as KEY } from "../../lab/fixtures";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cs-outputs-"));

test("--outputs: the component's configSyncInventory output is a usable inventory; --ssh-key replaces the key path", async () => {
  const plan = await runPool(baseArgs({ configSync: { revision: 1, sshPublicKey: KEY } }), {
    realCertificates: false,
  });
  const file = path.join(dir, "outputs.json");
  fs.writeFileSync(file, JSON.stringify(plan.outputs));
  const inv = inventoryFromOutputsFile(file, "/keys/ops");
  assert.deepEqual(Object.keys(inv.hosts), ["msgw1.example.com", "msgw2.example.com"]);
  const h = inv.hosts["msgw2.example.com"];
  assert.equal(h.address, "203.0.113.2");
  assert.equal(h.privateKeyPath, "/keys/ops");
  assert.match(h.hostKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA[0-9a-f]{40}$/);
  assert.equal(h.bootWaitSeconds, 0);
  assert.equal(inv.store.kind, "s3");
});

test("--stack runs pulumi stack output --json --stack NAME; missing pieces say how to get them", async () => {
  const outputs = path.join(dir, "stack.json");
  fs.writeFileSync(
    outputs,
    JSON.stringify({
      configSyncInventory: {
        store: { kind: "local", path: "/srv/store" },
        hosts: {
          "msgw1.example.com": {
            address: "192.0.2.1",
            username: "u",
            privateKeyPath: "/k",
            hostKey: KEY,
          },
        },
      },
    }),
  );
  // A stand-in for the pulumi CLI that records its arguments and prints the outputs.
  const fake = path.join(dir, "pulumi");
  fs.writeFileSync(fake, `#!/bin/sh\necho "$@" > ${dir}/args\ncat ${outputs}\n`, { mode: 0o755 });
  const inv = await inventoryFromStack("prod", undefined, fake);
  assert.equal(
    fs.readFileSync(path.join(dir, "args"), "utf8"),
    "stack output --json --stack prod\n",
  );
  assert.deepEqual(inv.store, { kind: "local", path: "/srv/store" });

  await assert.rejects(inventoryFromStack("prod", undefined, path.join(dir, "no-such-pulumi")), {
    message:
      "inventory is not valid:\n  - the pulumi CLI is not on PATH; install it, or write the outputs where it runs (pulumi stack output --json --stack prod > outputs.json) and pass --outputs outputs.json",
  });
  // The CLI's last two stderr lines say why it failed; output that is not JSON is named as such.
  const failing = path.join(dir, "pulumi-fails");
  fs.writeFileSync(
    failing,
    `#!/bin/sh\necho "warning: one" >&2\necho "error: no stack named 'prod' found" >&2\necho "exit 255" >&2\nexit 255\n`,
    { mode: 0o755 },
  );
  await assert.rejects(inventoryFromStack("prod", undefined, failing), {
    message:
      "inventory is not valid:\n  - pulumi stack output --stack prod failed: error: no stack named 'prod' found exit 255",
  });
  const noJson = path.join(dir, "pulumi-no-json");
  fs.writeFileSync(noJson, `#!/bin/sh\necho "not json"\n`, { mode: 0o755 });
  await assert.rejects(inventoryFromStack("prod", undefined, noJson), {
    message: /^inventory is not valid:\n {2}- pulumi stack output --json printed no JSON: /,
  });
  const empty = path.join(dir, "empty.json");
  fs.writeFileSync(empty, "{}");
  assert.throws(() => inventoryFromOutputsFile(empty), {
    message: `inventory is not valid:\n  - --outputs ${empty} has no configSyncInventory output: set configSync on the GatewayPool and export pool.configSyncInventory from the stack program (the stacks/ program does), then run pulumi up`,
  });
  await assert.rejects(resolveInventory({ stack: "a", inventory: "b" }), {
    message: "give only one of --inventory, --stack and --outputs",
  });
  await assert.rejects(resolveInventory({ sshKey: "/k", inventory: "b" }), {
    message: "--ssh-key goes with --stack or --outputs; an inventory file names its keys",
  });
});
