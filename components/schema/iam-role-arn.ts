// Pure: IAM role ARN rules and their partition and account.
import * as z from "zod";
import { show } from "./format";

/**
 * An IAM role ARN in any partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso*`, …):
 * `arn:<partition>:iam::<12-digit account>:role/<optional path/><name>`. IAM (User Guide, "IAM
 * identifiers" and "IAM object quotas"): role names are 1–64 of `A-Za-z0-9+=,.@_-`; a path is `/`
 * or `/…/` of printable ASCII (0x21–0x7E), at most 512 characters.
 */
export const IAM_ROLE_ARN =
  /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\x21-\x7e]{0,510}\/)?[A-Za-z0-9+=,.@_-]{1,64}$/;

/** The partition of an ARN (`aws`, `aws-cn`, …), or undefined when `arn` is not one. */
export function arnPartition(arn: string): string | undefined {
  return /^arn:(aws(?:-[a-z]+)*):/.exec(arn)?.[1];
}

/** The account id of an ARN, or undefined when it names none. */
export function arnAccount(arn: string): string | undefined {
  return /^arn:aws(?:-[a-z]+)*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
}

/** Why `value` is not an IAM role ARN (message tail with the value and the fix), or undefined. */
export function iamRoleArnProblem(value: unknown): string | undefined {
  if (typeof value !== "string")
    return `${show(value)} is not an IAM role ARN; give one such as "arn:aws:iam::123456789012:role/msgw-deployer"`;
  if (IAM_ROLE_ARN.test(value)) return undefined;
  const session = /^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(value);
  if (session)
    return `${show(value)} is an STS session, which expires; a key policy names the role itself: "arn:${session[1]}:iam::${session[2]}:role/${session[3]}" (with its path, if it has one)`;
  if (/^arn:aws(?:-[a-z]+)*:iam::\d{12}:user\//.test(value))
    return `${show(value)} is an IAM user, not a role; give the role your deployments assume (a person or CI job assumes it)`;
  return `${show(value)} is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>, name 1-64 of A-Za-z0-9+=,.@_- per IAM); give one such as "arn:aws:iam::123456789012:role/msgw-deployer"`;
}

/** A list of IAM role ARNs in one partition, at least one, each once. */
export function iamRoleArns() {
  const arn = z.string({ error: (iss) => iamRoleArnProblem(iss.input) }).superRefine((v, ctx) => {
    const problem = iamRoleArnProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
  return z
    .array(arn, {
      error: (iss) =>
        `${show(iss.input)} is not a list of IAM role ARNs; give e.g. ["arn:aws:iam::123456789012:role/msgw-deployer"]`,
    })
    .superRefine((list, ctx) => {
      if (list.length === 0)
        ctx.addIssue({
          code: "custom",
          message:
            'is empty; name at least one role that deploys, e.g. ["arn:aws:iam::123456789012:role/msgw-deployer"]',
        });
      list.forEach((v, i) => {
        if (list.indexOf(v) !== i)
          ctx.addIssue({ code: "custom", path: [i], message: `${show(v)} is listed twice` });
      });
      const partitions = [...new Set(list.map(arnPartition).filter((p) => p !== undefined))];
      if (partitions.length > 1)
        ctx.addIssue({
          code: "custom",
          message: `mixes partitions (${partitions.join(", ")}); a KMS key lives in one partition and only roles of that partition can use it`,
        });
    });
}
