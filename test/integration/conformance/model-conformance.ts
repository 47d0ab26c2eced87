// Holds an answer the frontend gave to Lambda's service model (@lambent/lambda-model): a success has the
// status the operation declares and a body of its output shape (no key the shape lacks, every value of its
// member's type and enum, required members present); an error has the status the model gives it and the
// body fields its error shape declares. Lambent's few documented additions are allowed by name.
import { Readable } from "node:stream";
import { lambdaServiceModel, type OperationName, type ShapeModel } from "@lambent/lambda-model";
import type { LambdaClient } from "@aws-sdk/client-lambda";

/** What came back on the wire for one SDK call. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON; undefined when empty or not JSON (an invocation's payload). */
  body: unknown;
}

/** Fields Lambent adds to Lambda's shapes, documented in docs/api.md: shape → members. */
const LAMBENT_ADDITIONS: Readonly<Record<string, readonly string[]>> = {
  AliasConfiguration: ["PreviousVersion"],
  EventSourceMappingConfiguration: ["VisibilityTimeoutSeconds"],
};

/**
 * Values AWS itself answers outside an enum of its model: an update's LastUpdateStatusReasonCode while it
 * is in progress is "Creating", as AWS answers UpdateFunctionConfiguration and UpdateFunctionCode.
 */
const AWS_ENUM_DEPARTURES: Readonly<Record<string, readonly string[]>> = {
  LastUpdateStatusReasonCode: ["Creating"],
};

/** Errors of AWS's request layer rather than Lambda's: no operation declares them, and their body is a lone `message`. */
const REQUEST_LAYER_ERRORS = new Set(["ValidationException", "AccessDeniedException"]);

/**
 * Records each raw HTTP answer of `client`, body included, without taking it from the SDK: the body is
 * read and handed back to the SDK as a new stream.
 */
export function recordAnswers(client: LambdaClient): { last(): RawAnswer } {
  let last: RawAnswer | undefined;
  const handler = client.config.requestHandler as unknown as {
    handle(request: unknown, options?: unknown): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: unknown } }>;
  };
  const original = handler.handle.bind(handler);
  handler.handle = async (request, options) => {
    const result = await original(request, options);
    const chunks: Buffer[] = [];
    for await (const chunk of result.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    const bytes = Buffer.concat(chunks);
    let body: unknown;
    try {
      body = bytes.length === 0 ? undefined : (JSON.parse(bytes.toString("utf8")) as unknown);
    } catch {
      body = undefined;
    }
    const headers = Object.fromEntries(Object.entries(result.response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
    last = { status: result.response.statusCode, headers, body };
    result.response.body = Readable.from([bytes]);
    return result;
  };
  return {
    last: () => {
      if (!last) throw new Error("no answer recorded yet");
      return last;
    },
  };
}

/** Every way the answer departs from the model; empty when it conforms. */
export function modelProblems(operation: OperationName, answer: RawAnswer): string[] {
  const problems: string[] = [];
  const model = lambdaServiceModel.operations[operation];
  const errorType = answer.headers["x-amzn-errortype"]?.split(":")[0];
  if (errorType !== undefined) {
    const errorShape = lambdaServiceModel.shapes[errorType];
    if (errorShape?.exception === true) {
      if (!(model.errors ?? []).some((error) => error.shape === errorType)) problems.push(`${operation} does not declare ${errorType}`);
      if (errorShape.error?.httpStatusCode !== answer.status) problems.push(`${errorType} is HTTP ${errorShape.error?.httpStatusCode}, not ${answer.status}`);
      const members = Object.keys(errorShape.members ?? {}).filter((member) => errorShape.members![member]!.location === undefined);
      const present = Object.keys(asRecord(answer.body) ?? {});
      const messageField = members.find((member) => member.toLowerCase() === "message")!;
      for (const key of ["Type", messageField]) if (members.includes(key) && !present.includes(key)) problems.push(`${errorType} body lacks ${key}`);
      for (const key of present) if (!members.includes(key)) problems.push(`${errorType} body has ${key}, which its shape lacks`);
    } else if (REQUEST_LAYER_ERRORS.has(errorType)) {
      if (errorType === "ValidationException" && answer.status !== 400) problems.push(`ValidationException is HTTP 400, not ${answer.status}`);
      if (errorType === "AccessDeniedException" && answer.status !== 403) problems.push(`AccessDeniedException is HTTP 403, not ${answer.status}`);
    } else {
      problems.push(`${errorType} is not an error of Lambda's model`);
    }
    return problems;
  }
  const output = model.output?.shape;
  const outputShape = output === undefined ? undefined : lambdaServiceModel.shapes[output]!;
  // An output with a statusCode member (Invoke, DeleteFunction) answers whichever success status fits.
  const statusVaries = Object.values(outputShape?.members ?? {}).some((member) => member.location === "statusCode");
  const expectedStatus = model.http.responseCode ?? 200;
  if (statusVaries ? answer.status < 200 || answer.status > 299 : answer.status !== expectedStatus) problems.push(`${operation} answers HTTP ${expectedStatus}, not ${answer.status}`);
  if (output === undefined || outputShape === undefined) {
    if (answer.body !== undefined) problems.push(`${operation} answers no body, but one came`);
    return problems;
  }
  // An output whose payload is a blob (Invoke) carries its fields in headers.
  if (typeof outputShape["payload"] === "string") return problems;
  checkValue(output, answer.body ?? {}, operation, problems);
  return problems;
}

function checkValue(shapeName: string, value: unknown, path: string, problems: string[]): void {
  const shape: ShapeModel = lambdaServiceModel.shapes[shapeName]!;
  switch (shape.type) {
    case "structure": {
      const record = asRecord(value);
      if (!record) return void problems.push(`${path} is not an object`);
      const members = shape.members ?? {};
      const additions = LAMBENT_ADDITIONS[shapeName] ?? [];
      for (const [key, item] of Object.entries(record)) {
        const member = members[key];
        if (member === undefined || member.location !== undefined) {
          if (!additions.includes(key)) problems.push(`${path}.${key} is not a member of ${shapeName}`);
          continue;
        }
        checkValue(member.shape, item, `${path}.${key}`, problems);
      }
      for (const required of shape.required ?? []) {
        if (members[required]?.location === undefined && !(required in record)) problems.push(`${path} lacks required ${required}`);
      }
      return;
    }
    case "list":
      if (!Array.isArray(value)) return void problems.push(`${path} is not a list`);
      value.forEach((item, index) => checkValue(shape.member!.shape, item, `${path}[${index}]`, problems));
      return;
    case "map": {
      const record = asRecord(value);
      if (!record) return void problems.push(`${path} is not a map`);
      for (const [key, item] of Object.entries(record)) checkValue(shape.value!.shape, item, `${path}.${key}`, problems);
      return;
    }
    case "string":
      if (typeof value !== "string") return void problems.push(`${path} is not a string`);
      if (shape.enum !== undefined && !shape.enum.includes(value) && !(AWS_ENUM_DEPARTURES[shapeName] ?? []).includes(value)) problems.push(`${path} '${value}' is not one of ${shape.enum.join(", ")}`);
      return;
    case "integer":
    case "long":
      if (!Number.isInteger(value)) problems.push(`${path} is not an integer`);
      return;
    case "double":
    case "float":
      if (typeof value !== "number") problems.push(`${path} is not a number`);
      return;
    case "boolean":
      if (typeof value !== "boolean") problems.push(`${path} is not a boolean`);
      return;
    case "timestamp":
      // rest-json writes timestamps as epoch seconds unless the shape says otherwise.
      if (shape["timestampFormat"] === "iso8601" ? typeof value !== "string" : typeof value !== "number") problems.push(`${path} is not a timestamp`);
      return;
    case "blob":
      if (typeof value !== "string") problems.push(`${path} is not base64 text`);
      return;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
