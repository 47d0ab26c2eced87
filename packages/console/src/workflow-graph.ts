// A state machine's graph for the Workflows page: its top-level states as boxes in layers (a state one
// step further from StartAt than any state pointing at it sits one layer lower), its transitions as edges,
// and what each state did in one execution, read from the execution's history. Pure, so tests read it
// without the DOM; workflows-page.tsx draws it as SVG. A Parallel or Map state is one box (its branches
// are not drawn).
import type { Shapes } from "@lambent/sfn-api";

export type StateOutcome = "succeeded" | "failed" | "running" | "caught" | "not-run";

export interface GraphNode {
  name: string;
  type: string;
  layer: number;
  /** Place in its layer, from 0. */
  slot: number;
  x: number;
  y: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** What takes this transition: `Next`, `Default`, a Choice rule, `Catch`. */
  kind: "next" | "choice" | "default" | "catch";
}

export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export const BOX_WIDTH = 160;
export const BOX_HEIGHT = 40;
const GAP_X = 40;
const GAP_Y = 48;
const MARGIN = 16;

interface StateDefinition {
  Type?: unknown;
  Next?: unknown;
  Default?: unknown;
  Choices?: unknown;
  Catch?: unknown;
}

/** The transitions out of one state, in the order the definition names them. */
function transitionsOf(state: StateDefinition): { to: string; kind: GraphEdge["kind"] }[] {
  const out: { to: string; kind: GraphEdge["kind"] }[] = [];
  if (typeof state.Next === "string") out.push({ to: state.Next, kind: "next" });
  if (Array.isArray(state.Choices)) {
    for (const choice of state.Choices as unknown[]) {
      const next = (choice as { Next?: unknown } | null)?.Next;
      if (typeof next === "string") out.push({ to: next, kind: "choice" });
    }
  }
  if (typeof state.Default === "string") out.push({ to: state.Default, kind: "default" });
  if (Array.isArray(state.Catch)) {
    for (const catcher of state.Catch as unknown[]) {
      const next = (catcher as { Next?: unknown } | null)?.Next;
      if (typeof next === "string") out.push({ to: next, kind: "catch" });
    }
  }
  return out;
}

/**
 * The graph of a definition (Amazon States Language, as DescribeStateMachine returns it). Layers are the
 * breadth-first distance from StartAt, so a loop back points upwards; states StartAt never reaches go in
 * a last layer. A definition that is not JSON with States gives an empty graph.
 */
export function graphOf(definition: string): WorkflowGraph {
  let parsed: { StartAt?: unknown; States?: unknown };
  try {
    parsed = JSON.parse(definition) as typeof parsed;
  } catch {
    return { nodes: [], edges: [], width: 0, height: 0 };
  }
  const states = typeof parsed.States === "object" && parsed.States !== null ? (parsed.States as Record<string, StateDefinition>) : {};
  const names = Object.keys(states);
  const edges: GraphEdge[] = [];
  for (const name of names) {
    const seen = new Set<string>();
    for (const { to, kind } of transitionsOf(states[name] ?? {})) {
      if (!Object.hasOwn(states, to) || seen.has(`${to}:${kind}`)) continue;
      seen.add(`${to}:${kind}`);
      edges.push({ from: name, to, kind });
    }
  }
  const layerOf = new Map<string, number>();
  const start = typeof parsed.StartAt === "string" && Object.hasOwn(states, parsed.StartAt) ? parsed.StartAt : names[0];
  if (start !== undefined) {
    layerOf.set(start, 0);
    const queue = [start];
    for (let index = 0; index < queue.length; index += 1) {
      const current = queue[index]!;
      for (const edge of edges) {
        if (edge.from !== current || layerOf.has(edge.to)) continue;
        layerOf.set(edge.to, layerOf.get(current)! + 1);
        queue.push(edge.to);
      }
    }
  }
  const reached = layerOf.size === 0 ? 0 : Math.max(...layerOf.values()) + 1;
  for (const name of names) if (!layerOf.has(name)) layerOf.set(name, reached);
  const layers: string[][] = [];
  // Breadth-first order within a layer keeps a state under the one that leads to it, as far as it can.
  const ordered = [...names].sort((a, b) => layerOf.get(a)! - layerOf.get(b)!);
  for (const name of ordered) (layers[layerOf.get(name)!] ??= []).push(name);
  const widest = Math.max(1, ...layers.map((layer) => layer?.length ?? 0));
  const width = MARGIN * 2 + widest * BOX_WIDTH + (widest - 1) * GAP_X;
  const nodes: GraphNode[] = [];
  layers.forEach((layer, layerIndex) => {
    const rowWidth = layer.length * BOX_WIDTH + (layer.length - 1) * GAP_X;
    const left = (width - rowWidth) / 2;
    layer.forEach((name, slot) => {
      nodes.push({ name, type: String(states[name]?.Type ?? "?"), layer: layerIndex, slot, x: left + slot * (BOX_WIDTH + GAP_X), y: MARGIN + layerIndex * (BOX_HEIGHT + GAP_Y) });
    });
  });
  const height = layers.length === 0 ? 0 : MARGIN * 2 + layers.length * BOX_HEIGHT + (layers.length - 1) * GAP_Y;
  return { nodes, edges, width, height };
}

type ExecutionStatus = Shapes.DescribeExecutionOutput["status"];

/**
 * What each state did in one execution, from its history: exited is succeeded, or caught when its last
 * task had failed (a Catch took it on); left for another state without an exit is caught too; entered
 * and still open is running while the execution runs and failed once it has ended; a Fail state entered
 * is failed. A state entered several times (a loop) shows its last entry. With `topLevel`, states of a
 * Parallel's branches or a Map's iterations (named outside it) are passed over.
 */
export function stateOutcomesOf(events: readonly Shapes.HistoryEvent[], status: ExecutionStatus, topLevel?: ReadonlySet<string>): Map<string, StateOutcome> {
  const outcomes = new Map<string, StateOutcome>();
  let open: string | undefined;
  let failedInState = false;
  for (const event of events) {
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    if ((entered !== undefined && topLevel && !topLevel.has(entered)) || (exited !== undefined && topLevel && !topLevel.has(exited))) continue;
    if (entered !== undefined && event.type.endsWith("StateEntered")) {
      if (open !== undefined && open !== entered) outcomes.set(open, "caught");
      open = event.type === "FailStateEntered" ? undefined : entered;
      failedInState = false;
      outcomes.set(entered, event.type === "FailStateEntered" ? "failed" : status === "RUNNING" ? "running" : "failed");
      continue;
    }
    if (/(TaskFailed|TaskTimedOut|LambdaFunctionFailed|LambdaFunctionTimedOut|StateFailed)$/.test(event.type)) failedInState = true;
    else if (/(TaskSucceeded|LambdaFunctionSucceeded|StateSucceeded)$/.test(event.type)) failedInState = false;
    if (exited !== undefined && event.type.endsWith("StateExited")) {
      outcomes.set(exited, failedInState && exited === open ? "caught" : "succeeded");
      if (exited === open) open = undefined;
      failedInState = false;
    }
  }
  return outcomes;
}
