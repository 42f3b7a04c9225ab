/**
 * A test SMTP server for `msgw check`'s fault tests, run inside a lab namespace. It listens on
 * several ports of one address, each with a behaviour:
 * - `smtp`: a correct server offering STARTTLS, choosing its certificate (and chain) by the SNI
 *   name the client sends, so one address serves every certificate variant;
 * - `drip`: sends one `220-` continuation line every 400 ms and never ends its greeting;
 * - `endless`: sends `220 ` and then bytes without a line end, up to 64 MB;
 * - `huge`: sends a 10 MB multi-line greeting (10,000 lines of 1,000 bytes), then `220 ok`;
 * - `control`: greets with terminal control sequences and answers EHLO with 554 and more of them.
 *
 *   tsx fault-server.ts --config config.json     (config: FaultServerConfig as JSON)
 */
import { readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { createSecureContext, TLSSocket, type SecureContext } from "node:tls";
import { parseArgs } from "node:util";
import { CrlfLines } from "../../../lab/fixtures";

/** Configuration file of one fault server. */
export interface FaultServerConfig {
  listen: string;
  /**
   * `cert` pins the certificate of an `smtp` port instead of choosing it by SNI: node's
   * TLSSocket does not switch to an RSA 1024 context from its SNI callback, so that variant
   * gets a port of its own.
   */
  ports: Array<{
    port: number;
    mode: "smtp" | "drip" | "endless" | "huge" | "control";
    cert?: string;
    /** Highest TLS version this port speaks (a server stuck on a retired version). */
    maxTls?: "TLSv1" | "TLSv1.1";
  }>;
  /** SNI name -> PEM files (the cert file may hold the chain after the leaf). */
  certs: Record<string, { cert: string; key: string }>;
  /** Name in `certs` used when the client sends an unknown or no SNI name. */
  defaultCert: string;
}

/** The hostile greeting and EHLO answer of the `control` mode (ESC, CSI, bidi override, 8-bit CSI). */
export const CONTROL_GREETING = "220 \x1b[2J\x1b[H\x1b[32mALL GATEWAYS HEALTHY\x1b[0m";
export const CONTROL_EHLO = "554 \x1b[2J\x1b[1;32mALL GATEWAYS HEALTHY\u202e\x9b31m\x07";

const LIFETIME_MS = 15 * 60_000;

function main(): void {
  const { values } = parseArgs({ options: { config: { type: "string" } } });
  if (values.config === undefined) throw new Error("usage: fault-server --config FILE");
  const config = JSON.parse(readFileSync(values.config, "utf8")) as FaultServerConfig;
  // Security level 0 so the weak-key and SHA-1 variants can be served at all.
  const contexts = new Map<string, SecureContext>();
  for (const [name, files] of Object.entries(config.certs)) {
    contexts.set(
      name,
      createSecureContext({
        cert: readFileSync(files.cert),
        key: readFileSync(files.key),
        ciphers: "DEFAULT:@SECLEVEL=0",
      }),
    );
  }
  const fallback = contexts.get(config.defaultCert);
  if (fallback === undefined) throw new Error(`defaultCert ${config.defaultCert} is not in certs`);

  const smtp = (raw: Socket, pinned?: SecureContext) => {
    let stream: Socket = raw;
    let tls = false;
    const reply = (line: string) => stream.write(`${line}\r\n`);
    const lines = new CrlfLines((line) => {
      const verb = line.split(" ")[0]?.toUpperCase() ?? "";
      if (verb === "EHLO") {
        if (tls) reply("250 fault-server");
        else {
          reply("250-fault-server");
          reply("250 STARTTLS");
        }
      } else if (verb === "STARTTLS" && !tls) {
        reply("220 2.0.0 Ready to start TLS");
        raw.removeAllListeners("data");
        lines.clear();
        const secure = new TLSSocket(
          raw,
          pinned !== undefined
            ? { isServer: true, secureContext: pinned }
            : {
                isServer: true,
                secureContext: fallback,
                SNICallback: (name, done) =>
                  done(null, contexts.get(name.toLowerCase()) ?? fallback),
              },
        );
        secure.on("error", () => secure.destroy());
        secure.on("data", onData);
        stream = secure;
        tls = true;
      } else if (verb === "QUIT") {
        reply("221 2.0.0 Bye");
        stream.end();
      } else {
        reply("502 5.5.2 Command not recognized");
      }
    });
    const onData = (chunk: Buffer) => lines.push(chunk);
    raw.on("data", onData);
    reply("220 fault-server ESMTP");
  };

  const drip = (socket: Socket) => {
    let n = 0;
    const timer = setInterval(() => {
      n += 1;
      socket.write(`220-still greeting, line ${n}\r\n`);
    }, 400);
    socket.on("close", () => clearInterval(timer));
  };

  const endless = (socket: Socket) => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    let sent = 0;
    socket.write("220 ");
    const pump = () => {
      while (sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    pump();
  };

  const huge = (socket: Socket) => {
    const line = `220-${"y".repeat(994)}\r\n`;
    let i = 0;
    const pump = () => {
      while (i < 10_000) {
        i += 1;
        if (!socket.write(line)) {
          socket.once("drain", pump);
          return;
        }
      }
      socket.write("220 ok\r\n");
    };
    pump();
  };

  const control = (socket: Socket) => {
    socket.write(`${CONTROL_GREETING}\r\n`);
    socket.on("data", () => socket.write(`${CONTROL_EHLO}\r\n`));
  };

  const handlers = { drip, endless, huge, control };
  for (const { port, mode, cert, maxTls } of config.ports) {
    let pinned = cert === undefined ? undefined : contexts.get(cert);
    if (cert !== undefined && pinned === undefined)
      throw new Error(`port ${port}: no cert ${cert}`);
    if (maxTls !== undefined) {
      const files = config.certs[cert ?? config.defaultCert] as { cert: string; key: string };
      pinned = createSecureContext({
        cert: readFileSync(files.cert),
        key: readFileSync(files.key),
        ciphers: "DEFAULT:@SECLEVEL=0",
        minVersion: "TLSv1",
        maxVersion: maxTls,
      });
    }
    createServer((socket) => {
      socket.on("error", () => socket.destroy());
      if (mode === "smtp") smtp(socket, pinned);
      else handlers[mode](socket);
    }).listen(port, config.listen);
  }
  setTimeout(() => process.exit(0), LIFETIME_MS).unref();
  process.on("SIGTERM", () => process.exit(0));
}

if (require.main === module) main();
