// The gRPC twins of http/function-resource-routes.ts and ListFunctionUrlConfigs: tags, resource-based
// policies, a function's code signing config and runtime management. Empty strings mean "not given".
import { serviceError } from "@lambent/errors";
import type * as proto from "@lambent/proto";
import type { FrontendApi } from "../api.js";
import { toProtoFunctionUrlConfig } from "./function-url-messages.js";

export interface FunctionResourceRpcs {
  listFunctionUrlConfigs(request: proto.ListFunctionUrlConfigsRequest): Promise<proto.ListFunctionUrlConfigsResponse>;
  tagResource(request: proto.TagResourceRequest): Promise<proto.TagResourceResponse>;
  untagResource(request: proto.UntagResourceRequest): Promise<proto.UntagResourceResponse>;
  listTags(request: proto.ListTagsRequest): Promise<proto.ListTagsResponse>;
  addPermission(request: proto.AddPermissionRequest): Promise<proto.AddPermissionResponse>;
  removePermission(request: proto.RemovePermissionRequest): Promise<proto.RemovePermissionResponse>;
  getPolicy(request: proto.GetPolicyRequest): Promise<proto.GetPolicyResponse>;
  getRuntimeManagementConfig(request: proto.GetRuntimeManagementConfigRequest): Promise<proto.GetRuntimeManagementConfigResponse>;
  getFunctionCodeSigningConfig(request: proto.GetFunctionCodeSigningConfigRequest): Promise<proto.GetFunctionCodeSigningConfigResponse>;
}

export function functionResourceRpcs(api: FrontendApi): FunctionResourceRpcs {
  const { controlPlane } = api;
  return {
    async listFunctionUrlConfigs(request) {
      const response = await controlPlane.listFunctionUrlConfigs(request.functionName, {
        marker: nonEmpty(request.marker),
        maxItems: request.maxItems === 0 ? undefined : request.maxItems,
      });
      return { functionUrlConfigs: response.FunctionUrlConfigs.map(toProtoFunctionUrlConfig), nextMarker: response.NextMarker ?? "" };
    },
    async tagResource(request) {
      await controlPlane.tagResource(request.resource, { Tags: request.tags });
      return {};
    },
    async untagResource(request) {
      await controlPlane.untagResource(request.resource, request.tagKeys.length === 0 ? undefined : request.tagKeys);
      return {};
    },
    async listTags(request) {
      return { tags: (await controlPlane.listTags(request.resource)).Tags };
    },
    async addPermission(request) {
      const body = {
        StatementId: nonEmpty(request.statementId),
        Action: nonEmpty(request.action),
        Principal: nonEmpty(request.principal),
        SourceArn: nonEmpty(request.sourceArn),
        SourceAccount: nonEmpty(request.sourceAccount),
        EventSourceToken: nonEmpty(request.eventSourceToken),
        RevisionId: nonEmpty(request.revisionId),
        PrincipalOrgID: nonEmpty(request.principalOrgId),
        FunctionUrlAuthType: nonEmpty(request.functionUrlAuthType),
        InvokedViaFunctionUrl: request.invokedViaFunctionUrl || undefined,
      };
      return { statement: (await controlPlane.addPermission(request.functionName, nonEmpty(request.qualifier), body)).Statement };
    },
    async removePermission(request) {
      await controlPlane.removePermission(request.functionName, request.statementId, nonEmpty(request.qualifier), nonEmpty(request.revisionId));
      return {};
    },
    async getPolicy(request) {
      const policy = await controlPlane.getPolicy(request.functionName, nonEmpty(request.qualifier));
      return { policy: policy.Policy, revisionId: policy.RevisionId };
    },
    async getRuntimeManagementConfig(request) {
      const config = await controlPlane.getRuntimeManagementConfig(request.functionName, nonEmpty(request.qualifier));
      return { updateRuntimeOn: config.UpdateRuntimeOn, functionArn: config.FunctionArn };
    },
    async getFunctionCodeSigningConfig(request) {
      if (!api.codeSigning) throw serviceError("Code signing calls are not available on this frontend");
      const config = await api.codeSigning.getFunctionConfig(request.functionName);
      return { codeSigningConfigArn: config.CodeSigningConfigArn, functionName: config.FunctionName };
    },
  };
}

function nonEmpty(value: string): string | undefined {
  return value === "" ? undefined : value;
}
