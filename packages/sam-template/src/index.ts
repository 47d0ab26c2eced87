// @lambent/sam-template: an AWS SAM or CloudFormation template → a resolved, validated plan of Lambent resources.
export { planTemplate, DEFAULT_ROLE_NAME } from "./plan.js";
export { parseParameterOverrides } from "./parameters.js";
export { TemplateError, ResolveError, describeProblem, type TemplateProblem } from "./errors.js";
export type { CodeSource, DeployFacts, FunctionPlan, OutputPlan, PermissionPlan, PlanOptions, RoutePlan, SchedulePlan, TemplatePlan } from "./model.js";
