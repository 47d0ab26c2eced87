// AWS Lambda's service model, as botocore ships it (model/, Apache-2.0): the operations Lambent serves,
// their shapes and constraints, and their error shapes. The validator words what breaks a constraint as
// AWS does; the error table says which fields an error's JSON body carries.
export { lambdaServiceModel, type OperationName, type ModelErrorName } from "./generated/service-model.js";
export type { MemberLocation, MemberModel, OperationModel, ServiceModel, ShapeModel, ShapeType } from "./service-model-types.js";
export {
  Constraint,
  type ConstraintViolation,
  constraintsOf,
  describeViolation,
  shape,
  shown,
  validateInput,
  validateShape,
  violationsMessage,
} from "./validate.js";
export { type ErrorBodyModel, errorBodyModel } from "./errors.js";
