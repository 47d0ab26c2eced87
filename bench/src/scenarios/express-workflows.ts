// Express workflows: StartSyncExecution over Step Functions' JSON protocol, answered when the execution
// ends. Two state machines: three Pass states (the API, the hop to the leading scheduler and the
// interpreter, no function) and one Task calling the hello function (the same plus a warm invoke through
// the scheduler's admission). Executions per second is the request rate.
import { httpLoad } from "../load/http-load.js";
import type { LoadResult } from "../stats.js";
import type { LambentTarget } from "../targets/lambent.js";

export interface ExpressWorkflowRow {
  machine: "pass-only" | "one-task";
  concurrency: number;
  result: LoadResult;
}

export interface ExpressWorkflowOptions {
  concurrencies: number[];
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

async function createExpressMachine(httpUrl: string, name: string, definition: object): Promise<string> {
  const response = await fetch(`${httpUrl}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.CreateStateMachine" },
    body: JSON.stringify({ name, type: "EXPRESS", roleArn: "arn:aws:iam::000000000000:role/bench", definition: JSON.stringify(definition) }),
  });
  const body = (await response.json()) as { stateMachineArn?: string; message?: string };
  if (!response.ok || !body.stateMachineArn) throw new Error(`CreateStateMachine ${name} failed: ${response.status} ${body.message ?? ""}`);
  return body.stateMachineArn;
}

export async function expressWorkflows(lambent: LambentTarget, functionName: string, options: ExpressWorkflowOptions): Promise<ExpressWorkflowRow[]> {
  const machines = {
    "pass-only": await createExpressMachine(lambent.httpUrl, "bench-pass-only", {
      StartAt: "A",
      States: { A: { Type: "Pass", Next: "B" }, B: { Type: "Pass", Parameters: { "greeting.$": "States.Format('hello {}', $.name)" }, Next: "C" }, C: { Type: "Succeed" } },
    }),
    "one-task": await createExpressMachine(lambent.httpUrl, "bench-one-task", {
      StartAt: "Call",
      States: { Call: { Type: "Task", Resource: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`, End: true } },
    }),
  };
  const rows: ExpressWorkflowRow[] = [];
  for (const [machine, stateMachineArn] of Object.entries(machines) as [ExpressWorkflowRow["machine"], string][]) {
    for (const concurrency of options.concurrencies) {
      const result = await httpLoad(
        {
          url: `${lambent.httpUrl}/`,
          headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.StartSyncExecution" },
          body: JSON.stringify({ stateMachineArn, input: JSON.stringify({ name: "bench" }) }),
          connections: concurrency,
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
        },
        options.rounds,
      );
      rows.push({ machine, concurrency, result });
    }
  }
  return rows;
}

/** The scenario as Markdown lines for the benchmark report. */
export function expressWorkflowsSection(rows: ExpressWorkflowRow[]): string[] {
  return [
    "### Express workflows (StartSyncExecution over HTTP; one request = one execution)",
    "",
    "| state machine | clients | executions/s | p50 ms | p99 ms | errors |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (row) =>
        `| ${row.machine} | ${row.concurrency} | ${Math.round(row.result.requestsPerSecond.median).toLocaleString("en-US")} | ${row.result.p50.median.toFixed(2)} | ${row.result.p99.median.toFixed(2)} | ${row.result.errors.median} |`,
    ),
  ];
}
