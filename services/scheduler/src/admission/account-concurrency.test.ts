import { describe, expect, it } from "vitest";
import { AccountConcurrency } from "./account-concurrency.js";

describe("account concurrency", () => {
  it("throttles past the limit with Lambda's reason and frees slots on release", () => {
    const admission = new AccountConcurrency(2);
    expect(admission.tryAcquire()).toBeUndefined();
    expect(admission.tryAcquire()).toBeUndefined();
    const throttle = admission.tryAcquire();
    expect(throttle?.type).toBe("TooManyRequestsException");
    expect(throttle?.fields["Reason"]).toBe("ConcurrentInvocationLimitExceeded");
    admission.release();
    expect(admission.tryAcquire()).toBeUndefined();
  });
});
