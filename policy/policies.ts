/**
 * The policies of the msgw pack: thin adapters from the engine's callbacks to the pure rules in
 * `rules/`. Every policy is mandatory: a violation stops `pulumi preview` / `pulumi up`.
 */
import type { Policies, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import {
  CERTIFICATE_TYPES,
  checkCertificateNamesHost,
  checkCertificatesAvoidMailDomain,
} from "./rules/certificate-names-host";
import { checkMailAddressRecordsNotProxied } from "./rules/mail-a-not-proxied";
import { checkMxTargetsHaveARecords } from "./rules/mx-has-a-record";
import {
  checkNoWorldOpenAdminIngress,
  checkNoWorldOpenAdminIngressUnion,
} from "./rules/no-world-open-ingress";
import type { StackResource, Violation } from "./rules/resources";

/**
 * A plain copy of a resource's properties with the values still unknown during preview left out
 * (`@pulumi/policy` throws on reading one): the rules judge what is known, as the component does, and
 * run in every preview instead of being skipped whole.
 */
export function knownValues(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      try {
        out.push(knownValues(value[i]));
      } catch {
        // Unknown during preview.
      }
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    try {
      out[key] = knownValues((value as Record<string, unknown>)[key]);
    } catch {
      // Unknown during preview.
    }
  }
  return out;
}
const known = (props: unknown) => knownValues(props) as Record<string, unknown>;

function stackPolicy(check: (resources: readonly StackResource[]) => Violation[]) {
  return (args: Pick<StackValidationArgs, "resources">, report: ReportViolation): void => {
    const resources = args.resources.map((r) => ({
      type: r.type,
      urn: r.urn,
      props: known(r.props),
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies ?? {}).map(([k, deps]) => [
          k,
          deps.map((d) => d.urn),
        ]),
      ),
    }));
    for (const v of check(resources)) report(v.message, v.urn);
  };
}

/** The msgw policies, in the order Pulumi reports them. */
export const policies: Policies = [
  {
    name: "msgw-mail-address-records-not-proxied",
    description: "A/AAAA records that MX records point at are never proxied by Cloudflare.",
    enforcementLevel: "mandatory",
    validateStack: stackPolicy(checkMailAddressRecordsNotProxied),
  },
  {
    name: "msgw-mx-target-has-a-record",
    description: "Every MX record's target has an A record in the same stack.",
    enforcementLevel: "mandatory",
    validateStack: stackPolicy(checkMxTargetsHaveARecords),
  },
  {
    name: "msgw-certificate-names-host",
    description: "tls certificates and requests have a common name that is one of their DNS names.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
      if (!CERTIFICATE_TYPES.includes(args.type)) return;
      for (const message of checkCertificateNamesHost(args.type, known(args.props)))
        report(message);
    },
  },
  {
    name: "msgw-certificate-not-for-mail-domain",
    description: "No certificate names a mail domain (an MX owner); each gateway's names its host.",
    enforcementLevel: "mandatory",
    validateStack: stackPolicy(checkCertificatesAvoidMailDomain),
  },
  {
    name: "msgw-no-world-open-admin-ingress",
    description: "No security group rule opens 8450, 110, 995 or 22 to 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
      for (const message of checkNoWorldOpenAdminIngress(args.type, known(args.props)))
        report(message);
    },
  },
  {
    name: "msgw-no-world-open-admin-ingress-union",
    description:
      "The ingress rules of one security group together never open 8450, 110, 995 or 22 to every address (two /1 blocks are the whole internet).",
    enforcementLevel: "mandatory",
    validateStack: stackPolicy(checkNoWorldOpenAdminIngressUnion),
  },
];
