// A deploy's and a diff's result as JSON: what `lambent deploy --json` prints and the API route answers.
import type { ApplicationDeployment } from "@lambent/lambda-api";
import type { TemplateDeployed, TemplateDiff } from "./template-deploy.js";

export interface DeployResultJson {
  StackName: string;
  Revision: number;
  Deployments?: ApplicationDeployment[];
  Functions: {
    LogicalId: string;
    FunctionName: string;
    FunctionArn: string;
    Action: "created" | "updated";
    Version?: string;
    Deployment?: { Config: string; FromVersion: string; ToVersion: string };
    FunctionUrl?: string;
    Routes: string[];
  }[];
  Outputs: Record<string, string | null>;
  Removed: { LogicalId: string; FunctionName: string }[];
  Layers?: { LogicalId: string; LayerName: string; LayerVersionArn: string; Action: "unchanged" | "published" }[];
}

export interface DiffResultJson {
  StackName: string;
  CurrentRevision: number;
  Changes: { Action: "add" | "change" | "remove"; Resource: string; LogicalId: string; Details: string[] }[];
}

/** Whether the deploy kept a layer's version or published a new one. */
export function layerAction(result: TemplateDeployed, logicalId: string): "unchanged" | "published" {
  return result.unchangedLayers.has(logicalId) ? "unchanged" : "published";
}

export function deployResultJson(result: TemplateDeployed): DeployResultJson {
  const { deployed, removed, layers, outputs, ended } = result;
  return {
    StackName: result.stackName,
    Revision: result.revision,
    ...(ended !== undefined ? { Deployments: ended } : {}),
    Functions: deployed.map((item) => ({
      LogicalId: item.plan.logicalId,
      FunctionName: item.plan.functionName,
      FunctionArn: item.configuration.FunctionArn,
      Action: item.action,
      ...(item.version ? { Version: item.version } : {}),
      ...(item.deployment ? { Deployment: { Config: item.plan.deployment!.config, FromVersion: item.deployment.fromVersion, ToVersion: item.deployment.toVersion } } : {}),
      ...(item.url ? { FunctionUrl: item.url } : {}),
      Routes: item.routes.map((route) => route.RouteUrl),
    })),
    Outputs: Object.fromEntries(outputs.map((output) => [output.name, output.value ?? null])),
    Removed: removed.map((fn) => ({ LogicalId: fn.LogicalId, FunctionName: fn.FunctionName })),
    ...(layers.length > 0 ? { Layers: layers.map((layer) => ({ LogicalId: layer.LogicalId, LayerName: layer.LayerName, LayerVersionArn: layer.LayerVersionArn, Action: layerAction(result, layer.LogicalId) })) } : {}),
  };
}

export function diffResultJson(diff: TemplateDiff): DiffResultJson {
  return {
    StackName: diff.stackName,
    CurrentRevision: diff.currentRevision,
    Changes: diff.changes.map((change) => ({ Action: change.action, Resource: change.resource, LogicalId: change.logicalId, Details: change.details })),
  };
}
