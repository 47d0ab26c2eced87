// CORS settings between their proto message and Lambda's JSON shape, for function URLs and routes alike.
import type * as proto from "@lambent/proto";
import type { FunctionUrlCorsConfig } from "@lambent/lambda-api";

/** A request's CORS message as Lambda's `Cors` body field; an empty list reads as not given (proto cannot tell them apart). */
export function corsBody(cors: proto.FunctionUrlCors | undefined): Record<string, unknown> | undefined {
  if (cors === undefined) return undefined;
  return {
    AllowOrigins: nonEmptyList(cors.allowOrigins),
    AllowMethods: nonEmptyList(cors.allowMethods),
    AllowHeaders: nonEmptyList(cors.allowHeaders),
    ExposeHeaders: nonEmptyList(cors.exposeHeaders),
    MaxAge: cors.maxAge,
    AllowCredentials: cors.allowCredentials,
  };
}

export function toProtoCors(cors: FunctionUrlCorsConfig): proto.FunctionUrlCors {
  const converted: proto.FunctionUrlCors = {
    allowOrigins: cors.AllowOrigins ?? [],
    allowMethods: cors.AllowMethods ?? [],
    allowHeaders: cors.AllowHeaders ?? [],
    exposeHeaders: cors.ExposeHeaders ?? [],
  };
  if (cors.MaxAge !== undefined) converted.maxAge = cors.MaxAge;
  if (cors.AllowCredentials !== undefined) converted.allowCredentials = cors.AllowCredentials;
  return converted;
}

function nonEmptyList(values: string[]): string[] | undefined {
  return values.length === 0 ? undefined : values;
}
