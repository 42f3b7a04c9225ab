// A new host whose SSH does not answer within the boot wait: the error says which first-boot step it
// was on, read through SSM Run Command (a fake SDK here: the real one is @aws-sdk/client-ssm).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildManifest,
  readBootStepViaSsm,
  restoreHost,
  validateInventory,
  type BackupStore,
  type SsmSdk,
} from "../../../components/config-sync";
import { ED25519_KEY_C as KEY } from "../../lab/fixtures";

const ARN = "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0";
const FILE = "C:\\ProgramData\\msgw\\bootstrap.step";
const inv = validateInventory(
  {
    hosts: {
      "msgw1.example.com": {
        address: "203.0.113.1",
        username: "Administrator",
        privateKeyPath: "/k",
        hostKey: KEY,
        bootWaitSeconds: 2040,
        generation: "i-0123456789abcdef0",
        bootStep: { instanceArn: ARN, file: FILE },
      },
    },
  },
  "/",
);
const store: BackupStore = {
  describe: () => "mem",
  getSnapshot: async () => undefined,
  putSnapshot: async () => "stored" as const,
  putBackup: async () => "mem/x",
};
const files = [{ name: "a.json", data: Buffer.from("{}") }];
const snap = { manifest: buildManifest("r1", "src", files), files };
const NO_SSH =
  "msgw1.example.com: no SSH connection to 203.0.113.1:22: 1020 attempts in 2040s, each: connection refused (nothing listens on port 22: sshd not started yet?)";
const refused = async () => {
  throw new Error(NO_SSH);
};

describe("boot wait timed out: the first-boot step in the error", () => {
  test("the step read through SSM is in the restore's outcome", async () => {
    const seen: unknown[] = [];
    const o = await restoreHost(inv, store, snap, inv.hosts["msgw1.example.com"], {
      connector: refused,
      bootStepReader: async (p) => {
        seen.push(p);
        return "OpenSSH server with the pinned host key\r\n";
      },
    });
    assert.deepEqual(seen, [{ instanceArn: ARN, file: FILE }]);
    assert.equal(
      o.message,
      `msgw1.example.com: cannot connect (no SSH connection to 203.0.113.1:22: 1020 attempts in 2040s, each: connection refused (nothing listens on port 22: sshd not started yet?); first boot on i-0123456789abcdef0 was at: "OpenSSH server with the pinned host key" (C:\\ProgramData\\msgw\\bootstrap.step, read through SSM; the whole log is C:\\ProgramData\\msgw\\bootstrap.log)); nothing was changed on this host`,
    );
  });

  test("a failed first boot and an unreadable step are reported as such", async () => {
    const failed = await restoreHost(inv, store, snap, inv.hosts["msgw1.example.com"], {
      connector: refused,
      bootStepReader: async () =>
        "FAILED: data volume vol-0123456789abcdef0 is not attached after 15 minutes; check its VolumeAttachment",
    });
    assert.match(
      failed.message,
      /; first boot on i-0123456789abcdef0 was at: "FAILED: data volume vol-0123456789abcdef0 is not attached after 15 minutes; check its VolumeAttachment" \(/,
    );
    const unread = await restoreHost(inv, store, snap, inv.hosts["msgw1.example.com"], {
      connector: refused,
      bootStepReader: async () => {
        throw new Error(
          "the SSM agent of i-0123456789abcdef0 is not online (Windows is still starting, or the instance cannot reach Systems Manager)",
        );
      },
    });
    assert.equal(
      unread.message,
      `msgw1.example.com: cannot connect (${NO_SSH.replace("msgw1.example.com: ", "")}; the first-boot step of i-0123456789abcdef0 could not be read through SSM: the SSM agent of i-0123456789abcdef0 is not online (Windows is still starting, or the instance cannot reach Systems Manager)); nothing was changed on this host`,
    );
    const empty = await restoreHost(inv, store, snap, inv.hosts["msgw1.example.com"], {
      connector: refused,
      bootStepReader: async () => "",
    });
    assert.match(
      empty.message,
      /; i-0123456789abcdef0 has not recorded a first-boot step yet \(C:\\ProgramData\\msgw\\bootstrap\.step is empty or missing: its first boot has not started, read it through Session Manager\)\); nothing was changed/,
    );
  });

  test("no step is read for a host without a boot wait or without a probe", async () => {
    let reads = 0;
    const plain = validateInventory(
      {
        hosts: { h: { address: "203.0.113.1", username: "a", privateKeyPath: "/k", hostKey: KEY } },
      },
      "/",
    );
    const o = await restoreHost(plain, store, snap, plain.hosts.h, {
      connector: async () => {
        throw new Error("h: no SSH connection to 203.0.113.1:22: connection refused");
      },
      bootStepReader: async () => {
        reads++;
        return "x";
      },
    });
    assert.equal(reads, 0);
    assert.equal(
      o.message,
      "h: cannot connect (no SSH connection to 203.0.113.1:22: connection refused); nothing was changed on this host",
    );
  });
});

/** A fake @aws-sdk/client-ssm: records the commands sent, answers from a script. */
function fakeSdk(answers: Array<Record<string, unknown> | Error>): {
  sdk: SsmSdk;
  sent: unknown[];
} {
  const sent: unknown[] = [];
  class Cmd {
    constructor(readonly input: Record<string, unknown>) {}
  }
  class SendCommandCommand extends Cmd {}
  class GetCommandInvocationCommand extends Cmd {}
  class SSMClient {
    constructor(readonly cfg: { region: string }) {
      sent.push({ region: cfg.region });
    }
    async send(c: Cmd) {
      sent.push({ [c.constructor.name]: c.input });
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a ?? {};
    }
  }
  return { sdk: { SSMClient, SendCommandCommand, GetCommandInvocationCommand } as never, sent };
}
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const fast = { deadlineMs: 200, pollMs: 1 };

describe("reading the step through SSM Run Command", () => {
  test("SendCommand of Get-Content in the instance's region, then GetCommandInvocation until it ends", async () => {
    const { sdk, sent } = fakeSdk([
      { Command: { CommandId: "c-1" } },
      named("InvocationDoesNotExist", "not yet"),
      { Status: "InProgress" },
      { Status: "Success", StandardOutputContent: "host settings\r\n" },
    ]);
    assert.equal(
      await readBootStepViaSsm({ instanceArn: ARN, file: FILE }, sdk, fast),
      "host settings",
    );
    assert.deepEqual(sent, [
      { region: "eu-central-1" },
      {
        SendCommandCommand: {
          DocumentName: "AWS-RunPowerShellScript",
          InstanceIds: ["i-0123456789abcdef0"],
          Parameters: {
            commands: [
              "Get-Content -LiteralPath 'C:\\ProgramData\\msgw\\bootstrap.step' -ErrorAction SilentlyContinue",
            ],
          },
          TimeoutSeconds: 60,
          Comment: "msgw: read the first-boot step",
        },
      },
      ...[1, 2, 3].map(() => ({
        GetCommandInvocationCommand: { CommandId: "c-1", InstanceId: "i-0123456789abcdef0" },
      })),
    ]);
  });

  test("an agent that is not online, a failed command and a deadline each say so", async () => {
    await assert.rejects(
      readBootStepViaSsm(
        { instanceArn: ARN, file: FILE },
        fakeSdk([named("InvalidInstanceId", "Instances not in a valid state")]).sdk,
        fast,
      ),
      {
        message:
          "the SSM agent of i-0123456789abcdef0 is not online (Windows is still starting, or the instance cannot reach Systems Manager)",
      },
    );
    await assert.rejects(
      readBootStepViaSsm(
        { instanceArn: ARN, file: FILE },
        fakeSdk([
          { Command: { CommandId: "c-2" } },
          { Status: "Failed", StandardErrorContent: "Access denied\r\n" },
        ]).sdk,
        fast,
      ),
      { message: "the SSM command c-2 ended Failed: Access denied" },
    );
    await assert.rejects(
      readBootStepViaSsm(
        { instanceArn: ARN, file: FILE },
        fakeSdk([
          { Command: { CommandId: "c-3" } },
          ...Array.from({ length: 500 }, () => ({ Status: "Pending" })),
        ]).sdk,
        { deadlineMs: 30, pollMs: 5 },
      ),
      { message: "the SSM command c-3 did not finish within 0s (status Pending)" },
    );
    await assert.rejects(
      readBootStepViaSsm({ instanceArn: "i-123", file: FILE }, fakeSdk([]).sdk, fast),
      {
        message: '"i-123" is not an EC2 instance ARN',
      },
    );
  });
});
