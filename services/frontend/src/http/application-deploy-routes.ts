// Lambent's DeployApplication and DiffApplication: a SAM template deployed over the API, as `lambent deploy
// <folder>` deploys it. The body is the zip of the template's folder; the deploy (@lambent/app-deploy) runs
// here with every call it makes served in-process and authorized as this request's caller, so it may do
// no more than that caller could do call by call. The stack's lock refuses a second deploy meanwhile.
import { isLambdaErrorType, LambdaError, invalidParameter, resourceConflict } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import { PackageLimits } from "@lambent/bundler";
import { ApiError, ApplicationLockError, createApiClient, deployResultJson, deployTemplate, DeployInputError, diffResultJson, diffTemplate, type DeployReporter, type TemplateDeployOptions } from "@lambent/app-deploy";
import { describeProblem, parseParameterOverrides, ResolveError, type TemplateProblem } from "@lambent/sam-template";
import { IN_PROCESS_ENDPOINT, inProcessFetchOf } from "../app-deploy/in-process-fetch.js";
import { unpackTemplateFolder } from "../app-deploy/template-folder.js";
import type { ApiCaller } from "./api-authorization.js";
import { readBody } from "./body.js";
import { SEGMENT, exactly, type Route, type RouteRequest } from "./api-route.js";

/** What the reports of a deploy add to its answer. */
interface Reports {
  Warnings?: string[];
  Progress?: string[];
}

/** The operator's caller, for a cluster that takes unsigned requests: any request may do everything there. */
const UNSIGNED_CALLER: ApiCaller = { principalArn: "arn:aws:iam::000000000000:root", policy: undefined };

export const applicationDeployRoutes: Route[] = [
  {
    method: "POST",
    path: exactly(ApiPaths.applicationDeployments(SEGMENT)),
    operation: "DeployApplication",
    handle: async (_api, request) =>
      withTemplate(request, async (options, reporter, reports) => {
        const result = await deployTemplate(options, reporter);
        if ("refused" in result) throw refusal(result.refused);
        return { kind: "json", status: 201, body: { ...deployResultJson(result), ...reports() } };
      }),
  },
  {
    method: "POST",
    path: exactly(ApiPaths.applicationDiff(SEGMENT)),
    operation: "DiffApplication",
    handle: async (_api, request) =>
      withTemplate(request, async (options, reporter, reports) => {
        const result = await diffTemplate(options, reporter);
        if ("refused" in result) throw refusal(result.refused);
        return { kind: "json", status: 200, body: { ...diffResultJson(result), ...reports() } };
      }),
  },
];

type TemplateWork<T> = (options: TemplateDeployOptions, reporter: DeployReporter, reports: () => Reports) => Promise<T>;

/** Unpacks the body into its own folder, runs `work` on it as the request's caller, and removes the folder. */
async function withTemplate<T>({ request, params, query, caller, server }: RouteRequest, work: TemplateWork<T>): Promise<T> {
  const stackName = params[0]!;
  const parameterOverrides = parameterOverridesOf(query.getAll("ParameterOverrides"));
  const zip = await readBody(request, PackageLimits.zippedBytes, () => new LambdaError("RequestTooLargeException", `The zip of the application's folder must be smaller than ${PackageLimits.zippedBytes} bytes`));
  const folder = await unpackTemplateFolder(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength));
  const warnings: string[] = [];
  const progress: string[] = [];
  // No environment: LAMBENT_DEPLOY_LOCK_TTL is a CLI user's setting, and the lock keeps the deploy's default TTL here.
  const reporter: DeployReporter = { warning: (text) => warnings.push(text), progress: (line) => progress.push(line), env: {} };
  const reports = (): Reports => ({ ...(warnings.length > 0 ? { Warnings: warnings } : {}), ...(progress.length > 0 ? { Progress: progress } : {}) });
  try {
    const client = createApiClient(IN_PROCESS_ENDPOINT, inProcessFetchOf(server, caller ?? UNSIGNED_CALLER));
    // The template is the caller's: it may read the files of its own zip, and none of the frontend's.
    return await work({ templatePath: folder.templatePath, stackName, parameterOverrides, client, confineToFolder: true }, reporter, reports);
  } catch (error) {
    throw asLambdaError(error, progress);
  } finally {
    await folder.remove();
  }
}

/** Each `ParameterOverrides` value is one pair: `Key=Value`, or SAM's `ParameterKey=K,ParameterValue=V`. */
function parameterOverridesOf(pairs: readonly string[]): Record<string, string> {
  try {
    return parseParameterOverrides(pairs);
  } catch (error) {
    if (error instanceof ResolveError) throw invalidParameter(`ParameterOverrides: ${error.message}`);
    throw error;
  }
}

/** A template the deploy refuses, in Lambda's words: each problem names its resource and property. */
function refusal(problems: readonly TemplateProblem[]): LambdaError {
  return invalidParameter(`The template cannot be deployed; nothing was changed: ${problems.map(describeProblem).join("; ")}`);
}

/** A deploy's failure as Lambda's error: an inner call's error keeps its type, with what was undone after it. */
function asLambdaError(error: unknown, progress: readonly string[]): unknown {
  if (error instanceof LambdaError) return error;
  if (error instanceof DeployInputError) return invalidParameter(error.message);
  if (error instanceof ApplicationLockError) return resourceConflict(error.message);
  if (error instanceof ApiError) {
    const undone = progress.length > 0 ? ` (${progress.map((line) => line.trim()).join("; ")})` : "";
    return new LambdaError(isLambdaErrorType(error.type) ? error.type : "ServiceException", `${error.message}${undone}`);
  }
  return error;
}
