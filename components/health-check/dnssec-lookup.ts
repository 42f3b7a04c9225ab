/**
 * I/O: DNS queries with the DNSSEC OK bit straight to one resolver (UDP, then TCP when the answer
 * is truncated), reading the AD bit that node:dns does not expose. A SERVFAIL is asked again with
 * checking disabled (CD): when that answers, the resolver's DNSSEC validation failed (bogus), which
 * is not the same as a missing record or an unreachable resolver. Never throws; every query is
 * bounded by a per-try timeout, two UDP tries, and an absolute deadline.
 */
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { getServers } from "node:dns";
import { connect, isIP } from "node:net";
import * as dnsPacket from "dns-packet";
import { parseResolverAddress } from "./resolver-address";
import type { MxObservation, ResolverAddress, SecureLookup, TlsaRecord } from "./types";

/** Bounds of one lookup. */
export interface SecureLookupBounds {
  /** Bound on one try (one UDP datagram's answer, or the whole TCP exchange). */
  timeoutMs: number;
  /** Absolute deadline (ms since the epoch). */
  deadline: number;
}

/** EDNS payload size of the queries: the DNS Flag Day 2020 value, which avoids IP fragmentation. */
export const EDNS_PAYLOAD = 1232;
/** UDP tries before giving up on a silent resolver. */
export const UDP_TRIES = 2;
/** Largest TCP answer accepted (a DNS message is at most 65535 bytes, RFC 1035 4.2.2). */
const MAX_TCP_BYTES = 65_537;

/** RFC 8914 4: Extended DNS Error info-codes. */
const EDE_NAMES: Record<number, string> = {
  0: "Other",
  1: "Unsupported DNSKEY Algorithm",
  2: "Unsupported DS Digest Type",
  3: "Stale Answer",
  4: "Forged Answer",
  5: "DNSSEC Indeterminate",
  6: "DNSSEC Bogus",
  7: "Signature Expired",
  8: "Signature Not Yet Valid",
  9: "DNSKEY Missing",
  10: "RRSIGs Missing",
  11: "No Zone Key Bit Set",
  12: "NSEC Missing",
  13: "Cached Error",
  14: "Not Ready",
  15: "Blocked",
  16: "Censored",
  17: "Filtered",
  18: "Prohibited",
  19: "Stale NXDOMAIN Answer",
  20: "Not Authoritative",
  21: "Not Supported",
  22: "No Reachable Authority",
  23: "Network Error",
  24: "Invalid Data",
};

/**
 * The resolver DNSSEC lookups go to: `--resolver`, else the system's first configured name server
 * (node:dns getServers(), from /etc/resolv.conf).
 */
export function daneResolver(resolver: ResolverAddress | undefined): ResolverAddress | undefined {
  if (resolver !== undefined) return resolver;
  const first = getServers()[0];
  if (first === undefined) return undefined;
  try {
    return parseResolverAddress(first);
  } catch {
    return undefined;
  }
}

/** The record types the check asks for (kept free of dns-packet's types: the API ships without them). */
export type SecureRecordType = "MX" | "A" | "TLSA";
/** One answer record as dns-packet decodes it: its type and its type-specific data. */
export interface DecodedAnswer {
  type: string;
  data: unknown;
}
type Decoded = dnsPacket.Packet & { flag_ad?: boolean; rcode?: string };

class LookupError extends Error {}

function query(name: string, type: dnsPacket.RecordType, cd: boolean): { id: number; buf: Buffer } {
  const id = randomInt(0, 65_536);
  const buf = dnsPacket.encode({
    type: "query",
    id,
    flags:
      dnsPacket.RECURSION_DESIRED |
      // RFC 6840 5.7: AD in a query asks for the AD bit in the answer.
      dnsPacket.AUTHENTIC_DATA |
      (cd ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ type, name }],
    additionals: [
      {
        type: "OPT",
        name: ".",
        udpPayloadSize: EDNS_PAYLOAD,
        flags: dnsPacket.DNSSEC_OK,
      } as dnsPacket.Answer,
    ],
  });
  return { id, buf };
}

function left(bounds: SecureLookupBounds): number {
  return Math.min(bounds.timeoutMs, bounds.deadline - Date.now());
}

function decode(buf: Buffer): Decoded {
  try {
    return dnsPacket.decode(buf) as Decoded;
  } catch {
    throw new LookupError("EBADRESP");
  }
}

function viaUdp(
  server: ResolverAddress,
  message: { id: number; buf: Buffer },
  bounds: SecureLookupBounds,
): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.address) === 6 ? "udp6" : "udp4");
    const ms = left(bounds);
    if (ms <= 0) {
      socket.close();
      reject(new LookupError("DEADLINE"));
      return;
    }
    const timer = setTimeout(() => {
      socket.close();
      reject(new LookupError(ms < bounds.timeoutMs ? "DEADLINE" : "ETIMEOUT"));
    }, ms);
    const done = (error: Error | undefined, packet?: Decoded) => {
      clearTimeout(timer);
      socket.close();
      if (error !== undefined) reject(error);
      else resolve(packet as Decoded);
    };
    socket.on("error", (error: NodeJS.ErrnoException) =>
      done(new LookupError(error.code ?? error.message)),
    );
    socket.on("message", (buf, from) => {
      // Only the resolver's answer to this query counts (RFC 5452 9.1).
      if (from.port !== server.port || buf.length < 2 || buf.readUInt16BE(0) !== message.id) return;
      try {
        done(undefined, decode(buf));
      } catch (error) {
        done(error as Error);
      }
    });
    socket.send(message.buf, server.port, server.address);
  });
}

function viaTcp(
  server: ResolverAddress,
  message: { id: number; buf: Buffer },
  bounds: SecureLookupBounds,
): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const ms = left(bounds);
    if (ms <= 0) {
      reject(new LookupError("DEADLINE"));
      return;
    }
    const socket = connect({ host: server.address, port: server.port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LookupError(ms < bounds.timeoutMs ? "DEADLINE" : "ETIMEOUT"));
    }, ms);
    const finish = (error: Error | undefined, packet?: Decoded) => {
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(packet as Decoded);
    };
    socket.on("connect", () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.buf.length);
      socket.write(Buffer.concat([length, message.buf]));
    });
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length > MAX_TCP_BYTES) {
        finish(new LookupError("EBADRESP"));
        return;
      }
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (received.length < size + 2) return;
      const body = received.subarray(2, size + 2);
      if (body.length < 2 || body.readUInt16BE(0) !== message.id) {
        finish(new LookupError("EBADRESP"));
        return;
      }
      try {
        finish(undefined, decode(body));
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      finish(new LookupError(error.code ?? error.message)),
    );
    socket.on("end", () => finish(new LookupError("ECONNRESET")));
  });
}

/** One question to the resolver: UDP (two tries), then TCP if the answer came back truncated. */
async function ask(
  server: ResolverAddress,
  name: string,
  type: dnsPacket.RecordType,
  cd: boolean,
  bounds: SecureLookupBounds,
): Promise<Decoded> {
  let lastError: Error = new LookupError("ETIMEOUT");
  for (let attempt = 0; attempt < UDP_TRIES; attempt += 1) {
    const message = query(name, type, cd);
    try {
      const packet = await viaUdp(server, message, bounds);
      if ((packet.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) {
        return await viaTcp(server, query(name, type, cd), bounds);
      }
      return packet;
    } catch (error) {
      lastError = error as Error;
      if (!(error instanceof LookupError) || error.message !== "ETIMEOUT") break;
    }
  }
  throw lastError;
}

function extendedError(packet: Decoded): string | undefined {
  for (const extra of packet.additionals ?? []) {
    if (extra.type !== "OPT") continue;
    for (const option of (extra as { options?: Array<{ code: number; data?: Buffer }> }).options ??
      []) {
      if (option.code !== 15 || option.data === undefined || option.data.length < 2) continue;
      // The info-code only: the EXTRA-TEXT is free text that varies by resolver and by run.
      const code = option.data.readUInt16BE(0);
      return `${code} ${EDE_NAMES[code] ?? "Unknown"}`;
    }
  }
  return undefined;
}

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, "");

/**
 * Looks up `name`/`type` at `server` with DO set and returns the records (through `convert`)
 * with the AD bit. SERVFAIL is asked again with CD set: an answer then means the data exists but
 * does not validate (`bogus`).
 */
export async function secureLookup<T>(
  server: ResolverAddress,
  name: string,
  type: SecureRecordType,
  convert: (answer: DecodedAnswer) => T | undefined,
  bounds: SecureLookupBounds,
): Promise<SecureLookup<T>> {
  const failed = (error: string, extra: Partial<SecureLookup<T>> = {}): SecureLookup<T> => ({
    status: "error",
    records: [],
    authenticated: false,
    signed: false,
    error,
    ...extra,
  });
  let packet: Decoded;
  try {
    packet = await ask(server, name, type, false, bounds);
  } catch (error) {
    return failed((error as Error).message);
  }
  const question = packet.questions?.[0];
  if (
    question === undefined ||
    normalize(question.name) !== normalize(name) ||
    question.type !== type
  ) {
    return failed("EBADRESP");
  }
  const rcode = packet.rcode ?? "NOERROR";
  const authenticated = packet.flag_ad === true;
  const ede = extendedError(packet);
  if (rcode === "SERVFAIL") {
    try {
      const unchecked = await ask(server, name, type, true, bounds);
      if (unchecked.rcode === "NOERROR" || unchecked.rcode === "NXDOMAIN") {
        return { ...failed("SERVFAIL"), status: "bogus", extendedError: ede };
      }
    } catch {
      // The CD retry failed too: a plain resolver failure.
    }
    return failed("SERVFAIL", ede === undefined ? {} : { extendedError: ede });
  }
  const signed = [...(packet.answers ?? []), ...(packet.authorities ?? [])].some(
    (a) => a.type === "RRSIG",
  );
  if (rcode === "NXDOMAIN") {
    return { status: "nxdomain", records: [], authenticated, signed };
  }
  if (rcode !== "NOERROR") return failed(rcode);
  const records = (packet.answers ?? [])
    .filter((a) => a.type === type)
    .map((a) => convert(a as DecodedAnswer))
    .filter((r): r is T => r !== undefined);
  return {
    status: records.length > 0 ? "records" : "nodata",
    records,
    authenticated,
    signed,
  };
}

/** The MX records of `domain`, exchanges lower-cased without the trailing dot. */
export function secureMx(server: ResolverAddress, domain: string, bounds: SecureLookupBounds) {
  return secureLookup<MxObservation>(
    server,
    domain,
    "MX",
    (a) => {
      const data = (a as { data: { exchange: string; preference: number } }).data;
      return { exchange: normalize(data.exchange), priority: data.preference };
    },
    bounds,
  );
}

/** The IPv4 addresses of `name`. */
export function secureA(server: ResolverAddress, name: string, bounds: SecureLookupBounds) {
  return secureLookup<string>(server, name, "A", (a) => (a as { data: string }).data, bounds);
}

/** `_<port>._tcp.<host>`: where the TLSA records of an SMTP server live (RFC 7672 2.2.3). */
export function tlsaName(hostname: string, port: number): string {
  return `_${port}._tcp.${hostname}`;
}

/** The TLSA records at `name`. */
export function secureTlsa(server: ResolverAddress, name: string, bounds: SecureLookupBounds) {
  return secureLookup<TlsaRecord>(
    server,
    name,
    "TLSA",
    (a) => {
      const data = (
        a as {
          data: { usage: number; selector: number; matchingType: number; certificate: Buffer };
        }
      ).data;
      return {
        usage: data.usage,
        selector: data.selector,
        matchingType: data.matchingType,
        data: Buffer.from(data.certificate).toString("hex"),
      };
    },
    bounds,
  );
}
