// What the package's tests plan templates with: one stack's options, and a refusal's lines.
import { TemplateError } from "../errors.js";
import type { PlanOptions, TemplatePlan } from "../model.js";
import { planTemplate } from "../plan.js";

export const OPTIONS: PlanOptions = { templatePath: "/apps/shop/template.yaml", stackName: "shop", facts: { region: "eu-west-1", accountId: "123456789012" } };

export function plan(text: string, options: Partial<PlanOptions> = {}): TemplatePlan {
  return planTemplate(text, { ...OPTIONS, ...options });
}

/** The lines of the TemplateError that refuses `text`; fails when it is not refused. */
export function refusal(text: string, options: Partial<PlanOptions> = {}): string[] {
  try {
    plan(text, options);
  } catch (error) {
    if (error instanceof TemplateError) return error.message.split("\n");
    throw error;
  }
  throw new Error("the template was not refused");
}
