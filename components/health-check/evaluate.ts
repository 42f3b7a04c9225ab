/**
 * Pure: turns what the probes observed into verdicts. No I/O, no clock: the time comes in as
 * `now`, so every message here is pinned by unit tests.
 *
 * The rules are the ones senders and MailStore Server apply: RFC 5321 5.1 (MX, implicit MX, MX
 * targets are host names), RFC 2181 10.3 (an MX target is not an alias), RFC 7505 (null MX),
 * RFC 1034 3.6.2 (CNAME chains), RFC 6125 6.4 (server names, wildcards), RFC 5280 (validity at
 * every depth, basic constraints, extended key usage) and the CA/Browser Forum baseline
 * requirements that current TLS clients enforce (no SHA-1, RSA keys of 2048 bits or more).
 */
import {
  ANY_EXTENDED_KEY_USAGE,
  daysLeft,
  SERVER_AUTH,
  unusableSanReason as unusable,
  WEAK_HASHES,
} from "./certificate-facts";
import { looksLikeAddress } from "./dns-probe";
import type {
  CertificateFacts,
  ChainCertificate,
  DomainObservation,
  Finding,
  GatewayObservation,
  GatewayTarget,
  Lookup,
  MxObservation,
  NameObservation,
  StarttlsObservation,
} from "./types";

/** Settings that shape the verdicts. */
export interface EvaluateOptions {
  /** Certificates (at any depth) expiring in fewer days than this are problems. */
  minDays: number;
  /** Certificates (at any depth) expiring in fewer days than this are warnings. Default: minDays. */
  warnDays?: number;
  now: Date;
  /** What chains were verified against, in words (e.g. `the pool CA from the stack outputs`). */
  trustSource: string;
  /** True when host certificates are expected to come from a pool CA (a CA was given). */
  poolCa?: boolean;
  /** `readiness`: only SMTP and POP3 with their certificates (wait mode, before any MX exists). */
  scope?: "full" | "readiness";
}

const ok = (check: string, message: string): Finding => ({
  check,
  ok: true,
  severity: "ok",
  message,
});
const warning = (check: string, message: string): Finding => ({
  check,
  ok: true,
  severity: "warning",
  message,
});
const problem = (check: string, message: string): Finding => ({
  check,
  ok: false,
  severity: "problem",
  message,
});

const RESOLVER_WORDS: Record<string, string> = {
  ETIMEOUT: "the resolver did not answer in time (ETIMEOUT)",
  DEADLINE: "the lookup did not finish before the gateway's deadline",
  ECONNREFUSED: "the resolver refused the connection (ECONNREFUSED)",
  ESERVFAIL: "the resolver answered SERVFAIL (ESERVFAIL)",
  EREFUSED: "the resolver refused the query (REFUSED)",
  EFORMERR: "the resolver rejected the query as malformed (FORMERR)",
  EBADRESP: "the resolver's answer was malformed (EBADRESP)",
  ECANCELLED: "the lookup was cancelled",
};

/** True when a lookup error means the name is absent (NXDOMAIN) or has no such records (NODATA). */
export function isAnswer(error: string): boolean {
  return error === "ENOTFOUND" || error === "ENODATA";
}

/** A lookup error in words: resolver failures are never reported as missing records. */
export function lookupErrorWords(error: string, name: string, type: string): string {
  if (error === "ENOTFOUND") return `${name} does not exist (NXDOMAIN)`;
  if (error === "ENODATA") return `${name} has no ${type} record (NODATA)`;
  if (error === "EBADNAME")
    return `${name} is not a valid host name (EBADNAME); senders cannot look it up`;
  const words = RESOLVER_WORDS[error] ?? `the lookup failed (${error})`;
  return `${type} lookup for ${name} failed: ${words}; this is a resolver failure, not an answer: check --resolver and the network`;
}

function mxList(records: MxObservation[]): string {
  return [...records]
    .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange))
    .map((r) => `${r.priority} ${r.exchange === "" ? "." : r.exchange}`)
    .join(", ");
}

const addressesOf = (lookup: Lookup<string>): string[] => (lookup.ok ? lookup.records : []);

function chainText(start: string, targets: readonly string[]): string {
  return [start, ...targets].join(" -> ");
}

/**
 * What is wrong with the name senders connect to (an MX target or a gateway host): an alias, a
 * dangling or looping alias, no address, or a failed lookup. Empty when it resolves directly.
 */
function nameProblems(check: string, what: string, o: NameObservation): Finding[] {
  const out: Finding[] = [];
  const { cname } = o;
  if (cname.end === "loop") {
    out.push(
      problem(
        check,
        `${what} ${o.name} is a CNAME loop (${chainText(o.name, cname.targets)}); it has no address`,
      ),
    );
    return out;
  }
  if (cname.end === "too-long") {
    out.push(
      problem(
        check,
        `${what} ${o.name} is a CNAME chain of more than ${cname.targets.length} hops (${chainText(o.name, cname.targets)})`,
      ),
    );
    return out;
  }
  if (typeof cname.end === "object") {
    // When the resolver fails, say so for the address lookup senders depend on.
    const a = o.a.ok || isAnswer(o.a.error) ? undefined : o.a.error;
    out.push(
      problem(
        check,
        a !== undefined
          ? lookupErrorWords(a, o.name, "A")
          : lookupErrorWords(cname.end.error, o.name, "CNAME"),
      ),
    );
    return out;
  }
  const last = cname.targets[cname.targets.length - 1];
  if (last !== undefined) {
    out.push(
      problem(
        check,
        `${what} ${o.name} is an alias (CNAME ${chainText(o.name, cname.targets)}); RFC 2181 10.3 forbids MX targets that are aliases and some senders refuse them: give ${o.name} its own A record`,
      ),
    );
  }
  const v4 = addressesOf(o.a);
  const v6 = addressesOf(o.aaaa);
  if (v6.length === 0 && v4.length > 0 && v4.every((a) => unusableAddress(a) !== undefined)) {
    out.push(
      problem(
        check,
        `${what} ${o.name} resolves only to ${v4.map((a) => `${a} (${unusableAddress(a) as string})`).join(", ")}; senders cannot deliver there`,
      ),
    );
    return out;
  }
  if (v4.length > 0 || v6.length > 0) return out;
  for (const [lookup, type] of [
    [o.a, "A"],
    [o.aaaa, "AAAA"],
  ] as const) {
    if (!lookup.ok && !isAnswer(lookup.error)) {
      out.push(problem(check, lookupErrorWords(lookup.error, o.name, type)));
      return out;
    }
  }
  const nx = !o.a.ok && o.a.error === "ENOTFOUND";
  if (last !== undefined) {
    out.push(
      problem(
        check,
        nx
          ? `${what} ${o.name} is a dangling alias: ${last} does not exist (NXDOMAIN); senders cannot connect`
          : `${what} ${o.name} is an alias of ${last}, which has no A or AAAA record; senders cannot connect`,
      ),
    );
  } else {
    out.push(
      problem(
        check,
        nx
          ? `${what} ${o.name} does not exist (NXDOMAIN); senders cannot connect`
          : `${what} ${o.name} has no A or AAAA record (NODATA); senders cannot connect`,
      ),
    );
  }
  return out;
}

function isDomainObservation(
  value: DomainObservation | Lookup<MxObservation>,
): value is DomainObservation {
  return "mx" in value;
}

/**
 * Checks the mail domain as senders see it: its MX set (or, without one, its implicit MX), a
 * null MX, and every MX target that is not a gateway of this stack.
 * @param domain what DNS says about the mail domain (or only its MX lookup)
 * @param complete true when the targets are the stack's full gateway list, so an MX record
 *   pointing elsewhere is a problem; false for a hand-picked `--gateway` subset
 */
export function evaluatePool(
  mailDomain: string,
  domain: DomainObservation | Lookup<MxObservation>,
  gateways: readonly GatewayTarget[],
  complete: boolean,
): Finding[] {
  const observed: DomainObservation = isDomainObservation(domain)
    ? domain
    : {
        mx: domain,
        a: { ok: false, error: "ENODATA" },
        aaaa: { ok: false, error: "ENODATA" },
        exchanges: [],
      };
  const { mx } = observed;
  if (!mx.ok) {
    if (mx.error === "ENOTFOUND") {
      return [
        problem(
          "MX",
          `${mailDomain} does not exist (NXDOMAIN); journal mail to it bounces: publish one MX record per gateway`,
        ),
      ];
    }
    if (mx.error !== "ENODATA")
      return [problem("MX", lookupErrorWords(mx.error, mailDomain, "MX"))];
    const implicit = [...addressesOf(observed.a), ...addressesOf(observed.aaaa)];
    if (implicit.length > 0) {
      return [
        warning(
          "MX",
          `${mailDomain} has no MX record, so senders deliver to its own address ${implicit.join(", ")} (implicit MX, RFC 5321 5.1): the single-gateway setup before a migration; publish one MX record per gateway`,
        ),
      ];
    }
    for (const [lookup, type] of [
      [observed.a, "A"],
      [observed.aaaa, "AAAA"],
    ] as const) {
      if (!lookup.ok && !isAnswer(lookup.error)) {
        return [problem("MX", lookupErrorWords(lookup.error, mailDomain, type))];
      }
    }
    return [
      problem(
        "MX",
        `${mailDomain} has no MX record and no A or AAAA record (NODATA); journal mail to it cannot be delivered`,
      ),
    ];
  }
  if (mx.records.length === 0)
    return [problem("MX", `${mailDomain} has no MX record; journal mail cannot be delivered`)];
  const nulls = mx.records.filter((r) => r.exchange === "");
  if (nulls.length > 0) {
    return [
      problem(
        "MX",
        nulls.length === mx.records.length
          ? `${mailDomain} publishes a null MX (${mxList(mx.records)}): it accepts no mail (RFC 7505), so journal mail bounces; replace it with one MX record per gateway`
          : `${mailDomain} publishes a null MX beside other MX records (${mxList(mx.records)}); RFC 7505 3 forbids that and senders may bounce the mail: remove the "0 ." record`,
      ),
    ];
  }
  const findings = [ok("MX", `${mailDomain} MX ${mxList(mx.records)}`)];
  const known = new Set(gateways.map((g) => g.hostname));
  for (const record of mx.records) {
    if (looksLikeAddress(record.exchange)) {
      findings.push(
        problem(
          "MX",
          `MX ${record.priority} ${record.exchange} is an address, not a host name; senders look it up as a name and find nothing (RFC 5321 5.1): point the MX record at the gateway's host name`,
        ),
      );
      continue;
    }
    if (known.has(record.exchange)) continue;
    const message = `MX ${record.priority} ${record.exchange} is not a gateway of this stack`;
    findings.push(
      complete
        ? problem("MX", `${message}; mail sent there is not archived by this pool`)
        : ok("MX", `${message} (not checked)`),
    );
    const name = observed.exchanges.find((e) => e.name === record.exchange);
    if (name !== undefined) findings.push(...nameProblems("MX", "MX target", name));
  }
  return findings;
}

/**
 * Why senders can never deliver to an IPv4 address, or undefined: "this network" 0.0.0.0/8,
 * loopback 127.0.0.0/8, link-local 169.254.0.0/16, multicast and reserved 224.0.0.0/3
 * (RFC 6890). Private ranges are left alone: a pool may serve senders on its own network.
 */
export function unusableAddress(address: string): string | undefined {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return undefined;
  const [first, second] = address.split(".").map(Number) as [number, number];
  if (first === 0) return `in 0.0.0.0/8 ("this network")`;
  if (first === 127) return "a loopback address";
  if (first === 169 && second === 254) return "a link-local address";
  if (first >= 224) return "a multicast or reserved address";
  return undefined;
}

function evaluateA(observation: GatewayObservation): Finding[] {
  const { target, a, dns } = observation;
  if (dns !== undefined) {
    const found = nameProblems("A", "gateway", dns);
    if (found.length > 0 || !dns.a.ok) {
      if (found.length === 0 && !dns.a.ok) {
        // Only AAAA records: IPv4-only senders cannot reach it.
        found.push(
          problem(
            "A",
            `${lookupErrorWords(dns.a.error, target.hostname, "A")}; IPv4-only senders cannot reach it`,
          ),
        );
      }
      if (found.some((f) => !f.ok)) return found;
    }
  }
  if (!a.ok) {
    return [
      problem(
        "A",
        isAnswer(a.error)
          ? `no A record for ${target.hostname} (${a.error === "ENOTFOUND" ? "NXDOMAIN" : "NODATA"}: ${a.error})`
          : lookupErrorWords(a.error, target.hostname, "A"),
      ),
    ];
  }
  if (a.records.length !== 1) {
    return [
      problem(
        "A",
        `${a.records.length} A records (${a.records.join(", ")}); each gateway needs exactly one address of its own`,
      ),
    ];
  }
  const address = a.records[0] as string;
  const unusable = unusableAddress(address);
  if (unusable !== undefined) {
    return [
      problem(
        "A",
        `A record ${address} is ${unusable}; senders cannot deliver there: publish the gateway's public address`,
      ),
    ];
  }
  if (target.address !== undefined && target.address !== address) {
    return [problem("A", `A record ${address}, but the stack assigned ${target.address}`)];
  }
  return [ok("A", address)];
}

function evaluateAaaa(observation: GatewayObservation): Finding[] {
  const { dns, target } = observation;
  if (dns === undefined) return [];
  if (!dns.aaaa.ok) {
    return isAnswer(dns.aaaa.error)
      ? []
      : [problem("AAAA", lookupErrorWords(dns.aaaa.error, target.hostname, "AAAA"))];
  }
  return dns.aaaa.records.map((address) => {
    const probe = observation.smtpIpv6?.find((p) => p.address === address);
    const failure =
      probe === undefined
        ? "not probed"
        : probe.error !== undefined
          ? probe.error
          : probe.starttlsOffered === false
            ? "no STARTTLS"
            : probe.certificate?.matchesHostname === false
              ? `the certificate is not valid for ${target.hostname}`
              : probe.chainError !== undefined
                ? `the certificate chain does not verify (${probe.chainError})`
                : undefined;
    return failure === undefined
      ? ok(
          "AAAA",
          `${address}: SMTP ${probe?.port ?? 25} answers with STARTTLS and this host's certificate`,
        )
      : problem(
          "AAAA",
          `AAAA ${address} is published, but SMTP ${probe?.port ?? 25} there fails (${failure}); senders with IPv6 try it first: remove the AAAA record or make the gateway answer on it`,
        );
  });
}

function evaluateMx(target: GatewayTarget, mailDomain: string, domain: DomainObservation): Finding {
  const { mx } = domain;
  if (!mx.ok && mx.error === "ENODATA") {
    const implicit = [...addressesOf(domain.a), ...addressesOf(domain.aaaa)];
    if (target.state !== "active") return ok("MX", `no MX record (${target.state})`);
    const message =
      implicit.length > 0
        ? `${mailDomain} has no MX records: senders deliver to its address ${implicit.join(", ")} (implicit MX), not to this gateway`
        : `${mailDomain} has no MX records; this active gateway receives no mail`;
    // With an MX preference from the stack the record is missing; from flags it may be the
    // legacy phase of a migration.
    return target.mxPreference !== undefined ? problem("MX", message) : warning("MX", message);
  }
  if (!mx.ok) return problem("MX", `cannot check: ${lookupErrorWords(mx.error, mailDomain, "MX")}`);
  const mine = mx.records.filter((r) => r.exchange === target.hostname);
  if (target.state === "draining") {
    if (mine.length > 0) {
      return problem(
        "MX",
        `draining, but MX ${mine.map((r) => r.priority).join(", ")} of ${mailDomain} still points here; remove it so the host can be archived empty`,
      );
    }
    return ok("MX", `no MX record (draining)`);
  }
  if (target.state === "standby") {
    if (mine.length > 0) {
      return problem(
        "MX",
        `standby, but MX ${mine.map((r) => r.priority).join(", ")} of ${mailDomain} points here; a standby host takes no mail until it is promoted to active`,
      );
    }
    return ok("MX", `no MX record (standby)`);
  }
  if (mine.length === 0) {
    return problem(
      "MX",
      `no MX record of ${mailDomain} points here; this active gateway receives no mail`,
    );
  }
  const preferences = mine.map((r) => r.priority);
  if (target.mxPreference !== undefined && !preferences.includes(target.mxPreference)) {
    return problem(
      "MX",
      `MX preference ${preferences.join(", ")}, but the stack says ${target.mxPreference}`,
    );
  }
  return ok("MX", `${mailDomain} MX ${preferences.join(", ")} ${target.hostname}`);
}

function nameFinding(hostname: string, o: StarttlsObservation, cert: CertificateFacts): Finding {
  const check = `${o.protocol} certificate name`;
  const names =
    cert.dnsNames.length > 0 ? cert.dnsNames.join(", ") : `none (subject ${cert.subject})`;
  if (cert.matchesHostname) return ok(check, `valid for ${hostname} (DNS names: ${names})`);
  const reasons: string[] = [];
  if (cert.dnsNames.length === 0 && cert.commonNames.includes(hostname)) {
    reasons.push(
      `${hostname} is only in the subject CN, with no subjectAltName: current clients ignore the CN (RFC 6125 6.4.4, CA/Browser Forum BR 7.1.4.2); add DNS:${hostname} as a subjectAltName`,
    );
  }
  const ip = cert.ipAddresses.filter((a) => a === o.address);
  if (ip.length > 0) {
    reasons.push(
      `it names the address ${ip.join(", ")} (IP SAN), but senders check the host name they connected to`,
    );
  }
  for (const name of cert.dnsNames) {
    const why = unusable(name);
    if (why !== undefined) reasons.push(`${name} ${why}`);
    else if (name.startsWith("*.") && hostname.endsWith(name.slice(1))) {
      reasons.push(`${name} covers exactly one label, not ${hostname}`);
    }
  }
  return problem(
    check,
    `not valid for ${hostname}: DNS names ${names}${reasons.length > 0 ? ` (${reasons.join("; ")})` : ""}; issue the certificate for the host's own name`,
  );
}

function role(c: ChainCertificate, last: number): string {
  if (c.depth === 0) return "the server certificate";
  return c.depth === last && c.selfSigned
    ? `the root CA "${c.subject}"`
    : `the intermediate CA "${c.subject}"`;
}

function expiryFinding(
  check: string,
  who: string,
  c: { validFrom: string; validTo: string },
  options: EvaluateOptions,
): Finding {
  const left = daysLeft(c.validTo, options.now);
  const warnDays = Math.max(options.warnDays ?? options.minDays, options.minDays);
  if (Date.parse(c.validFrom) > options.now.getTime()) {
    return problem(check, `${who === "" ? "" : `${who} is `}not valid before ${c.validFrom}`);
  }
  if (left < 0) {
    const ago = daysLeft(options.now.toISOString(), new Date(c.validTo));
    const when = ago === 0 ? "today" : `${ago} day${ago === 1 ? "" : "s"} ago`;
    return problem(check, `${who === "" ? "" : `${who} `}expired ${when} (${c.validTo})`);
  }
  const subject = who === "" ? "" : `${who} `;
  if (left < options.minDays) {
    return problem(
      check,
      `${subject}expires in ${left} days (${c.validTo}), fewer than --min-days ${options.minDays}`,
    );
  }
  if (left < warnDays) {
    return warning(
      check,
      `${subject}expires in ${left} days (${c.validTo}), fewer than --warn-days ${warnDays}: renew it`,
    );
  }
  return ok(check, `${subject}${left} days left (until ${c.validTo})`);
}

const CHAIN_WORDS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its issuer is neither sent by the server nor trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "the chain is incomplete or its issuer is not trusted: the server must send every intermediate CA certificate",
  UNABLE_TO_GET_ISSUER_CERT:
    "the chain is incomplete: the server must send every intermediate CA certificate",
  DEPTH_ZERO_SELF_SIGNED_CERT: "it is self-signed and not among the trusted certificates",
  SELF_SIGNED_CERT_IN_CHAIN: "the chain ends in a self-signed CA that is not trusted",
  CERT_SIGNATURE_FAILURE: "a signature in the chain does not verify",
  INVALID_CA: "an issuer in the chain is not a CA (basicConstraints)",
  INVALID_PURPOSE: "a certificate in the chain is not for TLS servers (extended key usage)",
};

function certificateFindings(
  hostname: string,
  o: StarttlsObservation,
  cert: CertificateFacts,
  options: EvaluateOptions,
): Finding[] {
  const p = o.protocol;
  const findings: Finding[] = [nameFinding(hostname, o, cert)];
  const chain = cert.chain.length > 0 ? cert.chain : [];
  const last = chain.length - 1;

  // Validity at every depth: an expired intermediate or CA breaks the chain like an expired leaf.
  findings.push(expiryFinding(`${p} certificate expiry`, "", cert, options));
  let chainDated = false;
  for (const c of chain.slice(1)) {
    const f = expiryFinding(`${p} CA expiry`, role(c, last), c, options);
    if (f.severity !== "ok") findings.push(f);
    if (!f.ok) chainDated = true;
  }
  const leafDated = findings.some((f) => f.check === `${p} certificate expiry` && !f.ok);

  // Server use: extended key usage and basic constraints of the leaf (RFC 5280 4.2.1.12, 4.2.1.9).
  const eku = cert.extendedKeyUsage;
  const ekuBad =
    eku !== undefined && !eku.includes(SERVER_AUTH) && !eku.includes(ANY_EXTENDED_KEY_USAGE);
  if (ekuBad) {
    findings.push(
      problem(
        `${p} certificate usage`,
        `extended key usage ${eku.length > 0 ? eku.join(", ") : "(empty)"} lacks serverAuth (${SERVER_AUTH}); TLS clients reject it for a server (RFC 5280 4.2.1.12): reissue it with serverAuth`,
      ),
    );
  }
  if (cert.isCa) {
    findings.push(
      problem(
        `${p} certificate usage`,
        `the server certificate is a CA certificate (basicConstraints CA:TRUE); clients such as Firefox refuse a CA certificate as a server certificate: issue a leaf certificate with CA:FALSE`,
      ),
    );
  }

  // Keys and signatures no current client accepts (CA/Browser Forum BR 6.1.5 and 7.1.3).
  for (const c of chain) {
    if (c.key === "EC P-224" || c.key === "EC P-192" || c.key.startsWith("EC secp1")) {
      findings.push(
        problem(
          `${p} certificate key`,
          `${role(c, last)} has an ${c.key} key; TLS clients accept ECDSA certificates on P-256, P-384 and P-521 only (RFC 8446 4.2.3): reissue it on P-256`,
        ),
      );
    }
    if (c.rsaBits !== undefined && c.rsaBits < 2048) {
      findings.push(
        problem(
          `${p} certificate key`,
          `${role(c, last)} has an ${c.key} key; TLS clients require RSA keys of at least 2048 bits (CA/Browser Forum BR 6.1.5, OpenSSL security level 2)`,
        ),
      );
    }
    const anchor = c.depth === last && c.selfSigned && c.depth > 0;
    if (!anchor && WEAK_HASHES.has(c.signatureHash)) {
      findings.push(
        problem(
          `${p} certificate signature`,
          `${role(c, last)} is signed with ${c.signatureHash}; TLS clients reject ${c.signatureHash} signatures (CA/Browser Forum BR 7.1.3): reissue it with SHA-256`,
        ),
      );
    }
  }

  // The chain as a whole.
  const chainCheck = `${p} certificate chain`;
  const leaf = chain[0];
  if (o.chainError === undefined) {
    findings.push(ok(chainCheck, `verifies against ${options.trustSource}`));
  } else if (
    options.poolCa === true &&
    leaf !== undefined &&
    leaf.selfSigned &&
    chain.length === 1
  ) {
    findings.push(
      problem(
        chainCheck,
        `self-signed ("${leaf.subject}"), but host certificates come from the pool CA; MailStore Server trusting ${options.trustSource} rejects it: install the certificate the stack issued`,
      ),
    );
  } else if (
    ((o.chainError === "CERT_HAS_EXPIRED" || o.chainError === "CERT_NOT_YET_VALID") &&
      (leafDated || chainDated)) ||
    (o.chainError === "INVALID_PURPOSE" && ekuBad)
  ) {
    // Already said by the expiry or usage line.
  } else {
    const words = CHAIN_WORDS[o.chainError];
    const top = chain[last];
    const issuer =
      top !== undefined && !top.selfSigned
        ? ` (the last certificate sent names issuer "${top.issuer}")`
        : "";
    findings.push(
      problem(
        chainCheck,
        `does not verify against ${options.trustSource}: ${o.chainError}${words === undefined ? "" : `: ${words}`}${issuer}`,
      ),
    );
  }
  return findings;
}

function evaluateStarttls(
  hostname: string,
  o: StarttlsObservation,
  options: EvaluateOptions,
): Finding[] {
  const where = `${o.protocol} ${o.port}`;
  const command = o.protocol === "SMTP" ? "STARTTLS" : "STLS";
  if (o.starttlsOffered === false) {
    return [
      problem(
        o.protocol,
        `${where} at ${o.address} does not offer ${command}; credentials and mail would travel unencrypted`,
      ),
    ];
  }
  if (o.error !== undefined) return [problem(o.protocol, `${where} at ${o.address}: ${o.error}`)];
  const findings = [
    o.tlsVersion === "TLSv1" || o.tlsVersion === "TLSv1.1"
      ? problem(
          o.protocol,
          `${where} at ${o.address}: ${command}, but only ${o.tlsVersion}, which RFC 8996 retired; current senders and MailStore Server refuse it: enable TLS 1.2 and 1.3`,
        )
      : ok(o.protocol, `${where} at ${o.address}: ${command}, ${o.tlsVersion ?? "TLS"}`),
  ];
  const cert = o.certificate;
  if (cert === undefined)
    return [...findings, problem(`${o.protocol} certificate`, `${where} presented no certificate`)];
  return [...findings, ...certificateFindings(hostname, o, cert, options)];
}

/** Every verdict for one gateway: A (and AAAA), MX, then SMTP and POP3 with their certificates. */
export function evaluateGateway(
  observation: GatewayObservation,
  mailDomain: string,
  mx: DomainObservation | Lookup<MxObservation>,
  options: EvaluateOptions,
): Finding[] {
  const { target } = observation;
  const domain: DomainObservation = isDomainObservation(mx)
    ? mx
    : {
        mx,
        a: { ok: false, error: "ENODATA" },
        aaaa: { ok: false, error: "ENODATA" },
        exchanges: [],
      };
  const dns =
    options.scope === "readiness"
      ? []
      : [
          ...evaluateA(observation),
          ...evaluateAaaa(observation),
          evaluateMx(target, mailDomain, domain),
        ];
  return [
    ...dns,
    ...evaluateStarttls(target.hostname, observation.smtp, options),
    ...evaluateStarttls(target.hostname, observation.pop3, options),
  ];
}
