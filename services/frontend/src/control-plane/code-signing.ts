// Lambda's code signing calls, answered as Lambda answers an account that has no code signing configs:
// Lambent verifies no signatures, so no function has a config and none can be found, listed or attached.
// CreateCodeSigningConfig is refused rather than answered with a config nothing would enforce.
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { LATEST, functionArn, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";
import type { GetFunctionCodeSigningConfigResponse, ListCodeSigningConfigsResponse } from "@lambent/lambda-api";
import { requireBody, requireString } from "./fields.js";
import { checkInput } from "./model-input.js";
import type { ListOptions } from "./pagination.js";

export class CodeSigningOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  /** A function without a config: its name and an empty ARN. */
  async getFunctionConfig(reference: string): Promise<GetFunctionCodeSigningConfigResponse> {
    checkInput("GetFunctionCodeSigningConfig", { FunctionName: reference });
    const functionName = await this.existingFunction(reference);
    return { CodeSigningConfigArn: "", FunctionName: functionName };
  }

  /** No config can be found to attach. */
  async putFunctionConfig(reference: string, input: unknown): Promise<never> {
    const body = requireBody(input);
    checkInput("PutFunctionCodeSigningConfig", { ...body, FunctionName: reference });
    await this.existingFunction(reference);
    const arn = requireString(body, "CodeSigningConfigArn");
    throw new LambdaError(
      "CodeSigningConfigNotFoundException",
      `The code signing configuration cannot be found. Check that the provided configuration is not deleted: ${arn}.`,
    );
  }

  /** Nothing is attached, so there is nothing to remove: answered as a removal. */
  async deleteFunctionConfig(reference: string): Promise<void> {
    checkInput("DeleteFunctionCodeSigningConfig", { FunctionName: reference });
    await this.existingFunction(reference);
  }

  async create(input: unknown): Promise<never> {
    checkInput("CreateCodeSigningConfig", requireBody(input));
    throw invalidParameter("Lambent does not verify code signatures, so it keeps no code signing configurations.");
  }

  async get(arn: string): Promise<never> {
    checkInput("GetCodeSigningConfig", { CodeSigningConfigArn: arn });
    throw notFound(arn);
  }

  async update(arn: string, input: unknown): Promise<never> {
    checkInput("UpdateCodeSigningConfig", { ...requireBody(input), CodeSigningConfigArn: arn });
    throw notFound(arn);
  }

  async delete(arn: string): Promise<never> {
    checkInput("DeleteCodeSigningConfig", { CodeSigningConfigArn: arn });
    throw notFound(arn);
  }

  async list(options: ListOptions): Promise<ListCodeSigningConfigsResponse> {
    checkInput("ListCodeSigningConfigs", { Marker: options.marker, MaxItems: options.maxItems });
    return { CodeSigningConfigs: [] };
  }

  async listFunctions(arn: string, options: ListOptions): Promise<never> {
    checkInput("ListFunctionsByCodeSigningConfig", { CodeSigningConfigArn: arn, Marker: options.marker, MaxItems: options.maxItems });
    throw notFound(arn);
  }

  private async existingFunction(reference: string): Promise<string> {
    const { functionName } = parseFunctionReference(reference, undefined, this.scope);
    if (!(await this.functions.get(functionName, LATEST))) throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    return functionName;
  }
}

function notFound(arn: string): LambdaError {
  return resourceNotFound(`The Lambda code signing configuration ${arn} can not be found.`);
}
