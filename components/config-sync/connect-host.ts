/** I/O: how the engine's operations reach a host: their shared options, the inventory look-up and the SSH connection with its boot wait. */
import { bootStepNote, type BootStepReader } from "./boot-step";
import type { HostSpec, Inventory } from "./inventory";
import type { BackupStore } from "./store";
import { printable } from "./text";
import { connect, HostKeyMismatchError, type RemoteHost } from "./transport";

/** Hooks and knobs shared by the engine's operations. */
export interface EngineOptions {
  /** Progress lines (stderr in the CLI). Never receives file content or secrets. */
  progress?: (line: string) => void;
  /** Opens the SSH connection; tests may replace it. @default - {@link connect} with the pinned host key */
  connector?: (host: HostSpec, progress: (line: string) => void) => Promise<RemoteHost>;
  /** Called at each restore step (`backed-up`, `stopped`, `written`, `renamed:<file>`, `verified`, `started`). */
  onStep?: (host: string, step: string) => void | Promise<void>;
  /** Clock for backup ids. @default - () => new Date() */
  now?: () => Date;
  /** Reads a new host's first-boot step when its boot wait ends. @default - {@link readBootStepViaSsm} */
  bootStepReader?: BootStepReader;
}

/** The inventory's host `name`; an unknown name is an error that lists the known hosts (`flag` names where it came from). */
export function hostOf(inv: Inventory, name: string, flag: string): HostSpec {
  const h = inv.hosts[name];
  if (!h)
    throw new Error(
      `${flag} ${JSON.stringify(name)} is not in the inventory; known hosts: ${Object.keys(inv.hosts).join(", ")}`,
    );
  return h;
}

export const quiet = () => undefined;
export const conn = (o: EngineOptions) =>
  o.connector ?? ((h: HostSpec, p: (l: string) => void) => connect(h, p));

/**
 * Connects; the boot wait applies only to a machine generation the store has not seen answer yet
 * (a host just created). Records the generation after the first answer. Store trouble never blocks.
 */
export async function connectVia(
  o: EngineOptions,
  store: BackupStore,
  host: HostSpec,
  progress: (l: string) => void,
): Promise<RemoteHost> {
  let h = host;
  if (host.bootWaitSeconds > 0 && host.generation !== undefined && store.seen) {
    const seen = await store.seen(host.name, host.generation).catch(() => false);
    if (seen) h = { ...host, bootWaitSeconds: 0 };
  }
  let r: RemoteHost;
  try {
    r = await conn(o)(h, progress);
  } catch (e) {
    // A host just created that never answered: say where its first boot is (through SSM).
    if (
      h.bootWaitSeconds > 0 &&
      host.bootStep !== undefined &&
      !(e instanceof HostKeyMismatchError)
    ) {
      progress(`${host.name}: no SSH answer; reading its first-boot step through SSM`);
      const note = await bootStepNote(host.bootStep, o.bootStepReader);
      throw new Error(`${(e as Error).message}${note}`);
    }
    throw e;
  }
  if (host.generation !== undefined && store.markSeen)
    await store.markSeen(host.name, host.generation).catch(() => undefined);
  return r;
}

/** An error's message, made safe to print. */
export const errText = (e: unknown) => printable((e as Error)?.message ?? String(e));
