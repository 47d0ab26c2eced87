// Hostile function code with finite-field Diffie-Hellman on a real cluster: the host does the modular
// arithmetic, so it bounds it. A prime past 8192 bits, a new prime past 2048 bits, and exponents, generators
// or peer keys longer than the prime (a megabyte-long exponent would hold the host's thread for minutes) are
// refused with Node-shaped errors before any work; the environment and an ordinary function on the same
// worker carry on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { bystander } from "../fixtures/hostile-probes.js";

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, bystander.name, bystander.code, bystander.config);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

async function invoke(name: string): Promise<unknown> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name }));
  const payload = JSON.parse(new TextDecoder().decode(answer.Payload)) as unknown;
  expect(answer.FunctionError, JSON.stringify(payload)).toBeUndefined();
  return payload;
}

describe("hostile Diffie-Hellman", () => {
  it("refuses work the host would pay for: huge primes, huge new primes, exponents and keys longer than the prime", async () => {
    await createTestFunction(
      lambda,
      "dh-abuse",
      zipFiles({
        "index.js": `const crypto = require("crypto");
const refused = (work) => { try { work(); return "accepted"; } catch (error) { return error.code + ": " + error.message; } };
exports.handler = async () => {
  const prime = crypto.getDiffieHellman("modp14").getPrime();
  const huge = Buffer.alloc(1025, 0xff);
  return {
    hugePrime: refused(() => crypto.createDiffieHellman(huge).generateKeys()),
    hugeNewPrime: refused(() => crypto.createDiffieHellman(1_000_000)),
    tinyNewPrime: refused(() => crypto.createDiffieHellman(16)),
    longExponent: refused(() => { const dh = crypto.createDiffieHellman(prime); dh.setPrivateKey(Buffer.alloc(1024 * 1024, 0xff)); dh.generateKeys(); }),
    longPeerKey: refused(() => { const dh = crypto.getDiffieHellman("modp14"); dh.generateKeys(); dh.computeSecret(Buffer.alloc(1024 * 1024, 1)); }),
    longGenerator: refused(() => crypto.createDiffieHellman(prime, Buffer.alloc(4096, 7)).generateKeys()),
    stillWorks: crypto.getDiffieHellman("modp2").generateKeys().length,
  };
};`,
      }),
      { Timeout: 30 },
    );
    const answer = (await invoke("dh-abuse")) as Record<string, unknown>;
    expect(answer["hugePrime"]).toMatch(/^ERR_OUT_OF_RANGE: Diffie-Hellman primes may be at most 8192 bits/);
    expect(answer["hugeNewPrime"]).toMatch(/^ERR_OUT_OF_RANGE: The prime length must be an integer from 512 to 2048/);
    expect(answer["tinyNewPrime"]).toMatch(/^ERR_OUT_OF_RANGE: /);
    expect(answer["longExponent"]).toBe("ERR_OUT_OF_RANGE: the private key may be no longer than the prime");
    expect(answer["longPeerKey"]).toBe("ERR_OUT_OF_RANGE: the other public key may be no longer than the prime");
    expect(answer["longGenerator"]).toBe("ERR_OUT_OF_RANGE: the generator may be no longer than the prime");
    expect(answer["stillWorks"]).toBe(128);
    expect(await invoke(bystander.name)).toEqual({ polluted: null, arrayPolluted: null, ok: true });
  });
});
