/** I/O: one bounded TCP connection attempt (connect, then close; nothing is sent). */
import * as net from "node:net";

/** Result of {@link probeTcp}: reachable, or why not (`refused`, `timed out after 5 s`, …). */
export type TcpResult = { ok: true } | { ok: false; reason: string };

/**
 * Connects to `address:port` and closes at once. Resolves within `timeoutMs` (plus the socket's own
 * teardown), never rejects.
 */
export function probeTcp(address: string, port: number, timeoutMs: number): Promise<TcpResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    let settled = false;
    const done = (result: TcpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ ok: false, reason: `timed out after ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done({
        ok: false,
        reason:
          error.code === "ECONNREFUSED"
            ? "connection refused"
            : `${error.code ?? "error"}: ${error.message}`,
      }),
    );
  });
}
