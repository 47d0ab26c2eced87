// One invoke interface over the two wire protocols, so the same conformance tests run against both.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig } from "@lambent/testkit";

export interface InvokeOptions {
  qualifier?: string;
  logType?: "None" | "Tail";
  invocationType?: "RequestResponse" | "Event" | "DryRun";
}

export interface InvokeAnswer {
  statusCode: number;
  payload: string;
  functionError?: string;
  logResult?: string;
  executedVersion?: string;
}

/** A platform error as the client saw it. */
export interface InvokeFailure {
  errorType: string;
  message: string;
}

export interface InvokeTransport {
  name: string;
  invoke(functionName: string, payload: string | Uint8Array, options?: InvokeOptions): Promise<InvokeAnswer>;
  close(): void;
}

export function httpTransport(httpUrl: string): InvokeTransport {
  const client = new LambdaClient(lambdaClientConfig(httpUrl));
  return {
    name: "HTTP (AWS SDK)",
    async invoke(functionName, payload, options = {}) {
      try {
        const result = await client.send(
          new InvokeCommand({
            FunctionName: functionName,
            Payload: typeof payload === "string" ? Buffer.from(payload) : payload,
            ...(options.qualifier ? { Qualifier: options.qualifier } : {}),
            ...(options.logType ? { LogType: options.logType } : {}),
            ...(options.invocationType ? { InvocationType: options.invocationType } : {}),
          }),
        );
        const answer: InvokeAnswer = { statusCode: result.StatusCode!, payload: Buffer.from(result.Payload ?? []).toString() };
        if (result.FunctionError) answer.functionError = result.FunctionError;
        if (result.LogResult) answer.logResult = result.LogResult;
        if (result.ExecutedVersion) answer.executedVersion = result.ExecutedVersion;
        return answer;
      } catch (error) {
        const failure = error as { name: string; message: string };
        throw { errorType: failure.name, message: failure.message } satisfies InvokeFailure;
      }
    },
    close: () => client.destroy(),
  };
}
