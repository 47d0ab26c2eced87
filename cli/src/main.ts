#!/usr/bin/env node
// The `lambent` executable: hands argv and the process's streams to the CLI and exits with its code.
import { runCli } from "./cli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
