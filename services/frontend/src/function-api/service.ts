// Functions' Lambda API requests other than Invoke, as workers send them over NATS (the frontends take
// them in one queue group): each is served by this frontend's REST router (bridge.ts) as the calling
// function's execution role; those a function sent to CodeDeploy's endpoint are served by codedeploy.ts.
// The role's identity policy (PutRolePolicy) decides what it may do; a role without one may, with the API
// open (LAMBENT_API_AUTH=none), read (`lambda:Get*`, `lambda:List*`) and nothing else, and with signed API
// calls nothing at all.
import type { Server } from "node:http";
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { LambdaError, throttled } from "@lambent/errors";
import { policyOfRecord, type IdentityPolicy } from "@lambent/iam-policy";
import { QueueGroups, Subjects, decodeFunctionApiRequest, encodeFunctionApiAnswer } from "@lambent/protocol";
import type { DeploymentStore } from "@lambent/registry/applications";
import type { Logger } from "@lambent/telemetry";
import type { ApiCaller } from "../http/api-authorization.js";
import { serveCodeDeploy } from "./codedeploy.js";
import { answerAsFunction, errorAnswer, type ServedAnswer } from "./bridge.js";

/** Requests one frontend serves for functions at once; more are throttled, so functions cannot crowd out outside callers. */
export const MAX_FUNCTION_API_IN_FLIGHT = 64;

/** What a role without a policy may do while the API is open to anyone who reaches it. */
export const OPEN_CLUSTER_DEFAULT: IdentityPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:Get*", "lambda:List*"], Resource: ["*"] }] };
/** What a role without a policy may do when API calls are signed: nothing. */
const SIGNED_CLUSTER_DEFAULT: IdentityPolicy = { Version: "2012-10-17", Statement: [] };

export interface FunctionApiServiceOptions {
  nc: NatsConnection;
  /** This frontend's HTTP server: requests are served by its router. */
  server: Server;
  /** A role's policy record, when the operator gave it one. */
  rolePolicy(roleArn: string): Promise<{ policy: unknown } | undefined>;
  /** Whether outside API calls must be signed (LAMBENT_API_AUTH=sigv4). */
  signedApi: boolean;
  /** Gradual deployments, whose hooks report through CodeDeploy's PutLifecycleEventHookExecutionStatus. */
  deployments: DeploymentStore;
  logger: Logger;
}

/** The caller a function's request is served as: its role, under the role's policy or the default. */
export async function functionCaller(options: Pick<FunctionApiServiceOptions, "rolePolicy" | "signedApi">, roleArn: string): Promise<ApiCaller> {
  const record = await options.rolePolicy(roleArn);
  const policy = record ? policyOfRecord(record) : options.signedApi ? SIGNED_CLUSTER_DEFAULT : OPEN_CLUSTER_DEFAULT;
  return { principalArn: roleArn, policy };
}

export class FunctionApiService {
  private readonly subscription: Subscription;
  private inFlight = 0;

  constructor(private readonly options: FunctionApiServiceOptions) {
    this.subscription = options.nc.subscribe(Subjects.functionApi, {
      queue: QueueGroups.frontends,
      callback: (_error, msg) => {
        // An answer that cannot be sent (the connection closing) leaves the worker to its timeout.
        this.serve(msg).catch((error: unknown) => options.logger.warn("function API answer not sent", { err: error }));
      },
    });
  }

  /** Stops taking requests; those in flight finish. */
  close(): void {
    this.subscription.unsubscribe();
  }

  private async serve(msg: Msg): Promise<void> {
    if (!msg.reply) return;
    let served: ServedAnswer;
    if (this.inFlight >= MAX_FUNCTION_API_IN_FLIGHT) {
      served = errorAnswer(throttled("CallerRateLimitExceeded", "Rate Exceeded. Too many Lambda API requests from functions at once."));
    } else {
      this.inFlight++;
      try {
        served = await this.answer(msg.data);
      } finally {
        this.inFlight--;
      }
    }
    msg.respond(encodeFunctionApiAnswer(served.answer, served.body));
  }

  private async answer(frame: Uint8Array): Promise<ServedAnswer> {
    let decoded;
    try {
      decoded = decodeFunctionApiRequest(frame);
    } catch (error) {
      this.options.logger.warn("function API request unreadable: refused", { err: error });
      return errorAnswer(new LambdaError("InvalidRequestContentException", "The request could not be read"));
    }
    const { request, body } = decoded;
    if (request.endpoint === "codedeploy") return serveCodeDeploy({ deployments: this.options.deployments, logger: this.options.logger }, request, body);
    try {
      const caller = await functionCaller(this.options, request.roleArn);
      const served = await answerAsFunction(this.options.server, caller, request, body);
      this.options.logger.debug("function API request served", { functionName: request.functionName, requestId: request.requestId, method: request.method, status: served.answer.status });
      return served;
    } catch (error) {
      this.options.logger.error("function API request failed", { functionName: request.functionName, requestId: request.requestId, err: error });
      return errorAnswer(error);
    }
  }
}
