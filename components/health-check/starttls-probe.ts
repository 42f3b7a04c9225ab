/**
 * I/O: connects to a gateway's SMTP (25) or POP3 (110) service the way its clients do, upgrades
 * with STARTTLS / STLS, and records the negotiated TLS version, the chain verification result and
 * the certificate. It never sends credentials or mail: EHLO/CAPA, the upgrade, then QUIT.
 */
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { certificateFacts } from "./certificate-facts";
import { LineSocket, openConnection } from "./line-socket";
import {
  capaOffersStls,
  ehloOffersStarttls,
  isLastSmtpLine,
  isPop3Ok,
  parseSmtpReply,
  type SmtpReply,
} from "./replies";
import type { StarttlsObservation } from "./types";

/** Where and how to probe. */
export interface ProbeTarget {
  /** Address to connect to. */
  address: string;
  port: number;
  /** The gateway's host name: sent as SNI and checked against the certificate. */
  hostname: string;
  /** PEM CA certificates to verify the chain against; undefined: node's bundled public roots. */
  ca: string | undefined;
  /** Bound on each step (connect, every reply, the handshake). */
  timeoutMs: number;
}

async function readSmtpReply(lines: LineSocket): Promise<SmtpReply> {
  const collected: string[] = [];
  for (let i = 0; i < 100; i += 1) {
    const line = await lines.readLine();
    collected.push(line);
    if (isLastSmtpLine(line)) return parseSmtpReply(collected);
  }
  throw new Error("SMTP reply longer than 100 lines");
}

async function expectSmtp(
  lines: LineSocket,
  command: string | undefined,
  code: number,
): Promise<SmtpReply> {
  if (command !== undefined) lines.send(command);
  const reply = await readSmtpReply(lines);
  if (reply.code !== code) {
    throw new Error(
      `${command ?? "greeting"} answered ${reply.code} ${reply.lines[0] ?? ""}`.trim(),
    );
  }
  return reply;
}

async function expectPop3Ok(lines: LineSocket, command: string | undefined): Promise<string> {
  if (command !== undefined) lines.send(command);
  const line = await lines.readLine();
  if (!isPop3Ok(line)) throw new Error(`${command ?? "greeting"} answered "${line.slice(0, 80)}"`);
  return line;
}

/** Hands the plain socket to TLS; resolves once the handshake is done (chain errors included). */
function upgrade(lines: LineSocket, target: ProbeTarget): Promise<TLSSocket> {
  const socket = lines.detach();
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      servername: target.hostname,
      ca: target.ca,
      // Chain and name are judged separately (the name by X509Certificate.checkHost), so a
      // wrong name and an unknown issuer are both reported instead of the first one only.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new Error(`TLS handshake did not finish within ${target.timeoutMs} ms`));
    }, target.timeoutMs);
    secure.once("secureConnect", () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`TLS handshake failed: ${error.message}`));
    });
  });
}

function emptyObservation(protocol: "SMTP" | "POP3", target: ProbeTarget): StarttlsObservation {
  return {
    protocol,
    port: target.port,
    address: target.address,
    error: undefined,
    starttlsOffered: undefined,
    tlsVersion: undefined,
    chainError: undefined,
    certificate: undefined,
  };
}

function recordTls(observation: StarttlsObservation, secure: TLSSocket, hostname: string): void {
  observation.tlsVersion = secure.getProtocol() ?? undefined;
  const reason = secure.authorizationError as unknown;
  observation.chainError = secure.authorized
    ? undefined
    : typeof reason === "string"
      ? reason
      : reason instanceof Error
        ? ((reason as NodeJS.ErrnoException).code ?? reason.message)
        : "not authorized";
  const peer = secure.getPeerCertificate(false);
  if (peer !== undefined && peer.raw !== undefined)
    observation.certificate = certificateFacts(peer.raw, hostname);
}

/** Runs `dialog` on a fresh connection and always closes it, whatever happens. */
async function withConnection(
  protocol: "SMTP" | "POP3",
  target: ProbeTarget,
  dialog: (lines: LineSocket, observation: StarttlsObservation) => Promise<void>,
): Promise<StarttlsObservation> {
  const observation = emptyObservation(protocol, target);
  let lines: LineSocket | undefined;
  try {
    const socket = await openConnection(target.address, target.port, target.timeoutMs);
    lines = new LineSocket(socket, target.timeoutMs);
    await dialog(lines, observation);
  } catch (error) {
    observation.error = error instanceof Error ? error.message : String(error);
  } finally {
    lines?.socket.destroy();
  }
  return observation;
}

/** SMTP: greeting, EHLO, STARTTLS, handshake, EHLO over TLS, QUIT. */
export function probeSmtp(target: ProbeTarget): Promise<StarttlsObservation> {
  return withConnection("SMTP", target, async (plain, observation) => {
    await expectSmtp(plain, undefined, 220);
    const ehlo = await expectSmtp(plain, "EHLO msgw-check.invalid", 250);
    observation.starttlsOffered = ehloOffersStarttls(ehlo);
    if (!observation.starttlsOffered) return;
    await expectSmtp(plain, "STARTTLS", 220);
    const secure = await upgrade(plain, target);
    try {
      recordTls(observation, secure, target.hostname);
      const lines = new LineSocket(secure, target.timeoutMs);
      await expectSmtp(lines, "EHLO msgw-check.invalid", 250);
      lines.send("QUIT");
    } finally {
      secure.destroy();
    }
  });
}

/** POP3: greeting, CAPA, STLS, handshake, CAPA over TLS, QUIT. No login is attempted. */
export function probePop3(target: ProbeTarget): Promise<StarttlsObservation> {
  return withConnection("POP3", target, async (plain, observation) => {
    await expectPop3Ok(plain, undefined);
    await expectPop3Ok(plain, "CAPA");
    const capabilities: string[] = [];
    for (let i = 0; ; i += 1) {
      if (i > 100) throw new Error("CAPA listing longer than 100 lines");
      const line = await plain.readLine();
      if (line === ".") break;
      capabilities.push(line);
    }
    observation.starttlsOffered = capaOffersStls(capabilities);
    if (!observation.starttlsOffered) return;
    await expectPop3Ok(plain, "STLS");
    const secure = await upgrade(plain, target);
    try {
      recordTls(observation, secure, target.hostname);
      const lines = new LineSocket(secure, target.timeoutMs);
      lines.send("QUIT");
      await expectPop3Ok(lines, undefined);
    } finally {
      secure.destroy();
    }
  });
}
