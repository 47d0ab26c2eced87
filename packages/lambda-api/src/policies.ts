// Resource-based policies: who may call a function (or one version or alias of it), as IAM statements.

/** AddPermission's body. */
export interface AddPermissionRequest {
  StatementId: string;
  /** `lambda:InvokeFunction`, `lambda:*`, … */
  Action: string;
  /** `*`, an account id, an IAM ARN or a service (`s3.amazonaws.com`). */
  Principal: string;
  SourceArn?: string;
  SourceAccount?: string;
  EventSourceToken?: string;
  RevisionId?: string;
  PrincipalOrgID?: string;
  FunctionUrlAuthType?: "NONE" | "AWS_IAM";
  InvokedViaFunctionUrl?: boolean;
}

/** AddPermission's answer: the statement added, as a JSON string. */
export interface AddPermissionResponse {
  Statement: string;
}

/** GetPolicy's answer: the policy document as a JSON string, and its revision. */
export interface GetPolicyResponse {
  Policy: string;
  RevisionId: string;
}
