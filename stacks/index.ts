// The msgw stack: config -> providers -> GatewayPool -> exports. Everything reusable lives in components/.
import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as cloudflare from "@pulumi/cloudflare";
// The component alone, not the whole library (the operator tools' SSH, X.509 and check code): start-up time.
import { GatewayPool } from "../components/gateway-pool/gateway-pool";
import type { GatewayPoolArgs } from "../components/gateway-pool/args";

const config = new pulumi.Config("msgw");
const poolArgs = config.requireObject<GatewayPoolArgs>("pool") satisfies GatewayPoolArgs;

const aws = new AwsProvider("aws", { region: new pulumi.Config("aws").require("region") });
const cf = new cloudflare.Provider("cloudflare", {
  // Unset: the provider reads CLOUDFLARE_API_TOKEN (how CI passes a read-only token to previews).
  apiToken: new pulumi.Config("cloudflare").getSecret("apiToken"),
});

const pool = new GatewayPool(config.get("poolName") ?? "msgw", poolArgs, {
  providers: { aws, cloudflare: cf },
});

export const mailDomain = pool.plan.mailDomain;
export const gateways = pool.gateways;
export const mxRecords = pool.mxRecords;
export const zoneFile = pool.zoneFile;
export const runbook = pool.runbook;
export const caCertificatePem = pool.caCertificatePem;
export const certificatePrivateKeys = pool.certificatePrivateKeys;
export const configManifest = pool.configManifest;
export const configSyncInventory = pool.configSyncInventory;
