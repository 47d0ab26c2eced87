// Lambda's FunctionUrlConfig as the lambent.v1 message: the one conversion every URL RPC answers with.
import type { FunctionUrlConfigResponse } from "@lambent/lambda-api";
import type * as proto from "@lambent/proto";
import { toProtoCors } from "./cors-messages.js";

export function toProtoFunctionUrlConfig(config: FunctionUrlConfigResponse): proto.FunctionUrlConfig {
  const converted: proto.FunctionUrlConfig = {
    functionUrl: config.FunctionUrl,
    functionArn: config.FunctionArn,
    authType: config.AuthType,
    creationTime: config.CreationTime,
    lastModifiedTime: config.LastModifiedTime ?? "",
    invokeMode: config.InvokeMode ?? "",
  };
  if (config.Cors !== undefined) converted.cors = toProtoCors(config.Cors);
  return converted;
}
