// Lambent's application operations in the REST table (routes.ts): revisions and the deploy lock of stacks
// deployed from templates (control-plane/applications.ts).
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import { applicationsOf } from "../control-plane/applications.js";
import { parseJsonBody, readBody } from "./body.js";
import { SEGMENT, exactly, withOptionalSlash, type Route } from "./api-route.js";

/** A revision holds the template and what it made: a few hundred KB at most. */
const APPLICATION_BODY_LIMIT = 1024 * 1024;

async function applicationBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, APPLICATION_BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${APPLICATION_BODY_LIMIT} bytes`));
  return parseJsonBody(body);
}

export const applicationRoutes: Route[] = [
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.applications),
    operation: "ListApplications",
    handle: async (api) => ({ kind: "json", status: 200, body: await applicationsOf(api).list() }),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.application(SEGMENT)),
    operation: "DeleteApplication",
    handle: async (api, { params, query }) => {
      await applicationsOf(api).delete(params[0]!, query.get("LockId") ?? undefined);
      return { kind: "json", status: 204 };
    },
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.applicationRevisions(SEGMENT)),
    operation: "ListApplicationRevisions",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await applicationsOf(api).listRevisions(params[0]!) }),
  },
  {
    method: "POST",
    path: withOptionalSlash(ApiPaths.applicationRevisions(SEGMENT)),
    operation: "CreateApplicationRevision",
    handle: async (api, { request, params }) => ({ kind: "json", status: 201, body: await applicationsOf(api).createRevision(params[0]!, await applicationBody(request)) }),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.applicationRevision(SEGMENT, SEGMENT)),
    operation: "GetApplicationRevision",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await applicationsOf(api).getRevision(params[0]!, params[1]!) }),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.applicationLock(SEGMENT)),
    operation: "GetApplicationLock",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await applicationsOf(api).getLock(params[0]!) }),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.applicationLock(SEGMENT)),
    operation: "AcquireApplicationLock",
    handle: async (api, { request, params }) => ({ kind: "json", status: 201, body: await applicationsOf(api).acquireLock(params[0]!, await applicationBody(request)) }),
  },
  {
    method: "POST",
    path: exactly(ApiPaths.applicationLock(SEGMENT)),
    operation: "UpdateApplicationLock",
    handle: async (api, { request, params }) => ({ kind: "json", status: 200, body: await applicationsOf(api).updateLock(params[0]!, await applicationBody(request)) }),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.applicationLock(SEGMENT)),
    operation: "ReleaseApplicationLock",
    handle: async (api, { params, query }) => {
      await applicationsOf(api).releaseLock(params[0]!, query.get("LockId") ?? undefined);
      return { kind: "json", status: 204 };
    },
  },
];
