// Applications deployed from templates: a template deploy tags each function it makes with
// `lambent:stack` (packages/sam-template), so a stack's functions are found by their tags, and removing
// one takes the triggers that invoke it with it (its routes, URLs and permissions go with the function).
import { collectPages, type ApiClient } from "./api-client.js";

/** The tag a template deploy puts on every function it makes. */
export const STACK_TAG = "lambent:stack";
export const LOGICAL_ID_TAG = "lambent:logical-id";

export interface StackFunction {
  FunctionName: string;
  LogicalId: string;
}

/** Every stack's functions, by stack name. */
export async function stackFunctions(client: ApiClient): Promise<Map<string, StackFunction[]>> {
  const functions = await collectPages((marker) => client.listFunctions(marker), (page) => page.Functions);
  const byStack = new Map<string, StackFunction[]>();
  for (const { FunctionName } of functions) {
    const tags = (await client.getFunction(FunctionName)).Tags ?? {};
    const stack = tags[STACK_TAG];
    if (stack === undefined) continue;
    let list = byStack.get(stack);
    if (!list) byStack.set(stack, (list = []));
    list.push({ FunctionName, LogicalId: tags[LOGICAL_ID_TAG] ?? "" });
  }
  return byStack;
}

/** Deletes a stack's function and the triggers that invoke it (they could never run again); returns the triggers' names. */
export async function removeStackFunction(client: ApiClient, functionName: string): Promise<string[]> {
  const triggers = await collectPages((marker) => client.listTriggers({ functionName, ...(marker ? { marker } : {}) }), (page) => page.Triggers);
  for (const trigger of triggers) await client.deleteTrigger(trigger.Name);
  await client.deleteFunction(functionName);
  return triggers.map((trigger) => trigger.Name);
}
