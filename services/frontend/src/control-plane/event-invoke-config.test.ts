// Reading EventInvokeConfig bodies, laying them over a config (Put over the defaults, Update over the
// current one), and the config as Lambda reports it.
import { describe, expect, it } from "vitest";
import { LambdaError } from "@lambent/errors";
import { emptyEventInvokeConfig } from "@lambent/registry/functions";
import { applySettings, readEventInvokeSettings, toFunctionEventInvokeConfig } from "./event-invoke-config.js";

const scope = { region: "us-east-1", accountId: "000000000000" };
const TOPIC = "arn:aws:sns:us-east-1:000000000000:ok";
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:failed";

describe("readEventInvokeSettings", () => {
  it("reads only the fields given; a destination without an ARN reads as a removal", () => {
    expect(readEventInvokeSettings({})).toEqual({});
    expect(
      readEventInvokeSettings({
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnSuccess: { Destination: TOPIC }, OnFailure: {} },
      }),
    ).toEqual({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60, onSuccess: TOPIC, onFailure: null });
    expect(readEventInvokeSettings({ DestinationConfig: { OnFailure: { Destination: "" } } })).toEqual({ onFailure: null });
  });

  it.each([{ MaximumRetryAttempts: "3" }, { DestinationConfig: { OnSuccess: { Destination: "nope" } } }])(
    "refuses %j with InvalidParameterValueException",
    (body) => {
      expect(() => readEventInvokeSettings(body)).toThrow(LambdaError);
      try {
        readEventInvokeSettings(body);
      } catch (error) {
        expect((error as LambdaError).type).toBe("InvalidParameterValueException");
      }
    },
  );
});


describe("applySettings", () => {
  it("keeps what is not given, sets what is, and removes destinations given as null", () => {
    const current = { ...emptyEventInvokeConfig("fn", "prod", 1000), maximumRetryAttempts: 1, onSuccess: TOPIC, onFailure: QUEUE };
    expect(applySettings(current, { maximumEventAgeInSeconds: 120, onSuccess: null })).toEqual({
      functionName: "fn",
      qualifier: "prod",
      maximumRetryAttempts: 1,
      maximumEventAgeInSeconds: 120,
      onFailure: QUEUE,
      lastModified: 1000,
    });
    expect(current.onSuccess).toBe(TOPIC);
  });
});

describe("toFunctionEventInvokeConfig", () => {
  it("answers the qualified ARN, the settings that were set, both destinations and LastModified in epoch seconds", () => {
    expect(toFunctionEventInvokeConfig(scope, { ...emptyEventInvokeConfig("fn", "$LATEST", 1_700_000_000_123), onFailure: QUEUE })).toEqual({
      LastModified: 1_700_000_000.123,
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST",
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: QUEUE } },
    });
    expect(toFunctionEventInvokeConfig(scope, { ...emptyEventInvokeConfig("fn", "1", 1000), maximumRetryAttempts: 0 })).toMatchObject({ MaximumRetryAttempts: 0 });
  });
});
