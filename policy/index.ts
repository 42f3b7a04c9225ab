/**
 * Policy pack for stacks that run MailStore Gateway pools. Enable it on any stack with
 * `pulumi preview --policy-pack <path to this folder>` (run `npm install` here first when it is used
 * outside this repository). The rules live in `rules/`, the adapters in `policies.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("msgw", { enforcementLevel: "mandatory", policies });
