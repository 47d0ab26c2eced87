// Layers: zips of shared files (typically `nodejs/node_modules`) published in numbered versions and
// unpacked under /opt for the functions that name them.

/** PublishLayerVersion's body; `Content.ZipFile` is the zip in base64. */
export interface PublishLayerVersionRequest {
  Content: { ZipFile: string };
  Description?: string;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

/** PublishLayerVersion's, GetLayerVersion's and GetLayerVersionByArn's answer. */
export interface LayerVersionResponse {
  Content: { Location: string; CodeSha256: string; CodeSize: number };
  LayerArn: string;
  LayerVersionArn: string;
  Description: string;
  CreatedDate: string;
  Version: number;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

export interface LayerVersionsListItem {
  LayerVersionArn: string;
  Version: number;
  Description: string;
  CreatedDate: string;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

export interface ListLayerVersionsResponse {
  LayerVersions: LayerVersionsListItem[];
  NextMarker?: string;
}

export interface LayersListItem {
  LayerName: string;
  LayerArn: string;
  LatestMatchingVersion: LayerVersionsListItem;
}

export interface ListLayersResponse {
  Layers: LayersListItem[];
  NextMarker?: string;
}

/** AddLayerVersionPermission's body. */
export interface AddLayerVersionPermissionRequest {
  StatementId: string;
  Action: "lambda:GetLayerVersion";
  /** `*` or an account id. */
  Principal: string;
  OrganizationId?: string;
}

export interface AddLayerVersionPermissionResponse {
  /** The statement as IAM JSON text. */
  Statement: string;
  RevisionId: string;
}

export interface GetLayerVersionPolicyResponse {
  Policy: string;
  RevisionId: string;
}
