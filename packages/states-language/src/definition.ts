// A state machine definition in the Amazon States Language, parsed and checked as Step Functions checks it
// at CreateStateMachine and ValidateStateMachineDefinition: every problem is a diagnostic with AWS's code
// (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, …) and the location of the field (`/States/A/Next`).
import { isObject, type Json, type JsonObject } from "./json.js";
import { JsonPathSyntaxError, parseJsonPath, parseReferencePath, type JsonPath } from "./json-path.js";
import { compileTemplate, TemplateFieldError, type PayloadTemplate } from "./payload-template.js";
import { COMPARISONS, TYPE_TESTS, isTimestamp, type ChoiceCondition, type Comparison, type TypeTest } from "./choice-rule.js";

export interface Diagnostic {
  severity: "ERROR" | "WARNING";
  code: string;
  message: string;
  location?: string;
}

export interface StateMachine {
  startAt: string;
  states: Record<string, State>;
  timeoutSeconds?: number;
  comment?: string;
}

interface Common {
  name: string;
  comment?: string;
  /** Null: the state's input is `{}`. */
  inputPath: JsonPath | null;
  /** Null: the state's output is `{}`. */
  outputPath: JsonPath | null;
  next?: string;
  end: boolean;
}

export interface Retrier {
  errorEquals: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  jitterStrategy: "FULL" | "NONE";
}

export interface Catcher {
  errorEquals: string[];
  next: string;
  /** Null: the error output replaces nothing, the state's input goes on. */
  resultPath: JsonPath | null;
}

interface WithResult {
  /** Null: the result is discarded and the input goes on. */
  resultPath: JsonPath | null;
  resultSelector?: PayloadTemplate;
  retry: Retrier[];
  catch: Catcher[];
}

export type NumberOrPath = { value: number } | { path: JsonPath };

export interface PassState extends Common {
  type: "Pass";
  result?: Json;
  parameters?: PayloadTemplate;
  resultPath: JsonPath | null;
}
export interface TaskState extends Common, WithResult {
  type: "Task";
  resource: string;
  parameters?: PayloadTemplate;
  timeoutSeconds?: NumberOrPath;
  heartbeatSeconds?: NumberOrPath;
}
export interface ChoiceState extends Omit<Common, "next" | "end"> {
  type: "Choice";
  choices: { condition: ChoiceCondition; next: string }[];
  default?: string;
  end: false;
}
export interface WaitState extends Common {
  type: "Wait";
  wait: { seconds: number } | { timestamp: string } | { secondsPath: JsonPath } | { timestampPath: JsonPath };
}
export interface SucceedState extends Omit<Common, "next"> {
  type: "Succeed";
}
export interface FailState {
  type: "Fail";
  name: string;
  comment?: string;
  end: true;
  error?: string;
  errorPath?: JsonPath | { intrinsic: PayloadTemplate };
  cause?: string;
  causePath?: JsonPath | { intrinsic: PayloadTemplate };
}
export interface ParallelState extends Common, WithResult {
  type: "Parallel";
  branches: StateMachine[];
  parameters?: PayloadTemplate;
}
export interface MapState extends Common, WithResult {
  type: "Map";
  processor: StateMachine;
  itemsPath: JsonPath | null;
  itemSelector?: PayloadTemplate;
  itemReader?: ItemReader;
  maxConcurrency?: NumberOrPath;
  toleratedFailureCount?: NumberOrPath;
  toleratedFailurePercentage?: NumberOrPath;
}
export type State = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

/** The item reader resource Lambent serves: one S3 object holding the Map's items. */
export const S3_GET_OBJECT = "arn:aws:states:::s3:getObject";
/** How an item reader's object is read: a JSON array, JSON Lines, or CSV with a header row. */
export type ItemReaderInputType = "JSON" | "JSONL" | "CSV";
export const ITEM_READER_INPUT_TYPES: readonly string[] = ["JSON", "JSONL", "CSV", "MANIFEST", "PARQUET"];

/** A Map's ItemReader: where its items come from instead of its input. */
export interface ItemReader {
  resource: string;
  /** Bucket and Key (and VersionId), as the Parameters template gives them. */
  parameters?: PayloadTemplate;
  inputType: string;
  /** CSV's field names when ReaderConfig gives them (CSVHeaderLocation GIVEN); otherwise the first row. */
  csvHeaders?: string[];
  maxItems?: NumberOrPath;
}

export const STATE_TYPES = ["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"] as const;

/** Fields each type of state may have (beyond Type and Comment). */
const FIELDS: Record<State["type"], readonly string[]> = {
  Pass: ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"],
  Task: ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"],
  Choice: ["InputPath", "OutputPath", "Choices", "Default"],
  Wait: ["Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
  Succeed: ["InputPath", "OutputPath"],
  Fail: ["Error", "ErrorPath", "Cause", "CausePath"],
  Parallel: ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Branches"],
  Map: [
    "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Iterator", "ItemProcessor", "ItemsPath",
    "ItemSelector", "ItemReader", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath",
    "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label", "ResultWriter", "ItemBatcher",
  ],
};

/** Task resources Lambent runs: Lambda functions by ARN, `lambda:invoke` (and `.waitForTaskToken`), and Activities are not. */
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const LAMBDA_INVOKE = /^arn:aws[a-zA-Z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;

export type TaskResource = { kind: "function"; functionArn: string } | { kind: "invoke"; waitForTaskToken: boolean };

export function taskResource(resource: string): TaskResource | undefined {
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: "function", functionArn: resource };
  const invoke = LAMBDA_INVOKE.exec(resource);
  if (invoke) return { kind: "invoke", waitForTaskToken: invoke[1] !== undefined };
  return undefined;
}

export type ParseResult = { ok: true; machine: StateMachine; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** Parses a definition as text (what the API takes); every problem found is reported, not only the first. */
export function parseDefinition(text: string): ParseResult {
  if (text.trim() === "") return { ok: false, diagnostics: [{ severity: "ERROR", code: "MISSING_DESCRIPTION", message: "Received a null or empty workflow input." }] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, diagnostics: [{ severity: "ERROR", code: "INVALID_JSON_DESCRIPTION", message: error instanceof Error ? error.message : "Invalid JSON" }] };
  }
  const checker = new Checker();
  const machine = checker.machine(json, "", true);
  const errors = checker.diagnostics.filter((diagnostic) => diagnostic.severity === "ERROR");
  return errors.length === 0 && machine ? { ok: true, machine, diagnostics: checker.diagnostics } : { ok: false, diagnostics: checker.diagnostics };
}

/** Every Task state's resource, in nested machines too, with its location. */
export function taskResources(machine: StateMachine, at = ""): { resource: string; location: string }[] {
  return Object.values(machine.states).flatMap((state) => {
    const where = `${at}/States/${state.name}`;
    if (state.type === "Task") return [{ resource: state.resource, location: `${where}/Resource` }];
    if (state.type === "Parallel") return state.branches.flatMap((branch, index) => taskResources(branch, `${where}/Branches[${index}]`));
    if (state.type === "Map") return taskResources(state.processor, `${where}/ItemProcessor`);
    return [];
  });
}

/**
 * What an EXPRESS state machine may not do that a STANDARD one may: wait for a task token (AWS refuses
 * the callback pattern in express workflows). Diagnostics as `parseDefinition` reports them.
 */
export function expressDiagnostics(machine: StateMachine): Diagnostic[] {
  return taskResources(machine)
    .filter(({ resource }) => resource.endsWith(".waitForTaskToken"))
    .map(({ location }) => ({ severity: "ERROR" as const, code: "SCHEMA_VALIDATION_FAILED", message: "Express state machine does not support '.waitForTaskToken' service integration pattern", location }));
}

/** A rejected definition as CreateStateMachine's InvalidDefinition says it. */
export function invalidDefinitionMessage(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "ERROR");
  const text = errors.map((diagnostic) => `${diagnostic.code}: ${diagnostic.message}${diagnostic.location !== undefined ? ` at ${diagnostic.location || "/"}` : ""}`).join(", ");
  return `Invalid State Machine Definition: '${text}'`;
}

class Checker {
  readonly diagnostics: Diagnostic[] = [];

  private error(code: string, message: string, location: string): void {
    this.diagnostics.push({ severity: "ERROR", code, message, location: location || "/" });
  }

  private schema(message: string, location: string): void {
    this.error("SCHEMA_VALIDATION_FAILED", message, location);
  }

  machine(json: unknown, at: string, topLevel: boolean): StateMachine | undefined {
    if (!isObject(json)) {
      this.schema("The state machine definition must be a JSON object", at);
      return undefined;
    }
    const allowed = topLevel ? ["StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"] : ["StartAt", "States", "Comment", "ProcessorConfig"];
    this.unknownFields(json, allowed, at);
    const startAt = json["StartAt"];
    const states = json["States"];
    const missing = ["StartAt", "States"].filter((field) => json[field] === undefined);
    if (missing.length > 0) this.schema(`These fields are required: [${missing.join(", ")}]`, at);
    if (startAt !== undefined && typeof startAt !== "string") this.schema("The value for the field 'StartAt' must be a STRING", `${at}/StartAt`);
    if (json["Version"] !== undefined && json["Version"] !== "1.0") this.schema("The value for the field 'Version' must be '1.0'", `${at}/Version`);
    if (json["QueryLanguage"] !== undefined && json["QueryLanguage"] !== "JSONPath") this.schema("Lambent supports the JSONPath query language only", `${at}/QueryLanguage`);
    const timeoutSeconds = topLevel ? this.positiveInteger(json, "TimeoutSeconds", at) : undefined;
    if (states !== undefined && !isObject(states)) this.schema("The value for the field 'States' must be an OBJECT", `${at}/States`);
    if (typeof startAt !== "string" || !isObject(states)) return undefined;
    if (Object.keys(states).length === 0) this.schema("The field 'States' must have at least one state", `${at}/States`);
    const parsed: Record<string, State> = {};
    for (const [name, value] of Object.entries(states)) {
      if (name.length > 80 || name.length === 0) this.error("INVALID_STATE_NAME", `State name '${name}' must be between 1 and 80 characters long`, `${at}/States/${name}`);
      const state = this.state(name, value, `${at}/States/${name}`);
      if (state) parsed[name] = state;
    }
    if (!Object.hasOwn(states, startAt)) this.error("MISSING_TRANSITION_TARGET", `Missing 'StartAt' target: ${startAt}`, `${at}/StartAt`);
    const stateNames = new Set(Object.keys(states));
    const before = this.diagnostics.length;
    for (const state of Object.values(parsed)) {
      for (const [target, field] of transitions(state)) {
        if (!stateNames.has(target)) this.error("MISSING_TRANSITION_TARGET", `Missing '${field.split("/").at(-1)}' target: ${target}`, `${at}/States/${state.name}/${field}`);
      }
    }
    // With a target missing, reachability and the terminal state would only repeat that one problem.
    if (this.diagnostics.length === before && Object.values(parsed).length === stateNames.size && Object.hasOwn(states, startAt)) {
      const reachable = new Set<string>([startAt]);
      const queue = [startAt];
      while (queue.length > 0) {
        const state = parsed[queue.pop()!];
        if (!state) continue;
        for (const [target] of transitions(state)) {
          if (!reachable.has(target)) {
            reachable.add(target);
            queue.push(target);
          }
        }
      }
      for (const name of stateNames) if (!reachable.has(name)) this.error("MISSING_TRANSITION_TARGET", `State "${name}" is not reachable.`, `${at}/States/${name}`);
      const terminal = Object.values(parsed).some((state) => state.end || state.type === "Choice");
      if (!terminal) this.error("MISSING_END_STATE", "Workflow has no terminal state", at);
    }
    return { startAt, states: parsed, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}), ...(typeof json["Comment"] === "string" ? { comment: json["Comment"] } : {}) };
  }

  private unknownFields(json: JsonObject, allowed: readonly string[], at: string): void {
    for (const field of Object.keys(json)) {
      if (field !== "Type" && field !== "Comment" && !allowed.includes(field)) this.schema(`Field "${field}" is not supported by Step Functions`, `${at}/${field}`);
    }
  }

  private state(name: string, json: unknown, at: string): State | undefined {
    if (!isObject(json)) {
      this.schema("A state must be a JSON object", at);
      return undefined;
    }
    const type = json["Type"];
    if (type === undefined) {
      this.schema("These fields are required: [Type]", at);
      return undefined;
    }
    if (typeof type !== "string" || !(STATE_TYPES as readonly string[]).includes(type)) {
      this.schema(`The value for the field 'Type' must be one of the values: [${STATE_TYPES.join(", ")}]`, `${at}/Type`);
      return undefined;
    }
    const stateType = type as State["type"];
    this.unknownFields(json, FIELDS[stateType], at);
    const comment = typeof json["Comment"] === "string" ? { comment: json["Comment"] } : {};
    if (stateType === "Fail") return this.failState(name, json, at, comment);
    const inputPath = this.path(json, "InputPath", at, false);
    const outputPath = this.path(json, "OutputPath", at, false);
    const common = { name, ...comment, inputPath, outputPath };
    if (stateType === "Choice") return this.choiceState(common, json, at);
    if (stateType === "Succeed") return { type: "Succeed", ...common, end: true };
    const transition = this.transition(json, at);
    const flow = { ...common, ...transition };
    switch (stateType) {
      case "Pass": {
        const parameters = this.template(json, "Parameters", at);
        return { type: "Pass", ...flow, resultPath: this.path(json, "ResultPath", at, true), ...(json["Result"] !== undefined ? { result: json["Result"] } : {}), ...(parameters ? { parameters } : {}) };
      }
      case "Wait":
        return this.waitState(flow, json, at);
      case "Task":
        return this.taskState(flow, json, at);
      case "Parallel": {
        const branches = json["Branches"];
        const parsed: StateMachine[] = [];
        if (!Array.isArray(branches) || branches.length === 0) this.schema("The field 'Branches' is required and must be a non-empty array", `${at}/Branches`);
        else branches.forEach((branch, index) => {
          const machine = this.machine(branch, `${at}/Branches[${index}]`, false);
          if (machine) parsed.push(machine);
        });
        const parameters = this.template(json, "Parameters", at);
        return { type: "Parallel", ...flow, ...this.withResult(json, at), branches: parsed, ...(parameters ? { parameters } : {}) };
      }
      case "Map":
        return this.mapState(flow, json, at);
    }
  }

  private transition(json: JsonObject, at: string): { next?: string; end: boolean } {
    const next = json["Next"];
    const end = json["End"];
    if (end !== undefined && typeof end !== "boolean") this.schema("The value for the field 'End' must be a BOOLEAN", `${at}/End`);
    if (next !== undefined && typeof next !== "string") this.schema("The value for the field 'Next' must be a STRING", `${at}/Next`);
    if (next !== undefined && end === true) this.schema("Only one of Next or End may be set", at);
    if (next === undefined && end !== true) this.schema("These fields are required: [Next | End]", at);
    return typeof next === "string" ? { next, end: false } : { end: true };
  }

  private path(json: JsonObject, field: string, at: string, reference: boolean): JsonPath | null {
    const value = json[field];
    if (value === null) return null;
    const text = value === undefined ? "$" : value;
    if (typeof text !== "string") {
      this.schema(`The value for the field '${field}' must be a STRING`, `${at}/${field}`);
      return parseJsonPath("$");
    }
    try {
      return reference ? parseReferencePath(text) : parseJsonPath(text);
    } catch (error) {
      this.schema(`The value for the field '${field}' must be a valid ${reference ? "Reference Path" : "JSONPath"}`, `${at}/${field}`);
      void error;
      return parseJsonPath("$");
    }
  }

  private pathValue(json: JsonObject, field: string, at: string): JsonPath | undefined {
    const value = json[field];
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
      this.schema(`The value for the field '${field}' must be a STRING`, `${at}/${field}`);
      return undefined;
    }
    try {
      return parseJsonPath(value);
    } catch {
      this.schema(`The value for the field '${field}' must be a valid JSONPath`, `${at}/${field}`);
      return undefined;
    }
  }

  private template(json: JsonObject, field: string, at: string): PayloadTemplate | undefined {
    const value = json[field];
    if (value === undefined) return undefined;
    if (!isObject(value) && field !== "Parameters") {
      this.schema(`The value for the field '${field}' must be an OBJECT`, `${at}/${field}`);
      return undefined;
    }
    try {
      return compileTemplate(value, (inner) => `${at}/${field}/${inner}`);
    } catch (error) {
      if (error instanceof TemplateFieldError) this.schema(error.message, error.location);
      else if (error instanceof JsonPathSyntaxError) this.schema(error.message, `${at}/${field}`);
      else throw error;
      return undefined;
    }
  }

  private positiveInteger(json: JsonObject, field: string, at: string, allowZero = false): number | undefined {
    const value = json[field];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > 99_999_999) {
      this.schema(`The value for the field '${field}' must be ${allowZero ? "a non-negative" : "a positive"} INTEGER`, `${at}/${field}`);
      return undefined;
    }
    return value;
  }

  private numberOrPath(json: JsonObject, field: string, at: string, allowZero: boolean): NumberOrPath | undefined {
    if (json[field] !== undefined && json[`${field}Path`] !== undefined) this.schema(`Only one of ${field} or ${field}Path may be set`, at);
    const value = this.positiveInteger(json, field, at, allowZero);
    if (value !== undefined) return { value };
    const path = this.pathValue(json, `${field}Path`, at);
    return path ? { path } : undefined;
  }

  private withResult(json: JsonObject, at: string): { resultPath: JsonPath | null; resultSelector?: PayloadTemplate; retry: Retrier[]; catch: Catcher[] } {
    const resultSelector = this.template(json, "ResultSelector", at);
    return {
      resultPath: this.path(json, "ResultPath", at, true),
      ...(resultSelector ? { resultSelector } : {}),
      retry: this.retriers(json["Retry"], `${at}/Retry`),
      catch: this.catchers(json["Catch"], `${at}/Catch`),
    };
  }

  private errorEquals(json: JsonObject, at: string): string[] {
    const value = json["ErrorEquals"];
    if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === "string")) {
      this.schema("The field 'ErrorEquals' is required and must be a non-empty array of strings", `${at}/ErrorEquals`);
      return [];
    }
    const names = value as string[];
    if (names.includes("States.ALL") && names.length > 1) this.schema("States.ALL must appear alone in ErrorEquals", `${at}/ErrorEquals`);
    return names;
  }

  private retriers(value: Json | undefined, at: string): Retrier[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.schema("The value for the field 'Retry' must be an ARRAY", at);
      return [];
    }
    return value.flatMap((json, index): Retrier[] => {
      const where = `${at}[${index}]`;
      if (!isObject(json)) {
        this.schema("A retrier must be an OBJECT", where);
        return [];
      }
      this.unknownFields(json, ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy"], where);
      const errorEquals = this.errorEquals(json, where);
      if (errorEquals.includes("States.ALL") && index !== value.length - 1) this.schema("A retrier with States.ALL must be the last one", `${where}/ErrorEquals`);
      const backoffRate = json["BackoffRate"];
      if (backoffRate !== undefined && (typeof backoffRate !== "number" || backoffRate < 1)) this.schema("The value for the field 'BackoffRate' must be a NUMBER greater than or equal to 1.0", `${where}/BackoffRate`);
      const jitter = json["JitterStrategy"];
      if (jitter !== undefined && jitter !== "FULL" && jitter !== "NONE") this.schema("The value for the field 'JitterStrategy' must be one of the values: [FULL, NONE]", `${where}/JitterStrategy`);
      const maxDelaySeconds = this.positiveInteger(json, "MaxDelaySeconds", where);
      return [
        {
          errorEquals,
          intervalSeconds: this.positiveInteger(json, "IntervalSeconds", where) ?? 1,
          maxAttempts: this.positiveInteger(json, "MaxAttempts", where, true) ?? 3,
          backoffRate: typeof backoffRate === "number" ? backoffRate : 2,
          ...(maxDelaySeconds !== undefined ? { maxDelaySeconds } : {}),
          jitterStrategy: jitter === "FULL" ? "FULL" : "NONE",
        },
      ];
    });
  }

  private catchers(value: Json | undefined, at: string): Catcher[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.schema("The value for the field 'Catch' must be an ARRAY", at);
      return [];
    }
    return value.flatMap((json, index): Catcher[] => {
      const where = `${at}[${index}]`;
      if (!isObject(json)) {
        this.schema("A catcher must be an OBJECT", where);
        return [];
      }
      this.unknownFields(json, ["ErrorEquals", "Next", "ResultPath"], where);
      const errorEquals = this.errorEquals(json, where);
      if (errorEquals.includes("States.ALL") && index !== value.length - 1) this.schema("A catcher with States.ALL must be the last one", `${where}/ErrorEquals`);
      const next = json["Next"];
      if (typeof next !== "string") {
        this.schema("These fields are required: [Next]", where);
        return [];
      }
      return [{ errorEquals, next, resultPath: this.path(json, "ResultPath", where, true) }];
    });
  }

  private taskState(flow: Common, json: JsonObject, at: string): TaskState | undefined {
    const resource = json["Resource"];
    if (typeof resource !== "string") {
      this.schema("These fields are required: [Resource]", at);
      return undefined;
    }
    if (!taskResource(resource)) this.error("INVALID_RESOURCE", `Resource '${resource}' is not a Lambda function ARN or arn:aws:states:::lambda:invoke[.waitForTaskToken]`, `${at}/Resource`);
    const parameters = this.template(json, "Parameters", at);
    const timeoutSeconds = this.numberOrPath(json, "TimeoutSeconds", at, false);
    const heartbeatSeconds = this.numberOrPath(json, "HeartbeatSeconds", at, false);
    if (timeoutSeconds && heartbeatSeconds && "value" in timeoutSeconds && "value" in heartbeatSeconds && heartbeatSeconds.value >= timeoutSeconds.value) {
      this.schema("The value for the field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'", `${at}/HeartbeatSeconds`);
    }
    return {
      type: "Task",
      ...flow,
      ...this.withResult(json, at),
      resource,
      ...(parameters ? { parameters } : {}),
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
      ...(heartbeatSeconds ? { heartbeatSeconds } : {}),
    };
  }

  private waitState(flow: Common, json: JsonObject, at: string): WaitState | undefined {
    const given = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"].filter((field) => json[field] !== undefined);
    if (given.length !== 1) {
      this.schema("Exactly one of Seconds, Timestamp, SecondsPath or TimestampPath must be set", at);
      return undefined;
    }
    const field = given[0]!;
    if (field === "Seconds") {
      const seconds = this.positiveInteger(json, "Seconds", at, true);
      return seconds === undefined ? undefined : { type: "Wait", ...flow, wait: { seconds } };
    }
    if (field === "Timestamp") {
      const timestamp = json["Timestamp"];
      if (!isTimestamp(timestamp)) {
        this.schema("The value for the field 'Timestamp' must be a valid ISO-8601 timestamp", `${at}/Timestamp`);
        return undefined;
      }
      return { type: "Wait", ...flow, wait: { timestamp } };
    }
    const path = this.pathValue(json, field, at);
    if (!path) return undefined;
    return { type: "Wait", ...flow, wait: field === "SecondsPath" ? { secondsPath: path } : { timestampPath: path } };
  }

  private failState(name: string, json: JsonObject, at: string, comment: { comment?: string }): FailState {
    const state: FailState = { type: "Fail", name, ...comment, end: true };
    for (const field of ["Error", "Cause"] as const) {
      const value = json[field];
      const pathValue = json[`${field}Path`];
      if (value !== undefined && pathValue !== undefined) this.schema(`Only one of ${field} or ${field}Path may be set`, at);
      if (value !== undefined) {
        if (typeof value !== "string") this.schema(`The value for the field '${field}' must be a STRING`, `${at}/${field}`);
        else if (field === "Error") state.error = value;
        else state.cause = value;
      }
      if (typeof pathValue === "string") {
        try {
          const compiled = pathValue.startsWith("States.") ? { intrinsic: compileTemplate({ "value.$": pathValue }) } : parseJsonPath(pathValue);
          if (field === "Error") state.errorPath = compiled;
          else state.causePath = compiled;
        } catch {
          this.schema(`The value for the field '${field}Path' must be a valid JSONPath or intrinsic function`, `${at}/${field}Path`);
        }
      } else if (pathValue !== undefined) this.schema(`The value for the field '${field}Path' must be a STRING`, `${at}/${field}Path`);
    }
    return state;
  }

  private choiceState(common: Omit<Common, "next" | "end">, json: JsonObject, at: string): ChoiceState | undefined {
    const choices = json["Choices"];
    if (!Array.isArray(choices) || choices.length === 0) {
      this.schema("The field 'Choices' is required and must be a non-empty array", `${at}/Choices`);
      return undefined;
    }
    const parsed = choices.flatMap((choice, index) => {
      const where = `${at}/Choices[${index}]`;
      if (!isObject(choice)) {
        this.schema("A choice rule must be an OBJECT", where);
        return [];
      }
      const next = choice["Next"];
      if (typeof next !== "string") {
        this.schema("These fields are required: [Next]", where);
        return [];
      }
      const condition = this.condition(choice, where, true);
      return condition ? [{ condition, next }] : [];
    });
    const fallback = json["Default"];
    if (fallback !== undefined && typeof fallback !== "string") this.schema("The value for the field 'Default' must be a STRING", `${at}/Default`);
    return { type: "Choice", ...common, choices: parsed, end: false, ...(typeof fallback === "string" ? { default: fallback } : {}) };
  }

  private condition(json: JsonObject, at: string, topLevel: boolean): ChoiceCondition | undefined {
    const operators = Object.keys(json).filter((key) => !["Next", "Comment", "Variable"].includes(key));
    if (!topLevel && json["Next"] !== undefined) this.schema("A nested choice rule may not have a 'Next'", `${at}/Next`);
    if (operators.length !== 1) {
      this.schema(operators.length === 0 ? "A choice rule must have one comparison operator" : `A choice rule may have only one comparison operator: [${operators.join(", ")}]`, at);
      return undefined;
    }
    const operator = operators[0]!;
    const value = json[operator]!;
    if (operator === "And" || operator === "Or") {
      if (!Array.isArray(value) || value.length === 0) {
        this.schema(`The value for the field '${operator}' must be a non-empty ARRAY`, `${at}/${operator}`);
        return undefined;
      }
      const rules = value.flatMap((rule, index) => {
        if (!isObject(rule)) {
          this.schema("A choice rule must be an OBJECT", `${at}/${operator}[${index}]`);
          return [];
        }
        const parsed = this.condition(rule, `${at}/${operator}[${index}]`, false);
        return parsed ? [parsed] : [];
      });
      return { kind: operator === "And" ? "and" : "or", rules };
    }
    if (operator === "Not") {
      if (!isObject(value)) {
        this.schema("The value for the field 'Not' must be an OBJECT", `${at}/Not`);
        return undefined;
      }
      const rule = this.condition(value, `${at}/Not`, false);
      return rule ? { kind: "not", rule } : undefined;
    }
    const variableText = json["Variable"];
    if (typeof variableText !== "string") {
      this.schema("These fields are required: [Variable]", at);
      return undefined;
    }
    let variable: JsonPath;
    try {
      variable = parseJsonPath(variableText);
    } catch {
      this.schema("The value for the field 'Variable' must be a valid JSONPath", `${at}/Variable`);
      return undefined;
    }
    if ((TYPE_TESTS as readonly string[]).includes(operator)) {
      if (typeof value !== "boolean") {
        this.schema(`The value for the field '${operator}' must be a BOOLEAN`, `${at}/${operator}`);
        return undefined;
      }
      return { kind: "type", variable, test: operator as TypeTest, expected: value };
    }
    if (operator === "StringMatches") {
      if (typeof value !== "string") {
        this.schema("The value for the field 'StringMatches' must be a STRING", `${at}/${operator}`);
        return undefined;
      }
      return { kind: "matches", variable, pattern: value };
    }
    const isPath = operator.endsWith("Path");
    const base = (isPath ? operator.slice(0, -4) : operator) as Comparison;
    if (!(COMPARISONS as readonly string[]).includes(base)) {
      this.schema(`Field "${operator}" is not supported by Step Functions`, `${at}/${operator}`);
      return undefined;
    }
    if (isPath) {
      try {
        if (typeof value !== "string") throw new JsonPathSyntaxError("not a string");
        return { kind: "compare", variable, operator: base, operand: { path: parseJsonPath(value) } };
      } catch {
        this.schema(`The value for the field '${operator}' must be a valid JSONPath`, `${at}/${operator}`);
        return undefined;
      }
    }
    const expected = base.startsWith("String") ? "string" : base.startsWith("Numeric") ? "number" : base.startsWith("Boolean") ? "boolean" : "timestamp";
    const valid = expected === "timestamp" ? isTimestamp(value) : typeof value === expected;
    if (!valid) {
      this.schema(`The value for the field '${operator}' must be a ${expected === "timestamp" ? "valid ISO-8601 timestamp" : expected.toUpperCase()}`, `${at}/${operator}`);
      return undefined;
    }
    return { kind: "compare", variable, operator: base, operand: { value } };
  }

  private mapState(flow: Common, json: JsonObject, at: string): MapState | undefined {
    const processorField = json["ItemProcessor"] !== undefined ? "ItemProcessor" : "Iterator";
    const processorJson = json[processorField];
    if (processorJson === undefined) {
      this.schema("These fields are required: [ItemProcessor]", at);
      return undefined;
    }
    if (json["ItemProcessor"] !== undefined && json["Iterator"] !== undefined) this.schema("Only one of ItemProcessor or Iterator may be set", at);
    if (json["ItemSelector"] !== undefined && json["Parameters"] !== undefined) this.schema("Only one of ItemSelector or Parameters may be set", at);
    if (isObject(processorJson) && isObject(processorJson["ProcessorConfig"])) {
      const mode = processorJson["ProcessorConfig"]["Mode"];
      if (mode !== undefined && mode !== "INLINE") this.schema("Lambent runs Map states in INLINE mode only", `${at}/${processorField}/ProcessorConfig/Mode`);
    }
    for (const field of ["ResultWriter", "ItemBatcher", "Label"]) if (json[field] !== undefined) this.schema(`Field "${field}" belongs to distributed Map, which Lambent does not run`, `${at}/${field}`);
    const processor = this.machine(processorJson, `${at}/${processorField}`, false);
    if (!processor) return undefined;
    const itemSelector = this.template(json, json["ItemSelector"] !== undefined ? "ItemSelector" : "Parameters", at);
    let itemReader: MapState["itemReader"];
    const reader = json["ItemReader"];
    if (reader !== undefined) {
      if (!isObject(reader) || typeof reader["Resource"] !== "string") this.schema("These fields are required: [Resource]", `${at}/ItemReader`);
      else {
        const parameters = this.template(reader, "Parameters", `${at}/ItemReader`);
        const config = reader["ReaderConfig"];
        const inputType = isObject(config) && typeof config["InputType"] === "string" ? config["InputType"] : "JSON";
        if (!ITEM_READER_INPUT_TYPES.includes(inputType)) {
          this.schema(`Value is not a valid enum value: ${ITEM_READER_INPUT_TYPES.join(", ")}`, `${at}/ItemReader/ReaderConfig/InputType`);
        }
        const maxItems = isObject(config) ? this.numberOrPath(config, "MaxItems", `${at}/ItemReader/ReaderConfig`, false) : undefined;
        const csvHeaders = isObject(config) && config["CSVHeaderLocation"] === "GIVEN" ? config["CSVHeaders"] : undefined;
        if (isObject(config) && config["CSVHeaderLocation"] === "GIVEN" && !(Array.isArray(csvHeaders) && csvHeaders.length > 0 && csvHeaders.every((name) => typeof name === "string"))) {
          this.schema("CSVHeaders must be a non-empty list of strings when CSVHeaderLocation is GIVEN", `${at}/ItemReader/ReaderConfig`);
        }
        itemReader = {
          resource: reader["Resource"],
          inputType,
          ...(parameters ? { parameters } : {}),
          ...(maxItems ? { maxItems } : {}),
          ...(Array.isArray(csvHeaders) ? { csvHeaders: csvHeaders.filter((name): name is string => typeof name === "string") } : {}),
        };
      }
    }
    const maxConcurrency = this.numberOrPath(json, "MaxConcurrency", at, true);
    const toleratedFailureCount = this.numberOrPath(json, "ToleratedFailureCount", at, true);
    const toleratedFailurePercentage = this.numberOrPath(json, "ToleratedFailurePercentage", at, true);
    if (toleratedFailurePercentage && "value" in toleratedFailurePercentage && toleratedFailurePercentage.value > 100) {
      this.schema("The value for the field 'ToleratedFailurePercentage' must be between 0 and 100", `${at}/ToleratedFailurePercentage`);
    }
    return {
      type: "Map",
      ...flow,
      ...this.withResult(json, at),
      processor,
      itemsPath: this.path(json, "ItemsPath", at, false),
      ...(itemSelector ? { itemSelector } : {}),
      ...(itemReader ? { itemReader } : {}),
      ...(maxConcurrency ? { maxConcurrency } : {}),
      ...(toleratedFailureCount ? { toleratedFailureCount } : {}),
      ...(toleratedFailurePercentage ? { toleratedFailurePercentage } : {}),
    };
  }
}

/** Every state a state can go to, with the field that names it. */
function transitions(state: State): [string, string][] {
  const out: [string, string][] = [];
  if (state.type === "Choice") {
    state.choices.forEach((choice, index) => out.push([choice.next, `Choices[${index}]/Next`]));
    if (state.default !== undefined) out.push([state.default, "Default"]);
    return out;
  }
  if ("next" in state && state.next !== undefined) out.push([state.next, "Next"]);
  if ("catch" in state) state.catch.forEach((catcher, index) => out.push([catcher.next, `Catch[${index}]/Next`]));
  return out;
}
