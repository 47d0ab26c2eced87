// The account's limits and usage, a function's reserved concurrency, and a version's or alias's
// provisioned concurrency.

/** GetAccountSettings' answer. Sizes are bytes. */
export interface AccountSettings {
  AccountLimit: {
    TotalCodeSize: number;
    CodeSizeUnzipped: number;
    CodeSizeZipped: number;
    ConcurrentExecutions: number;
    /** ConcurrentExecutions less every reservation. */
    UnreservedConcurrentExecutions: number;
  };
  AccountUsage: {
    /** CodeSize summed over every stored version of every function. */
    TotalCodeSize: number;
    FunctionCount: number;
  };
}

/** PutFunctionConcurrency's answer, and GetFunctionConcurrency's (`{}` when there is no reservation). */
export interface FunctionConcurrency {
  ReservedConcurrentExecutions?: number;
}

export type ProvisionedConcurrencyStatus = "IN_PROGRESS" | "READY" | "FAILED";

/** Put/GetProvisionedConcurrencyConfig's answer. */
export interface ProvisionedConcurrencyConfiguration {
  RequestedProvisionedConcurrentExecutions: number;
  AvailableProvisionedConcurrentExecutions: number;
  AllocatedProvisionedConcurrentExecutions: number;
  Status: ProvisionedConcurrencyStatus;
  StatusReason?: string;
  LastModified: string;
}

/** One item of ListProvisionedConcurrencyConfigs: the config and the qualified ARN it applies to. */
export interface ProvisionedConcurrencyConfigListItem extends ProvisionedConcurrencyConfiguration {
  FunctionArn: string;
}

export interface ListProvisionedConcurrencyConfigsResponse {
  ProvisionedConcurrencyConfigs: ProvisionedConcurrencyConfigListItem[];
  NextMarker?: string;
}
