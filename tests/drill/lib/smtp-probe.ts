/**
 * One SMTP transaction against one gateway host, straight to its address (no MX lookup), as a
 * sender would run it: EHLO, STARTTLS verified against `ca` for the host's own name, MAIL, RCPT,
 * and DATA only when RCPT was accepted. Returns the reply to RCPT (and to the message when sent),
 * so a test sees a refusal's exact code and text.
 */
import { connect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { CrlfLines } from "../../lab/fixtures";

/** What the probe saw. */
export interface ProbeResult {
  /** The server's reply to `RCPT TO`. */
  rcpt: string;
  /** The reply after the message body, when RCPT was accepted. */
  data?: string;
}

/** Options of {@link smtpProbe}. */
export interface ProbeOptions {
  address: string;
  /** The host's own name: certificate verification and EHLO greeting check. */
  servername: string;
  ca: string;
  /** Recipient; without it the probe ends after the TLS handshake and EHLO (a readiness check). */
  to?: string;
  messageId?: string;
  /** Skip STARTTLS (to see the refusal of mail in clear). */
  plain?: boolean;
}

const TIMEOUT_MS = 15_000;

/** Runs one transaction; throws on connection, TLS or protocol errors other than RCPT's answer. */
export async function smtpProbe(o: ProbeOptions): Promise<ProbeResult> {
  let socket: Socket = connect(25, o.address);
  let lines: string[] = [];
  const framing = new CrlfLines((line) => lines.push(line));
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const attach = (s: Socket) => {
    s.on("data", (chunk: Buffer) => {
      framing.push(chunk);
      wake?.();
    });
    s.on("error", (e) => {
      failure = e;
      wake?.();
    });
  };
  attach(socket);
  const reply = async (): Promise<string> => {
    const deadline = Date.now() + TIMEOUT_MS;
    const got: string[] = [];
    for (;;) {
      const line = lines.shift();
      if (line !== undefined) {
        got.push(line);
        if (line.charAt(3) !== "-") return got.join("\n");
        continue;
      }
      if (failure) throw failure;
      if (Date.now() > deadline) throw new Error(`no SMTP reply from ${o.address} within 15 s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    }
  };
  const send = async (command: string, want: string): Promise<string> => {
    socket.write(`${command}\r\n`);
    const r = await reply();
    if (!r.startsWith(want)) throw new Error(`"${command.split("\r\n")[0]}" got "${r}"`);
    return r;
  };
  try {
    const greeting = await reply();
    if (!greeting.startsWith("220")) throw new Error(`greeting "${greeting}"`);
    await send("EHLO probe.example.test", "250");
    if (o.plain !== true) {
      await send("STARTTLS", "220");
      socket.removeAllListeners("data");
      framing.clear();
      lines = [];
      const secure = tlsConnect({ socket, servername: o.servername, ca: o.ca });
      await new Promise<void>((resolve, reject) => {
        secure.once("secureConnect", resolve);
        secure.once("error", reject);
      });
      socket = secure;
      attach(secure);
      await send("EHLO probe.example.test", "250");
    }
    if (o.to === undefined) {
      socket.write("QUIT\r\n");
      return { rcpt: "" };
    }
    socket.write("MAIL FROM:<probe@sender.example.test>\r\n");
    const mail = await reply();
    if (!mail.startsWith("250")) return { rcpt: mail };
    socket.write(`RCPT TO:<${o.to}>\r\n`);
    const rcpt = await reply();
    if (!rcpt.startsWith("250")) {
      socket.write("QUIT\r\n");
      return { rcpt };
    }
    await send("DATA", "354");
    socket.write(
      [
        "From: <probe@sender.example.test>",
        `To: <${o.to}>`,
        `Message-ID: ${o.messageId ?? "<probe@sender.example.test>"}`,
        "Subject: drill probe",
        "",
        "probe",
        ".",
        "",
      ].join("\r\n"),
    );
    const data = await reply();
    socket.write("QUIT\r\n");
    return { rcpt, data };
  } finally {
    socket.destroy();
  }
}
