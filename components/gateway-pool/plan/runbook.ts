// Pure: the runbook (Markdown) of what an administrator still does by hand.
import type { ArchivingProfileSettings } from "./archiving-profile";
import { pfxExportCommand } from "./pfx-command";
import type { GatewayPoolPlan } from "./pool-plan";
import { BOOTSTRAP_LOG } from "./user-data";
import type { HostState } from "../args";
import { checkPortFlags } from "./check-ports";
import { renderStages } from "./stages";

/** One gateway as the runbook describes it (plain values, resolved at deployment). */
export interface RunbookGateway {
  hostname: string;
  address: string;
  state: HostState;
  mxPreference: number | undefined;
  placement: "aws" | "existing";
  certificateSha256: string | undefined;
  archivingProfile: ArchivingProfileSettings;
  /** AWS hosts: the instance and the data volume that outlives it. */
  aws?: { instanceId: string; dataVolumeId: string; region: string | undefined };
}

/** Input of {@link renderRunbook}. */
export interface RunbookInput {
  poolName: string;
  /** Pulumi stack name, used in the commands the runbook quotes. */
  stack: string;
  plan: GatewayPoolPlan;
  gateways: RunbookGateway[];
  legacyAddress: string | undefined;
  /** The data-volume snapshot schedule, when backups are on. */
  backupSchedule?: string;
  /** Alarm topic ARN per region (`default` = the provider's region). */
  alarmTopicArns?: Record<string, string>;
  /** Certificates issued or renewed by this update (host names, `pool CA`). */
  certificateRenewals?: string[];
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
  const migrating = plan.legacy?.phase === "migrating";
  const source =
    plan.configSync?.source ??
    (migrating ? plan.legacy?.hostname : undefined) ??
    gateways.find((g) => g.state === "active")?.hostname;
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
    ...renderStages({ stack: input.stack, plan, gateways }),
    "## Once for the pool",
    "",
    migrating
      ? `1. The journal mailbox(es) already exist on ${source}, the legacy gateway: do not create new ones; they reach the pool hosts with its configuration.`
      : `1. On ${source ?? "the configuration source"}, create the journal mailbox(es) in the Management Console (https://${source ?? "<source>"}:${plan.gateway.ports.managementConsole}/). The password is shown once: store it in your password manager.`,
    "2. Never reset a mailbox password on any host: mail waiting on the other hosts is encrypted with a key protected by that password and would become unreadable. To change credentials, create a new mailbox, add new archiving profiles for every host, then switch the journal rule.",
    plan.configSync
      ? `3. Copy the configuration to the other hosts by bumping \`configSync.revision\` (now ${plan.configSync.revision}) and running \`pulumi up --stack ${input.stack}\`; every target is backed up first. Check with \`msgw config status --stack ${input.stack}\`. On the first \`pulumi up\` of a new pool the source has no configuration yet: \`pulumi stack output --stack ${input.stack} configManifest\` shows \`waiting-for-source-configuration\` and nothing is copied; configure the source, then bump the revision.`
      : `3. Copy the configuration to every other host by hand: stop the gateway service (${plan.gateway.serviceName}), copy the top-level files of ${plan.gateway.dataDirectory} (never its sub-folders: those are mailboxes), start the service.`,
    migrating
      ? `4. The journal rule (Microsoft 365 / Google Workspace) already delivers to \`mbx-…@${plan.mailDomain}\`: leave it. The first MX record moves its mail from the legacy gateway to the pool.`
      : `4. Point the journal rule (Microsoft 365 / Google Workspace) at \`mbx-…@${plan.mailDomain}\` once a host is active (before the first MX record the mail domain takes no mail).`,
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
        `${step++}. Make sure ${g.hostname} has the firewall rules of the README (${plan.gateway.ports.smtp} from senders, ${plan.gateway.ports.pop3} from MailStore Server, ${plan.gateway.ports.managementConsole} from admins only).`,
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
        `${step++}. Install this host's certificate: \`pulumi stack output --stack ${input.stack} gateways\` gives its certificate and \`pulumi stack output --stack ${input.stack} --show-secrets certificatePrivateKeys\` its key; convert them to PFX (\`${pfxExportCommand(g.hostname)}\`, which every Windows Server version imports), import it in the Management Console and check the fingerprint ${g.certificateSha256 ?? "(shown after deployment)"}.`,
      );
    }
    if (g.state === "active") {
      out.push(
        `${step++}. In MailStore Server, add an archiving profile per journal mailbox for this host: server \`${p.server}\`, ${p.protocol} port ${p.port} with ${p.security}, user \`${p.userName}\`, trust ${p.trust}; never ignore certificate errors.`,
      );
    } else if (g.state === "standby") {
      out.push(
        `${step++}. In MailStore Server, add an archiving profile per journal mailbox for this host now, as for an active host: server \`${p.server}\`, ${p.protocol} port ${p.port} with ${p.security}, user \`${p.userName}\`, trust ${p.trust}.`,
        `${step++}. Standby: no MX record points here yet, so the host takes no mail. When the gateway is installed, has the configuration and its certificate, and \`msgw check --wait 900 --gateway ${g.hostname}=${g.address}${checkPortFlags(input.plan.gateway.ports)}${certMode === "pool-ca" ? " --ca pool-ca.pem" : ""}\` passes for it (${certMode === "pool-ca" ? "pool-ca.pem: the exported pool CA; " : ""}a plain \`msgw check\` follows the MX records, which leave this host out), set its \`state\` to \`active\` and run \`pulumi up --stack ${input.stack}\` to publish its MX record.`,
      );
    } else {
      out.push(
        `${step++}. Draining: no MX record points here any more. Keep its archiving profiles running until its mailbox folders are empty (\`msgw config status\` counts them), then remove its archiving profiles and delete the host from \`hosts\`.`,
      );
    }
    out.push("");
  }
  const awsGateways = gateways.filter((g) => g.aws !== undefined);
  if (awsGateways.length > 0) out.push(...awsSections(input, awsGateways));
  if (certMode !== "gateway-lets-encrypt") out.push(...renewalSection(input));
  if (plan.legacy) {
    const l = plan.legacy;
    out.push(`## Legacy gateway ${l.hostname} (${l.phase})`, "");
    if (l.phase === "migrating") {
      out.push(
        ...(l.importId === undefined
          ? []
          : [
              `0. Its live A record is adopted (\`legacy.importId\` ${l.importId}); after the first successful \`pulumi up\`, remove \`importId\` from the configuration. Destroying the pool never deletes this record.`,
            ]),
        `1. Keep ${l.hostname} running, its A record (${input.legacyAddress ?? "its address"}) and its archiving profile: senders with cached records still deliver to it for hours.`,
        `2. It is the configuration source: the pool hosts receive its configuration (restore runs on every \`configSync.revision\` bump).`,
        gateways.some((g) => g.state === "active")
          ? `3. The MX records of ${plan.mailDomain} point at the active pool host(s) (${gateways
              .filter((g) => g.state === "active")
              .map((g) => g.hostname)
              .join(
                ", ",
              )}), so senders deliver there once their cached records expire; watch this host's mailbox folders empty out (\`msgw config status\`).`
          : `3. No pool host is active yet, so ${plan.mailDomain} has no MX record and senders still deliver to ${l.hostname} through its A record. Once a pool host is \`active\`, its MX record takes the mail; then watch this host's mailbox folders empty out (\`msgw config status\`).`,
        `4. When they stay empty for longer than the largest TTL you ever published (at least 24 hours is safe), set \`legacy.phase\` to \`retired\` and \`configSync.source\` to a pool host in one change and run \`pulumi up\`. Keep \`configSync.revision\` if nobody changed the configuration on that pool host since the last copy (it then equals the stored revision); if someone did, bump the revision in the same change.`,
      );
    } else {
      out.push(
        `1. The pool no longer manages its A record and never deletes it: the record stays in Cloudflare, pointing at ${input.legacyAddress ?? "the old address"}, so senders with cached records still reach the old host. Confirm its mailbox folders are empty and MailStore Server has archived them.`,
        `2. Remove its archiving profile(s) in MailStore Server, then shut down and decommission the machine (keep a backup of ${plan.gateway.dataDirectory}).`,
        `3. Delete the A record of ${l.hostname} in the Cloudflare dashboard (DNS > Records) once the machine is off, and remove \`legacy\` from the stack configuration.`,
      );
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

const regionFlag = (region: string | undefined): string =>
  region === undefined ? "" : ` --region ${region}`;

/** Access, first boot, images, data volume, snapshots and alarms of the AWS hosts. */
function awsSections(input: RunbookInput, gws: RunbookGateway[]): string[] {
  const { plan } = input;
  const out: string[] = [
    "## Getting onto an AWS host",
    "",
    "Every AWS host has an instance role with Session Manager; no inbound port is needed.",
    "",
    ...table(
      ["host", "instance", "shell (Session Manager)", "data volume"],
      gws.map((g) => {
        const a = g.aws as NonNullable<RunbookGateway["aws"]>;
        return [
          g.hostname,
          a.instanceId,
          `\`aws ssm start-session --target ${a.instanceId}${regionFlag(a.region)}\``,
          a.dataVolumeId,
        ];
      }),
    ),
    "",
    "- Desktop: AWS console > Systems Manager > Fleet Manager > the instance > Node actions > Connect with Remote Desktop (Windows credentials: with `aws.keyName`, `aws ec2 get-password-data --instance-id <id> --priv-launch-key <key.pem>`; without, set a password from a Session Manager shell).",
    `- First boot: every step is logged to \`${BOOTSTRAP_LOG}\`; it ends with "bootstrap complete". A failed step says what to do next. To run the bootstrap again (every step is idempotent), from a Session Manager shell: \`$t = Invoke-RestMethod -Method PUT http://169.254.169.254/latest/api/token -Headers @{'X-aws-ec2-metadata-token-ttl-seconds'='300'}; (Invoke-RestMethod http://169.254.169.254/latest/user-data -Headers @{'X-aws-ec2-metadata-token'=$t}) -replace '</?powershell>','' | Set-Content C:\\ProgramData\\msgw\\bootstrap.ps1; powershell -File C:\\ProgramData\\msgw\\bootstrap.ps1\``,
    "- Settings (firewall ports, authorised SSH key, installer): changed settings reach running hosts through each host's SSM association, never by restarting the instance; `pulumi up` waits for the association and fails if it fails. Its history: `aws ssm list-associations --association-filter-list key=InstanceId,value=<instance>`.",
    "",
    "## Windows images: a rolling update",
    "",
    "A host keeps the image it was created with; a newer Windows image never replaces it. An active host's instance and Elastic IP are protected: an update that would replace them (a new `aws.ami`, `aws.keyName`, `aws.subnetId`, zone or region) is refused. To move a host to a new image, one host at a time:",
    "",
    "1. Set the host's `state` to `standby` and run `pulumi up` (its MX record goes, senders move to the others, its instance is no longer protected).",
    "2. Set the host's `aws.ami` to the new image id and run `pulumi up`: the instance is replaced, the old one is stopped before its data volume moves to the new one, and the first boot attaches the existing volume (it is never formatted again).",
    "3. When the new instance's bootstrap log says \"bootstrap complete\", import the host's certificate again and check it with `msgw check --wait 900 --gateway <host>=<address>`.",
    "4. Set `state` back to `active` and run `pulumi up` (its readiness gate runs the same check, then its MX record returns); go on with the next host.",
    "",
    "A replacement for any other reason (`aws.keyName`, `aws.subnetId`) launches with the image the lookup finds then and today's first-boot script: set `aws.ami` on the host to keep a known image. Changing a pool-wide setting that replaces instances is refused while hosts are active: use the per-host setting, host by host.",
    "",
    "## Mail data, snapshots and the restore drill",
    "",
    `Each host's data directory (${plan.gateway.dataDirectory}) is a junction to its own encrypted EBS volume, which survives the instance: it is protected (a change that would replace it fails) and retained when the host or the stack is removed (delete it by hand once its mail is archived).`,
    input.backupSchedule
      ? `Snapshots: ${input.backupSchedule}, for every data volume above (Data Lifecycle Manager).`
      : "Snapshots are OFF (`backup.enabled: false`): the data volumes have no copy.",
    "",
    "Restore drill (run it once, and after every change to the backup settings):",
    "",
    "1. Pick the newest snapshot of a host's data volume: `aws ec2 describe-snapshots --owner-ids self --filters Name=volume-id,Values=<data volume>`.",
    "2. Add a host `msgw-drill.<zone>` with `state: draining` (no MX record) and `aws.dataVolumeSnapshotId: <snapshot id>`, and run `pulumi up`.",
    "3. On the drill host, check that the gateway starts and shows the pool's mailboxes and their queued mail (Management Console, or the data directory through Session Manager).",
    "4. Remove the drill host: `pulumi state unprotect` its data volume (`<pool>-msgw-drill-data`), remove the host, `pulumi up`, then delete the retained volume in the EC2 console.",
    "",
    "To recover a host whose volume is lost: give the replacement host `aws.dataVolumeSnapshotId` of its newest snapshot (after `pulumi state unprotect` of the lost volume).",
    "",
    "## Alarms",
    "",
    "Per host, a failed system status check (AWS hardware) for 2 minutes triggers EC2 automatic recovery: the same instance, addresses and volumes on healthy hardware. A failed instance status check (Windows itself) for 5 minutes only notifies: connect through Session Manager, read the event log, reboot if it hangs.",
    "",
    ...Object.entries(input.alarmTopicArns ?? {}).map(
      ([region, arn]) =>
        `- Subscribe to the alarm topic (${region}): \`aws sns subscribe --topic-arn ${arn} --protocol email --notification-endpoint ops@example.com\``,
    ),
    "",
  ];
  return out;
}

/** What to do after a certificate was issued or renewed. */
function renewalSection(input: RunbookInput): string[] {
  const renewed = input.certificateRenewals ?? [];
  const out: string[] = ["## After a certificate renewal", ""];
  out.push(
    renewed.length > 0
      ? `This update issued or renewed: ${renewed.join(", ")}.`
      : "This update renewed no certificate.",
    "",
    "`pulumi stack output certificateExpiry` lists every certificate's expiry and the date from which `pulumi up` renews it; `certificateRenewals` names the ones the last update issued.",
    "",
    "1. If the pool CA was renewed: import the new CA (`caCertificatePem`) into the trusted root store of the MailStore Server machine, and keep the old one until every host serves its new certificate. Every host certificate is re-signed in the same update.",
    "2. For each renewed host: install its new certificate and key in the Management Console as in the host's steps above, and compare the fingerprint.",
    "3. Run `msgw check` to see each host serve the new certificate.",
    "",
  );
  return out;
}
