import { describe, expect, it } from "vitest";
import { evaluatePolicy } from "@lambent/iam-policy";
import { functionCaller } from "./service.js";

const ROLE = "arn:aws:iam::000000000000:role/fn";

describe("the caller a function's API request is served as", () => {
  it("is the role, under its own policy when the operator gave it one", async () => {
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:DeleteFunction", Resource: "*" }] };
    const caller = await functionCaller({ rolePolicy: () => Promise.resolve({ policy }), signedApi: true }, ROLE);
    expect(caller.principalArn).toBe(ROLE);
    expect(evaluatePolicy(caller.policy!, "lambda:DeleteFunction", "arn:aws:lambda:us-east-1:000000000000:function:x")).toBe("allow");
    expect(evaluatePolicy(caller.policy!, "lambda:ListFunctions", "*")).toBe("implicit-deny");
  });

  it("may only read without a policy on an open cluster, and nothing on a signed one", async () => {
    const open = await functionCaller({ rolePolicy: () => Promise.resolve(undefined), signedApi: false }, ROLE);
    expect(evaluatePolicy(open.policy!, "lambda:GetAccountSettings", "*")).toBe("allow");
    expect(evaluatePolicy(open.policy!, "lambda:ListFunctions", "*")).toBe("allow");
    expect(evaluatePolicy(open.policy!, "lambda:UpdateFunctionCode", "*")).toBe("implicit-deny");
    expect(evaluatePolicy(open.policy!, "lambent:ListRoleCredentials", "*")).toBe("implicit-deny");
    const signed = await functionCaller({ rolePolicy: () => Promise.resolve(undefined), signedApi: true }, ROLE);
    expect(evaluatePolicy(signed.policy!, "lambda:GetAccountSettings", "*")).toBe("implicit-deny");
  });
});
