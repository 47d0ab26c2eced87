import { describe, expect, it } from "vitest";
import { createNatsCredentials } from "./credentials.js";
import { natsAuthorizationBlock } from "./server-config.js";

describe("the server's authorization block", () => {
  it("lists every identity's public key with its permissions, and no seed", () => {
    const credentials = createNatsCredentials(["w1", "w2"], { operator: true });
    const block = natsAuthorizationBlock(credentials);
    for (const credential of [credentials.frontend, credentials.scheduler, ...credentials.workers.values(), credentials.operator!]) {
      expect(block).toContain(credential.publicKey);
      expect(block).not.toContain(credential.seed);
    }
    expect(block).toContain('"lambent.worker.w1.>"');
    expect(block).toContain('"lambent.worker.w2.>"');
  });

  it("refuses worker ids that are not subject tokens", () => {
    expect(() => createNatsCredentials(["w1.evil"])).toThrow(/not a worker id/);
    expect(() => createNatsCredentials(["w1", "w1"])).toThrow(/twice/);
  });
});
