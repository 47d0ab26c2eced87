import { describe, expect, it } from "vitest";
import { TemplateError } from "./errors.js";
import { parseTemplateText } from "./parse.js";

describe("parseTemplateText", () => {
  it("turns CloudFormation's short-form tags into their long forms, nested and in every shape", () => {
    expect(
      parseTemplateText(
        `
A: !Ref Stage
B: !GetAtt Fn.Arn
C: !GetAtt [Fn, Outputs.Url]
D: !Sub "\${AWS::StackName}-x"
E: !Sub
  - "\${Name}"
  - Name: !Ref Stage
F: !Join ["-", [!Ref A, !Select [0, !Split [",", "a,b"]]]]
G: !If [IsProd, !FindInMap [M, !Ref Stage, Size], !Ref AWS::NoValue]
H: !And [!Equals [a, b], !Not [!Condition C], !Or [true, false]]
I: !Base64 text
J: yes
`,
        "t.yaml",
      ),
    ).toEqual({
      A: { Ref: "Stage" },
      B: { "Fn::GetAtt": ["Fn", "Arn"] },
      C: { "Fn::GetAtt": ["Fn", "Outputs.Url"] },
      D: { "Fn::Sub": "${AWS::StackName}-x" },
      E: { "Fn::Sub": ["${Name}", { Name: { Ref: "Stage" } }] },
      F: { "Fn::Join": ["-", [{ Ref: "A" }, { "Fn::Select": [0, { "Fn::Split": [",", "a,b"] }] }]] },
      G: { "Fn::If": ["IsProd", { "Fn::FindInMap": ["M", { Ref: "Stage" }, "Size"] }, { Ref: "AWS::NoValue" }] },
      H: { "Fn::And": [{ "Fn::Equals": ["a", "b"] }, { "Fn::Not": [{ Condition: "C" }] }, { "Fn::Or": [true, false] }] },
      I: { "Fn::Base64": "text" },
      J: "yes",
    });
  });

  it("reads JSON templates", () => {
    expect(parseTemplateText('{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["R", "Arn"]}}}}}', "t.json")).toEqual({
      Resources: { Fn: { Type: "AWS::Lambda::Function", Properties: { Role: { "Fn::GetAtt": ["R", "Arn"] } } } },
    });
  });

  it("refuses text that is not YAML, or not a mapping, naming the file", () => {
    expect(() => parseTemplateText("Resources: [unclosed", "bad.yaml")).toThrow(TemplateError);
    expect(() => parseTemplateText("Resources: [unclosed", "bad.yaml")).toThrow(/^bad\.yaml: is not valid YAML or JSON/);
    expect(() => parseTemplateText("- a\n- b\n", "list.yaml")).toThrow(/^list\.yaml: is not a template/);
  });
});
