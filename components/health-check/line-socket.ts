/**
 * I/O: a TCP connection read line by line (CRLF), bounded in time (every read, and an absolute
 * deadline for the whole gateway) and in memory (line length and total bytes).
 */
import { connect, type Socket } from "node:net";

/**
 * Longest line accepted, in bytes without the line end. RFC 5321 4.5.3.1.5 limits SMTP reply
 * lines to 512 octets and RFC 2449 (POP3 CAPA) limits responses to 512 octets; four times that
 * leaves room for lax servers and none for a server that never ends its line.
 */
export const MAX_LINE_BYTES = 2048;
/** Most bytes read from one server on one connection phase (plain text, or inside TLS). */
export const MAX_READ_BYTES = 65_536;

/** The time bounds of one gateway's checks. */
export interface Bounds {
  /** Bound on each step: connect, one complete reply, the TLS handshake. */
  stepMs: number;
  /** Absolute deadline (ms since the epoch) for everything done for this gateway. */
  deadline: number;
  /** The total that `deadline` stands for, in ms, for messages. */
  totalMs: number;
}

/** How long the next step may take, and what to say if it does not finish. */
export function stepLimit(bounds: Bounds, what: string): { ms: number; message: string } {
  const left = bounds.deadline - Date.now();
  if (left < bounds.stepMs) {
    return {
      ms: Math.max(0, left),
      message: `${what} did not finish before the gateway's total deadline of ${bounds.totalMs} ms`,
    };
  }
  return { ms: bounds.stepMs, message: `${what} did not finish within ${bounds.stepMs} ms` };
}

/** Reads CRLF-terminated lines from a socket within {@link Bounds} and the byte caps. */
export class LineSocket {
  private buffer = "";
  private received = 0;
  private readonly lines: string[] = [];
  private waiter: ((line: string | Error) => void) | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.received += chunk.length;
    this.buffer += chunk.toString("latin1");
    for (;;) {
      const end = this.buffer.indexOf("\n");
      if (end < 0) break;
      if (end > MAX_LINE_BYTES + 1) break;
      this.push(this.buffer.slice(0, end).replace(/\r$/, ""));
      this.buffer = this.buffer.slice(end + 1);
    }
    if (this.buffer.length > MAX_LINE_BYTES + 1) {
      this.abort(
        `the server sent a line longer than ${MAX_LINE_BYTES} bytes (RFC 5321 4.5.3.1.5 allows 512)`,
      );
    } else if (this.received > MAX_READ_BYTES) {
      this.abort(`the server sent more than ${MAX_READ_BYTES} bytes without finishing its replies`);
    }
  };
  private readonly onEnd = () => this.fail(new Error("the server closed the connection"));
  private readonly onError = (error: Error) => this.fail(error);

  constructor(
    readonly socket: Socket,
    private readonly bounds: Bounds,
  ) {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("error", this.onError);
  }

  /** Stops reading for good: the socket is closed and buffered data dropped. */
  private abort(message: string): void {
    this.socket.off("data", this.onData);
    this.buffer = "";
    this.lines.length = 0;
    this.fail(new Error(message));
    this.socket.destroy();
  }

  private push(line: string): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(line);
    else this.lines.push(line);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(this.failure);
  }

  /**
   * The next line, or an error if none arrives by `until` (ms since the epoch, default one step
   * from now, never past the gateway's deadline) or the connection fails.
   */
  readLine(until?: { at: number; message: string }): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    const step = stepLimit(this.bounds, "the server's answer");
    let ms = step.ms;
    let message = step.message;
    if (until !== undefined && until.at - Date.now() < ms) {
      ms = Math.max(0, until.at - Date.now());
      message = until.message;
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(message));
      }, ms);
      this.waiter = (line) => {
        clearTimeout(timer);
        if (line instanceof Error) reject(line);
        else resolve(line);
      };
    });
  }

  /** Sends one command line. */
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Stops reading so the raw socket can be handed to TLS; unread plaintext would be an attack. */
  detach(): Socket {
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("error", this.onError);
    if (this.buffer !== "" || this.lines.length > 0) {
      throw new Error(
        "the server sent data after its STARTTLS answer (possible command injection)",
      );
    }
    return this.socket;
  }
}

/** Opens a TCP connection, failing with a plain-words error after one step or at the deadline. */
export function openConnection(address: string, port: number, bounds: Bounds): Promise<Socket> {
  const limit = stepLimit(bounds, "the TCP connection");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(limit.message));
    }, limit.ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new Error(
          error.code === "ECONNREFUSED"
            ? "connection refused"
            : `cannot connect: ${error.code ?? error.message}`,
        ),
      );
    });
  });
}
