// The Workflows pages, over Step Functions' API as the frontend serves it: every state machine; one state
// machine's graph and its executions (status, start, duration); one execution's graph, each state coloured
// by what it did, and its history events. The graph is SVG drawn here from the definition (workflow-graph.ts).
import type { Shapes } from "@lambent/sfn-api";
import type { LambdaApi } from "./api.js";
import { ErrorNotice, Link, useInterval, useLoad } from "./components.js";
import { hrefOf } from "./router.js";
import { BOX_HEIGHT, BOX_WIDTH, graphOf, stateOutcomesOf, type StateOutcome, type WorkflowGraph } from "./workflow-graph.js";

const EXECUTIONS_SHOWN = 100;
const RUNNING_REFRESH_MS = 3_000;

/** Step Functions' times are epoch seconds. */
const timeOf = (seconds: number): string => new Date(seconds * 1000).toLocaleString();

function durationOf(start: number, stop: number | undefined): string {
  if (stop === undefined) return "running";
  const ms = Math.max(0, (stop - start) * 1000);
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

async function allStateMachines(api: LambdaApi): Promise<Shapes.StateMachineListItem[]> {
  const machines: Shapes.StateMachineListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.stepFunctions("ListStateMachines", { maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    machines.push(...page.stateMachines);
    nextToken = page.nextToken;
  } while (nextToken);
  return machines.sort((a, b) => a.name.localeCompare(b.name));
}

async function allHistory(api: LambdaApi, executionArn: string): Promise<Shapes.HistoryEvent[]> {
  const events: Shapes.HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.stepFunctions("GetExecutionHistory", { executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** An execution's ARN from its state machine's: `…:stateMachine:<machine>` → `…:execution:<machine>:<name>`. */
export const executionArnOf = (stateMachineArn: string, name: string): string => `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

export function WorkflowsPage(props: { api: LambdaApi }) {
  const machines = useLoad(() => allStateMachines(props.api), "workflows");
  return (
    <section aria-labelledby="workflows-title">
      <div class="page-head">
        <h1 id="workflows-title">Workflows {machines.data ? <span class="count">({machines.data.length})</span> : null}</h1>
        <button type="button" onClick={machines.reload}>
          Refresh
        </button>
      </div>
      {machines.error ? <ErrorNotice error={machines.error} /> : null}
      {machines.loading && !machines.data ? <p aria-live="polite">Loading state machines…</p> : null}
      {machines.data && machines.data.length === 0 ? <p class="empty">No state machines yet: create one with `lambent workflow create` or CreateStateMachine.</p> : null}
      {machines.data && machines.data.length > 0 ? (
        <div class="table-scroll">
          <table aria-label="State machines">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {machines.data.map((machine) => (
                <tr key={machine.stateMachineArn}>
                  <th scope="row">
                    <Link href={hrefOf({ page: "workflow", stateMachine: machine.name })}>{machine.name}</Link>
                  </th>
                  <td>{machine.type}</td>
                  <td>{timeOf(machine.creationDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** One state machine (its graph and executions) or, with `execution`, one of its executions. */
export function WorkflowPage(props: { api: LambdaApi; stateMachine: string; execution?: string | undefined }) {
  const machine = useLoad(async () => {
    const found = (await allStateMachines(props.api)).find((candidate) => candidate.name === props.stateMachine);
    return found ? props.api.stepFunctions("DescribeStateMachine", { stateMachineArn: found.stateMachineArn }) : null;
  }, `workflow:${props.stateMachine}`);
  return (
    <section aria-labelledby="workflow-title">
      <p class="breadcrumb">
        <Link href={hrefOf({ page: "workflows" })}>Workflows</Link>
        {props.execution !== undefined ? (
          <>
            {" / "}
            <Link href={hrefOf({ page: "workflow", stateMachine: props.stateMachine })}>{props.stateMachine}</Link>
          </>
        ) : null}
      </p>
      <h1 id="workflow-title">{props.execution ?? props.stateMachine}</h1>
      {machine.error ? <ErrorNotice error={machine.error} /> : null}
      {machine.loading && machine.data === undefined ? <p aria-live="polite">Loading…</p> : null}
      {machine.data === null ? <p class="empty">No state machine is named {props.stateMachine}.</p> : null}
      {machine.data ? (
        props.execution !== undefined ? (
          <ExecutionView api={props.api} machine={machine.data} execution={props.execution} />
        ) : (
          <>
            <section class="panel" aria-labelledby="definition-title">
              <h2 id="definition-title">States</h2>
              <StateGraph graph={graphOf(machine.data.definition)} />
            </section>
            <ExecutionsTable api={props.api} machine={machine.data} />
          </>
        )
      ) : null}
    </section>
  );
}

function ExecutionsTable(props: { api: LambdaApi; machine: Shapes.DescribeStateMachineOutput }) {
  const executions = useLoad(
    () => props.api.stepFunctions("ListExecutions", { stateMachineArn: props.machine.stateMachineArn, maxResults: EXECUTIONS_SHOWN }),
    `executions:${props.machine.stateMachineArn}`,
  );
  const list = executions.data?.executions;
  return (
    <section class="panel" aria-labelledby="executions-title">
      <div class="page-head">
        <h2 id="executions-title">Executions</h2>
        <button type="button" onClick={executions.reload}>
          Refresh
        </button>
      </div>
      {executions.error ? <ErrorNotice error={executions.error} /> : null}
      {list && list.length === 0 ? <p class="empty">No executions yet.</p> : null}
      {list && list.length > 0 ? (
        <div class="table-scroll">
          <table aria-label="Executions">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {list.map((execution) => (
                <tr key={execution.executionArn}>
                  <th scope="row">
                    <Link href={hrefOf({ page: "workflow", stateMachine: props.machine.name, execution: execution.name })}>{execution.name}</Link>
                  </th>
                  <td>
                    <span class={`status status-${execution.status.toLowerCase()}`}>{execution.status}</span>
                  </td>
                  <td>{timeOf(execution.startDate)}</td>
                  <td>{durationOf(execution.startDate, execution.stopDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list && list.length === EXECUTIONS_SHOWN ? <p class="hint">The newest {EXECUTIONS_SHOWN} executions are shown.</p> : null}
    </section>
  );
}

function ExecutionView(props: { api: LambdaApi; machine: Shapes.DescribeStateMachineOutput; execution: string }) {
  const executionArn = executionArnOf(props.machine.stateMachineArn, props.execution);
  const loaded = useLoad(async () => {
    const [described, definition, history] = await Promise.all([
      props.api.stepFunctions("DescribeExecution", { executionArn }),
      props.api.stepFunctions("DescribeStateMachineForExecution", { executionArn }),
      allHistory(props.api, executionArn),
    ]);
    return { described, definition: definition.definition, history };
  }, `execution:${executionArn}`);
  const running = loaded.data?.described.status === "RUNNING";
  useInterval(() => {
    if (running) loaded.reload();
  }, RUNNING_REFRESH_MS);
  if (loaded.error) return <ErrorNotice error={loaded.error} />;
  if (!loaded.data) return <p aria-live="polite">Loading the execution…</p>;
  const { described, definition, history } = loaded.data;
  // The definition the execution ran with: the state machine may have changed since.
  const graph = graphOf(definition);
  const outcomes = stateOutcomesOf(history, described.status, new Set(graph.nodes.map((node) => node.name)));
  const start = history[0]?.timestamp ?? described.startDate;
  return (
    <>
      <dl class="summary-list" aria-label="Execution summary">
        <div>
          <dt>Status</dt>
          <dd>
            <span class={`status status-${described.status.toLowerCase()}`}>{described.status}</span>
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{timeOf(described.startDate)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{durationOf(described.startDate, described.stopDate)}</dd>
        </div>
        {described.error ? (
          <div>
            <dt>Error</dt>
            <dd>
              {described.error}
              {described.cause ? `: ${described.cause}` : ""}
            </dd>
          </div>
        ) : null}
      </dl>
      <section class="panel" aria-labelledby="graph-title">
        <h2 id="graph-title">States</h2>
        <StateGraph graph={graph} outcomes={outcomes} />
      </section>
      <section class="panel" aria-labelledby="history-title">
        <h2 id="history-title">History ({history.length} events)</h2>
        <div class="table-scroll">
          <table aria-label="History events">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Elapsed</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {history.map((event) => (
                <tr key={event.id}>
                  <td>{event.id}</td>
                  <td>{event.type}</td>
                  <td>{event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name ?? ""}</td>
                  <td>{durationOf(start, event.timestamp)}</td>
                  <td>
                    <code class="event-detail">{detailOf(event)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** The one field of an event worth a glance: its input, output, error or resource, cut short. */
function detailOf(event: Shapes.HistoryEvent): string {
  const failed =
    event.executionFailedEventDetails ?? event.taskFailedEventDetails ?? event.lambdaFunctionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
  const text = failed
    ? [failed.error, failed.cause].filter((part) => part !== undefined && part !== "").join(": ")
    : (event.stateEnteredEventDetails?.input ??
      event.stateExitedEventDetails?.output ??
      event.executionStartedEventDetails?.input ??
      event.executionSucceededEventDetails?.output ??
      event.lambdaFunctionScheduledEventDetails?.resource ??
      event.taskScheduledEventDetails?.resource ??
      "");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

const OUTCOME_LABELS: Record<StateOutcome, string> = { succeeded: "succeeded", failed: "failed", running: "running", caught: "failed, caught", "not-run": "not run" };

/** The graph as SVG: a box per state (coloured by its outcome when an execution is shown) and an arrow per transition. */
function StateGraph(props: { graph: WorkflowGraph; outcomes?: Map<string, StateOutcome> }) {
  const { graph, outcomes } = props;
  if (graph.nodes.length === 0) return <p class="empty">The definition has no states to draw.</p>;
  const at = new Map(graph.nodes.map((node) => [node.name, node]));
  return (
    <div class="graph-scroll">
      <svg class="state-graph" role="group" aria-label="State graph" width={graph.width} height={graph.height} viewBox={`0 0 ${graph.width} ${graph.height}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
          </marker>
        </defs>
        {graph.edges.map((edge) => {
          const from = at.get(edge.from)!;
          const to = at.get(edge.to)!;
          const x1 = from.x + BOX_WIDTH / 2;
          const y1 = from.y + BOX_HEIGHT;
          const x2 = to.x + BOX_WIDTH / 2;
          const y2 = to.y;
          // A transition back up (a loop) or along a layer curves out to the right, beside the boxes.
          const path =
            to.layer > from.layer
              ? `M${x1},${y1} L${x2},${y2}`
              : `M${from.x + BOX_WIDTH},${from.y + BOX_HEIGHT / 2} C${from.x + BOX_WIDTH + 40},${from.y + BOX_HEIGHT / 2} ${to.x + BOX_WIDTH + 40},${to.y + BOX_HEIGHT / 2} ${to.x + BOX_WIDTH},${to.y + BOX_HEIGHT / 2}`;
          return <path key={`${edge.from}>${edge.to}:${edge.kind}`} d={path} class={`edge edge-${edge.kind}`} marker-end="url(#arrow)" />;
        })}
        {graph.nodes.map((node) => {
          const outcome = outcomes ? (outcomes.get(node.name) ?? "not-run") : undefined;
          return (
            <g key={node.name} class={`state${outcome ? ` state-${outcome}` : ""}`} role="img" aria-label={`${node.name} (${node.type})${outcome ? `: ${OUTCOME_LABELS[outcome]}` : ""}`}>
              <rect x={node.x} y={node.y} width={BOX_WIDTH} height={BOX_HEIGHT} rx="6" />
              <text x={node.x + BOX_WIDTH / 2} y={node.y + 17} text-anchor="middle" class="state-name">
                {node.name.length > 20 ? `${node.name.slice(0, 19)}…` : node.name}
              </text>
              <text x={node.x + BOX_WIDTH / 2} y={node.y + 32} text-anchor="middle" class="state-type">
                {node.type}
              </text>
            </g>
          );
        })}
      </svg>
      {outcomes ? (
        <ul class="legend" aria-label="Legend">
          {(Object.keys(OUTCOME_LABELS) as StateOutcome[]).map((outcome) => (
            <li key={outcome}>
              <span class={`swatch state-${outcome}`} aria-hidden="true" />
              {OUTCOME_LABELS[outcome]}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
