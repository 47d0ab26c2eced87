// Functions: version records, names and ARNs, aliases, version numbers and per-function settings
// (concurrency, event invoke configs and destinations, URLs, resource policies) in KV with sealed environments, code in the
// Object Store, the cached view the hot path reads, and opening the buckets.
export { LATEST, PYTHON_RUNTIME, isPythonRuntime, type FunctionVersionRecord, type LoggingSettings, type StoredFunctionVersionRecord, lambdaTimestamp } from "./function-record.js";
export {
  type FunctionReference,
  isValidFunctionName,
  isValidQualifier,
  parseFunctionReference,
  type ArnScope,
  functionArn,
  versionKeyToken,
  versionFromKeyToken,
} from "./function-name.js";
export {
  functionKey,
  FUNCTION_KEYS,
  type StoredRecord,
  parseFunctionKey,
  encodeRecord,
  decodeRecord,
  versionCounterKey,
  eventCountersKey,
  type VersionCounter,
  FunctionStore,
  compareVersions,
} from "./function-store.js";
export { ALIAS_NAME, isVersionNumber, isValidAliasName, type AliasRouting, type AliasRecord, chooseAliasVersion, aliasUsesVersion } from "./alias-record.js";
export { aliasKey, ALIAS_KEYS, parseAliasKey, decodeAlias, type StoredAlias, AliasStore } from "./alias-store.js";
export { resolveTarget } from "./resolve-target.js";
export {
  CONCURRENCY_SETTINGS_KEY,
  type ProvisionedConcurrencyConfig,
  type ConcurrencySettings,
  type ConcurrencyLimits,
  emptyConcurrencySettings,
  provisionedKey,
  unreservedConcurrency,
  provisionedTotal,
  withReservation,
  unreservedProvisioned,
  withProvisioned,
  withoutFunction,
  decodeConcurrencySettings,
  ConcurrencyStore,
} from "./concurrency-settings.js";
export {
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  EventInvokeLimits,
  type EventInvokeConfig,
  eventInvokeConfigKey,
  EVENT_INVOKE_CONFIG_KEYS,
  parseEventInvokeConfigKey,
  compareQualifierOrder,
  decodeEventInvokeConfig,
  EventInvokeConfigStore,
  emptyEventInvokeConfig,
} from "./event-invoke-config.js";
export {
  type Destination,
  MAX_DESTINATION_ARN_LENGTH,
  MAX_DESTINATION_SUBJECT_LENGTH,
  parseDestinationArn,
  parseDeadLetterTargetArn,
  arnSubject,
} from "./destination-arn.js";
export {
  type FunctionUrlCors,
  FUNCTION_URL_AUTH_TYPES,
  type FunctionUrlAuthType,
  FUNCTION_URL_INVOKE_MODES,
  type FunctionUrlInvokeMode,
  type FunctionUrlConfig,
  functionUrlConfigKey,
  FUNCTION_URL_CONFIG_KEYS,
  parseFunctionUrlConfigKey,
  URL_ID_PATTERN,
  newUrlId,
  decodeFunctionUrlConfig,
  FunctionUrlConfigStore,
} from "./function-url-config.js";
export {
  type PolicyStatement,
  type ResourcePolicy,
  resourcePolicyKey,
  RESOURCE_POLICY_KEYS,
  parseResourcePolicyKey,
  decodeResourcePolicy,
  ResourcePolicyStore,
} from "./resource-policy.js";
export {
  ENVIRONMENT_CIPHER_ALGORITHM,
  type SealedEnvironment,
  type EnvironmentScope,
  type EnvironmentSecrets,
  EnvironmentCipherError,
  environmentKeyId,
  isSealedEnvironment,
  EnvironmentCipher,
} from "./environment-cipher.js";
export { type StoredPackage, sourceMapObjectName, CodeStore } from "./code-store.js";
export { RegistryView } from "./registry-view.js";
export { FunctionNamesView } from "./function-names.js";
export { type RegistryBuckets, openRegistryBuckets } from "./open.js";
export {
  ROLE_CREDENTIALS_KEYS,
  type RoleCredentials,
  type RoleCredentialsSummary,
  roleCredentialsKey,
  isValidRoleArn,
  validateRoleCredentials,
  RoleCredentialsStore,
  RoleCredentialsView,
} from "./role-credentials.js";
export { API_KEY_KEYS, type ApiKeySummary, type ApiKeyGrant, apiKeyKey, ApiKeyStore, ApiKeysView } from "./api-keys.js";
export { ROLE_POLICY_KEYS, type RolePolicySummary, rolePolicyKey, RolePolicyStore, RolePoliciesView } from "./role-policies.js";
export { MAX_TEST_EVENTS, MAX_TEST_EVENT_BYTES, TEST_EVENT_NAME, TestEventStore, type TestEventRecord, testEventKey } from "./test-event-store.js";
