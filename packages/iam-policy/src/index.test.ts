import { describe, expect, it } from "vitest";
import { accessDeniedMessage, evaluatePolicy, parsePolicy, resourcePolicyAllows } from "./index.js";

const FN = "arn:aws:lambda:us-east-1:000000000000:function:";

describe("identity policies", () => {
  it("allows only what a statement allows, with wildcards in actions and resources", () => {
    const policy = parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:Get*", "lambda:InvokeFunction"], Resource: `${FN}orders-*` }] }));
    expect(evaluatePolicy(policy, "lambda:InvokeFunction", `${FN}orders-api`)).toBe("allow");
    expect(evaluatePolicy(policy, "lambda:invokefunction", `${FN}orders-api`)).toBe("allow");
    expect(evaluatePolicy(policy, "lambda:GetFunctionConfiguration", `${FN}orders-api`)).toBe("allow");
    expect(evaluatePolicy(policy, "lambda:DeleteFunction", `${FN}orders-api`)).toBe("implicit-deny");
    expect(evaluatePolicy(policy, "lambda:InvokeFunction", `${FN}billing`)).toBe("implicit-deny");
    expect(evaluatePolicy(policy, "lambda:InvokeFunction", `${FN}orders-api:prod`)).toBe("allow");
  });

  it("lets an explicit deny win over every allow", () => {
    const policy = parsePolicy({
      Statement: [
        { Effect: "Allow", Action: "lambda:*", Resource: "*" },
        { Effect: "Deny", Action: "lambda:DeleteFunction", Resource: "*" },
      ],
    });
    expect(evaluatePolicy(policy, "lambda:CreateFunction", "*")).toBe("allow");
    expect(evaluatePolicy(policy, "lambda:DeleteFunction", `${FN}x`)).toBe("explicit-deny");
  });

  it("refuses documents it cannot honour, naming the problem", () => {
    expect(() => parsePolicy("{")).toThrow(/not valid JSON/);
    expect(() => parsePolicy({ Statement: [] })).toThrow(/at least one Statement/);
    expect(() => parsePolicy({ Statement: [{ Effect: "Maybe", Action: "lambda:*", Resource: "*" }] })).toThrow(/Effect must be Allow or Deny/);
    expect(() => parsePolicy({ Statement: [{ Effect: "Allow", Action: "InvokeFunction", Resource: "*" }] })).toThrow(/not service:Action/);
    expect(() => parsePolicy({ Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*", Condition: {} }] })).toThrow(/Condition is not supported/);
    expect(() => parsePolicy({ Statement: [{ Effect: "Allow", Action: "lambda:*" }] })).toThrow(/Resource must be/);
  });

  it("words a refusal as AWS does", () => {
    expect(accessDeniedMessage("arn:aws:iam::000000000000:user/ci", "lambda:DeleteFunction", `${FN}x`, "implicit-deny")).toBe(
      `User: arn:aws:iam::000000000000:user/ci is not authorized to perform: lambda:DeleteFunction on resource: ${FN}x because no identity-based policy allows the lambda:DeleteFunction action`,
    );
  });
});

describe("resource policies", () => {
  const USER = "arn:aws:iam::000000000000:user/partner";
  const policy = (statement: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `${FN}x`, ...statement }] });

  it("grants the principal it names, or everyone, the action it names", () => {
    expect(resourcePolicyAllows(policy({ Principal: { AWS: USER } }), USER, "lambda:InvokeFunction")).toBe(true);
    expect(resourcePolicyAllows(policy({ Principal: "*" }), USER, "lambda:InvokeFunction")).toBe(true);
    expect(resourcePolicyAllows(policy({ Principal: { AWS: [USER] } }), USER, "lambda:GetFunction")).toBe(false);
    expect(resourcePolicyAllows(policy({ Principal: { AWS: "arn:aws:iam::000000000000:user/other" } }), USER, "lambda:InvokeFunction")).toBe(false);
  });

  it("grants nothing through a service principal or a statement with a condition", () => {
    expect(resourcePolicyAllows(policy({ Principal: { Service: "s3.amazonaws.com" } }), USER, "lambda:InvokeFunction")).toBe(false);
    expect(resourcePolicyAllows(policy({ Principal: "*", Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::bucket" } } }), USER, "lambda:InvokeFunction")).toBe(false);
    expect(resourcePolicyAllows(undefined, USER, "lambda:InvokeFunction")).toBe(false);
  });
});
