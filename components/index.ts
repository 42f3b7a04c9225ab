// Pure: the public API of the package: named exports only.
export type * from "./gateway-pool/args";
export {
  GatewayPoolArgsError,
  validateGatewayPoolArgs,
  assertValidGatewayPoolArgs,
  isValidTtl,
} from "./gateway-pool/validate";
export { planGatewayPool, GATEWAY_DEFAULTS } from "./gateway-pool/plan/pool-plan";
export type {
  GatewayPoolPlan,
  HostPlan,
  LegacyPlan,
  ConfigSyncStorePlan,
} from "./gateway-pool/plan/pool-plan";
export { planMxPreferences, mxTable } from "./gateway-pool/plan/mx";
export type { MxHostInput } from "./gateway-pool/plan/mx";
export { ownedRecords, renderZoneFile } from "./gateway-pool/plan/zone-file";
export type { OwnedRecord } from "./gateway-pool/plan/zone-file";
export { planCertificates, SERVER_USES, CA_USES } from "./gateway-pool/plan/certificates-plan";
export type { CertificatePlan, HostCertificatePlan } from "./gateway-pool/plan/certificates-plan";
export { GatewayPool } from "./gateway-pool/gateway-pool";
export type { GatewayOutput, MxRecordOutput } from "./gateway-pool/gateway-pool";
export { archivingProfile } from "./gateway-pool/plan/archiving-profile";
export type { ArchivingProfileSettings } from "./gateway-pool/plan/archiving-profile";
export { renderRunbook } from "./gateway-pool/plan/runbook";
export type { RunbookInput, RunbookGateway } from "./gateway-pool/plan/runbook";
export { planIngressRules, openPorts } from "./gateway-pool/plan/firewall";
export type { IngressRule } from "./gateway-pool/plan/firewall";
export { renderWindowsUserData } from "./gateway-pool/plan/user-data";
export type { WindowsUserDataInput } from "./gateway-pool/plan/user-data";
export { certificateFingerprint } from "./gateway-pool/plan/certificates-plan";
export { inventoryJson } from "./gateway-pool/resources/replication";
export { replicationCommands } from "./gateway-pool/plan/replication";
export type {
  InventoryHost,
  InventoryStore,
  ReplicationEndpoint,
} from "./gateway-pool/plan/replication";
export { CONFIG_STORE_RETENTION } from "./gateway-pool/resources/config-store-bucket";
export {
  readinessGateCommand,
  planReadinessGate,
  GATE_CA_ENV,
  DEFAULT_GATE_WAIT_SECONDS,
} from "./gateway-pool/plan/readiness-gate";
export type {
  ReadinessGateCommandInput,
  ReadinessGatePlan,
} from "./gateway-pool/plan/readiness-gate";
export { normalizeDnsName, isValidHostName, hostKey } from "./gateway-pool/plan/names";
export { planDane, tlsaSha256, serveGateCommand } from "./gateway-pool/plan/dane";
export type { DanePlan, DaneHostPlan, HostKeyPlan } from "./gateway-pool/plan/dane";
export type { DaneOutput, DaneHostOutput, TlsaRecordOutput } from "./gateway-pool/resources/dane";
// Operator tooling, also usable as a library.
export { registerConfigCommands } from "./config-sync";
export { registerCheckCommand } from "./health-check";
export * as configSync from "./config-sync";
export * as healthCheck from "./health-check";
export {
  poolArgsJsonSchema,
  poolArgsJsonSchemaDocument,
  stackConfigJsonSchema,
  POOL_SCHEMA_FILE,
  STACK_SCHEMA_FILE,
} from "./gateway-pool/json-schema";
export {
  assertStackConfig,
  readStackFile,
  stackConfigProblems,
  StackFileError,
  STACK_CONFIG_KEYS,
} from "./stack-file";
export type { StackConfigCheck, StackFileConfig } from "./stack-file";
