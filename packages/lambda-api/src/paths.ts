// The REST paths: Lambda's, dated by the API version that introduced each, and Lambent's own beside them
// under `/lambent`. Each builder takes its segments as they go into the path: a client passes names it
// has percent-encoded, the frontend a pattern that captures the segment.

const FUNCTIONS = "/2015-03-31/functions";
const EVENT_SOURCE_MAPPINGS = "/2015-03-31/event-source-mappings";
const LAMBENT = "/lambent/2024-01-01";

export const ApiPaths = {
  /** CreateFunction (POST), ListFunctions (GET). */
  functions: FUNCTIONS,
  /** GetFunction, DeleteFunction. */
  function: (name: string) => `${FUNCTIONS}/${name}`,
  invocations: (name: string) => `${FUNCTIONS}/${name}/invocations`,
  functionConfiguration: (name: string) => `${FUNCTIONS}/${name}/configuration`,
  functionCode: (name: string) => `${FUNCTIONS}/${name}/code`,
  /** PublishVersion (POST), ListVersionsByFunction (GET). */
  versions: (name: string) => `${FUNCTIONS}/${name}/versions`,
  /** CreateAlias (POST), ListAliases (GET). */
  aliases: (name: string) => `${FUNCTIONS}/${name}/aliases`,
  alias: (name: string, alias: string) => `${FUNCTIONS}/${name}/aliases/${alias}`,
  accountSettings: "/2016-08-19/account-settings",
  /** PutFunctionConcurrency, DeleteFunctionConcurrency. */
  reservedConcurrency: (name: string) => `/2017-10-31/functions/${name}/concurrency`,
  /** GetFunctionConcurrency: the same resource as `reservedConcurrency`, under a later date. */
  functionConcurrency: (name: string) => `/2019-09-30/functions/${name}/concurrency`,
  /** Put, Get and DeleteProvisionedConcurrencyConfig; ListProvisionedConcurrencyConfigs with `?List=ALL`. */
  provisionedConcurrency: (name: string) => `/2019-09-30/functions/${name}/provisioned-concurrency`,
  eventInvokeConfig: (name: string) => `/2019-09-25/functions/${name}/event-invoke-config`,
  eventInvokeConfigList: (name: string) => `/2019-09-25/functions/${name}/event-invoke-config/list`,
  functionUrlConfig: (name: string) => `/2021-10-31/functions/${name}/url`,
  /** ListFunctionUrlConfigs. */
  functionUrlConfigs: (name: string) => `/2021-10-31/functions/${name}/urls`,
  /** TagResource (POST), UntagResource (DELETE, `?tagKeys=`), ListTags (GET); `arn` is the function's ARN. */
  tags: (arn: string) => `/2017-03-31/tags/${arn}`,
  /** AddPermission (POST), GetPolicy (GET). */
  policy: (name: string) => `${FUNCTIONS}/${name}/policy`,
  /** RemovePermission. */
  policyStatement: (name: string, statementId: string) => `${FUNCTIONS}/${name}/policy/${statementId}`,
  /** Get, Put and DeleteFunctionCodeSigningConfig. */
  functionCodeSigningConfig: (name: string) => `/2020-06-30/functions/${name}/code-signing-config`,
  /** CreateCodeSigningConfig (POST), ListCodeSigningConfigs (GET). */
  codeSigningConfigs: "/2020-04-22/code-signing-configs",
  codeSigningConfig: (arn: string) => `/2020-04-22/code-signing-configs/${arn}`,
  /** ListFunctionsByCodeSigningConfig. */
  codeSigningConfigFunctions: (arn: string) => `/2020-04-22/code-signing-configs/${arn}/functions`,
  /** GetRuntimeManagementConfig. */
  runtimeManagementConfig: (name: string) => `/2021-07-20/functions/${name}/runtime-management-config`,
  /** ListLayers (GET); with `?find=LayerVersion&Arn=` GetLayerVersionByArn. */
  layers: "/2018-10-31/layers",
  /** PublishLayerVersion (POST), ListLayerVersions (GET). */
  layerVersions: (layerName: string) => `/2018-10-31/layers/${layerName}/versions`,
  /** GetLayerVersion, DeleteLayerVersion. */
  layerVersion: (layerName: string, version: string) => `/2018-10-31/layers/${layerName}/versions/${version}`,
  /** AddLayerVersionPermission (POST), GetLayerVersionPolicy (GET). */
  layerVersionPolicy: (layerName: string, version: string) => `/2018-10-31/layers/${layerName}/versions/${version}/policy`,
  /** RemoveLayerVersionPermission. */
  layerVersionPolicyStatement: (layerName: string, version: string, statementId: string) =>
    `/2018-10-31/layers/${layerName}/versions/${version}/policy/${statementId}`,
  /** InvokeWithResponseStream. */
  responseStreamingInvocations: (name: string) => `/2021-11-15/functions/${name}/response-streaming-invocations`,
  eventSourceMappings: EVENT_SOURCE_MAPPINGS,
  eventSourceMapping: (uuid: string) => `${EVENT_SOURCE_MAPPINGS}/${uuid}`,
  /** Lambent's GetQueueStats. */
  queue: (name: string) => `${LAMBENT}/functions/${name}/queue`,
  /** Lambent's GetLogs. */
  logs: (name: string) => `${LAMBENT}/functions/${name}/logs`,
  /** Lambent's GetFunctionMetrics. */
  functionMetrics: (name: string) => `${LAMBENT}/functions/${name}/metrics`,
  /** Lambent's GetFunctionsMetrics: several functions' minutes at once (`?FunctionNames=a,b&since=`). */
  metrics: `${LAMBENT}/metrics`,
  /** Lambent's SearchFunctions: a page of functions by name (`?Search=&Offset=&MaxItems=`), with counts, and its minutes with `&MetricsSince=`. */
  searchFunctions: `${LAMBENT}/functions`,
  /** Lambent's ListTestEvents (GET). */
  testEvents: (name: string) => `${LAMBENT}/functions/${name}/test-events`,
  /** Lambent's PutTestEvent (PUT), DeleteTestEvent (DELETE). */
  testEvent: (name: string, eventName: string) => `${LAMBENT}/functions/${name}/test-events/${eventName}`,
  /** Lambent's ListDeadLetters (GET). */
  deadLetters: (name: string) => `${LAMBENT}/functions/${name}/dead-letters`,
  /** Lambent's RedriveDeadLetters (POST). */
  deadLetterRedrive: (name: string) => `${LAMBENT}/functions/${name}/dead-letters/redrive`,
  /** Lambent's GetUsage: every function. */
  usage: `${LAMBENT}/usage`,
  /** Lambent's GetFunctionUsage. */
  functionUsage: (name: string) => `${LAMBENT}/functions/${name}/usage`,
  /** Lambent's CreateRoute (POST), ListRoutes (GET). */
  routes: `${LAMBENT}/routes`,
  route: (routeId: string) => `${LAMBENT}/routes/${routeId}`,
  /** Lambent's CreateTrigger (POST), ListTriggers (GET). */
  triggers: `${LAMBENT}/triggers`,
  trigger: (name: string) => `${LAMBENT}/triggers/${name}`,
  /** Lambent's PutRoleCredentials (PUT), ListRoleCredentials (GET), DeleteRoleCredentials (DELETE `?RoleArn=`). */
  roleCredentials: `${LAMBENT}/role-credentials`,
  /** Lambent's CreateAccessKey (POST), ListAccessKeys (GET). */
  accessKeys: `${LAMBENT}/access-keys`,
  /** Lambent's DeleteAccessKey (DELETE). */
  accessKey: (accessKeyId: string) => `${LAMBENT}/access-keys/${accessKeyId}`,
  /** Lambent's GetCluster (GET). */
  cluster: `${LAMBENT}/cluster`,
  /** Lambent's PutRolePolicy (PUT), ListRolePolicies (GET), DeleteRolePolicy (DELETE `?RoleArn=`). */
  rolePolicies: `${LAMBENT}/role-policies`,
  /** Lambent's ListApplications (GET). */
  applications: `${LAMBENT}/applications`,
  /** Lambent's DeleteApplication (DELETE `?LockId=`): forgets the stack's revisions. */
  application: (stack: string) => `${LAMBENT}/applications/${stack}`,
  /** Lambent's ListApplicationRevisions (GET), CreateApplicationRevision (POST). */
  applicationRevisions: (stack: string) => `${LAMBENT}/applications/${stack}/revisions`,
  /** Lambent's GetApplicationRevision (GET). */
  applicationRevision: (stack: string, revision: string) => `${LAMBENT}/applications/${stack}/revisions/${revision}`,
  /** Lambent's GetApplicationLock (GET), AcquireApplicationLock (PUT), UpdateApplicationLock (POST), ReleaseApplicationLock (DELETE `?LockId=`). */
  applicationLock: (stack: string) => `${LAMBENT}/applications/${stack}/lock`,
  /** Lambent's DeployApplication (POST, the zip of the template's folder as the body): deploys the template as the CLI does. */
  applicationDeployments: (stack: string) => `${LAMBENT}/applications/${stack}/deployments`,
  /** Lambent's DiffApplication (POST, the same body): what DeployApplication would change, changing nothing. */
  applicationDiff: (stack: string) => `${LAMBENT}/applications/${stack}/diff`,
  /** Lambent's PutAccessKeyPolicy (PUT). */
  accessKeyPolicy: (accessKeyId: string) => `${LAMBENT}/access-keys/${accessKeyId}/policy`,
} as const;
