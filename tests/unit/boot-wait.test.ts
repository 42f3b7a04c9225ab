// The window from a new AWS host's creation to an answering sshd: an argument with a default whose
// parts are named, carried into the inventory of the pool's own commands with where to read the host's
// first-boot step; and the first boot's step file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GATEWAY_DEFAULTS, planGatewayPool, validateGatewayPoolArgs } from "../../components";
import {
  BOOTSTRAP_STEP,
  DATA_VOLUME_WAIT_MINUTES,
  FIRST_BOOT_SSH_WAIT_SECONDS,
  GATEWAY_INSTALL_SECONDS,
  OPENSSH_INSTALL_SECONDS,
  renderSettingsCommand,
  renderWindowsUserData,
  SSM_READ_ATTEMPTS,
  SSM_READ_PAUSE_SECONDS,
  WINDOWS_BOOT_SECONDS,
} from "../../components/gateway-pool/plan/user-data";
import { baseArgs, ofType, runPool } from "../helpers/pool-harness";

test("boot wait default: Windows boot + the first boot's own bounds + allowances = 2040 s", () => {
  assert.deepEqual(
    [
      WINDOWS_BOOT_SECONDS,
      DATA_VOLUME_WAIT_MINUTES * 60,
      SSM_READ_ATTEMPTS * SSM_READ_PAUSE_SECONDS,
      OPENSSH_INSTALL_SECONDS,
      GATEWAY_INSTALL_SECONDS,
    ],
    [240, 900, 300, 300, 300],
  );
  assert.equal(FIRST_BOOT_SSH_WAIT_SECONDS, 2040);
  assert.equal(GATEWAY_DEFAULTS.bootWaitSeconds, 2040);
  assert.equal(
    planGatewayPool(baseArgs({ configSync: { revision: 1 } })).configSync?.bootWaitSeconds,
    2040,
  );
});

test("configSync.bootWaitSeconds reaches the inventory of every host the pool creates", async () => {
  const plan = await runPool(baseArgs({ configSync: { revision: 1, bootWaitSeconds: 3000 } }));
  const restore = ofType(plan, "command:local:Command").find(
    (r) => r.name === "pool-msgw2-config-restore",
  );
  assert.ok(restore);
  const inventory = JSON.parse(
    (restore.inputs.environment as Record<string, string>).MSGW_INVENTORY,
  );
  const h = inventory.hosts["msgw2.example.com"];
  assert.equal(h.bootWaitSeconds, 3000);
  assert.deepEqual(h.bootStep, {
    instanceArn: `arn:aws:ec2:eu-central-1:123456789012:instance/${h.generation}`,
    file: "C:\\ProgramData\\msgw\\bootstrap.step",
  });
});

test("configSync.bootWaitSeconds: bad values refused with the range and its source", () => {
  for (const v of [59, 3601, 1.5]) {
    assert.deepEqual(
      validateGatewayPoolArgs(baseArgs({ configSync: { revision: 1, bootWaitSeconds: v } })),
      [
        `configSync.bootWaitSeconds ${v} must be a whole number of seconds from 60 to 3600 (the longest boot wait msgw config accepts)`,
      ],
    );
  }
});

test("first boot writes each step to the step file (and FAILED: … on failure); the settings script does not", () => {
  const plan = planGatewayPool(baseArgs({}));
  const input = { hostname: "h", gateway: plan.gateway, openPorts: [25] };
  const lines = renderWindowsUserData(input)
    .split("\n")
    .map((l) => l.trim());
  assert.equal(BOOTSTRAP_STEP, "C:\\ProgramData\\msgw\\bootstrap.step");
  assert.ok(lines.includes("$msgwStepFile = 'C:\\ProgramData\\msgw\\bootstrap.step'"));
  assert.ok(
    lines.includes(
      "function Write-Step([string]$text) { Write-Output ('msgw {0:u}: {1}' -f (Get-Date).ToUniversalTime(), $text); if ($msgwStepFile) { Set-Content -LiteralPath $msgwStepFile -Value $text } }",
    ),
  );
  assert.ok(
    lines.includes(
      'Set-Content -LiteralPath $msgwStepFile -Value "FAILED: $($_.Exception.Message)"',
    ),
  );
  // The step file is set before the first step is logged.
  assert.ok(
    lines.indexOf("$msgwStepFile = 'C:\\ProgramData\\msgw\\bootstrap.step'") <
      lines.findIndex((l) => l.startsWith("Write-Step ")),
  );
  assert.doesNotMatch(renderSettingsCommand(input), /msgwStepFile = /);
});
