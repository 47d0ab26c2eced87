// A stack's state machines (AWS::Serverless::StateMachine) through the Step Functions API: found by their
// `lambent:stack` tag, created or updated as the template says, each change journaled before it is made,
// and the stack's machines the template no longer lists deleted.
import type { StateMachinePlan, TemplateProblem } from "@lambent/sam-template";
import type { ApiClient } from "./api-client.js";
import { STACK_TAG } from "./applications.js";
import { createSfnClient, type SfnClient } from "./sfn-client.js";

/** The journal steps of state machines (deploy-journal.ts undoes them). */
export type StateMachineStep =
  | { kind: "state-machine-created"; name: string }
  | { kind: "state-machine-updated"; arn: string; definition: string; roleArn: string }
  | { kind: "state-machine-deleted"; plan: StateMachinePlan };

/** Where each change is written before it is made: the deploy's journal. */
export interface StateMachineJournal {
  record(step: StateMachineStep): Promise<void>;
}

export interface StackStateMachine {
  name: string;
  arn: string;
  /** The stack its `lambent:stack` tag names, if any. */
  stack?: string;
}

/** The Step Functions client beside `client`, sending the same way. */
export function sfnClientOf(client: ApiClient): SfnClient {
  return createSfnClient(client.endpoint, client.fetchOf);
}

/** Every state machine with its stack tag. */
export async function listStateMachines(sfn: SfnClient): Promise<StackStateMachine[]> {
  const machines: StackStateMachine[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.call("ListStateMachines", nextToken === undefined ? {} : { nextToken });
    for (const item of page.stateMachines) {
      const { tags } = await sfn.call("ListTagsForResource", { resourceArn: item.stateMachineArn });
      const stack = tags?.find((tag) => tag.key === STACK_TAG)?.value;
      machines.push({ name: item.name, arn: item.stateMachineArn, ...(stack !== undefined ? { stack } : {}) });
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return machines;
}

/** A machine the template names that exists and is not the stack's is a problem, found before any change. */
export function stateMachineConflicts(stackName: string, plans: readonly StateMachinePlan[], machines: readonly StackStateMachine[]): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const plan of plans) {
    const found = machines.find((machine) => machine.name === plan.name);
    if (found !== undefined && found.stack !== stackName) {
      problems.push({ where: plan.logicalId, message: `the state machine ${plan.name} exists and ${found.stack === undefined ? "was not deployed from a template" : `belongs to the stack ${found.stack}`}; give this one another Name` });
    }
  }
  return problems;
}

/** The template's machines created or updated; the stack's others deleted. */
export async function applyStateMachines(sfn: SfnClient, stackName: string, plans: readonly StateMachinePlan[], lock: StateMachineJournal): Promise<void> {
  const machines = await listStateMachines(sfn);
  for (const plan of plans) {
    const found = machines.find((machine) => machine.name === plan.name);
    if (found === undefined) {
      await lock.record({ kind: "state-machine-created", name: plan.name });
      await sfn.call("CreateStateMachine", { name: plan.name, definition: plan.definition, roleArn: plan.roleArn, type: plan.type, tags: Object.entries(plan.tags).map(([key, value]) => ({ key, value })) });
    } else {
      const before = await sfn.call("DescribeStateMachine", { stateMachineArn: found.arn });
      await lock.record({ kind: "state-machine-updated", arn: found.arn, definition: before.definition, roleArn: before.roleArn });
      await sfn.call("UpdateStateMachine", { stateMachineArn: found.arn, definition: plan.definition, roleArn: plan.roleArn });
    }
  }
  for (const machine of machines) {
    if (machine.stack !== stackName || plans.some((plan) => plan.name === machine.name)) continue;
    const before = await sfn.call("DescribeStateMachine", { stateMachineArn: machine.arn });
    const { tags } = await sfn.call("ListTagsForResource", { resourceArn: machine.arn });
    await lock.record({
      kind: "state-machine-deleted",
      plan: { logicalId: "", name: machine.name, definition: before.definition, roleArn: before.roleArn, type: before.type, tags: Object.fromEntries((tags ?? []).map((tag) => [tag.key ?? "", tag.value ?? ""])) },
    });
    await sfn.call("DeleteStateMachine", { stateMachineArn: machine.arn });
  }
}

/** Deletes the stack's state machines (app delete); returns their names. */
export async function deleteStackStateMachines(sfn: SfnClient, stackName: string): Promise<string[]> {
  const doomed = (await listStateMachines(sfn)).filter((machine) => machine.stack === stackName);
  for (const machine of doomed) await sfn.call("DeleteStateMachine", { stateMachineArn: machine.arn });
  return doomed.map((machine) => machine.name);
}
