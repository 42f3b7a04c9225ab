// The public API of the package: named exports only.
export * from "./args";
export {
  GatewayPoolArgsError,
  validateGatewayPoolArgs,
  assertValidGatewayPoolArgs,
  isValidTtl,
} from "./validate";
export { planGatewayPool, GATEWAY_DEFAULTS } from "./pool-plan";
export type { GatewayPoolPlan, HostPlan, LegacyPlan } from "./pool-plan";
export { planMxPreferences, mxTable } from "./mx";
export type { MxHostInput } from "./mx";
export { ownedRecords, renderZoneFile } from "./zone-file";
export type { OwnedRecord } from "./zone-file";
export { planCertificates, SERVER_USES, CA_USES } from "./certificates-plan";
export type { CertificatePlan, HostCertificatePlan } from "./certificates-plan";
export { GatewayPool } from "./gateway-pool";
export type { GatewayOutput, MxRecordOutput } from "./gateway-pool";
export { archivingProfile } from "./archiving-profile";
export type { ArchivingProfileSettings } from "./archiving-profile";
export { renderRunbook } from "./runbook";
export type { RunbookInput, RunbookGateway } from "./runbook";
export { planIngressRules, openPorts } from "./firewall";
export type { IngressRule } from "./firewall";
export { renderWindowsUserData } from "./hosts/user-data";
export type { WindowsUserDataInput } from "./hosts/user-data";
export { certificateFingerprint } from "./certificates";
export { inventoryJson, replicationCommands } from "./replication";
export type { InventoryHost, ReplicationEndpoint } from "./replication";
export { normalizeDnsName, isValidHostName, hostKey } from "./names";
// Operator tooling, also usable as a library.
export { registerConfigCommands } from "./config-sync";
export { registerCheckCommand } from "./health-check";
export * as configSync from "./config-sync";
export * as healthCheck from "./health-check";
