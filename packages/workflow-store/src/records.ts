// What the workflows bucket holds: state machines, executions, the running state of each execution's
// frames (the top-level machine, each Parallel branch, each Map item), and task tokens.
import type { Decision, Json, MachineStep, Outcome, Transition } from "@lambent/states-language";

export type StateMachineType = "STANDARD" | "EXPRESS";

export interface StateMachineRecord {
  name: string;
  arn: string;
  definition: string;
  roleArn: string;
  type: StateMachineType;
  /** Epoch milliseconds. */
  creationDate: number;
  updateDate?: number;
  revisionId: string;
  description?: string;
  loggingConfiguration?: Json;
  tracingConfiguration?: Json;
  tags: Record<string, string>;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachine: string;
  name: string;
  status: ExecutionStatus;
  /** The input as given (JSON text). */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  /** The definition the execution runs: the state machine's at the start, whatever changes later. */
  definition: string;
  roleArn: string;
  revisionId: string;
  /** The trace the execution belongs to (W3C traceparent of its root span). */
  traceparent?: string;
}

/** A frame's progress through its state machine. */
export type FramePhase =
  /** About to enter `state` (first time, after a transition, or after a retry's delay). */
  | { kind: "enter" }
  /** A task is out; `runs` counts how often it was started (more than once only after a crash). */
  | {
      kind: "task";
      decision: Extract<Decision, { kind: "task" }>;
      runs: number;
      token?: string;
      /** Epoch ms after which the state fails with States.Timeout. */
      deadline?: number;
      /** Epoch ms after which a token task fails with States.HeartbeatTimeout. */
      heartbeatDeadline?: number;
    }
  | { kind: "wait"; until: number; then: Transition }
  | { kind: "retry"; until: number }
  | {
      kind: "children";
      decision: Extract<Decision, { kind: "parallel" | "map" }>;
      /** Child frame ids are `<prefix>_<index>`. */
      prefix: string;
      total: number;
      nextIndex: number;
      running: number[];
      succeeded: number;
      failed: number;
      firstError?: { error: string; cause: string };
    }
  | { kind: "done"; outcome: Outcome };

export interface FrameRecord {
  id: string;
  parent?: string;
  /** Where the frame's state machine is within the definition. */
  machinePath: MachineStep[];
  /** The branch or item index (0 for the top-level frame). */
  index: number;
  /** For a Map item: the item's value before ItemSelector, for `$$.Map.Item.Value`. */
  itemValue?: Json;
  state: string;
  /** The current state's raw input. */
  input: Json;
  enteredAt: number;
  /** How many times the frame was saved: history message ids use it, so a step replayed after a crash is stored once. */
  step: number;
  retryCounts: number[];
  phase: FramePhase;
}

export type TokenStatus = "WAITING" | "SUCCEEDED" | "FAILED";

export interface TokenRecord {
  token: string;
  executionKey: string;
  frameId: string;
  status: TokenStatus;
  output?: string;
  error?: string;
  cause?: string;
  heartbeatAt: number;
}

/** Frontend → leader: something happened to an execution (`lambent.sfn.wake`). */
export interface WorkflowWake {
  executionKey: string;
}

/** Frontend → leader: run an express execution (`lambent.sfn.sync`). */
export interface SyncExecutionRequest {
  stateMachine: StateMachineRecord;
  executionArn: string;
  name: string;
  input: string;
  traceparent?: string;
}

export interface SyncExecutionResult {
  status: "SUCCEEDED" | "FAILED" | "TIMED_OUT";
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate: number;
}
