// The gRPC twins of http/layer-routes.ts: publish, read, list and delete layer versions.
import { serviceError } from "@lambent/errors";
import type { LayerVersionResponse, LayerVersionsListItem } from "@lambent/lambda-api";
import type * as proto from "@lambent/proto";
import type { FrontendApi } from "../api.js";
import type { LayerOperations } from "../control-plane/layers.js";

export interface LayerRpcs {
  publishLayerVersion(request: proto.PublishLayerVersionRequest): Promise<proto.PublishLayerVersionResponse>;
  getLayerVersion(request: proto.GetLayerVersionRequest): Promise<proto.GetLayerVersionResponse>;
  listLayers(request: proto.ListLayersRequest): Promise<proto.ListLayersResponse>;
  listLayerVersions(request: proto.ListLayerVersionsRequest): Promise<proto.ListLayerVersionsResponse>;
  deleteLayerVersion(request: proto.DeleteLayerVersionRequest): Promise<proto.DeleteLayerVersionResponse>;
}

const nonEmpty = (value: string): string | undefined => (value === "" ? undefined : value);

function layersOf(api: FrontendApi): LayerOperations {
  if (!api.layers) throw serviceError("Layer calls are not available on this frontend");
  return api.layers;
}

export function layerRpcs(api: FrontendApi): LayerRpcs {
  return {
    async publishLayerVersion(request) {
      const version = await layersOf(api).publish(request.layerName, {
        Content: { ZipFile: request.zipFile },
        Description: nonEmpty(request.description),
        CompatibleRuntimes: request.compatibleRuntimes.length > 0 ? request.compatibleRuntimes : undefined,
        CompatibleArchitectures: request.compatibleArchitectures.length > 0 ? request.compatibleArchitectures : undefined,
        LicenseInfo: nonEmpty(request.licenseInfo),
      });
      return { layerVersion: toProtoLayerVersion(version) };
    },
    async getLayerVersion(request) {
      return { layerVersion: toProtoLayerVersion(await layersOf(api).get(request.layerName, request.version)) };
    },
    async listLayers(request) {
      const response = await layersOf(api).list({
        ...(request.marker !== "" ? { marker: request.marker } : {}),
        ...(request.maxItems !== 0 ? { maxItems: request.maxItems } : {}),
        ...(request.compatibleRuntime !== "" ? { compatibleRuntime: request.compatibleRuntime } : {}),
      });
      return {
        layers: response.Layers.map((layer) => toProtoListItem(layer.LatestMatchingVersion, layer.LayerArn)),
        nextMarker: response.NextMarker ?? "",
      };
    },
    async listLayerVersions(request) {
      const layers = layersOf(api);
      const response = await layers.listVersions(request.layerName, {
        ...(request.marker !== "" ? { marker: request.marker } : {}),
        ...(request.maxItems !== 0 ? { maxItems: request.maxItems } : {}),
        ...(request.compatibleRuntime !== "" ? { compatibleRuntime: request.compatibleRuntime } : {}),
      });
      return {
        layerVersions: response.LayerVersions.map((item) => toProtoListItem(item, item.LayerVersionArn.slice(0, item.LayerVersionArn.lastIndexOf(":")))),
        nextMarker: response.NextMarker ?? "",
      };
    },
    async deleteLayerVersion(request) {
      await layersOf(api).delete(request.layerName, request.version);
      return {};
    },
  };
}

function toProtoListItem(item: LayerVersionsListItem, layerArn: string): proto.LayerVersion {
  return {
    layerArn,
    layerVersionArn: item.LayerVersionArn,
    version: item.Version,
    description: item.Description,
    createdDate: item.CreatedDate,
    compatibleRuntimes: item.CompatibleRuntimes ?? [],
    compatibleArchitectures: item.CompatibleArchitectures ?? [],
    licenseInfo: item.LicenseInfo ?? "",
    codeSha256: "",
    codeSize: 0,
  };
}

function toProtoLayerVersion(version: LayerVersionResponse): proto.LayerVersion {
  return { ...toProtoListItem(version, version.LayerArn), codeSha256: version.Content.CodeSha256, codeSize: version.Content.CodeSize };
}
