// `lambent route add|list|remove`: mount a function at a path prefix and methods on the frontend (Lambent's
// routes, served at <endpoint><path>), list the routes, and remove one by id or every route at a path.
import type { RouteConfiguration } from "@lambent/lambda-api";
import { ApiError, collectPages, createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, FUNCTION_OPTION, UsageError, parseCommandArgs, runSubcommand, type CliIo, type Command, type Subcommands } from "../command.js";
import { formatFields, formatTable, writeJson, writeLine } from "../output.js";

const ADD_OPTIONS = {
  ...FUNCTION_OPTION,
  qualifier: { type: "string" },
  method: { type: "string", multiple: true },
  "cors-origin": { type: "string", multiple: true },
} as const;

/** Options of any route subcommand that take a value, so the subcommand can be found behind them. */
const VALUE_OPTIONS = new Set(["--endpoint", "--function", "--qualifier", "--method", "--cors-origin"]);

export const routeCommand: Command = {
  name: "route",
  summary: "mount a function at a path on the frontend, list and remove routes",
  usage: `Usage: lambent route <add|list|remove> ... [options]

  lambent route add <path> --function NAME [--qualifier Q] [--method M]... [--cors-origin ORIGIN]...
      Serves requests for <path> and every path beneath it (whole segments: /shop matches /shop/cart,
      not /shopping) with the function, as API Gateway's payload 2.0 event. Without --method the route
      takes ANY method. A prefix and method belong to one route; Lambent's own paths are refused.
  lambent route list [--function NAME]
      Every route (all pages), or those of one function.
  lambent route remove <routeId | path>
      Removes one route by id, or every route at exactly that path.

Options:
  --function NAME       the function to invoke ($LAMBENT_FUNCTION when left out of add)
  --qualifier Q         $LATEST (the default), a version or an alias
  --method M            GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY; repeat for more
  --cors-origin ORIGIN  an origin browsers may call the route from ('*' for any); repeat for more

With --json, add prints the Route, list prints {"Routes": [...]}, remove prints
{"RouteIds": [...], "Deleted": true}.

${COMMON_USAGE}`,
  run: runRoute,
};

const SUBCOMMANDS: Subcommands = {
  add: runRouteAdd,
  list: runRouteList,
  remove: runRouteRemove,
};

export function runRoute(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(routeCommand, SUBCOMMANDS, VALUE_OPTIONS, args, io);
}

async function runRouteAdd(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, common } = parseCommandArgs(args, ADD_OPTIONS, io, 1);
  if (common.help) return help(io);
  const path = positionals[0]!;
  if (!path.startsWith("/")) throw new UsageError(`the path must start with '/', got '${path}'`);
  const functionName = values.function ?? (io.env.LAMBENT_FUNCTION || undefined);
  if (functionName === undefined || functionName === "") throw new UsageError("--function is required (or LAMBENT_FUNCTION)");
  if (values.qualifier === "") throw new UsageError("--qualifier is empty");
  const origins = values["cors-origin"];
  const route = await createApiClient(common.endpoint).createRoute({
    Path: path,
    FunctionName: functionName,
    ...(values.qualifier === undefined ? {} : { Qualifier: values.qualifier }),
    ...(values.method === undefined ? {} : { Methods: values.method }),
    ...(origins === undefined ? {} : { Cors: { AllowOrigins: origins } }),
  });
  if (common.json) writeJson(io.stdout, route);
  else io.stdout.write(describeRoute(route));
  return 0;
}

async function runRouteList(args: string[], io: CliIo): Promise<number> {
  const { values, common } = parseCommandArgs(args, FUNCTION_OPTION, io, 0);
  if (common.help) return help(io);
  const client = createApiClient(common.endpoint);
  const routes = await collectPages(
    (marker) => client.listRoutes({ ...(values.function === undefined ? {} : { functionName: values.function }), ...(marker === undefined ? {} : { marker }) }),
    (page) => page.Routes,
  );
  if (common.json) writeJson(io.stdout, { Routes: routes });
  else if (routes.length === 0) writeLine(io.stdout, values.function === undefined ? "no routes" : `no routes of ${values.function}`);
  else io.stdout.write(formatTable(["ROUTE ID", "PATH", "METHODS", "FUNCTION"], routes.map((route) => [route.RouteId, route.Path, route.Methods.join(","), target(route)])));
  return 0;
}

async function runRouteRemove(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, 1);
  if (common.help) return help(io);
  const which = positionals[0]!;
  const client = createApiClient(common.endpoint);
  let removed: RouteConfiguration[];
  if (which.startsWith("/")) {
    // The server keeps paths without a trailing slash.
    const path = which.length > 1 ? which.replace(/\/+$/, "") : which;
    removed = (await collectPages((marker) => client.listRoutes(marker === undefined ? {} : { marker }), (page) => page.Routes)).filter((route) => route.Path === path);
    if (removed.length === 0) throw new ApiError("ResourceNotFoundException", `no route at ${path}`, 404);
  } else {
    removed = [await client.getRoute(which)];
  }
  for (const route of removed) await client.deleteRoute(route.RouteId);
  if (common.json) writeJson(io.stdout, { RouteIds: removed.map((route) => route.RouteId), Deleted: true });
  else for (const route of removed) writeLine(io.stdout, `removed route ${route.RouteId}: ${route.Methods.join(",")} ${route.Path} → ${target(route)}`);
  return 0;
}

function help(io: CliIo): number {
  io.stdout.write(`${routeCommand.usage}\n`);
  return 0;
}

const target = (route: RouteConfiguration): string => `${route.FunctionName}:${route.Qualifier}`;

export function describeRoute(route: RouteConfiguration): string {
  return formatFields([
    ["RouteId", route.RouteId],
    ["Path", route.Path],
    ["Methods", route.Methods.join(", ")],
    ["Function", target(route)],
    ["RouteUrl", route.RouteUrl],
    ["CorsOrigins", route.Cors?.AllowOrigins?.join(", ")],
    ["CreatedAt", route.CreatedAt],
  ]);
}
