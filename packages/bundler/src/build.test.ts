import { describe, expect, it } from "vitest";
import { zipSync, strToU8 } from "fflate";
import { buildBundle, findHandlerFile } from "./build.js";
import { parseHandler } from "./handler.js";
import { unpackZip } from "./unpack.js";

const pkg = (files: Record<string, string>) =>
  unpackZip(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));

describe("handler strings", () => {
  it("splits module and export path", () => {
    expect(parseHandler("index.handler")).toEqual({ modulePath: "index", exportPath: "handler" });
    expect(parseHandler("src/app.routes.get")).toEqual({ modulePath: "src/app", exportPath: "routes.get" });
  });
  it("rejects malformed handlers", () => {
    expect(() => parseHandler("index")).toThrow(/file.function/);
    expect(() => parseHandler("has space.handler")).toThrow(/handler/);
    expect(() => parseHandler("../up.handler")).toThrow(/inside/);
  });
});

describe("bundles", () => {
  it("bundles CommonJS with its relative requires and node_modules", async () => {
    const files = pkg({
      "index.js": "const greet = require('./lib/greet'); const pad = require('left'); exports.handler = async () => pad(greet('x'));",
      "lib/greet.js": "module.exports = (n) => 'hi ' + n;",
      "node_modules/left/package.json": '{"name":"left","main":"main.js"}',
      "node_modules/left/main.js": "module.exports = (s) => '>' + s;",
    });
    const bundle = await buildBundle(files, "index.handler");
    expect(bundle.handlerFile).toBe("index.js");
    expect(bundle.code).toMatch(/export\s*{\s*userModule\s*}/);
    expect(bundle.code).not.toMatch(/\bimport\s/);
  });

  it("finds .mjs handlers", () => {
    expect(findHandlerFile(pkg({ "index.mjs": "export const handler = 1" }), "index.handler")).toBe("index.mjs");
  });

  it("names the missing handler file", () => {
    expect(() => findHandlerFile(pkg({ "other.js": "" }), "index.handler")).toThrow(/index\.js/);
  });

  it("names file and line of a syntax error", async () => {
    await expect(buildBundle(pkg({ "index.js": "exports.handler = (;" }), "index.handler")).rejects.toThrow(
      /index\.js:1:\d+/,
    );
  });

  it("refuses built-ins the isolate does not offer", async () => {
    await expect(buildBundle(pkg({ "index.js": "require('child_process')" }), "index.handler")).rejects.toThrow(
      /child_process/,
    );
  });

  it("refuses zips that are not zips or that escape the package", () => {
    expect(() => unpackZip(new Uint8Array([1, 2, 3]))).toThrow(/unzip/);
    expect(() => unpackZip(zipSync({ "../evil.js": strToU8("x") }))).toThrow(/outside/);
  });
});
