// Lambda's layer calls (PublishLayerVersion, GetLayerVersion[ByArn], ListLayers, ListLayerVersions,
// DeleteLayerVersion, Add/RemoveLayerVersionPermission, GetLayerVersionPolicy) over the registry's
// LayerStore, and what a function's `Layers` resolve to: the versions it names, checked as Lambda checks
// them, with their files for the bundler.
import { randomUUID } from "node:crypto";
import { LambdaError, invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import { PackageLimits, unpackLayerZip, type PackageFiles } from "@lambent/bundler";
import { lambdaTimestamp, type ArnScope, type CodeStore } from "@lambent/registry/functions";
import type { FunctionLayer, LayerPolicyStatement, LayerStore, LayerVersionRecord } from "@lambent/registry/layers";
import type {
  AddLayerVersionPermissionResponse,
  GetLayerVersionPolicyResponse,
  LayerVersionResponse,
  LayerVersionsListItem,
  ListLayersResponse,
  ListLayerVersionsResponse,
} from "@lambent/lambda-api";
import { optionalBytes, optionalObject, optionalString, optionalStringList, requireBody, requireString } from "./fields.js";
import { checkInput } from "./model-input.js";
import { compareStrings, paginate, type ListOptions } from "./pagination.js";

/** Lambda lets a function reference at most five layers. */
export const MAX_FUNCTION_LAYERS = 5;

const LAYER_NAME = /^[a-zA-Z0-9-_]+$/;
const LAYER_VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;
const ACCOUNT = /^\d{12}$/;

/** "The resource you requested does not exist.": Lambda's words for a missing layer version. */
const missingLayerVersion = (): LambdaError => resourceNotFound("The resource you requested does not exist.");

export interface LayerFilters {
  compatibleRuntime?: string;
  compatibleArchitecture?: string;
}

export class LayerOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly store: LayerStore,
    private readonly code: CodeStore,
    /** A time-limited URL the stored zip downloads from (GetFunction's Code.Location does the same). */
    private readonly codeLocation: (contentObject: string) => string,
  ) {}

  async publish(layerReference: string, input: unknown): Promise<LayerVersionResponse> {
    const body = requireBody(input);
    checkInput("PublishLayerVersion", { ...body, LayerName: layerReference });
    const layerName = this.layerNameOf(layerReference);
    const content = optionalObject(body, "Content");
    if (content === undefined) throw invalidParameter("Content is required: a base64-encoded zip in Content.ZipFile");
    for (const unsupported of ["S3Bucket", "S3Key", "S3ObjectVersion"]) {
      if (content[unsupported] !== undefined) throw invalidParameter(`Content.${unsupported} is not supported: upload the layer in ZipFile`);
    }
    const zip = optionalBytes(content, "ZipFile");
    if (zip === undefined || zip.length === 0) throw invalidParameter("ZipFile is required: a base64-encoded zip of the layer's content");
    // Refuses what could not be unpacked under /opt safely: paths out of it, links, oversized content.
    const { unzippedSize } = unpackLayerZip(zip);
    const stored = await this.code.putPackage(zip);
    const compatibleRuntimes = optionalStringList(body, "CompatibleRuntimes");
    const compatibleArchitectures = optionalStringList(body, "CompatibleArchitectures");
    const licenseInfo = optionalString(body, "LicenseInfo");
    const record = await this.store.publish({
      layerName,
      description: optionalString(body, "Description") ?? "",
      createdDate: lambdaTimestamp(),
      ...(compatibleRuntimes !== undefined && compatibleRuntimes.length > 0 ? { compatibleRuntimes } : {}),
      ...(compatibleArchitectures !== undefined && compatibleArchitectures.length > 0 ? { compatibleArchitectures } : {}),
      ...(licenseInfo !== undefined ? { licenseInfo } : {}),
      codeSha256: stored.sha256Base64,
      codeSize: stored.size,
      unzippedSize,
      contentObject: stored.objectName,
    });
    return this.response(record);
  }

  async get(layerReference: string, versionNumber: string | number): Promise<LayerVersionResponse> {
    checkInput("GetLayerVersion", { LayerName: layerReference, VersionNumber: versionNumber });
    return this.response(await this.require(this.layerNameOf(layerReference), versionOf(versionNumber)));
  }

  async getByArn(arn: string | undefined): Promise<LayerVersionResponse> {
    checkInput("GetLayerVersionByArn", { Arn: arn });
    if (arn === undefined) throw invalidParameter("Arn is required");
    const { layerName, version } = this.parseVersionArn(arn);
    return this.response(await this.require(layerName, version));
  }

  /** Every layer by name, with its newest version that matches the filters; layers without one are left out. */
  async list(options: ListOptions & LayerFilters): Promise<ListLayersResponse> {
    checkInput("ListLayers", { Marker: options.marker, MaxItems: options.maxItems, CompatibleRuntime: options.compatibleRuntime, CompatibleArchitecture: options.compatibleArchitecture });
    const latest = new Map<string, LayerVersionRecord>();
    for (const record of await this.store.listAll()) {
      if (matches(record, options)) latest.set(record.layerName, record);
    }
    const page = paginate([...latest.values()], (record) => record.layerName, compareStrings, options);
    const response: ListLayersResponse = {
      Layers: page.items.map((record) => ({
        LayerName: record.layerName,
        LayerArn: this.layerArn(record.layerName),
        LatestMatchingVersion: this.listItem(record),
      })),
    };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /** A layer's versions, newest first, as Lambda lists them. */
  async listVersions(layerReference: string, options: ListOptions & LayerFilters): Promise<ListLayerVersionsResponse> {
    checkInput("ListLayerVersions", {
      LayerName: layerReference,
      Marker: options.marker,
      MaxItems: options.maxItems,
      CompatibleRuntime: options.compatibleRuntime,
      CompatibleArchitecture: options.compatibleArchitecture,
    });
    const records = (await this.store.listVersions(this.layerNameOf(layerReference))).filter((record) => matches(record, options)).reverse();
    // Markers are compared as text: the version number is padded so text order is newest first too.
    const keyOf = (record: LayerVersionRecord): string => String(Number.MAX_SAFE_INTEGER - record.version).padStart(16, "0");
    const page = paginate(records, keyOf, compareStrings, options);
    const response: ListLayerVersionsResponse = { LayerVersions: page.items.map((record) => this.listItem(record)) };
    if (page.nextMarker !== undefined) response.NextMarker = page.nextMarker;
    return response;
  }

  /** Deletes a version; deleting one that is not there succeeds, as in Lambda. Functions using it keep their copy. */
  async delete(layerReference: string, versionNumber: string | number): Promise<void> {
    checkInput("DeleteLayerVersion", { LayerName: layerReference, VersionNumber: versionNumber });
    await this.store.delete(this.layerNameOf(layerReference), versionOf(versionNumber));
  }

  async addPermission(layerReference: string, versionNumber: string | number, input: unknown, revisionId?: string): Promise<AddLayerVersionPermissionResponse> {
    const body = requireBody(input);
    checkInput("AddLayerVersionPermission", { ...body, LayerName: layerReference, VersionNumber: versionNumber, RevisionId: revisionId });
    const layerName = this.layerNameOf(layerReference);
    const version = versionOf(versionNumber);
    const principal = requireString(body, "Principal");
    if (principal !== "*" && !ACCOUNT.test(principal)) throw invalidParameter("The provided principal was invalid. Please check the principal and try again.");
    const organization = optionalString(body, "OrganizationId");
    if (organization !== undefined && principal !== "*") {
      throw invalidParameter("Principal must be '*' when an OrganizationId is given.");
    }
    const statement: LayerPolicyStatement = {
      Sid: requireString(body, "StatementId"),
      Effect: "Allow",
      Principal: principal === "*" ? "*" : { AWS: `arn:aws:iam::${principal}:root` },
      Action: requireString(body, "Action"),
      Resource: this.versionArn(layerName, version),
    };
    if (organization !== undefined) statement.Condition = { StringEquals: { "aws:PrincipalOrgID": organization } };
    const updated = await this.store.updatePolicy(layerName, version, (current) => {
      if (current === undefined) throw missingLayerVersion();
      checkPolicyRevision(current, revisionId);
      const statements = current.policy?.statements ?? [];
      if (statements.some((existing) => existing.Sid === statement.Sid)) {
        throw resourceConflict(`The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
      }
      return { ...current, policy: { revisionId: randomUUID(), statements: [...statements, statement] } };
    });
    return { Statement: JSON.stringify(statement), RevisionId: updated.policy!.revisionId };
  }

  async removePermission(layerReference: string, versionNumber: string | number, statementId: string, revisionId?: string): Promise<void> {
    checkInput("RemoveLayerVersionPermission", { LayerName: layerReference, VersionNumber: versionNumber, StatementId: statementId, RevisionId: revisionId });
    const layerName = this.layerNameOf(layerReference);
    await this.store.updatePolicy(layerName, versionOf(versionNumber), (current) => {
      if (current === undefined) throw missingLayerVersion();
      checkPolicyRevision(current, revisionId);
      const statements = current.policy?.statements ?? [];
      if (!statements.some((statement) => statement.Sid === statementId)) {
        throw resourceNotFound(`Statement ${statementId} is not found in resource policy.`);
      }
      const { policy: _dropped, ...rest } = current;
      const left = statements.filter((statement) => statement.Sid !== statementId);
      return left.length === 0 ? rest : { ...rest, policy: { revisionId: randomUUID(), statements: left } };
    });
  }

  async getPolicy(layerReference: string, versionNumber: string | number): Promise<GetLayerVersionPolicyResponse> {
    checkInput("GetLayerVersionPolicy", { LayerName: layerReference, VersionNumber: versionNumber });
    const record = await this.require(this.layerNameOf(layerReference), versionOf(versionNumber));
    if (record.policy === undefined) throw resourceNotFound("No policy is associated with the given resource.");
    return {
      Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: record.policy.statements }),
      RevisionId: record.policy.revisionId,
    };
  }

  /** A function's `Layers` as Lambda checks them: at most five, each an existing version of this account's layers. */
  async resolveForFunction(arns: readonly string[]): Promise<FunctionLayer[]> {
    if (arns.length > MAX_FUNCTION_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_FUNCTION_LAYERS} layers.`);
    return Promise.all(
      arns.map(async (arn) => {
        const match = LAYER_VERSION_ARN.exec(arn);
        const record = match && match[1] === this.scope.region && match[2] === this.scope.accountId ? await this.store.get(match[3]!, Number(match[4])) : undefined;
        if (!record) throw invalidParameter(`Layer version ${arn} does not exist.`);
        return { arn, codeSize: record.codeSize, unzippedSize: record.unzippedSize, contentObject: record.contentObject };
      }),
    );
  }

  /**
   * The files of a function's layers for its bundle, once the function's own package with them is within
   * Lambda's 250 MB unzipped. Read by content, so a function keeps its layers' files after a version is deleted.
   */
  async filesFor(layers: readonly FunctionLayer[], packageUnzippedSize: number): Promise<PackageFiles[]> {
    const unzippedSize = layers.reduce((sum, layer) => sum + layer.unzippedSize, packageUnzippedSize);
    if (layers.length > 0 && unzippedSize > PackageLimits.unzippedBytes) {
      throw invalidParameter(`Function code combined with layers exceeds the maximum allowed size of ${PackageLimits.unzippedBytes} bytes. The actual size is ${unzippedSize} bytes.`);
    }
    return Promise.all(
      layers.map(async (layer) => {
        const zip = await this.code.getPackage(layer.contentObject);
        if (!zip) throw new LambdaError("ServiceException", `The content of layer version ${layer.arn} is missing from the code store`);
        return unpackLayerZip(zip).files;
      }),
    );
  }

  private async require(layerName: string, version: number): Promise<LayerVersionRecord> {
    const record = await this.store.get(layerName, version);
    if (!record) throw missingLayerVersion();
    return record;
  }

  /** A layer's name, given as it is or as the layer's ARN. */
  private layerNameOf(reference: string): string {
    const at = reference.lastIndexOf(":layer:");
    const name = at < 0 ? reference : reference.slice(at + ":layer:".length);
    if (!LAYER_NAME.test(name)) throw invalidParameter(`Invalid layer name: ${reference}`);
    return name;
  }

  private parseVersionArn(arn: string): { layerName: string; version: number } {
    const match = LAYER_VERSION_ARN.exec(arn);
    if (!match) throw invalidParameter(`Invalid layer version ARN: ${arn}`);
    if (match[1] !== this.scope.region || match[2] !== this.scope.accountId) throw missingLayerVersion();
    return { layerName: match[3]!, version: Number(match[4]) };
  }

  private layerArn(layerName: string): string {
    return `arn:aws:lambda:${this.scope.region}:${this.scope.accountId}:layer:${layerName}`;
  }

  private versionArn(layerName: string, version: number): string {
    return `${this.layerArn(layerName)}:${version}`;
  }

  private listItem(record: LayerVersionRecord): LayerVersionsListItem {
    const item: LayerVersionsListItem = {
      LayerVersionArn: this.versionArn(record.layerName, record.version),
      Version: record.version,
      Description: record.description,
      CreatedDate: record.createdDate,
    };
    if (record.compatibleRuntimes) item.CompatibleRuntimes = record.compatibleRuntimes;
    if (record.compatibleArchitectures) item.CompatibleArchitectures = record.compatibleArchitectures;
    if (record.licenseInfo !== undefined) item.LicenseInfo = record.licenseInfo;
    return item;
  }

  private response(record: LayerVersionRecord): LayerVersionResponse {
    const { LayerVersionArn, Version, Description, CreatedDate, ...optional } = this.listItem(record);
    return {
      Content: { Location: this.codeLocation(record.contentObject), CodeSha256: record.codeSha256, CodeSize: record.codeSize },
      LayerArn: this.layerArn(record.layerName),
      LayerVersionArn,
      Description,
      CreatedDate,
      Version,
      ...optional,
    };
  }
}

function versionOf(versionNumber: string | number): number {
  const version = Number(versionNumber);
  if (!Number.isSafeInteger(version) || version < 1) throw missingLayerVersion();
  return version;
}

function matches(record: LayerVersionRecord, filters: LayerFilters): boolean {
  if (filters.compatibleRuntime !== undefined && !(record.compatibleRuntimes ?? []).includes(filters.compatibleRuntime)) return false;
  if (filters.compatibleArchitecture !== undefined && !(record.compatibleArchitectures ?? []).includes(filters.compatibleArchitecture)) return false;
  return true;
}

function checkPolicyRevision(record: LayerVersionRecord, expected: string | undefined): void {
  if (expected !== undefined && expected !== record.policy?.revisionId) {
    throw new LambdaError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetLayerVersionPolicy API to retrieve the latest Revision Id",
    );
  }
}
