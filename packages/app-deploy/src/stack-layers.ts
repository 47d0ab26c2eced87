// A stack's layers (AWS::Serverless::LayerVersion) as Lambent layer versions: each built from its folder or
// zip, published as a new version when its content or settings changed (an unchanged layer keeps the
// version the current revision recorded), every publish journaled before it is made so an undo deletes it.
// Versions a revision no longer uses are deleted once the revision is recorded, when their RetentionPolicy
// is Delete; Retain keeps them.
import type { FunctionPlan, LayerPlan, TemplateProblem } from "@lambent/sam-template";
import { collectPages, getOrUndefined, type ApiClient } from "./api-client.js";
import { packageSha256, type ResourceChange, type RevisionLayer } from "./application-revision.js";
import { zipFileOrFolder } from "./zip-folder.js";

/** The journal step of a publish: undone by deleting the layer's versions above `after` that hold this content. */
export interface LayerStep {
  kind: "layer-published";
  layerName: string;
  after: number;
  contentSha256: string;
}

/** Where each publish is written before it is made: the deploy's journal. */
export interface LayerJournal {
  record(step: LayerStep): Promise<void>;
}

/** What a revision's apply does with layers. */
export interface LayerApply {
  plans: readonly LayerPlan[];
  /** The zip (base64) of each layer to publish, by logical id. */
  packages: ReadonlyMap<string, string>;
  /** The layers whose version stands already (unchanged since the current revision, or a rollback's), by logical id. */
  known: ReadonlyMap<string, RevisionLayer>;
  /** The functions, planned again with every layer's version ARN by logical id. */
  functionsWith(layerVersionArns: Record<string, string>): readonly FunctionPlan[];
}

/** Builds each layer's zip; the problems name the resource and ContentUri. */
export async function buildLayers(plans: readonly LayerPlan[]): Promise<{ packages: Map<string, string>; problems: TemplateProblem[] }> {
  const packages = new Map<string, string>();
  const problems: TemplateProblem[] = [];
  for (const plan of plans) {
    try {
      packages.set(plan.logicalId, Buffer.from(await zipFileOrFolder(plan.content, "publish")).toString("base64"));
    } catch (error) {
      problems.push({ where: plan.logicalId, property: "ContentUri", message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { packages, problems };
}

/** The layers the current revision has already published as the template now describes them, and that still exist. */
export async function unchangedLayers(client: ApiClient, plans: readonly LayerPlan[], packages: ReadonlyMap<string, string>, current: readonly RevisionLayer[]): Promise<Map<string, RevisionLayer>> {
  const known = new Map<string, RevisionLayer>();
  for (const plan of plans) {
    const zip = packages.get(plan.logicalId);
    const recorded = current.find((layer) => layer.LayerName === plan.layerName);
    if (zip === undefined || recorded === undefined || recorded.ContentSha256 !== packageSha256(zip) || !samePublishedSettings(recorded.Plan, plan)) continue;
    if ((await getOrUndefined(() => client.getLayerVersion(recorded.LayerName, recorded.Version))) === undefined) continue;
    known.set(plan.logicalId, { ...recorded, LogicalId: plan.logicalId, Plan: plan });
  }
  return known;
}

/** What a version is published with; RetentionPolicy is the stack's own and needs no new version. */
function samePublishedSettings(a: LayerPlan, b: LayerPlan): boolean {
  return a.description === b.description && a.licenseInfo === b.licenseInfo && JSON.stringify(a.compatibleRuntimes ?? []) === JSON.stringify(b.compatibleRuntimes ?? []);
}

/** Publishes every layer not known already, journaled; returns the revision's layers in the template's order. */
export async function applyLayers(client: ApiClient, input: LayerApply, journal: LayerJournal): Promise<RevisionLayer[]> {
  const layers: RevisionLayer[] = [];
  for (const plan of input.plans) {
    const known = input.known.get(plan.logicalId);
    if (known !== undefined) {
      layers.push({ ...known, Plan: plan });
      continue;
    }
    const zipFile = input.packages.get(plan.logicalId)!;
    const contentSha256 = packageSha256(zipFile);
    const before = (await getOrUndefined(() => collectPages((marker) => client.listLayerVersions(plan.layerName, marker), (page) => page.LayerVersions))) ?? [];
    await journal.record({ kind: "layer-published", layerName: plan.layerName, after: Math.max(0, ...before.map((version) => version.Version)), contentSha256 });
    const published = await client.publishLayerVersion(plan.layerName, {
      Content: { ZipFile: zipFile },
      Description: plan.description,
      ...(plan.compatibleRuntimes !== undefined ? { CompatibleRuntimes: plan.compatibleRuntimes } : {}),
      ...(plan.licenseInfo !== undefined ? { LicenseInfo: plan.licenseInfo } : {}),
    });
    layers.push({ LogicalId: plan.logicalId, LayerName: plan.layerName, Version: published.Version, LayerVersionArn: published.LayerVersionArn, ContentSha256: contentSha256, Plan: plan });
  }
  return layers;
}

export function layerVersionArnsOf(layers: readonly RevisionLayer[]): Record<string, string> {
  return Object.fromEntries(layers.map((layer) => [layer.LogicalId, layer.LayerVersionArn]));
}

/** Undoes a publish: the layer's versions above the step's mark that hold its content (a version never published changes nothing). */
export async function undoLayerPublished(client: ApiClient, step: LayerStep): Promise<void> {
  const versions = (await getOrUndefined(() => collectPages((marker) => client.listLayerVersions(step.layerName, marker), (page) => page.LayerVersions))) ?? [];
  for (const { Version } of versions) {
    if (Version <= step.after) continue;
    const version = await getOrUndefined(() => client.getLayerVersion(step.layerName, Version));
    if (version?.Content.CodeSha256 === step.contentSha256) await getOrUndefined(() => client.deleteLayerVersion(step.layerName, Version));
  }
}

/** The versions `before` used that `after` does not, whose RetentionPolicy (as the revision that published them says) is Delete. */
export function staleLayerVersions(before: readonly RevisionLayer[], after: readonly RevisionLayer[]): string[] {
  const kept = new Set(after.map((layer) => layer.LayerVersionArn));
  return before.filter((layer) => layer.Plan.retentionPolicy === "Delete" && !kept.has(layer.LayerVersionArn)).map((layer) => layer.LayerVersionArn);
}

/** Deletes layer versions by ARN; one already gone is skipped. Functions that use a version keep it. */
export async function deleteLayerVersions(client: ApiClient, arns: readonly string[]): Promise<void> {
  for (const arn of arns) {
    const match = /:layer:([^:]+):(\d+)$/.exec(arn);
    if (match === null) continue;
    await getOrUndefined(() => client.deleteLayerVersion(match[1]!, Number(match[2])));
  }
}

/** The revision's layer versions that no longer exist, named: a rollback to it cannot use them. */
export async function missingLayerVersions(client: ApiClient, layers: readonly RevisionLayer[]): Promise<RevisionLayer[]> {
  const missing: RevisionLayer[] = [];
  for (const layer of layers) if ((await getOrUndefined(() => client.getLayerVersion(layer.LayerName, layer.Version))) === undefined) missing.push(layer);
  return missing;
}

/** What a deploy would do to the stack's layers (app diff): a layer added, one given a new version, one the template no longer lists. */
export function layerChanges(current: readonly RevisionLayer[], layers: LayerApply | undefined): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const plans = layers?.plans ?? [];
  for (const plan of plans) {
    if (layers!.known.has(plan.logicalId)) continue;
    const old = current.find((layer) => layer.LayerName === plan.layerName);
    const resource = `layer ${plan.layerName}`;
    if (old === undefined) changes.push({ action: "add", resource, logicalId: plan.logicalId, details: [] });
    else changes.push({ action: "change", resource, logicalId: plan.logicalId, details: [`a new version replaces version ${old.Version}${old.Plan.retentionPolicy === "Delete" ? ", which is then deleted" : ""}`] });
  }
  for (const old of current) {
    if (plans.some((plan) => plan.layerName === old.LayerName)) continue;
    changes.push({ action: "remove", resource: `layer ${old.LayerName}`, logicalId: old.LogicalId, details: [old.Plan.retentionPolicy === "Delete" ? `version ${old.Version} deleted` : `version ${old.Version} kept (RetentionPolicy Retain)`] });
  }
  return changes;
}
