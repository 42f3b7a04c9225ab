/**
 * I/O: connects to a gateway's SMTP (25) or POP3 (110) service the way its clients do, upgrades
 * with STARTTLS / STLS, and records the negotiated TLS version, the chain verification result and
 * the certificate. It never sends credentials or mail: EHLO/CAPA, the upgrade, then QUIT.
 */
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import type { DetailedPeerCertificate } from "node:tls";
import { certificateFacts } from "./certificate-facts";
import { LineSocket, openConnection, stepLimit, type Bounds } from "./line-socket";
import { quoteServerText } from "./printable";
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
  /** Bound on each step (connect, one whole reply, the handshake) and the gateway's deadline. */
  bounds: Bounds;
}

/** Most lines in one SMTP reply or CAPA listing (a full EHLO answer has about a dozen). */
export const MAX_REPLY_LINES = 100;

async function readSmtpReply(lines: LineSocket, bounds: Bounds): Promise<SmtpReply> {
  const collected: string[] = [];
  // The whole reply, not each of its lines, must arrive within one step: a server dripping
  // `220-` lines would otherwise hold the check for lines x step.
  const until = { at: Date.now() + bounds.stepMs, message: "" };
  for (let i = 0; i < MAX_REPLY_LINES; i += 1) {
    until.message = `the reply did not complete within ${bounds.stepMs} ms (${collected.length} line${collected.length === 1 ? "" : "s"} so far)`;
    const line = await lines.readLine(until);
    collected.push(line);
    if (isLastSmtpLine(line)) return parseSmtpReply(collected);
  }
  throw new Error(`SMTP reply longer than ${MAX_REPLY_LINES} lines`);
}

async function expectSmtp(
  lines: LineSocket,
  bounds: Bounds,
  command: string | undefined,
  code: number,
): Promise<SmtpReply> {
  if (command !== undefined) lines.send(command);
  let reply: SmtpReply;
  try {
    reply = await readSmtpReply(lines, bounds);
  } catch (error) {
    throw new Error(`${command ?? "greeting"}: ${(error as Error).message}`);
  }
  if (reply.code !== code) {
    throw new Error(
      `${command ?? "greeting"} answered ${reply.code} ${quoteServerText(reply.lines[0] ?? "", 80)}`.trim(),
    );
  }
  return reply;
}

async function expectPop3Ok(lines: LineSocket, command: string | undefined): Promise<string> {
  if (command !== undefined) lines.send(command);
  let line: string;
  try {
    line = await lines.readLine();
  } catch (error) {
    throw new Error(`${command ?? "greeting"}: ${(error as Error).message}`);
  }
  if (!isPop3Ok(line))
    throw new Error(`${command ?? "greeting"} answered "${quoteServerText(line, 80)}"`);
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
      // Security level 0 lets the handshake finish with a weak key or a SHA-1 signature, so the
      // check can name the weakness instead of reporting a failed handshake.
      ciphers: "DEFAULT:@SECLEVEL=0",
      // Down to TLS 1.0, so a server stuck on a retired version is named as such.
      minVersion: "TLSv1",
      // Chain and name are judged separately (the name by X509Certificate.checkHost), so a
      // wrong name and an unknown issuer are both reported instead of the first one only.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    const limit = stepLimit(target.bounds, "the TLS handshake");
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new Error(limit.message));
    }, limit.ms);
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
  const peer = secure.getPeerCertificate(true);
  if (peer === undefined || peer.raw === undefined) return;
  // The chain as OpenSSL built it: what the server sent, completed from the trusted CAs; the
  // trust anchor points at itself.
  const chain: Buffer[] = [];
  const seen = new Set([peer.fingerprint256]);
  let next: DetailedPeerCertificate | undefined = peer.issuerCertificate;
  while (next?.raw !== undefined && !seen.has(next.fingerprint256) && chain.length < 10) {
    seen.add(next.fingerprint256);
    chain.push(next.raw);
    next = next.issuerCertificate;
  }
  observation.certificate = certificateFacts(peer.raw, hostname, chain);
  observation.chainDer = [peer.raw, ...chain].map((der) => der.toString("base64"));
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
    const socket = await openConnection(target.address, target.port, target.bounds);
    lines = new LineSocket(socket, target.bounds);
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
    const b = target.bounds;
    await expectSmtp(plain, b, undefined, 220);
    const ehlo = await expectSmtp(plain, b, "EHLO msgw-check.invalid", 250);
    observation.starttlsOffered = ehloOffersStarttls(ehlo);
    if (!observation.starttlsOffered) return;
    await expectSmtp(plain, b, "STARTTLS", 220);
    const secure = await upgrade(plain, target);
    try {
      recordTls(observation, secure, target.hostname);
      const lines = new LineSocket(secure, b);
      await expectSmtp(lines, b, "EHLO msgw-check.invalid", 250);
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
    const until = {
      at: Date.now() + target.bounds.stepMs,
      message: `CAPA: the listing did not complete within ${target.bounds.stepMs} ms`,
    };
    for (let i = 0; ; i += 1) {
      if (i > MAX_REPLY_LINES) throw new Error(`CAPA listing longer than ${MAX_REPLY_LINES} lines`);
      const line = await plain.readLine(until).catch((error: Error) => {
        throw new Error(
          error.message.startsWith("CAPA") ? error.message : `CAPA: ${error.message}`,
        );
      });
      if (line === ".") break;
      capabilities.push(line);
    }
    observation.starttlsOffered = capaOffersStls(capabilities);
    if (!observation.starttlsOffered) return;
    await expectPop3Ok(plain, "STLS");
    const secure = await upgrade(plain, target);
    try {
      recordTls(observation, secure, target.hostname);
      const lines = new LineSocket(secure, target.bounds);
      lines.send("QUIT");
      await expectPop3Ok(lines, undefined);
    } finally {
      secure.destroy();
    }
  });
}
