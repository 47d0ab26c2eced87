// @lambent/sam-template: an AWS SAM or CloudFormation template → a resolved, validated plan of Lambent resources.
export { planTemplate, DEFAULT_ROLE_NAME } from "./plan.js";
export { parseParameterOverrides } from "./parameters.js";
export { TemplateError, ResolveError, describeProblem, type TemplateProblem } from "./errors.js";
export { layerVersionArn, PENDING_LAYER_VERSION } from "./layers.js";
export { PREDEFINED_CONFIGS, trafficSteps } from "./deployment-preference.js";
export type { AlarmPlan, ComparisonOperator, DeploymentPlan, TrafficRouting, TrafficStep, CodeSource, DeployFacts, FunctionPlan, LayerPlan, MappingPlan, NotificationPlan, StateMachinePlan, OutputPlan, PermissionPlan, PlanOptions, RoutePlan, SchedulePlan, TemplatePlan } from "./model.js";
