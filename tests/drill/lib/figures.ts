/**
 * The drill's accounting (pure): what the journal handed to Postfix against what the archiver
 * archived, per stage (by the stage each message was sent in) and in total.
 */
import type { ArchivedMessage } from "./archiver";
import type { SentMessage } from "./journal";
import type { SmtpEvent } from "./lab";
import type { ResourceCounts } from "./stages";

/** When a stage ran. */
export interface StageWindow {
  stage: string;
  title: string;
  from: number;
  to: number;
}

/** Figures of one stage. */
export interface StageFigures {
  stage: string;
  title: string;
  /** Journal messages Postfix accepted during the stage. */
  sent: number;
  /** Of those, archived (at the end of the drill). */
  archived: number;
  /** Of those, never archived. */
  lost: number;
  /** Of those, archived more than once. */
  duplicated: number;
  /** Recipients the gateways refused during the stage (5xx/4xx answers, probes included). */
  refused: number;
  /** Host name -> messages its SMTP service accepted during the stage. */
  acceptedByHost: Record<string, number>;
  /** The stage's `up` (or destroy): engine counts and wall time. */
  up?: ResourceCounts & { wallMs: number };
}

/** Input of {@link tallyDrill}. */
export interface TallyInput {
  driver: string;
  windows: StageWindow[];
  sent: SentMessage[];
  archived: ArchivedMessage[];
  events: (SmtpEvent & { host: string })[];
  /** Message-IDs of the drill's own probes (not journal mail). */
  probes: Set<string>;
  ups: { stage: string; counts: ResourceCounts; wallMs: number }[];
  /** Messages the sender's Postfix bounced. */
  bounced: number;
}

/** The figures; `total` is the JSON line the drill prints last. */
export function tallyDrill(input: TallyInput): {
  stages: StageFigures[];
  total: {
    driver: string;
    sent: number;
    archived: number;
    lost: number;
    duplicated: number;
    refused: number;
    bounced: number;
    unexpected: number;
    ups: {
      stage: string;
      created: number;
      updated: number;
      replaced: number;
      deleted: number;
      wallMs: number;
    }[];
  };
} {
  const archivedCount = new Map<string, number>();
  for (const a of input.archived)
    archivedCount.set(a.messageId, (archivedCount.get(a.messageId) ?? 0) + 1);
  const sentIds = new Set(input.sent.map((m) => m.messageId));
  const hosts = [...new Set(input.events.map((e) => e.host))].sort();
  const stages = input.windows.map((w): StageFigures => {
    const sent = input.sent.filter((m) => m.stage === w.stage);
    const inWindow = input.events.filter((e) => e.at >= w.from && e.at <= w.to);
    const up = input.ups.find((u) => u.stage === w.stage);
    return {
      stage: w.stage,
      title: w.title,
      sent: sent.length,
      archived: sent.filter((m) => (archivedCount.get(m.messageId) ?? 0) > 0).length,
      lost: sent.filter((m) => !archivedCount.has(m.messageId)).length,
      duplicated: sent.filter((m) => (archivedCount.get(m.messageId) ?? 0) > 1).length,
      refused: inWindow.filter((e) => e.event === "refused").length,
      acceptedByHost: Object.fromEntries(
        hosts.map((h) => [
          h,
          inWindow.filter((e) => e.host === h && e.event === "accepted").length,
        ]),
      ),
      ...(up ? { up: { ...up.counts, wallMs: up.wallMs } } : {}),
    };
  });
  const unexpected = [...archivedCount.keys()].filter(
    (id) => !sentIds.has(id) && !input.probes.has(id),
  );
  return {
    stages,
    total: {
      driver: input.driver,
      sent: sentIds.size,
      archived: [...sentIds].filter((id) => archivedCount.has(id)).length,
      lost: [...sentIds].filter((id) => !archivedCount.has(id)).length,
      duplicated: [...sentIds].filter((id) => (archivedCount.get(id) ?? 0) > 1).length,
      refused: input.events.filter((e) => e.event === "refused").length,
      bounced: input.bounced,
      unexpected: unexpected.length,
      ups: input.ups.map((u) => ({ stage: u.stage, ...u.counts, wallMs: u.wallMs })),
    },
  };
}
