/** Stand-in for AWS caller, partition, region, session lookups; hand-written, no AWS reachable here. */
import type { FunctionType } from "../framework";
import { ACCOUNT_ID, regionOf } from "./shared";

/** The role the fake deployer works as, and its session (what getCallerIdentity answers). */
export const CALLER_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/msgw-deployer`;
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/msgw-deployer/pulumi`;

export const identityFunctions: FunctionType[] = [
  {
    token: "aws:index/getCallerIdentity:getCallerIdentity",
    async invoke(args) {
      return {
        ...args,
        id: ACCOUNT_ID,
        accountId: ACCOUNT_ID,
        arn: CALLER_ARN,
        userId: "AROAEXAMPLEDEPLOYER:pulumi",
      };
    },
  },
  {
    token: "aws:index/getPartition:getPartition",
    async invoke(args) {
      return {
        ...args,
        id: "aws",
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
      };
    },
  },
  {
    token: "aws:index/getRegion:getRegion",
    async invoke(args, ctx) {
      const region = regionOf(args, ctx);
      return {
        ...args,
        id: region,
        name: region,
        region,
        endpoint: `ec2.${region}.amazonaws.com`,
        description: region,
      };
    },
  },
  {
    token: "aws:iam/getSessionContext:getSessionContext",
    async invoke(args) {
      const a = args.arn as string;
      const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(a);
      if (!m)
        return { ...args, id: a, issuerArn: a, issuerId: "", issuerName: "", sessionName: "" };
      return {
        ...args,
        id: a,
        issuerArn: `arn:aws:iam::${m[1]}:role/${m[2]}`,
        issuerId: "AROAEXAMPLEDEPLOYER",
        issuerName: m[2],
        sessionName: m[3],
      };
    },
  },
];
