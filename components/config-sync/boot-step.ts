/**
 * I/O: reads a new host's first-boot step through SSM Run Command, for the error of a boot wait that
 * ended without an SSH answer.
 */
import { printable } from "./text";

/** `arn:<partition>:ec2:<region>:<account>:instance/<id>`. */
export const EC2_INSTANCE_ARN =
  /^arn:aws(?:-[a-z]+)*:ec2:([a-z0-9-]+):\d{12}:instance\/(i-[0-9a-f]{8,17})$/;

/** Where to read the step: the instance and the file the first boot writes. */
export interface BootStepProbe {
  instanceArn: string;
  file: string;
}

/** Reads the step file's text; throws with the reason it cannot. */
export type BootStepReader = (probe: BootStepProbe) => Promise<string>;

/** The part of `@aws-sdk/client-ssm` used here (tests give a fake). */
export interface SsmSdk {
  SSMClient: new (cfg: { region: string; maxAttempts?: number }) => {
    send(c: unknown): Promise<Record<string, unknown>>;
  };
  SendCommandCommand: new (input: Record<string, unknown>) => unknown;
  GetCommandInvocationCommand: new (input: Record<string, unknown>) => unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function loadSsmSdk(): SsmSdk {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-ssm") as SsmSdk;
  } catch {
    throw new Error(
      "the package @aws-sdk/client-ssm is not installed (npm install @aws-sdk/client-ssm)",
    );
  }
}

/**
 * Runs `Get-Content <file>` on the instance with the `AWS-RunPowerShellScript` document (SSM
 * `SendCommand`) and returns its output (`GetCommandInvocation`), within `deadlineMs`. The SSM agent
 * starts long before sshd on a Windows host, so this answers while SSH does not. Credentials come from
 * the SDK's usual chain (the deployer's); it needs `ssm:SendCommand` and `ssm:GetCommandInvocation`.
 */
export async function readBootStepViaSsm(
  probe: BootStepProbe,
  sdk: SsmSdk = loadSsmSdk(),
  timing: { deadlineMs: number; pollMs: number } = { deadlineMs: 60_000, pollMs: 2000 },
): Promise<string> {
  const m = EC2_INSTANCE_ARN.exec(probe.instanceArn);
  if (!m) throw new Error(`${JSON.stringify(probe.instanceArn)} is not an EC2 instance ARN`);
  const [, region, instanceId] = m;
  const client = new sdk.SSMClient({ region, maxAttempts: 3 });
  const deadline = Date.now() + timing.deadlineMs;
  let sent: Record<string, unknown>;
  try {
    sent = await client.send(
      new sdk.SendCommandCommand({
        DocumentName: "AWS-RunPowerShellScript",
        InstanceIds: [instanceId],
        Parameters: {
          commands: [`Get-Content -LiteralPath '${probe.file}' -ErrorAction SilentlyContinue`],
        },
        TimeoutSeconds: 60,
        Comment: "msgw: read the first-boot step",
      }),
    );
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === "InvalidInstanceId")
      throw new Error(
        `the SSM agent of ${instanceId} is not online (Windows is still starting, or the instance cannot reach Systems Manager)`,
      );
    throw new Error(`SSM SendCommand failed: ${printable((e as Error).message)}`);
  }
  const commandId = (sent.Command as { CommandId?: string } | undefined)?.CommandId;
  if (!commandId) throw new Error("SSM SendCommand returned no command id");
  for (;;) {
    await sleep(Math.min(timing.pollMs, Math.max(0, deadline - Date.now())));
    let out: Record<string, unknown> | undefined;
    try {
      out = await client.send(
        new sdk.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
      );
    } catch (e) {
      // Right after SendCommand the invocation may not exist yet.
      if ((e as { name?: string }).name !== "InvocationDoesNotExist")
        throw new Error(`SSM GetCommandInvocation failed: ${printable((e as Error).message)}`);
    }
    const status = out?.Status as string | undefined;
    if (status === "Success") return String(out?.StandardOutputContent ?? "").trim();
    if (status !== undefined && !["Pending", "InProgress", "Delayed"].includes(status))
      throw new Error(
        `the SSM command ${commandId} ended ${status}${out?.StandardErrorContent ? `: ${printable(String(out.StandardErrorContent).trim().slice(-200))}` : ""}`,
      );
    if (Date.now() >= deadline)
      throw new Error(
        `the SSM command ${commandId} did not finish within ${Math.round(timing.deadlineMs / 1000)}s (status ${status ?? "not yet known"})`,
      );
  }
}

/**
 * The sentence a boot-wait error gets: the host's first-boot step, or why it could not be read. Never
 * throws.
 */
export async function bootStepNote(
  probe: BootStepProbe,
  reader: BootStepReader = (p) => readBootStepViaSsm(p),
): Promise<string> {
  const id = EC2_INSTANCE_ARN.exec(probe.instanceArn)?.[2] ?? probe.instanceArn;
  try {
    const step = printable((await reader(probe)).split(/\r?\n/).filter(Boolean).pop() ?? "");
    if (step === "")
      return `; ${id} has not recorded a first-boot step yet (${probe.file} is empty or missing: its first boot has not started, read it through Session Manager)`;
    return `; first boot on ${id} was at: "${step}" (${probe.file}, read through SSM; the whole log is C:\\ProgramData\\msgw\\bootstrap.log)`;
  } catch (e) {
    return `; the first-boot step of ${id} could not be read through SSM: ${printable((e as Error).message)}`;
  }
}
