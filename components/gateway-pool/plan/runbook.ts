import type { ArchivingProfileSettings } from "./archiving-profile";
import type { GatewayPoolPlan } from "./pool-plan";
import type { HostState } from "../args";

/** One gateway as the runbook describes it (plain values, resolved at deployment). */
export interface RunbookGateway {
  hostname: string;
  address: string;
  state: HostState;
  mxPreference: number | undefined;
  placement: "aws" | "existing";
  certificateSha256: string | undefined;
  archivingProfile: ArchivingProfileSettings;
}

/** Input of {@link renderRunbook}. */
export interface RunbookInput {
  poolName: string;
  /** Pulumi stack name, used in the commands the runbook quotes. */
  stack: string;
  plan: GatewayPoolPlan;
  gateways: RunbookGateway[];
  legacyAddress: string | undefined;
}

const table = (header: string[], rows: string[][]): string[] => [
  `| ${header.join(" | ")} |`,
  `| ${header.map(() => "---").join(" | ")} |`,
  ...rows.map((r) => `| ${r.join(" | ")} |`),
];

/**
 * Markdown runbook of everything an administrator still does by hand, host by host, including the legacy
 * phase and draining hosts. Pure: the same outputs give the same text.
 */
export function renderRunbook(input: RunbookInput): string {
  const { plan, gateways } = input;
  const certMode = plan.certificates.mode;
  const source = plan.configSync?.source ?? gateways.find((g) => g.state === "active")?.hostname;
  const out: string[] = [
    `# Runbook: MailStore Gateway pool for ${plan.mailDomain}`,
    "",
    `Journal rules deliver to \`mbx-…@${plan.mailDomain}\`. The pool publishes one MX record per active host (${plan.strategy}); each host has its own name, A record and certificate.`,
    "",
    ...table(
      ["host", "address", "state", "MX preference", "runs on", "certificate SHA-256"],
      gateways.map((g) => [
        g.hostname,
        g.address,
        g.state,
        g.mxPreference === undefined ? `none (${g.state})` : String(g.mxPreference),
        g.placement === "aws" ? "AWS EC2" : "existing machine",
        g.certificateSha256 ??
          (certMode === "gateway-lets-encrypt" ? "Let's Encrypt (gateway)" : "-"),
      ]),
    ),
    "",
    "## Once for the pool",
    "",
    `1. On ${source ?? "the configuration source"}, create the journal mailbox(es) in the Management Console (https://${source ?? "<source>"}:${plan.gateway.ports.managementConsole}/). The password is shown once: store it in your password manager.`,
    "2. Never reset a mailbox password on any host: mail waiting on the other hosts is encrypted with a key protected by that password and would become unreadable. To change credentials, create a new mailbox, add new archiving profiles for every host, then switch the journal rule.",
    plan.configSync
      ? `3. Copy the configuration to the other hosts by bumping \`configSync.revision\` (now ${plan.configSync.revision}) and running \`pulumi up --stack ${input.stack}\`; every target is backed up first. Check with \`msgw config status\`.`
      : `3. Copy the configuration to every other host by hand: stop the gateway service (${plan.gateway.serviceName}), copy the top-level files of ${plan.gateway.dataDirectory} (never its sub-folders: those are mailboxes), start the service.`,
    `4. Point the journal rule (Microsoft 365 / Google Workspace) at \`mbx-…@${plan.mailDomain}\`.`,
  ];
  if (certMode === "pool-ca") {
    out.push(
      `5. Export the pool CA (\`pulumi stack output --stack ${input.stack} caCertificatePem\`) and import it into the trusted root store of the MailStore Server machine, once.`,
    );
  }
  out.push("", "## Host by host", "");
  for (const g of gateways) {
    const p = g.archivingProfile;
    out.push(`### ${g.hostname} (${g.state})`, "");
    let step = 1;
    if (g.placement === "existing") {
      out.push(
        `${step++}. Make sure ${g.hostname} has the firewall rules of the README (25 from senders, ${plan.gateway.ports.pop3} from MailStore Server, ${plan.gateway.ports.managementConsole} from admins only).`,
      );
    }
    if (!plan.gateway.installerUrl || g.placement === "existing") {
      out.push(
        `${step++}. Install MailStore Gateway on ${g.hostname} if it is not installed (the pool did not install it).`,
      );
    }
    if (certMode === "gateway-lets-encrypt") {
      out.push(
        `${step++}. In the Management Console, enable Let's Encrypt for the host name \`${g.hostname}\` (80/tcp is open for the challenge).`,
      );
    } else {
      out.push(
        `${step++}. Install this host's certificate: \`pulumi stack output --stack ${input.stack} gateways\` gives its certificate and \`pulumi stack output --stack ${input.stack} --show-secrets certificatePrivateKeys\` its key; convert them to PFX (\`openssl pkcs12 -export -in ${g.hostname}.crt -inkey ${g.hostname}.key -out ${g.hostname}.pfx\`), import it in the Management Console and check the fingerprint ${g.certificateSha256 ?? "(shown after deployment)"}.`,
      );
    }
    if (g.state === "active") {
      out.push(
        `${step++}. In MailStore Server, add an archiving profile per journal mailbox for this host: server \`${p.server}\`, ${p.protocol} port ${p.port} with ${p.security}, user \`${p.userName}\`, trust ${p.trust}; never ignore certificate errors.`,
      );
    } else if (g.state === "standby") {
      out.push(
        `${step++}. In MailStore Server, add an archiving profile per journal mailbox for this host now, as for an active host: server \`${p.server}\`, ${p.protocol} port ${p.port} with ${p.security}, user \`${p.userName}\`, trust ${p.trust}.`,
        `${step++}. Standby: no MX record points here yet, so the host takes no mail. When the gateway is installed, has the configuration and its certificate, and \`msgw check\` passes for it, set its \`state\` to \`active\` and run \`pulumi up --stack ${input.stack}\` to publish its MX record.`,
      );
    } else {
      out.push(
        `${step++}. Draining: no MX record points here any more. Keep its archiving profiles running until its mailbox folders are empty (\`msgw config status\` counts them), then remove its archiving profiles and delete the host from \`hosts\`.`,
      );
    }
    out.push("");
  }
  if (plan.legacy) {
    const l = plan.legacy;
    out.push(`## Legacy gateway ${l.hostname} (${l.phase})`, "");
    if (l.phase === "migrating") {
      out.push(
        `1. Keep ${l.hostname} running, its A record (${input.legacyAddress ?? "its address"}) and its archiving profile: senders with cached records still deliver to it for hours.`,
        `2. It is the configuration source: the pool hosts receive its configuration (restore runs on every \`configSync.revision\` bump).`,
        `3. MX records for ${plan.mailDomain} now point at the pool; watch its mailbox folders empty out (\`msgw config status\`).`,
        `4. When they stay empty for longer than the largest TTL you ever published (at least 24 hours is safe), set \`legacy.phase\` to \`retired\`, set \`configSync.source\` to a pool host and run \`pulumi up\`.`,
      );
    } else {
      out.push(
        `1. Its A record is removed by the pool. Confirm its mailbox folders are empty and MailStore Server has archived them.`,
        `2. Remove its archiving profile(s) in MailStore Server, then shut down and decommission the machine (keep a backup of ${plan.gateway.dataDirectory}).`,
        `3. Remove \`legacy\` from the stack configuration once the machine is gone.`,
      );
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}
