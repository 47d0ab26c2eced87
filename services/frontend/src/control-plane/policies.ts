// Lambda's resource-based policy calls (AddPermission, RemovePermission, GetPolicy): statements per function
// qualifier over the registry's ResourcePolicyStore, written as Lambda writes them, and the cleanup when a
// version or alias goes away. Who may call what is checked elsewhere; these calls only keep the policy.
import { randomUUID } from "node:crypto";
import { LambdaError, invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import {
  LATEST,
  functionArn,
  isVersionNumber,
  parseFunctionReference,
  type ArnScope,
  type FunctionStore,
  type PolicyStatement,
  type ResourcePolicy,
} from "@lambent/registry/functions";
import type { AddPermissionResponse, GetPolicyResponse } from "@lambent/lambda-api";
import { type Body, optionalBoolean, optionalString, requireBody, requireString } from "./fields.js";
import { checkInput } from "./model-input.js";

const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(amazonaws\.com|amazon\.com|amazonaws\.com\.cn)$/;
const ACCOUNT = /^\d{12}$/;
const IAM_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:.+$/;

export class PolicyOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  /** AddPermission: a statement named by its StatementId, unique in the qualifier's policy. */
  async add(reference: string, qualifierParameter: string | undefined, input: unknown): Promise<AddPermissionResponse> {
    const body = requireBody(input);
    checkInput("AddPermission", { ...body, FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, this.scope);
    if (qualifier === LATEST) throw invalidParameter("We currently do not support adding policies for $LATEST.");
    const target = qualifier ?? LATEST;
    const statement = readStatement(body, functionArn(this.scope, functionName, qualifier));
    const expectedRevision = optionalString(body, "RevisionId");
    await this.requireTarget(functionName, target);
    await this.functions.policies.update(functionName, target, (current) => {
      checkPolicyRevision(current, expectedRevision);
      const statements = current?.statements ?? [];
      if (statements.some((existing) => existing.Sid === statement.Sid)) {
        throw resourceConflict(
          `The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      }
      return { functionName, qualifier: target, revisionId: randomUUID(), statements: [...statements, statement] };
    });
    return { Statement: JSON.stringify(statement) };
  }

  /** RemovePermission: the statement goes; a policy left empty goes with it. */
  async remove(reference: string, statementId: string, qualifierParameter: string | undefined, expectedRevision: string | undefined): Promise<void> {
    checkInput("RemovePermission", { FunctionName: reference, StatementId: statementId, Qualifier: qualifierParameter, RevisionId: expectedRevision });
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, this.scope);
    const target = qualifier ?? LATEST;
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`No policy found for: ${functionArn(this.scope, functionName, qualifier)}`);
    }
    await this.requireTarget(functionName, target);
    await this.functions.policies.update(functionName, target, (current) => {
      if (current === undefined) throw resourceNotFound("No policy is associated with the given resource.");
      checkPolicyRevision(current, expectedRevision);
      if (!current.statements.some((statement) => statement.Sid === statementId)) {
        throw resourceNotFound(`Statement ${statementId} is not found in resource policy.`);
      }
      return { ...current, revisionId: randomUUID(), statements: current.statements.filter((statement) => statement.Sid !== statementId) };
    });
  }

  /** GetPolicy: the policy document as a JSON string, as Lambda answers it. */
  async get(reference: string, qualifierParameter: string | undefined): Promise<GetPolicyResponse> {
    checkInput("GetPolicy", { FunctionName: reference, Qualifier: qualifierParameter });
    const { functionName, qualifier } = parseFunctionReference(reference, qualifierParameter, this.scope);
    const policy = await this.functions.policies.get(functionName, qualifier ?? LATEST);
    // Lambda does not say whether the function, the qualifier or the policy is missing.
    if (!policy || !(await this.functions.get(functionName, LATEST))) throw resourceNotFound("The resource you requested does not exist.");
    return { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: policy.statements }), RevisionId: policy.revisionId };
  }

  /** Drops every policy of a deleted function, or with a qualifier the policy of a deleted version or alias. */
  async forget(functionName: string, qualifier?: string): Promise<void> {
    if (qualifier === undefined) await this.functions.policies.deleteAll(functionName);
    else await this.functions.policies.delete(functionName, qualifier);
  }

  /** The function and its version or alias exist, named as Lambda names what is missing. */
  private async requireTarget(functionName: string, qualifier: string): Promise<void> {
    if (!(await this.functions.get(functionName, LATEST))) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    if (qualifier === LATEST) return;
    const arn = functionArn(this.scope, functionName, qualifier);
    if (isVersionNumber(qualifier)) {
      if (!(await this.functions.get(functionName, qualifier))) throw resourceNotFound(`Function not found: ${arn}`);
    } else if (!(await this.functions.aliases.get(functionName, qualifier))) {
      // A qualifier no alias can have ($ in it) was never a version either.
      throw resourceNotFound(/^[a-zA-Z0-9_-]+$/.test(qualifier) ? `Cannot find alias arn: ${arn}` : `Function not found: ${arn}`);
    }
  }
}

/**
 * The statement an AddPermission body makes, as Lambda writes it: the principal as IAM names it, and each
 * condition under the operator Lambda puts it under.
 */
export function readStatement(body: Body, resource: string): PolicyStatement {
  const statement: PolicyStatement = {
    Sid: requireString(body, "StatementId"),
    Effect: "Allow",
    Principal: readPrincipal(requireString(body, "Principal")),
    Action: requireString(body, "Action"),
    Resource: resource,
  };
  const equals: Record<string, string> = {};
  const sourceAccount = optionalString(body, "SourceAccount");
  if (sourceAccount !== undefined) equals["AWS:SourceAccount"] = sourceAccount;
  const urlAuthType = optionalString(body, "FunctionUrlAuthType");
  if (urlAuthType !== undefined) equals["lambda:FunctionUrlAuthType"] = urlAuthType;
  const organization = optionalString(body, "PrincipalOrgID");
  if (organization !== undefined) equals["aws:PrincipalOrgID"] = organization;
  const eventSourceToken = optionalString(body, "EventSourceToken");
  if (eventSourceToken !== undefined) equals["lambda:EventSourceToken"] = eventSourceToken;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(equals).length > 0) condition["StringEquals"] = equals;
  const sourceArn = optionalString(body, "SourceArn");
  if (sourceArn !== undefined) condition["ArnLike"] = { "AWS:SourceArn": sourceArn };
  if (optionalBoolean(body, "InvokedViaFunctionUrl") === true) condition["Bool"] = { "lambda:InvokedViaFunctionUrl": "true" };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

/** `*`, an account (its root), an IAM ARN, or a service; anything else Lambda refuses. */
function readPrincipal(principal: string): PolicyStatement["Principal"] {
  if (principal === "*") return "*";
  if (ACCOUNT.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (IAM_ARN.test(principal)) return { AWS: principal };
  if (SERVICE_PRINCIPAL.test(principal)) return { Service: principal };
  throw invalidParameter("The provided principal was invalid. Please check the principal and try again.");
}

function checkPolicyRevision(current: ResourcePolicy | undefined, expected: string | undefined): void {
  if (expected !== undefined && expected !== current?.revisionId) {
    throw new LambdaError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
    );
  }
}
