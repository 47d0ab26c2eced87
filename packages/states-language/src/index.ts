// The Amazon States Language: definitions parsed and checked as Step Functions checks them, and an
// interpreter that answers one step at a time, for a durable runner to persist between steps.
export { type Json, type JsonObject, isObject, toJsonText } from "./json.js";
export { type JsonPath, JsonPathSyntaxError, parseJsonPath, parseReferencePath, readPath, writeReferencePath } from "./json-path.js";
export { type IntrinsicCall, INTRINSICS, evaluateIntrinsic, parseIntrinsic, isIntrinsic } from "./intrinsics.js";
export { type PayloadTemplate, compileTemplate, applyTemplate } from "./payload-template.js";
export { type ChoiceCondition, evaluateCondition, isTimestamp, wildcardPattern } from "./choice-rule.js";
export {
  type Diagnostic,
  type StateMachine,
  type State,
  type ItemReader,
  type Retrier,
  type Catcher,
  type TaskResource,
  type ParseResult,
  STATE_TYPES,
  S3_GET_OBJECT,
  parseDefinition,
  invalidDefinitionMessage,
  taskResource,
  taskResources,
  expressDiagnostics,
} from "./definition.js";
export {
  type ContextObject,
  type Transition,
  type Decision,
  type Outcome,
  type CompletionDecision,
  type MachineStep,
  type ItemRead,
  enterState,
  mapOverItems,
  completeState,
  errorMatches,
  retryDelayMs,
  childMachine,
  machineAt,
  exceedsTolerance,
} from "./interpreter.js";
export { type LambdaCall, type LambdaAnswer, lambdaCall, lambdaResult } from "./lambda-task.js";
export { StatesError, StatesErrors } from "./states-error.js";
export { parseItems } from "./item-reader.js";
