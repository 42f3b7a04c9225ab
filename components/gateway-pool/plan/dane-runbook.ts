// Pure: the runbook's DANE section: DNSSEC and the DS record, the TLSA records per host, the rollover in
// progress, the legacy gateway's coverage and the Exchange Online connector hardening.
import type { DaneOutput } from "../resources/dane";
import type { DanePlan } from "./dane";
import type { LegacyPlan } from "./pool-plan";

/** Input of {@link renderDaneRunbook}. */
export interface DaneRunbookInput {
  plan: DanePlan;
  dane: DaneOutput;
  mailDomain: string;
  legacy: LegacyPlan | undefined;
}

/** Markdown section (starting with a blank line) appended to the runbook when DANE is on. */
export function renderDaneRunbook(input: DaneRunbookInput): string {
  const { plan, dane, mailDomain, legacy } = input;
  const out: string[] = ["", "## DANE (DNSSEC + TLSA)", ""];
  if (dane.dnssec === "pool") {
    out.push(
      "The pool turned on Cloudflare DNSSEC for the zone and never turns it off (not on destroy, not on `dane.enabled: false`): a DS record at the registrar with signing off makes every name of the zone fail validation.",
      "",
      dane.ds === null
        ? "- DS record: not reported yet; run `pulumi stack output dane` after the update."
        : `- Add this DS record at the zone's registrar (Cloudflare Registrar adds it itself): \`${dane.ds}\`. Until it is there, senders see the zone as unsigned and ignore the TLSA records.`,
    );
  } else {
    out.push(
      "The zone is signed outside the pool (`dane.dnssec: operator`): its DS record must be at the registrar, or senders ignore the TLSA records.",
    );
  }
  out.push(
    `- Check: \`dig +dnssec MX ${mailDomain}\` through a validating resolver shows the \`ad\` flag; \`msgw check\` verifies each host's TLSA record against the certificate it serves.`,
    "",
    "| host | TLSA name | key generation served | rollover | records |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const h of dane.hosts) {
    out.push(
      `| ${h.hostname} | ${h.recordName} | ${h.servingGeneration} | ${h.rollover} | ${h.records
        .map((r) => `g${r.generation} ${r.role}: \`${r.rdata}\``)
        .join("<br>")} |`,
    );
  }
  out.push("");
  for (const h of dane.hosts) {
    if (h.rollover === "publish") {
      out.push(
        `- ${h.hostname}: the next key's record is published. Serve it with \`rollover: "serve"\` from ${h.serveAllowedFrom ?? "twice the TTL after publication"} (an earlier update fails and says until when to wait); then install the new certificate and key on the gateway.`,
      );
    } else if (h.rollover === "serve") {
      out.push(
        `- ${h.hostname}: the certificate is on key generation ${h.servingGeneration}. Install it and its key on the gateway now, check it with \`msgw check\`, then finish with \`generation: ${h.servingGeneration}\` and no rollover: the old record is removed.`,
      );
    }
  }
  if (legacy?.phase === "migrating") {
    out.push(
      dane.legacy === null
        ? `- The legacy gateway ${legacy.hostname} has no TLSA record: mail that still reaches it is not protected by DANE. Give its certificate as \`dane.legacyPublicKeyPem\` to cover it.`
        : `- The legacy gateway ${legacy.hostname} has the TLSA record \`${dane.legacy.rdata}\`: it must keep serving that key until it is retired.`,
    );
  }
  out.push(
    `- A key change without a rollover breaks delivery for the TLSA TTL (${plan.ttl === 1 ? 300 : plan.ttl} s) or longer; renewals keep the key and change no record.`,
    "",
    "### Exchange Online: make DANE mandatory (optional)",
    "",
    `\`Set-OutboundConnector -Identity <connector for ${mailDomain}> -SmtpDaneMode Mandatory\` makes Exchange Online refuse to deliver journal reports to ${mailDomain} unless DANE validates. This fails closed: a stale or wrong TLSA record, a broken DS record or an unsigned zone then stops journaling; Exchange Online queues the reports and drops them after 24 hours, and disables the journal rule two days after notifying you that its reports are undeliverable. Set it only once \`msgw check\` passes for every host, and follow the rollover steps for every key change.`,
    "",
    "### Turning DANE off safely",
    "",
    `1. Set \`dane.enabled: false\` and run \`pulumi up\`: the TLSA records are removed, DNSSEC stays on. Remove \`-SmtpDaneMode Mandatory\` first if you set it.`,
    `2. Wait at least the TLSA TTL (${plan.ttl === 1 ? 300 : plan.ttl} s) before changing any key.`,
    "3. Only then consider DNSSEC: remove the DS record at the registrar, wait for its TTL at the parent zone, and only then turn Cloudflare DNSSEC off by hand.",
    "",
  );
  return out.join("\n");
}
