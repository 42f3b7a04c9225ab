import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  selectHosts,
  validateInventory,
  type RestoreOutcome,
} from "../../../components/config-sync";
import { renderRestoreSummary, renderStatus } from "../../../components/config-sync/report";
import { ED25519_KEY_C as KEY } from "../../lab/fixtures";

const h = { address: "10.231.0.2", username: "u", privateKeyPath: "/k", hostKey: KEY };
const inv = validateInventory({ hosts: { old: h, msgw1: h, msgw2: h } }, "/");

describe("host selection", () => {
  test("--target, --targets, --all-targets (all but the snapshot's source), and all hosts by default", () => {
    assert.deepEqual(selectHosts(inv, { target: "msgw1" }, "old", true), ["msgw1"]);
    assert.deepEqual(selectHosts(inv, { targets: "msgw2, msgw1,msgw2" }, "old", true), [
      "msgw2",
      "msgw1",
    ]);
    assert.deepEqual(selectHosts(inv, { allTargets: true }, "old", true), ["msgw1", "msgw2"]);
    assert.deepEqual(selectHosts(inv, {}, undefined, false), ["old", "msgw1", "msgw2"]);
  });

  test("bad selections say what to do", () => {
    assert.throws(() => selectHosts(inv, {}, "old", true), {
      message: "say which hosts: --target HOST, --targets A,B or --all-targets",
    });
    assert.throws(() => selectHosts(inv, { target: "a", allTargets: true }, "old", true), {
      message: "give only one of --target, --targets and --all-targets",
    });
    assert.throws(() => selectHosts(inv, { targets: "msgw1,msgw9" }, "old", true), {
      message: "unknown host(s) msgw9; the inventory has old, msgw1, msgw2",
    });
  });
});

describe("reports", () => {
  const base: RestoreOutcome = {
    host: "msgw1",
    revision: "r1",
    result: "updated",
    config: "replaced",
    service: "running",
    written: ["a"],
    removed: [],
    findings: [],
    message: "msgw1: configuration r1 written and verified",
    elapsedMs: 1234,
  };

  test("the restore summary names each host's outcome and counts failures", () => {
    const text = renderRestoreSummary([
      base,
      {
        ...base,
        host: "msgw2",
        result: "blocked",
        config: "unchanged",
        message: "msgw2: refused\n  - why",
        elapsedMs: 50,
      },
    ]);
    assert.equal(
      text,
      "msgw1                    UPDATED   config=replaced service=running (1.2s)\n" +
        "  msgw1: configuration r1 written and verified\n" +
        "msgw2                    BLOCKED   config=unchanged service=running (0.1s)\n" +
        "  msgw2: refused\n    - why\n" +
        "1 of 2 host(s) at the revision; 1 FAILED or BLOCKED\n",
    );
  });

  test("status shows mail waiting per mailbox folder (what draining waits for)", () => {
    const text = renderStatus(
      [
        {
          host: "msgw1",
          reachable: true,
          matches: true,
          differences: [],
          files: [{ name: "a", size: 1, sha256: "x" }],
          mailboxes: [{ folder: "mbx-1", files: 4 }],
          mailFiles: 4,
          service: "running",
        },
        {
          host: "msgw2",
          reachable: false,
          differences: [],
          files: [],
          mailboxes: [],
          mailFiles: 0,
          service: "unknown",
          error: "msgw2: cannot connect",
        },
      ],
      "r1",
    );
    assert.equal(
      text,
      "msgw1                    service=running; 1 config file(s); 4 file(s) in 1 mailbox folder(s); matches r1\n    mbx-1: 4\n" +
        "msgw2                    ERROR     msgw2: cannot connect\n",
    );
  });
});
