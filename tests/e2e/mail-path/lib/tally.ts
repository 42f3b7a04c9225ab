/** Pure accounting of one run: what was sent against what each host received. */

/** The figures a mail-path test prints and asserts on. */
export interface Tally {
  sent: number;
  /** Host name -> messages received there (every host of the scenario, zero included). */
  perHost: Record<string, number>;
  /** Sent Message-IDs that no host received. */
  lost: string[];
  /** Message-IDs received more than once (on one host or across hosts). */
  duplicated: string[];
  /** Received Message-IDs that were never sent in this run. */
  unexpected: string[];
}

/** Compares the sent Message-IDs with `received` (host name + Message-ID per accepted message). */
export function tally(
  sent: readonly string[],
  received: ReadonlyArray<{ host: string; messageId: string }>,
  hosts: readonly string[],
): Tally {
  const sentSet = new Set(sent);
  const perHost: Record<string, number> = Object.fromEntries(hosts.map((h) => [h, 0]));
  const seen = new Map<string, number>();
  for (const message of received) {
    if (!sentSet.has(message.messageId)) continue;
    perHost[message.host] = (perHost[message.host] ?? 0) + 1;
    seen.set(message.messageId, (seen.get(message.messageId) ?? 0) + 1);
  }
  return {
    sent: sentSet.size,
    perHost,
    lost: sent.filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    unexpected: [...new Set(received.map((m) => m.messageId))].filter((id) => !sentSet.has(id)),
  };
}

/** One line of figures for the test log. */
export function formatTally(title: string, t: Tally, extra = ""): string {
  const hosts = Object.entries(t.perHost)
    .map(([host, n]) => `${host}=${n}`)
    .join(" ");
  return `[mail-path] ${title}: sent=${t.sent} received{${hosts}} lost=${t.lost.length} duplicated=${t.duplicated.length}${extra}`;
}
