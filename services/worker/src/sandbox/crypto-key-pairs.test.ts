// Key pairs, RSA encryption, ECDH and JWK in the isolate's `crypto`, checked against Node's own crypto in
// this process; and a function that generates keys without end is held to the host's caps.
import { createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, ECDH, generateKeyPairSync, privateDecrypt, publicEncrypt, sign, verify } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { answerOf, functionRecord, handlerBundle, testInvoker } from "../testing/fixtures.js";

const t = testInvoker();
afterAll(() => t.close());

let counter = 0;
function deploy(body: string, timeout = 10): string {
  const name = `key-pairs-${++counter}`;
  t.deploy(functionRecord({ functionName: name, timeout }), handlerBundle(body));
  return name;
}

/** Runs `body` (the handler's async body; `require` is the runtime's) in a fresh function and returns its result. */
async function run(body: string, event: unknown = {}): Promise<Record<string, unknown>> {
  return (await answerOf(t, deploy(body), event)) as Record<string, unknown>;
}

const message = Buffer.from("signed in one place, verified in the other");

describe("crypto key pairs in the isolate", () => {
  it("generates EC, RSA and Ed25519 pairs whose signatures Node verifies, and verifies Node's", async () => {
    const node = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const nodeSignature = sign("sha384", message, node.privateKey).toString("base64");
    const answer = await run(
      `const crypto = require("crypto");
        const message = Buffer.from(event.message, "base64");
        const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256", publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "sec1", format: "pem" } });
        const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        const ed = await new Promise((resolve, reject) => crypto.generateKeyPair("ed25519", {}, (e, publicKey, privateKey) => e ? reject(e) : resolve({ publicKey, privateKey })));
        const promised = await require("util").promisify(crypto.generateKeyPair)("ec", { namedCurve: "secp256k1" });
        const sealed = crypto.generateKeyPairSync("rsa", { modulusLength: 1024, publicExponent: 3, publicKeyEncoding: { type: "pkcs1", format: "der" }, privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" } });
        let tooLarge; try { crypto.generateKeyPairSync("rsa", { modulusLength: 8192 }); } catch (e) { tooLarge = e.code; }
        let curve; try { crypto.generateKeyPairSync("ec", { namedCurve: "nonsense" }); } catch (e) { curve = e.code; }
        return {
          ec: [ec.publicKey, ec.privateKey, crypto.sign("sha256", message, ec.privateKey).toString("base64")],
          rsa: [rsa.publicKey.type, rsa.privateKey.asymmetricKeyDetails, rsa.publicKey.export({ type: "pkcs1", format: "pem" }), crypto.sign("sha256", message, rsa.privateKey).toString("base64")],
          ed: [ed.publicKey.export({ type: "spki", format: "pem" }), crypto.sign(null, message, ed.privateKey).toString("base64")],
          promised: [promised.privateKey.asymmetricKeyType, promised.publicKey.asymmetricKeyDetails.namedCurve],
          sealed: [Buffer.isBuffer(sealed.publicKey), sealed.publicKey.toString("base64"), sealed.privateKey],
          verifiesNode: crypto.verify("sha384", message, event.nodeKey, Buffer.from(event.nodeSignature, "base64")),
          tooLarge, curve,
        };`,
      { message: message.toString("base64"), nodeKey: node.publicKey.export({ type: "spki", format: "pem" }), nodeSignature },
    );
    const [ecPublic, ecPrivate, ecSignature] = answer["ec"] as string[];
    expect(ecPrivate).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(createPrivateKey(ecPrivate as string).asymmetricKeyDetails).toEqual({ namedCurve: "prime256v1" });
    expect(verify("sha256", message, ecPublic as string, Buffer.from(ecSignature as string, "base64"))).toBe(true);
    const [rsaType, rsaDetails, rsaPublic, rsaSignature] = answer["rsa"] as [string, unknown, string, string];
    expect([rsaType, rsaDetails]).toEqual(["public", { modulusLength: 2048, publicExponent: 65537 }]);
    expect(verify("sha256", message, createPublicKey({ key: rsaPublic, type: "pkcs1", format: "pem" }), Buffer.from(rsaSignature, "base64"))).toBe(true);
    const [edPublic, edSignature] = answer["ed"] as string[];
    expect(verify(null, message, edPublic as string, Buffer.from(edSignature as string, "base64"))).toBe(true);
    expect(answer["promised"]).toEqual(["ec", "secp256k1"]);
    const [isBuffer, pkcs1, encrypted] = answer["sealed"] as [boolean, string, string];
    expect(isBuffer).toBe(true);
    expect(createPublicKey({ key: Buffer.from(pkcs1, "base64"), type: "pkcs1", format: "der" }).asymmetricKeyDetails).toEqual({ modulusLength: 1024, publicExponent: 3n });
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(createPrivateKey({ key: encrypted, passphrase: "pw" }).asymmetricKeyType).toBe("rsa");
    expect(answer).toMatchObject({ verifiesNode: true, tooLarge: "ERR_OUT_OF_RANGE", curve: "ERR_CRYPTO_INVALID_CURVE" });
  });

  it("encrypts with RSA OAEP for Node, decrypts Node's, and agrees on ECDH and X25519 secrets", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const nodeEcdh = createECDH("prime256v1");
    nodeEcdh.generateKeys();
    const x = generateKeyPairSync("x25519");
    const forIsolate = publicEncrypt({ key: rsa.publicKey, oaepHash: "sha256" }, Buffer.from("to the isolate"));
    const answer = await run(
      `const crypto = require("crypto");
        const sealed = crypto.publicEncrypt({ key: event.rsaPublic, oaepHash: "sha256" }, Buffer.from("to node"));
        const opened = crypto.privateDecrypt({ key: event.rsaPrivate, oaepHash: "sha256" }, Buffer.from(event.forIsolate, "base64")).toString();
        const pk1 = crypto.privateEncrypt(event.rsaPrivate, Buffer.from("pkcs1")); const pk1Back = crypto.publicDecrypt(event.rsaPublic, pk1).toString();
        const ecdh = crypto.createECDH("prime256v1");
        const ecdhPublic = ecdh.generateKeys("base64");
        const ecdhSecret = ecdh.computeSecret(event.nodeEcdh, "base64", "hex");
        const again = crypto.createECDH("prime256v1"); again.setPrivateKey(ecdh.getPrivateKey());
        const compressed = ecdh.getPublicKey("hex", "compressed");
        const x = crypto.generateKeyPairSync("x25519");
        const xSecret = crypto.diffieHellman({ privateKey: x.privateKey, publicKey: crypto.createPublicKey(event.xPublic) }).toString("hex");
        let notRsa; try { crypto.publicEncrypt(x.publicKey, Buffer.from("a")); } catch (e) { notRsa = e.code; }
        return { sealed: sealed.toString("base64"), opened, pk1Back, ecdhPublic, ecdhSecret, samePublic: again.getPublicKey("base64") === ecdhPublic, compressed,
          xPublic: x.publicKey.export({ type: "spki", format: "pem" }), xSecret, notRsa };`,
      {
        rsaPublic: rsa.publicKey.export({ type: "spki", format: "pem" }),
        rsaPrivate: rsa.privateKey.export({ type: "pkcs8", format: "pem" }),
        forIsolate: forIsolate.toString("base64"),
        nodeEcdh: nodeEcdh.getPublicKey("base64"),
        xPublic: x.publicKey.export({ type: "spki", format: "pem" }),
      },
    );
    expect(privateDecrypt({ key: rsa.privateKey, oaepHash: "sha256" }, Buffer.from(answer["sealed"] as string, "base64")).toString()).toBe("to node");
    expect(answer).toMatchObject({ opened: "to the isolate", pk1Back: "pkcs1", samePublic: true, notRsa: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
    expect(answer["ecdhSecret"]).toBe(nodeEcdh.computeSecret(answer["ecdhPublic"] as string, "base64", "hex"));
    expect(answer["compressed"]).toBe(ECDH.convertKey(answer["ecdhPublic"] as string, "prime256v1", "base64", "hex", "compressed"));
    expect(answer["xSecret"]).toBe(diffieHellman({ privateKey: x.privateKey, publicKey: createPublicKey(answer["xPublic"] as string) }).toString("hex"));
  });

  it("exports keys as JWK and imports Node's JWKs", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const answer = await run(
      `const crypto = require("crypto");
        const ec = crypto.createPrivateKey({ key: event.ecJwk, format: "jwk" });
        const rsaPublic = crypto.createPublicKey({ key: event.rsaJwk, format: "jwk" });
        const made = crypto.generateKeyPairSync("ed25519", { publicKeyEncoding: { format: "jwk" } });
        return { ecJwk: ec.export({ format: "jwk" }), ecPublicJwk: crypto.createPublicKey(ec).export({ format: "jwk" }), rsaPem: rsaPublic.export({ type: "spki", format: "pem" }),
          made: made.publicKey, sec1: ec.export({ type: "sec1", format: "pem" }) };`,
      { ecJwk: ec.privateKey.export({ format: "jwk" }), rsaJwk: rsa.publicKey.export({ format: "jwk" }) },
    );
    expect(answer["ecJwk"]).toEqual(ec.privateKey.export({ format: "jwk" }));
    expect(answer["ecPublicJwk"]).toEqual(ec.publicKey.export({ format: "jwk" }));
    expect(answer["rsaPem"]).toBe(rsa.publicKey.export({ type: "spki", format: "pem" }));
    expect(answer["made"]).toMatchObject({ kty: "OKP", crv: "Ed25519" });
    expect(answer["sec1"]).toBe(ec.privateKey.export({ type: "sec1", format: "pem" }));
  });

  it("a function generating RSA keys without end is stopped by its timeout, and a bystander answers meanwhile", async () => {
    const hoarder = deploy(
      `const crypto = require("crypto");
        if (event.hoard) for (;;) crypto.generateKeyPairSync("rsa", { modulusLength: 4096 });
        return "ready";`,
      2,
    );
    const bystander = deploy(`return require("crypto").createHash("sha256").update("still here").digest("hex");`);
    // Both warm first, so the hoarding call is under way before the bystander is asked.
    await t.invoke(bystander, {});
    expect((await t.invoke(hoarder, {})).json).toBe("ready");
    const order: string[] = [];
    const hoarding = t.invoke(hoarder, { hoard: true }).then((result) => {
      order.push("hoarder");
      return result;
    });
    const answer = await t.invoke(bystander, {});
    order.push("bystander");
    expect(answer.json).toBe(createHash("sha256").update("still here").digest("hex"));
    const result = await hoarding;
    expect(result.header.functionError).toBeTruthy();
    expect(result.text).toMatch(/timed out after 2\.00 seconds/);
    // The bystander did not wait for the hoarder's timeout.
    expect(order).toEqual(["bystander", "hoarder"]);
  }, 30_000);
});
