// Lambda's tag calls (TagResource, UntagResource, ListTags) on functions: a function's tags are kept on
// its $LATEST record, so every version and alias shares them, and a change of tags is a new RevisionId.
import { randomUUID } from "node:crypto";
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { LATEST, functionArn, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";
import type { ListTagsResponse } from "@lambent/lambda-api";
import { optionalStringMap, requireBody } from "./fields.js";
import { checkInput } from "./model-input.js";

/** Lambda's limit of tags on one resource. */
export const MAX_TAGS = 50;

/** The tag count beyond Lambda's limit, refused in its words. */
export function checkTagCount(tags: Readonly<Record<string, string>>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw invalidParameter("Number of tags exceeds resource tag limit.");
}

export class TagOperations {
  constructor(
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  /** Adds tags, or changes the values of tags the function has. */
  async tag(resource: string, input: unknown): Promise<void> {
    const body = requireBody(input);
    checkInput("TagResource", { ...body, Resource: resource });
    const tags = optionalStringMap(body, "Tags") ?? {};
    // Lambda's own answer to an empty map: it is not a request it can process.
    if (Object.keys(tags).length === 0) throw invalidParameter("An error occurred and the request cannot be processed.");
    const functionName = this.taggedFunction(resource);
    await this.change(functionName, (current) => {
      const next = { ...current, ...tags };
      checkTagCount(next);
      return next;
    });
  }

  /** Removes the tags named; names the function does not have are ignored, as in Lambda. */
  async untag(resource: string, tagKeys: readonly string[] | undefined): Promise<void> {
    checkInput("UntagResource", { Resource: resource, TagKeys: tagKeys });
    const functionName = this.taggedFunction(resource);
    await this.change(functionName, (current) => Object.fromEntries(Object.entries(current).filter(([key]) => !tagKeys!.includes(key))));
  }

  async list(resource: string): Promise<ListTagsResponse> {
    checkInput("ListTags", { Resource: resource });
    const functionName = this.taggedFunction(resource);
    const latest = await this.functions.get(functionName, LATEST);
    if (!latest) throw this.notFound(functionName);
    return { Tags: latest.record.tags };
  }

  /** The function a resource ARN names: tags belong to the function, so a qualifier is refused. */
  private taggedFunction(resource: string): string {
    const kind = /^arn:[^:]*:lambda:[^:]*:\d{12}:([a-z-]+):/.exec(resource)?.[1];
    if (kind !== "function") {
      throw new LambdaError("InvalidParameterValueException", `Lambent keeps tags on functions only; ${resource} is not a function`);
    }
    const { functionName, qualifier } = parseFunctionReference(resource, undefined, this.scope);
    if (qualifier !== undefined) throw invalidParameter("Tags on function aliases and versions are not supported. Please specify a function ARN.");
    return functionName;
  }

  private async change(functionName: string, next: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
    if (!(await this.functions.get(functionName, LATEST))) throw this.notFound(functionName);
    await this.functions.update(functionName, LATEST, (latest) => ({ ...latest, tags: next(latest.tags), revisionId: randomUUID() })).catch((error: unknown) => {
      // Deleted between the read and the write: as not found as before the read.
      if (error instanceof LambdaError && error.type === "ResourceNotFoundException") throw this.notFound(functionName);
      throw error;
    });
  }

  private notFound(functionName: string): LambdaError {
    return resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
  }
}
