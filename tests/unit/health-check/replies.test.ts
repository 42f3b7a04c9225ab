import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  capaOffersStls,
  ehloOffersStarttls,
  isLastSmtpLine,
  isPop3Ok,
  parseSmtpReply,
} from "../../../components/health-check/replies";

describe("SMTP replies", () => {
  it("tells continuation lines from the last line", () => {
    assert.equal(isLastSmtpLine("250-msgw1.example.com"), false);
    assert.equal(isLastSmtpLine("250 STARTTLS"), true);
    assert.equal(isLastSmtpLine("250"), true);
    assert.equal(isLastSmtpLine("25 x"), false);
  });

  it("parses a multi-line EHLO reply and finds STARTTLS", () => {
    const reply = parseSmtpReply([
      "250-msgw1.example.com",
      "250-PIPELINING",
      "250-starttls",
      "250 8BITMIME",
    ]);
    assert.deepEqual(reply, {
      code: 250,
      lines: ["msgw1.example.com", "PIPELINING", "starttls", "8BITMIME"],
    });
    assert.equal(ehloOffersStarttls(reply), true);
  });

  it("does not take the greeting line or a longer keyword for STARTTLS", () => {
    assert.equal(ehloOffersStarttls(parseSmtpReply(["250-STARTTLS", "250 SIZE 10240000"])), false);
    assert.equal(ehloOffersStarttls(parseSmtpReply(["250-mx", "250 STARTTLSX"])), false);
  });

  it("rejects malformed replies with the reason", () => {
    assert.throws(() => parseSmtpReply([]), { message: "empty SMTP reply" });
    assert.throws(() => parseSmtpReply(["hello"]), {
      message: 'malformed SMTP reply line "hello"',
    });
    assert.throws(() => parseSmtpReply(["250-a", "550 b"]), {
      message: "SMTP reply mixes codes 250 and 550",
    });
  });
});

describe("POP3 replies", () => {
  it("recognises +OK and STLS", () => {
    assert.equal(isPop3Ok("+OK Dovecot ready."), true);
    assert.equal(isPop3Ok("+OK"), true);
    assert.equal(isPop3Ok("-ERR nope"), false);
    assert.equal(isPop3Ok("+OKAY"), false);
    assert.equal(capaOffersStls(["TOP", "UIDL", "STLS", "SASL PLAIN"]), true);
    assert.equal(capaOffersStls(["TOP", "USER"]), false);
  });
});
