// AWS Step Functions' API as Lambent serves it: the operations' shapes and the service model they come
// from (generated; see scripts/generate.mjs), and input validation against that model.
export type { ServiceModel, Shape, Operation } from "./service-model.js";
export { stepFunctionsModel } from "./model.js";
export * as Shapes from "./shapes.js";
export type { StepFunctionsOperation, StepFunctionsOperations } from "./shapes.js";
export { STEP_FUNCTIONS_OPERATIONS } from "./shapes.js";
export { validateInput } from "./validate.js";

/** The JSON protocol's target prefix: `X-Amz-Target: AWSStepFunctions.<Operation>`. */
export const TARGET_PREFIX = "AWSStepFunctions.";
/** The content type the JSON protocol (version 1.0) uses both ways. */
export const CONTENT_TYPE = "application/x-amz-json-1.0";
