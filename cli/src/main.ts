#!/usr/bin/env node
// The `lambent` executable: hands argv and the process's streams to the CLI and exits with its code.
import { runCli } from "./cli.js";

// Ctrl-C ends a following command cleanly; a second one exits at once.
const interrupted = new AbortController();
process.once("SIGINT", () => {
  interrupted.abort();
  process.once("SIGINT", () => process.exit(130));
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: interrupted.signal,
});
