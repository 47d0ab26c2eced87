// Lambent's access keys for its own API: a user's key with an IAM-style identity policy.

/** CreateAccessKey's request body. */
export interface CreateAccessKeyRequest {
  UserName: string;
  /** An identity policy document, as JSON text or as its object. */
  Policy: unknown;
}

/** A key as ListAccessKeys and PutAccessKeyPolicy answer it: never its secret. */
export interface AccessKeyDescription {
  AccessKeyId: string;
  UserName: string;
  /** `arn:aws:iam::<account>:user/<UserName>`: the principal refusals name. */
  UserArn: string;
  Policy: unknown;
  CreatedAt: string;
  UpdatedAt: string;
}

/** CreateAccessKey's answer: the only time the secret is shown. */
export interface CreatedAccessKey extends AccessKeyDescription {
  SecretAccessKey: string;
}

export interface ListAccessKeysResponse {
  AccessKeys: AccessKeyDescription[];
}

/** PutAccessKeyPolicy's request body. */
export interface PutAccessKeyPolicyRequest {
  Policy: unknown;
}

/** PutRolePolicy's request body: what an execution role's functions may do when they call Lambent. */
export interface PutRolePolicyRequest {
  RoleArn: string;
  Policy: unknown;
}

export interface RolePolicyDescription {
  RoleArn: string;
  Policy: unknown;
  UpdatedAt: string;
}

export interface ListRolePoliciesResponse {
  RolePolicies: RolePolicyDescription[];
}
