// The AWS SDK the runtime provides: bundled from beside Lambent when the package lacks it, the package's
// own when it has one, and named as Lambda names its runtime files.
import { zipSync, strToU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { buildBundle } from "./build.js";
import { RUNTIME_SDK_CLIENTS } from "./runtime-sdk.js";
import { unpackZip } from "./unpack.js";

const pkg = (files: Record<string, string>) => unpackZip(zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [path, strToU8(text)]))));

describe("the runtime's AWS SDK", () => {
  it("bundles every provided client for a package that does not ship it, named under /var/runtime", async () => {
    const imports = RUNTIME_SDK_CLIENTS.map((name, index) => `import * as client${index} from "${name}";`).join("\n");
    const bundle = await buildBundle(
      pkg({ "index.mjs": `${imports}\nexport const handler = () => [${RUNTIME_SDK_CLIENTS.map((_, index) => `client${index}`).join(", ")}].length;` }),
      "index.handler",
    );
    const sources = (JSON.parse(bundle.sourceMap) as { sources: string[] }).sources;
    expect(sources).toContain("index.mjs");
    expect(sources.some((source) => source.startsWith("../runtime/node_modules/@aws-sdk/client-s3/"))).toBe(true);
    // Nothing names where the bundle was built or where Lambent is installed.
    const outside = sources.filter((source) => source !== "index.mjs" && !source.startsWith("../runtime/node_modules/") && !source.startsWith("lambent-builtin:"));
    expect(outside).toEqual([]);
    expect(bundle.code).not.toMatch(/lambent-build-|(?:\.\.\/){3,}/);
    expect(bundle.code).not.toContain(process.cwd());
  });

  it("uses the package's own copy of an SDK module when it ships one", async () => {
    const bundle = await buildBundle(
      pkg({
        "index.js": `const { S3Client } = require("@aws-sdk/client-s3");\nexports.handler = () => S3Client.own;`,
        "node_modules/@aws-sdk/client-s3/package.json": `{"name":"@aws-sdk/client-s3","version":"3.0.0","main":"index.js"}`,
        "node_modules/@aws-sdk/client-s3/index.js": `exports.S3Client = { own: "the package's own" };`,
      }),
      "index.handler",
    );
    expect(JSON.parse(bundle.sourceMap).sources).toEqual(["node_modules/@aws-sdk/client-s3/index.js", "index.js", "lambent-entry.js"]);
    expect(bundle.code).toContain("the package's own");
  });

  it("refuses an SDK module the runtime does not provide, as Lambda's build would", async () => {
    await expect(buildBundle(pkg({ "index.mjs": `import { X } from "@aws-sdk/client-made-up";\nexport const handler = () => X;` }), "index.handler")).rejects.toThrow(
      /index\.mjs:1:19: Could not resolve "@aws-sdk\/client-made-up"/,
    );
  });
});
