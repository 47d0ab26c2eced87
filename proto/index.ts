// The public gRPC API: generated messages, service definition and client, plus where the .proto lives
// (for reflection and for clients that load it at run time).
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export * from "./gen/lambent/v1/lambda.js";
/** lambent.v1.Workflows (AWS Step Functions): its messages, service definition and client. */
export * as Workflows from "./gen/lambent/v1/workflows.js";

// This module runs from proto/ (sources) or proto/dist/ (built); the .proto files stay in proto/.
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = basename(here) === "dist" ? dirname(here) : here;

/** The folder that .proto imports are resolved from (`lambent/v1/lambda.proto` is relative to it). */
export const PROTO_INCLUDE_DIR: string = packageDir;

/** Absolute path of the Lambda service's .proto file. */
export const PROTO_PATH: string = join(PROTO_INCLUDE_DIR, "lambent", "v1", "lambda.proto");

/** Absolute path of the Workflows service's .proto file. */
export const WORKFLOWS_PROTO_PATH: string = join(PROTO_INCLUDE_DIR, "lambent", "v1", "workflows.proto");
