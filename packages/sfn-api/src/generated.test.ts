import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript, shared with the generator
import { renderModel, renderShapes } from "../scripts/render.mjs";
import { stepFunctionsModel } from "./model.js";
import { validateInput } from "./validate.js";

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), "utf8");

describe("the generated Step Functions API", () => {
  it("is what the generator makes of the committed model (run `npm run generate --workspace @lambent/sfn-api`)", () => {
    const model = JSON.parse(read("../model/stepfunctions-2016-11-23.json"));
    expect(read("./model.ts")).toBe(renderModel(model));
    expect(read("./shapes.ts")).toBe(renderShapes(model));
  });

  it("validates input the way AWS words it", () => {
    expect(validateInput(stepFunctionsModel, "CreateStateMachine", {})).toEqual([
      "Value null at 'name' failed to satisfy constraint: Member must not be null",
      "Value null at 'definition' failed to satisfy constraint: Member must not be null",
      "Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    ]);
    expect(validateInput(stepFunctionsModel, "CreateStateMachine", { name: "x".repeat(81), definition: "{}", roleArn: "arn", type: "BIG" })).toEqual([
      `Value '${"x".repeat(81)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
      "Value 'BIG' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]",
    ]);
    expect(validateInput(stepFunctionsModel, "ListExecutions", { maxResults: 5000 })).toEqual([
      "Value '5000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    ].map((text) => text.replace("'5000'", "5000")));
  });
});
