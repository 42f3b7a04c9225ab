/**
 * The DNSSEC lookups against a scripted resolver on loopback (UDP and TCP, dns-packet): the AD
 * bit, RRSIGs, SERVFAIL told apart as bogus by the CD retry, truncation to TCP, a silent resolver
 * bounded by the timeout, and answers that do not belong to the query ignored.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import * as dnsPacket from "dns-packet";
import { getServers, setServers } from "node:dns";
import {
  daneResolver,
  secureA,
  secureMx,
  secureTlsa,
  tlsaName,
} from "../../../components/health-check";

type Query = dnsPacket.Packet & { flag_cd?: boolean };

const DIGEST = Buffer.from("ab".repeat(32), "hex");
const rrsig = (name: string, typeCovered: string) =>
  ({
    type: "RRSIG",
    name,
    ttl: 60,
    data: {
      typeCovered,
      algorithm: 13,
      labels: 3,
      originalTTL: 60,
      expiration: 2_000_000_000,
      inception: 1_000_000_000,
      keyTag: 1,
      signersName: "example.test",
      signature: Buffer.alloc(64),
    },
  }) as dnsPacket.Answer;

/** What the scripted resolver answers, by query name; `tcp` marks answers only TCP gets whole. */
function answer(query: Query, tcp: boolean): Buffer | undefined {
  const q = query.questions?.[0] as dnsPacket.Question;
  const base = { type: "response" as const, id: query.id, questions: [q] };
  const RD_RA = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
  const cd = ((query.flags ?? 0) & dnsPacket.CHECKING_DISABLED) !== 0;
  const ede = (code: number) => ({
    type: "OPT" as const,
    name: ".",
    udpPayloadSize: 1232,
    flags: dnsPacket.DNSSEC_OK,
    options: [{ code: 15, data: Buffer.from([0, code]) }],
  });
  switch (q.name) {
    case "signed.example.test":
      return dnsPacket.encode({
        ...base,
        flags: RD_RA | dnsPacket.AUTHENTIC_DATA,
        answers: [{ type: "A", name: q.name, ttl: 60, data: "10.232.1.11" }, rrsig(q.name, "A")],
      });
    case "unsigned.example.test":
      return dnsPacket.encode({
        ...base,
        flags: RD_RA,
        answers: [
          {
            type: "MX",
            name: q.name,
            ttl: 60,
            data: { preference: 10, exchange: "MX1.Example.Test." },
          },
        ],
      });
    case "_25._tcp.mx1.example.test":
      return dnsPacket.encode({
        ...base,
        flags: RD_RA | dnsPacket.AUTHENTIC_DATA,
        answers: [
          {
            type: "TLSA",
            name: q.name,
            ttl: 60,
            data: { usage: 3, selector: 1, matchingType: 1, certificate: DIGEST },
          } as dnsPacket.Answer,
          rrsig(q.name, "TLSA"),
        ],
      });
    case "_25._tcp.none.example.test":
      return dnsPacket.encode({ ...base, flags: RD_RA | dnsPacket.AUTHENTIC_DATA, answers: [] });
    case "gone.example.test":
      return dnsPacket.encode({ ...base, flags: RD_RA | dnsPacket.AUTHENTIC_DATA | 3 });
    case "bogus.example.test":
      return dnsPacket.encode({
        ...base,
        flags: RD_RA | (cd ? 0 : 2),
        answers: cd ? [{ type: "A", name: q.name, ttl: 60, data: "10.232.1.12" }] : [],
        additionals: cd ? [] : [ede(7) as unknown as dnsPacket.Answer],
      });
    case "broken.example.test":
      return dnsPacket.encode({ ...base, flags: RD_RA | 2 });
    case "big.example.test":
      if (!tcp) return dnsPacket.encode({ ...base, flags: RD_RA | dnsPacket.TRUNCATED_RESPONSE });
      return dnsPacket.encode({
        ...base,
        flags: RD_RA | dnsPacket.AUTHENTIC_DATA,
        answers: [{ type: "A", name: q.name, ttl: 60, data: "10.232.1.13" }],
      });
    case "spoofed.example.test":
      // An answer with another id, then none: the lookup must ignore it and time out.
      return dnsPacket.encode({
        ...base,
        id: ((query.id ?? 0) + 1) % 65_536,
        flags: RD_RA | dnsPacket.AUTHENTIC_DATA,
        answers: [{ type: "A", name: q.name, ttl: 60, data: "192.0.2.66" }],
      });
    default:
      return undefined; // silent
  }
}

let udp: UdpSocket;
let tcp: Server;
let port = 0;
const cdSeen: string[] = [];

before(async () => {
  tcp = createServer((socket) => {
    socket.once("data", (data) => {
      const query = dnsPacket.decode(data.subarray(2)) as Query;
      const reply = answer(query, true);
      if (reply === undefined) return;
      const length = Buffer.alloc(2);
      length.writeUInt16BE(reply.length);
      socket.end(Buffer.concat([length, reply]));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  port = (tcp.address() as { port: number }).port;
  udp = createSocket("udp4");
  udp.on("message", (data, from) => {
    const query = dnsPacket.decode(data) as Query;
    if (((query.flags ?? 0) & dnsPacket.CHECKING_DISABLED) !== 0)
      cdSeen.push(query.questions?.[0]?.name ?? "");
    const reply = answer(query, false);
    if (reply !== undefined) udp.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => udp.bind(port, "127.0.0.1", resolve));
});

after(() => {
  udp.close();
  tcp.close();
});

const server = () => ({ address: "127.0.0.1", port });
const bounds = (timeoutMs = 2_000) => ({ timeoutMs, deadline: Date.now() + 10_000 });

describe("secure lookups", () => {
  it("reads the AD bit and the RRSIG of a signed answer", async () => {
    assert.deepEqual(await secureA(server(), "signed.example.test", bounds()), {
      status: "records",
      records: ["10.232.1.11"],
      authenticated: true,
      signed: true,
    });
  });

  it("an unsigned answer has neither; MX exchanges are lower-cased without the dot", async () => {
    assert.deepEqual(await secureMx(server(), "unsigned.example.test", bounds()), {
      status: "records",
      records: [{ exchange: "mx1.example.test", priority: 10 }],
      authenticated: false,
      signed: false,
    });
  });

  it("parses TLSA records at _25._tcp.<host>", async () => {
    const name = tlsaName("mx1.example.test", 25);
    assert.equal(name, "_25._tcp.mx1.example.test");
    assert.deepEqual(await secureTlsa(server(), name, bounds()), {
      status: "records",
      records: [{ usage: 3, selector: 1, matchingType: 1, data: "ab".repeat(32) }],
      authenticated: true,
      signed: true,
    });
  });

  it("tells NODATA and NXDOMAIN apart, with the AD bit of the denial", async () => {
    assert.deepEqual(await secureTlsa(server(), "_25._tcp.none.example.test", bounds()), {
      status: "nodata",
      records: [],
      authenticated: true,
      signed: false,
    });
    assert.deepEqual(await secureA(server(), "gone.example.test", bounds()), {
      status: "nxdomain",
      records: [],
      authenticated: true,
      signed: false,
    });
  });

  it("SERVFAIL that the CD query answers is bogus, with the Extended DNS Error", async () => {
    assert.deepEqual(await secureA(server(), "bogus.example.test", bounds()), {
      status: "bogus",
      records: [],
      authenticated: false,
      signed: false,
      error: "SERVFAIL",
      extendedError: "7 Signature Expired",
    });
    assert.ok(cdSeen.includes("bogus.example.test"));
  });

  it("SERVFAIL with or without CD is a resolver failure", async () => {
    assert.deepEqual(await secureA(server(), "broken.example.test", bounds()), {
      status: "error",
      records: [],
      authenticated: false,
      signed: false,
      error: "SERVFAIL",
    });
  });

  it("a truncated UDP answer is asked again over TCP", async () => {
    const result = await secureA(server(), "big.example.test", bounds());
    assert.deepEqual(result.records, ["10.232.1.13"]);
    assert.equal(result.authenticated, true);
  });

  it("a silent resolver and a spoofed answer end in ETIMEOUT within two tries", async () => {
    for (const name of ["silent.example.test", "spoofed.example.test"]) {
      const started = Date.now();
      const result = await secureA(server(), name, bounds(300));
      const took = Date.now() - started;
      assert.equal(result.status, "error");
      assert.equal(result.error, "ETIMEOUT");
      assert.ok(took >= 550 && took < 1_500, `${name}: took ${took} ms`);
    }
  });

  it("the deadline cuts a lookup short", async () => {
    const started = Date.now();
    const result = await secureA(server(), "silent.example.test", {
      timeoutMs: 5_000,
      deadline: Date.now() + 400,
    });
    assert.equal(result.error, "DEADLINE");
    assert.ok(Date.now() - started < 1_000);
  });
});

describe("daneResolver", () => {
  it("asks --resolver, else the system's first name server, else nobody", () => {
    const saved = getServers();
    try {
      assert.deepEqual(daneResolver({ address: "10.0.0.53", port: 5353 }), {
        address: "10.0.0.53",
        port: 5353,
      });
      setServers(["10.9.8.7", "10.9.8.8"]);
      assert.deepEqual(daneResolver(undefined), { address: "10.9.8.7", port: 53 });
      setServers(["[2001:db8::53]:5353"]);
      assert.deepEqual(daneResolver(undefined), { address: "2001:db8::53", port: 5353 });
      setServers([]);
      assert.equal(daneResolver(undefined), undefined);
    } finally {
      setServers(saved);
    }
  });
});
