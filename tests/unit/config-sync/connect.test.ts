// Where replication cannot run (no key on this machine, e.g. a CI runner without the secret), it fails
// at once with a message that says where it can run, before any network traffic.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect, validateInventory } from "../../../components/config-sync";
import { ED25519_KEY_C as KEY } from "../../lab/fixtures";

test("no private key on this machine: fails in milliseconds, even for a host with a boot wait", async () => {
  const inv = validateInventory(
    {
      hosts: {
        "msgw1.example.com": {
          address: "192.0.2.10",
          username: "Administrator",
          privateKeyPath: "/nonexistent/.ssh/id_ed25519",
          hostKey: KEY,
          bootWaitSeconds: 900,
        },
        "msgw2.example.com": {
          address: "192.0.2.11",
          username: "Administrator",
          privateKeyEnv: "MSGW_TEST_NO_SUCH_KEY",
          hostKey: KEY,
          bootWaitSeconds: 900,
        },
      },
    },
    "/",
  );
  const t0 = Date.now();
  await assert.rejects(
    connect(inv.hosts["msgw1.example.com"], () => undefined, {}),
    {
      message:
        "msgw1.example.com: cannot read the SSH private key /nonexistent/.ssh/id_ed25519 (privateKeyPath): ENOENT; replication runs on a machine that holds the key (an operator machine or a runner inside the admin network with the key as a secret)",
    },
  );
  await assert.rejects(
    connect(inv.hosts["msgw2.example.com"], () => undefined, {}),
    {
      message:
        "msgw2.example.com: environment variable MSGW_TEST_NO_SUCH_KEY (privateKeyEnv) is empty or unset; put the private key text in it",
    },
  );
  assert.ok(Date.now() - t0 < 1000);
});
