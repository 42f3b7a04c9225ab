// `npm run plan -- --stack dev [--json]`: the stack program started as `pulumi preview` starts it (Pulumi.yaml,
// @pulumi/pulumi/cmd/run, the language host's arguments and environment) against a mock resource monitor
// served over gRPC; no credentials, no Pulumi CLI, no network. Prints every resource it would create and the
// outputs.
import { Command } from "commander";
import * as fs from "node:fs";
import * as path from "node:path";
import { stackConfigProblems } from "../components/stack-file/keys";
import { readStackFile, StackFileError } from "../components/stack-file/read";
import type { OfflinePlan, PlannedResource } from "./offline-plan";
import { ProgramError, planProgram, programLocation } from "./program-plan";

const ROOT = path.resolve(__dirname, "..");
const PROJECT = "msgw";

/** Placeholders for provider secrets a plan does not need (set with `pulumi config set --secret`). */
const SECRET_PLACEHOLDERS: Record<string, string> = {
  "cloudflare:apiToken": "offline-plan-placeholder",
};

/** Reads `stacks/Pulumi.<stack>.yaml` into the flat key -> string map the Pulumi runtime uses. */
export function readStackConfig(
  stack: string,
  configDir = path.join(ROOT, "stacks"),
): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const file = path.join(configDir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9._-]+$/.test(stack) || !fs.existsSync(file)) {
    const known = fs
      .readdirSync(configDir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined);
    throw new Error(
      `no stack "${stack}": stacks/Pulumi.${stack}.yaml does not exist; known stacks: ${known.join(", ")}`,
    );
  }
  const relative = path.join(path.basename(configDir), `Pulumi.${stack}.yaml`);
  // The Pulumi CLI's YAML rules (gopkg.in/yaml.v3): ambiguous values and unknown keys are refused here.
  const read = readStackFile(fs.readFileSync(file, "utf8"), relative, PROJECT);
  const keyProblems = stackConfigProblems(read.config, PROJECT);
  if (keyProblems.length > 0) throw new StackFileError(relative, keyProblems);
  const config: Record<string, string> = { ...read.config };
  const secretKeys: string[] = [...read.secureKeys];
  for (const key of secretKeys) config[key] = "offline-plan-secret-placeholder";
  for (const [key, placeholder] of Object.entries(SECRET_PLACEHOLDERS)) {
    if (!(key in config)) {
      config[key] = placeholder;
      secretKeys.push(key);
    }
  }
  return { config, secretKeys };
}

const KEY_INPUTS: Record<string, string[]> = {
  "cloudflare:index/dnsRecord:DnsRecord": ["type", "name", "content", "priority", "ttl", "proxied"],
  "aws:ec2/instance:Instance": [
    "instanceType",
    "region",
    "ami",
    "rootBlockDevice.encrypted",
    "metadataOptions.httpTokens",
  ],
  "aws:ec2/eip:Eip": ["domain", "region"],
  "aws:ec2/securityGroup:SecurityGroup": ["vpcId", "region"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
    "fromPort",
    "cidrIpv4",
    "cidrIpv6",
    "description",
  ],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ipProtocol", "cidrIpv4"],
  "aws:ssm/parameter:Parameter": ["name", "type", "value"],
  "tls:index/privateKey:PrivateKey": ["algorithm", "ecdsaCurve"],
  "tls:index/selfSignedCert:SelfSignedCert": [
    "subject.commonName",
    "dnsNames",
    "isCaCertificate",
    "validityPeriodHours",
  ],
  "tls:index/certRequest:CertRequest": ["subject.commonName", "dnsNames"],
  "tls:index/locallySignedCert:LocallySignedCert": ["validityPeriodHours", "earlyRenewalHours"],
  "command:local:Command": ["create"],
};

function pick(inputs: Record<string, unknown>, dotted: string): unknown {
  return dotted
    .split(".")
    .reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      inputs,
    );
}

/** The few inputs worth reading in a table, per resource type. */
export function keyInputs(r: PlannedResource): string {
  const fields = KEY_INPUTS[r.type] ?? [];
  return fields
    .map((f) => [f, pick(r.inputs, f)] as const)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([f, v]) => `${f}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

/** Human-readable plan. */
export function renderPlan(stack: string, plan: OfflinePlan): string {
  const rows = plan.resources.map((r) => [r.type, r.name, keyInputs(r)]);
  const w0 = Math.max(4, ...rows.map((r) => r[0].length));
  const w1 = Math.max(4, ...rows.map((r) => r[1].length));
  const lines = [
    `Offline plan of stack "${stack}" (Pulumi mocks: no credentials, no network; addresses and ids are placeholders)`,
    "",
    `${"type".padEnd(w0)}  ${"name".padEnd(w1)}  key inputs`,
    `${"-".repeat(w0)}  ${"-".repeat(w1)}  ----------`,
    ...rows.map(([t, n, k]) => `${t.padEnd(w0)}  ${n.padEnd(w1)}  ${k}`),
    "",
    `${plan.resources.length} resources`,
    "",
  ];
  const mx = plan.outputs.mxRecords as Array<{ preference: number; target: string }> | undefined;
  if (mx) {
    lines.push(
      `MX records of ${String(plan.outputs.mailDomain)}:`,
      ...mx.map((m) => `  ${String(m.preference).padStart(5)}  ${m.target}`),
      "",
    );
  }
  if (typeof plan.outputs.zoneFile === "string")
    lines.push("Zone file fragment:", plan.outputs.zoneFile);
  if (typeof plan.outputs.runbook === "string") lines.push(plan.outputs.runbook);
  const other = Object.keys(plan.outputs).filter(
    (k) => !["mxRecords", "zoneFile", "runbook"].includes(k),
  );
  lines.push(
    `Other outputs: ${other.join(", ")}${plan.secretOutputs.length ? ` (secret: ${plan.secretOutputs.join(", ")})` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const program = new Command("plan")
    .description(
      "Run the msgw stack program as `pulumi preview` starts it, against a mock resource monitor, and print what it would create",
    )
    .requiredOption("-s, --stack <name>", "stack whose stacks/Pulumi.<name>.yaml to use")
    .option("--json", "print the plan as JSON")
    .parse(process.argv);
  const opts = program.opts<{ stack: string; json?: boolean }>();
  const fail = (message: string): never => {
    process.stderr.write(`plan: ${message}\n`);
    process.exit(2);
  };
  const root = process.env.MSGW_PLAN_ROOT ? path.resolve(process.env.MSGW_PLAN_ROOT) : ROOT;
  let stackConfig: ReturnType<typeof readStackConfig>;
  try {
    stackConfig = readStackConfig(opts.stack, programLocation(root).stackConfigDir);
  } catch (err) {
    return fail((err as Error).message);
  }
  try {
    const run = await planProgram({ rootDirectory: root, stack: opts.stack, ...stackConfig });
    const plan: OfflinePlan = {
      resources: run.resources,
      outputs: run.outputs,
      secretOutputs: run.secretOutputs,
    };
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ stack: opts.stack, ...plan }, null, 2)}\n`
        : renderPlan(opts.stack, plan),
    );
  } catch (err) {
    // A resource's own validation error is a configuration problem; anything else is the program's.
    const configErrors =
      err instanceof ProgramError ? err.logged.filter((m) => !m.startsWith("Running program")) : [];
    if (configErrors.length > 0) {
      fail(`stack "${opts.stack}" has a bad configuration: ${configErrors.join("\n")}`);
    }
    fail(`stack "${opts.stack}": ${(err as Error).message}`);
  }
}

if (require.main === module) void main();
