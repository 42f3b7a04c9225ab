// The public API of the package: named exports only.
export * from "./args";
export { GatewayPoolArgsError, validateGatewayPoolArgs, assertValidGatewayPoolArgs, isValidTtl } from "./validate";
export { planGatewayPool, GATEWAY_DEFAULTS } from "./pool-plan";
export type { GatewayPoolPlan, HostPlan, LegacyPlan } from "./pool-plan";
export { planMxPreferences } from "./mx";
export type { MxHostInput } from "./mx";
export { ownedRecords, renderZoneFile } from "./zone-file";
export type { OwnedRecord } from "./zone-file";
export { planCertificates, SERVER_USES, CA_USES } from "./certificates-plan";
export type { CertificatePlan, HostCertificatePlan } from "./certificates-plan";
