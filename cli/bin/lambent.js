#!/usr/bin/env node
// The `lambent` executable as npm links it. It exists before the first build (so `npm install` can link
// it) and runs the built CLI in ../dist.
import { existsSync } from "node:fs";

const built = new URL("../dist/main.js", import.meta.url);
if (!existsSync(built)) {
  console.error("lambent: the CLI is not built yet; run `npm run build` (or `npm start`) in the repository first.");
  process.exit(1);
}
await import(built.href);
