// The interpreter as a step function: given a state, its input and the context object, what happens next —
// go to a state, end, fail, wait until a time, run a task, run branches or items — and, once a task or
// its children finish, what their outcome leads to (a retry after a delay, a catcher, the next state).
// Nothing here waits, remembers or runs anything: a runner persists each decision and carries it out.
import { isObject, toJsonText, type Json } from "./json.js";
import { JsonPathSyntaxError, readPath, writeReferencePath, type JsonPath } from "./json-path.js";
import { applyTemplate } from "./payload-template.js";
import { evaluateCondition } from "./choice-rule.js";
import { taskResource, type Catcher, type MapState, type NumberOrPath, type Retrier, type State, type StateMachine, type TaskResource } from "./definition.js";
import { StatesError, StatesErrors } from "./states-error.js";

/** The context object (`$$`) as a state sees it. */
export interface ContextObject {
  Execution: { Id: string; Input: Json; Name: string; RoleArn: string; StartTime: string; RedriveCount: number };
  State: { EnteredTime: string; Name: string; RetryCount: number };
  StateMachine: { Id: string; Name: string };
  Task?: { Token: string };
  Map?: { Item: { Index: number; Value: Json } };
}

/** Where a frame goes when a state is done: another state, or the end of its state machine. */
export type Transition = { kind: "next"; next: string; output: Json } | { kind: "end"; output: Json };

export type Decision =
  | Transition
  | { kind: "fail"; error: string; cause: string }
  | { kind: "wait"; untilMs: number; then: Transition }
  | { kind: "task"; resource: TaskResource; input: Json; timeoutSeconds?: number; heartbeatSeconds?: number }
  | { kind: "parallel"; input: Json; branches: number }
  | { kind: "map"; items: Json[]; maxConcurrency: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number }
  | { kind: "readItems"; read: ItemRead };

/** An ItemReader's read, its parameters applied: the runner reads the items, then calls `mapOverItems`. */
export interface ItemRead {
  resource: string;
  parameters: Json;
  inputType: string;
  /** At most this many items are read (0: all). */
  maxItems: number;
  /** CSV's field names, when the definition gives them rather than the first row. */
  csvHeaders?: string[];
}

/** What came of a task, of all branches of a Parallel, or of all items of a Map. */
export type Outcome = { ok: true; result: Json } | { ok: false; error: string; cause: string };

export type CompletionDecision = Transition | { kind: "fail"; error: string; cause: string } | { kind: "retry"; delayMs: number; retryCounts: number[] };

const toFailure = (error: unknown): { kind: "fail"; error: string; cause: string } => {
  if (error instanceof StatesError) return { kind: "fail", error: error.error, cause: error.cause };
  if (error instanceof JsonPathSyntaxError) return { kind: "fail", error: StatesErrors.runtime, cause: error.message };
  throw error;
};

/** The state's input after InputPath; a path that finds nothing is States.Runtime. */
function effectiveInput(path: JsonPath | null, input: Json, context: Json): Json {
  if (path === null) return {};
  const found = readPath(path, input, context);
  if (!found.found) throw new StatesError(StatesErrors.runtime, `Invalid path '${path.text}' : No results for path: $['${path.text.replace(/^\$\.?/, "")}']`);
  return found.value;
}

function outputOf(path: JsonPath | null, value: Json, context: Json): Json {
  if (path === null) return {};
  const found = readPath(path, value, context);
  if (!found.found) throw new StatesError(StatesErrors.runtime, `Invalid path '${path.text}' : No results for path: $['${path.text.replace(/^\$\.?/, "")}']`);
  return found.value;
}

function withResult(path: JsonPath | null, input: Json, result: Json): Json {
  if (path === null) return input;
  try {
    return writeReferencePath(path, input, result);
  } catch (error) {
    throw new StatesError(StatesErrors.resultPathMatchFailure, `Unable to apply ReferencePath ${path.text} to input ${toJsonText(input)}: ${error instanceof Error ? error.message : ""}`);
  }
}

function transition(state: State, output: Json): Transition {
  return "next" in state && state.next !== undefined ? { kind: "next", next: state.next, output } : { kind: "end", output };
}

function resolveNumber(value: NumberOrPath | undefined, input: Json, context: Json, field: string): number | undefined {
  if (value === undefined) return undefined;
  if ("value" in value) return value.value;
  const found = readPath(value.path, input, context);
  if (!found.found || typeof found.value !== "number" || !Number.isInteger(found.value) || found.value < 0) {
    throw new StatesError(StatesErrors.runtime, `The value for the field '${field}Path' must be a non-negative integer: ${value.path.text}`);
  }
  return found.value;
}

/** What entering `name` with `input` leads to. The runner fills `context.State` (and `Task.Token`, `Map.Item`). */
export function enterState(machine: StateMachine, name: string, input: Json, context: ContextObject, nowMs: number): Decision {
  const state = machine.states[name];
  if (!state) return { kind: "fail", error: StatesErrors.runtime, cause: `No state named '${name}'` };
  const ctx = context as unknown as Json;
  try {
    switch (state.type) {
      case "Pass": {
        const effective = effectiveInput(state.inputPath, input, ctx);
        const parameterised = state.parameters ? applyTemplate(state.parameters, effective, ctx) : effective;
        const result = state.result !== undefined ? state.result : parameterised;
        return transition(state, outputOf(state.outputPath, withResult(state.resultPath, input, result), ctx));
      }
      case "Succeed":
        return { kind: "end", output: outputOf(state.outputPath, effectiveInput(state.inputPath, input, ctx), ctx) };
      case "Fail":
        return { kind: "fail", error: failField(state.error, state.errorPath, input, ctx), cause: failField(state.cause, state.causePath, input, ctx) };
      case "Choice": {
        const effective = effectiveInput(state.inputPath, input, ctx);
        const output = outputOf(state.outputPath, effective, ctx);
        for (const choice of state.choices) {
          if (evaluateCondition(choice.condition, effective, ctx)) return { kind: "next", next: choice.next, output };
        }
        if (state.default !== undefined) return { kind: "next", next: state.default, output };
        return { kind: "fail", error: StatesErrors.noChoiceMatched, cause: `No Matches! at state ${name}` };
      }
      case "Wait": {
        const effective = effectiveInput(state.inputPath, input, ctx);
        const then = transition(state, outputOf(state.outputPath, effective, ctx));
        return { kind: "wait", untilMs: waitUntil(state.wait, effective, ctx, nowMs), then };
      }
      case "Task": {
        const effective = effectiveInput(state.inputPath, input, ctx);
        const taskInput = state.parameters ? applyTemplate(state.parameters, effective, ctx) : effective;
        const timeoutSeconds = resolveNumber(state.timeoutSeconds, effective, ctx, "TimeoutSeconds");
        const heartbeatSeconds = resolveNumber(state.heartbeatSeconds, effective, ctx, "HeartbeatSeconds");
        const resource = taskResource(state.resource);
        if (!resource) return { kind: "fail", error: StatesErrors.runtime, cause: `Unsupported resource ${state.resource}` };
        return {
          kind: "task",
          resource,
          input: taskInput,
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
          ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
        };
      }
      case "Parallel": {
        const effective = effectiveInput(state.inputPath, input, ctx);
        return { kind: "parallel", input: state.parameters ? applyTemplate(state.parameters, effective, ctx) : effective, branches: state.branches.length };
      }
      case "Map":
        return enterMap(state, input, context);
    }
  } catch (error) {
    return toFailure(error);
  }
}

function failField(value: string | undefined, path: JsonPath | { intrinsic: import("./payload-template.js").PayloadTemplate } | undefined, input: Json, ctx: Json): string {
  if (value !== undefined) return value;
  if (path === undefined) return "";
  let found: Json;
  if ("intrinsic" in path) {
    const wrapped = applyTemplate(path.intrinsic, input, ctx);
    found = isObject(wrapped) ? (wrapped["value"] ?? null) : null;
  } else {
    const read = readPath(path, input, ctx);
    if (!read.found) throw new StatesError(StatesErrors.runtime, `The JSONPath '${path.text}' could not be found in the input '${toJsonText(input)}'`);
    found = read.value;
  }
  if (typeof found !== "string") throw new StatesError(StatesErrors.runtime, `The value at '${"intrinsic" in path ? "ErrorPath" : path.text}' must be a string`);
  return found;
}

function waitUntil(wait: Extract<State, { type: "Wait" }>["wait"], input: Json, ctx: Json, nowMs: number): number {
  if ("seconds" in wait) return nowMs + wait.seconds * 1000;
  if ("timestamp" in wait) return Date.parse(wait.timestamp);
  const path = "secondsPath" in wait ? wait.secondsPath : wait.timestampPath;
  const found = readPath(path, input, ctx);
  if ("secondsPath" in wait) {
    if (!found.found || typeof found.value !== "number" || !Number.isInteger(found.value) || found.value < 0) {
      throw new StatesError(StatesErrors.runtime, `The SecondsPath parameter does not reference a valid integer value: ${path.text}`);
    }
    return nowMs + found.value * 1000;
  }
  if (!found.found || typeof found.value !== "string" || Number.isNaN(Date.parse(found.value))) {
    throw new StatesError(StatesErrors.runtime, `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${path.text}`);
  }
  return Date.parse(found.value);
}

function enterMap(state: MapState, input: Json, context: ContextObject): Decision {
  const ctx = context as unknown as Json;
  const effective = effectiveInput(state.inputPath, input, ctx);
  if (state.itemReader) {
    const { resource, parameters, inputType, maxItems, csvHeaders } = state.itemReader;
    return {
      kind: "readItems",
      read: {
        resource,
        inputType,
        parameters: parameters ? applyTemplate(parameters, effective, ctx) : {},
        maxItems: resolveNumber(maxItems, effective, ctx, "MaxItems") ?? 0,
        ...(csvHeaders ? { csvHeaders } : {}),
      },
    };
  }
  const items = state.itemsPath === null ? effective : readPath(state.itemsPath, effective, ctx);
  const list = state.itemsPath === null ? items : (items as { found: boolean; value?: Json }).found ? (items as { value: Json }).value : undefined;
  if (!Array.isArray(list)) {
    throw new StatesError(StatesErrors.runtime, `Item selector '${state.itemsPath?.text ?? "$"}' does not reference an array in the Map state's input`);
  }
  return mapOf(state, list, effective, context);
}

/** The Map state `name` over the items its ItemReader read (the runner's answer to a `readItems` decision). */
export function mapOverItems(machine: StateMachine, name: string, input: Json, context: ContextObject, items: Json[]): Decision {
  const state = machine.states[name];
  if (state?.type !== "Map") return { kind: "fail", error: StatesErrors.runtime, cause: `State '${name}' is not a Map state` };
  try {
    return mapOf(state, items, effectiveInput(state.inputPath, input, context as unknown as Json), context);
  } catch (error) {
    return toFailure(error);
  }
}

function mapOf(state: MapState, list: Json[], effective: Json, context: ContextObject): Decision {
  const ctx = context as unknown as Json;
  const selected = state.itemSelector
    ? list.map((value, index) => applyTemplate(state.itemSelector!, effective, { ...context, Map: { Item: { Index: index, Value: value } } } as unknown as Json))
    : list;
  const maxConcurrency = resolveNumber(state.maxConcurrency, effective, ctx, "MaxConcurrency") ?? 0;
  const toleratedFailureCount = resolveNumber(state.toleratedFailureCount, effective, ctx, "ToleratedFailureCount");
  const toleratedFailurePercentage = resolveNumber(state.toleratedFailurePercentage, effective, ctx, "ToleratedFailurePercentage");
  return {
    kind: "map",
    items: selected,
    maxConcurrency,
    ...(toleratedFailureCount !== undefined ? { toleratedFailureCount } : {}),
    ...(toleratedFailurePercentage !== undefined ? { toleratedFailurePercentage } : {}),
  };
}

/** Whether a Retry or Catch's ErrorEquals covers `error`. States.Runtime is never caught or retried. */
export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  if (error === StatesErrors.runtime) return false;
  return errorEquals.some((name) => {
    if (name === error || name === StatesErrors.all) return true;
    if (name === StatesErrors.timeout) return error === StatesErrors.heartbeatTimeout;
    if (name === StatesErrors.taskFailed) return error !== StatesErrors.timeout && error !== StatesErrors.heartbeatTimeout && !error.startsWith("States.Exceed") && error !== StatesErrors.branchFailed;
    return false;
  });
}

/** How long a retry waits: IntervalSeconds × BackoffRate^(attempt−1), capped by MaxDelaySeconds, with FULL jitter a random share of it. */
export function retryDelayMs(retrier: Retrier, attempt: number, random: () => number = Math.random): number {
  let seconds = retrier.intervalSeconds * retrier.backoffRate ** (attempt - 1);
  if (retrier.maxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.maxDelaySeconds);
  const ms = Math.round(seconds * 1000);
  return retrier.jitterStrategy === "FULL" ? Math.round(random() * ms) : ms;
}

/**
 * What a Task, Parallel or Map state's outcome leads to. `retryCounts` holds, per retrier, the retries
 * made so far (empty at first); a retry answers the counts to keep.
 */
export function completeState(
  machine: StateMachine,
  name: string,
  input: Json,
  outcome: Outcome,
  retryCounts: readonly number[],
  context: ContextObject,
  random: () => number = Math.random,
): CompletionDecision {
  const state = machine.states[name];
  if (!state || (state.type !== "Task" && state.type !== "Parallel" && state.type !== "Map")) {
    return { kind: "fail", error: StatesErrors.runtime, cause: `State '${name}' does not take a result` };
  }
  const ctx = context as unknown as Json;
  if (outcome.ok) {
    try {
      const selected = state.resultSelector ? applyTemplate(state.resultSelector, outcome.result, ctx) : outcome.result;
      return transition(state, outputOf(state.outputPath, withResult(state.resultPath, input, selected), ctx));
    } catch (error) {
      const failure = toFailure(error);
      return handleError(state.retry, state.catch, failure.error, failure.cause, input, retryCounts, random);
    }
  }
  return handleError(state.retry, state.catch, outcome.error, outcome.cause, input, retryCounts, random);
}

function handleError(
  retriers: readonly Retrier[],
  catchers: readonly Catcher[],
  error: string,
  cause: string,
  input: Json,
  retryCounts: readonly number[],
  random: () => number,
): CompletionDecision {
  const index = retriers.findIndex((retrier) => errorMatches(retrier.errorEquals, error));
  if (index >= 0) {
    const retrier = retriers[index]!;
    const made = retryCounts[index] ?? 0;
    if (made < retrier.maxAttempts) {
      const counts = retriers.map((_, at) => retryCounts[at] ?? 0);
      counts[index] = made + 1;
      return { kind: "retry", delayMs: retryDelayMs(retrier, made + 1, random), retryCounts: counts };
    }
  }
  const catcher = catchers.find((candidate) => errorMatches(candidate.errorEquals, error));
  if (catcher) {
    try {
      return { kind: "next", next: catcher.next, output: withResult(catcher.resultPath, input, { Error: error, Cause: cause }) };
    } catch (failure) {
      return toFailure(failure);
    }
  }
  return { kind: "fail", error, cause };
}

/** The sub-machine a Parallel branch or Map item runs. */
export function childMachine(machine: StateMachine, name: string, branch: number): StateMachine | undefined {
  const state = machine.states[name];
  if (state?.type === "Parallel") return state.branches[branch];
  if (state?.type === "Map") return state.processor;
  return undefined;
}

/** Whether a Map with `failed` of `total` items failed has gone past what it tolerates. */
export function exceedsTolerance(decision: Extract<Decision, { kind: "map" }>, failed: number, total: number): boolean {
  if (failed === 0) return false;
  const count = decision.toleratedFailureCount;
  const percentage = decision.toleratedFailurePercentage;
  if (count === undefined && percentage === undefined) return true;
  const withinCount = count !== undefined && failed <= count;
  const withinPercentage = percentage !== undefined && total > 0 && (failed / total) * 100 <= percentage;
  return !(withinCount || withinPercentage);
}

/** One step down from a state machine to a sub-machine: a Parallel's branch or a Map's processor. */
export interface MachineStep {
  state: string;
  branch: number;
}

/** The state machine at `path` below `root` (the top-level one for an empty path). */
export function machineAt(root: StateMachine, path: readonly MachineStep[]): StateMachine | undefined {
  let current: StateMachine | undefined = root;
  for (const step of path) {
    if (!current) return undefined;
    current = childMachine(current, step.state, step.branch);
  }
  return current;
}
