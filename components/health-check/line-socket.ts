/** I/O: a TCP connection read line by line (CRLF), with a deadline on every read. */
import { connect, type Socket } from "node:net";

/** Reads CRLF-terminated lines from a socket; every read is bounded by `timeoutMs`. */
export class LineSocket {
  private buffer = "";
  private readonly lines: string[] = [];
  private waiter: ((line: string | Error) => void) | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffer += chunk.toString("latin1");
    for (;;) {
      const end = this.buffer.indexOf("\n");
      if (end < 0) break;
      this.push(this.buffer.slice(0, end).replace(/\r$/, ""));
      this.buffer = this.buffer.slice(end + 1);
    }
  };
  private readonly onEnd = () => this.fail(new Error("the server closed the connection"));
  private readonly onError = (error: Error) => this.fail(error);

  constructor(
    readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("error", this.onError);
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
    if (waiter) waiter(error);
  }

  /** The next line, or an error if none arrives in time or the connection fails. */
  readLine(): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
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

/** Opens a TCP connection, failing with a plain-words error after `timeoutMs`. */
export function openConnection(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP connection within ${timeoutMs} ms`));
    }, timeoutMs);
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
