/**
 * Pure: the runbook's stage list. A migration from a legacy gateway (its mailboxes and journal rule
 * already exist, mail moves with the first MX record) and a new pool (mailboxes created on the source,
 * the journal rule pointed at the pool once a host is active) go through different stages; each names
 * its configuration change and its check, and the list marks where the pool is now.
 */
import type { GatewayPoolPlan } from "./pool-plan";
import type { HostState } from "../args";

/** One gateway as the stage list sees it. */
export interface StageGateway {
  hostname: string;
  address: string;
  state: HostState;
}

/** Input of {@link renderStages}. */
export interface StagesInput {
  stack: string;
  plan: GatewayPoolPlan;
  gateways: StageGateway[];
}

/** One stage: what to change, how to check it, and whether it is done, next or later. */
interface Stage {
  title: string;
  change: string;
  check: string;
}

/** `msgw check --wait` of one host by name and address (a standby host has no MX record to follow). */
export function hostCheckCommand(plan: GatewayPoolPlan, g: StageGateway): string {
  const ca = plan.certificates.mode === "pool-ca" ? " --ca pool-ca.pem" : "";
  return `msgw check --wait 900 --gateway ${g.hostname}=${g.address}${ca}`;
}

/**
 * Index (0-based) of the stage the pool is at: the first stage whose work is not visible in the
 * configuration yet. A migration: 1 hosts created, 2 completed by hand, 3 promoted, 4 legacy retired,
 * 5 legacy removed. A new pool: 1 hosts created, 2 mailboxes and hosts completed, 3 promoted, 4 the
 * journal rule.
 */
function currentStage(plan: GatewayPoolPlan, gateways: StageGateway[]): number {
  const active = gateways.filter((g) => g.state === "active").length;
  const standby = gateways.filter((g) => g.state === "standby").length;
  if (plan.legacy?.phase === "retired") return 4;
  if (active === 0) return 1;
  if (standby > 0) return 2;
  return 3;
}

/** The "## Stages" section of the runbook, as lines. */
export function renderStages(input: StagesInput): string[] {
  const { plan, gateways, stack } = input;
  const legacy = plan.legacy;
  const migration = legacy !== undefined;
  const standby = gateways.filter((g) => g.state === "standby");
  const active = gateways.filter((g) => g.state === "active");
  const first = active[0]?.hostname ?? gateways[0]?.hostname ?? "<pool host>";
  const pathOf = (hostname: string) =>
    `hosts[${gateways.findIndex((g) => g.hostname === hostname)}]`;
  const checks =
    (standby.length > 0 ? standby : gateways)
      .map((g) => `\`${hostCheckCommand(plan, g)}\``)
      .join("; ") || "`msgw check --wait 900 --gateway <host>=<address>`";
  const up = `\`pulumi up --stack ${stack}\``;
  const created: Stage = {
    title: "Pool hosts created, in standby",
    change: `every host with \`state: standby\`${migration ? ", `legacy.phase: migrating`" : ""}; ${up}`,
    check: `\`pulumi stack output --stack ${stack} mxRecords\` is \`[]\` (no MX record yet)${plan.configSync ? `; \`msgw config status --stack ${stack}\`` : ""}`,
  };
  const promoted: Stage = {
    title: "Hosts promoted, one at a time",
    change: `${standby.length > 0 ? standby.map((g) => `\`${pathOf(g.hostname)}.state: active\``).join(", then ") : "`hosts[i].state: active`"}; ${up} after each: its readiness gate runs the host's check, then its MX record is published`,
    check: `\`msgw check --stack ${stack}\` (follows the MX records)`,
  };
  const stages: Stage[] = migration
    ? [
        created,
        {
          title: "Each host completed by hand (host steps below)",
          change: `none; the configuration of ${legacy.hostname} (its mailboxes included) reaches the hosts with each \`configSync.revision\` bump`,
          check: `passes for each host: ${checks}`,
        },
        promoted,
        {
          title: `Legacy gateway ${legacy.hostname} retired`,
          change: `\`legacy.phase: retired\` and \`configSync.source: ${first}\`; ${up}`,
          check: `before the change: the mailbox folders of ${legacy.hostname} stay empty (\`msgw config status --stack ${stack}\`), its archiving profile has archived everything, and more than its A record's TTL (${plan.addressTtl} s; at least 24 hours is safe) has passed since the first MX record was published`,
        },
        {
          title: `Legacy gateway ${legacy.hostname} removed`,
          change: `remove its archiving profile, shut it down, delete its A record in Cloudflare by hand, then remove \`legacy\`; ${up}`,
          check: `\`pulumi stack output --stack ${stack} zoneFile\` no longer lists ${legacy.hostname}`,
        },
      ]
    : [
        created,
        {
          title: "Mailboxes created, each host completed by hand (host steps below)",
          change: plan.configSync
            ? `the journal mailbox(es) on ${plan.configSync.source}, then a \`configSync.revision\` bump; ${up}`
            : "the journal mailbox(es) on one host, its configuration copied to the others by hand",
          check: `passes for each host: ${checks}`,
        },
        promoted,
        {
          title: "Journal rule pointed at the pool",
          change: `the journal rule delivers to \`mbx-…@${plan.mailDomain}\` (only now: before the first MX record the mail domain takes no mail)`,
          check: `\`msgw check --stack ${stack}\`; the journal mailbox folders fill and empty as MailStore Server archives`,
        },
      ];
  const now = currentStage(plan, gateways);
  const out: string[] = [
    `## Stages (${migration ? `migration from ${legacy.hostname}` : "new pool"})`,
    "",
    migration
      ? `The journal mailboxes and the journal rule already exist on ${legacy.hostname}: they are not created again. Mail keeps reaching ${legacy.hostname} through its A record until the first MX record of ${plan.mailDomain} is published (stage 3); from then on senders use the MX records.`
      : `Mail reaches the pool only through its MX records, one per active host. A host is published only after its check passes.`,
    "",
  ];
  stages.forEach((s, i) => {
    const mark = i < now ? " (done)" : i === now ? " (now)" : "";
    out.push(
      `${i + 1}. **${s.title}**${mark}`,
      `   - change: ${s.change}`,
      `   - check: ${s.check}`,
    );
  });
  out.push("");
  return out;
}
