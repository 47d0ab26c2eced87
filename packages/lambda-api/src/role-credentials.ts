// Lambent's role credentials API: what the operator gives an execution role, as the API answers it (the
// secret parts are never answered).

/** PutRoleCredentials' request body. */
export interface PutRoleCredentialsRequest {
  RoleArn: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
}

/** One role's credentials, as PutRoleCredentials and ListRoleCredentials answer them. */
export interface RoleCredentialsDescription {
  RoleArn: string;
  AccessKeyId: string;
  HasSessionToken: boolean;
  /** ISO 8601. */
  UpdatedAt: string;
}

export interface ListRoleCredentialsResponse {
  RoleCredentials: RoleCredentialsDescription[];
}
