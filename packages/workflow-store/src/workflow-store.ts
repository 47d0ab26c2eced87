// The workflows KV bucket, one typed method per kind of key:
//   sm.<machine>                          a state machine (StateMachineRecord)
//   exec.<machine>.<execution>            an execution (ExecutionRecord), compare-and-set by the frontend
//                                         (stop) and the leading scheduler (finish)
//   running.<machine>.<execution>         present while the execution runs: what a new leader resumes
//   frame.<machine>.<execution>.<frame>   a frame's running state, written only by the leading scheduler
//   token.<token>                         a task token (TokenRecord)
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { Buckets } from "@lambent/protocol";
import { listKeys, updateByRevision, writeAtRevision, type RevisionUpdate } from "@lambent/registry/kv";
import { keyToken } from "./names.js";
import type { ExecutionRecord, FrameRecord, StateMachineRecord, TokenRecord } from "./records.js";

const decode = <T>(_key: string, value: Uint8Array): T => JSON.parse(new TextDecoder().decode(value)) as T;
const encoder = new TextEncoder();

export async function openWorkflowBucket(nc: NatsConnection, replicas: number): Promise<KV> {
  return new Kvm(nc).create(Buckets.workflows, { history: 1, storage: "file", replicas });
}

export class WorkflowStore {
  constructor(readonly kv: KV) {}

  // State machines.
  async getStateMachine(name: string): Promise<StateMachineRecord | undefined> {
    const entry = await this.kv.get(`sm.${keyToken(name)}`);
    return entry?.operation === "PUT" ? decode<StateMachineRecord>("", entry.value) : undefined;
  }

  /** Creates the state machine; false when one of the name exists. */
  async createStateMachine(record: StateMachineRecord): Promise<boolean> {
    const { written } = await updateByRevision<StateMachineRecord>(this.kv, `sm.${keyToken(record.name)}`, { decode }, (current) => (current ? undefined : record));
    return written !== undefined;
  }

  updateStateMachine(name: string, change: (current: StateMachineRecord | undefined) => StateMachineRecord | undefined): Promise<RevisionUpdate<StateMachineRecord>> {
    return updateByRevision<StateMachineRecord>(this.kv, `sm.${keyToken(name)}`, { decode }, change);
  }

  async deleteStateMachine(name: string): Promise<void> {
    await this.kv.delete(`sm.${keyToken(name)}`);
  }

  async listStateMachines(): Promise<StateMachineRecord[]> {
    const records = await Promise.all((await this.keys("sm.>")).map(async (key) => {
      const entry = await this.kv.get(key);
      return entry?.operation === "PUT" ? decode<StateMachineRecord>(key, entry.value) : undefined;
    }));
    return records.filter((record): record is StateMachineRecord => record !== undefined);
  }

  // Executions.
  async getExecution(executionKey: string): Promise<{ record: ExecutionRecord; revision: number } | undefined> {
    const entry = await this.kv.get(`exec.${executionKey}`);
    return entry?.operation === "PUT" ? { record: decode<ExecutionRecord>("", entry.value), revision: entry.revision } : undefined;
  }

  /** Creates the execution; the one already there when the name is taken. */
  async createExecution(executionKey: string, record: ExecutionRecord): Promise<ExecutionRecord | undefined> {
    const { previous, written } = await updateByRevision<ExecutionRecord>(this.kv, `exec.${executionKey}`, { decode }, (current) => (current ? undefined : record));
    return written === undefined ? previous : undefined;
  }

  updateExecution(executionKey: string, change: (current: ExecutionRecord | undefined) => ExecutionRecord | undefined): Promise<RevisionUpdate<ExecutionRecord>> {
    return updateByRevision<ExecutionRecord>(this.kv, `exec.${executionKey}`, { decode }, change);
  }

  /** Execution keys (`<machine>.<execution>`) of one state machine. */
  async executionKeys(stateMachine: string): Promise<string[]> {
    return (await this.keys(`exec.${keyToken(stateMachine)}.*`)).map((key) => key.slice("exec.".length));
  }

  async markRunning(executionKey: string): Promise<void> {
    await this.kv.put(`running.${executionKey}`, "{}");
  }

  async clearRunning(executionKey: string): Promise<void> {
    await this.kv.purge(`running.${executionKey}`);
  }

  async runningExecutions(): Promise<string[]> {
    return (await this.keys("running.>")).map((key) => key.slice("running.".length));
  }

  // Frames.
  async frames(executionKey: string): Promise<{ frame: FrameRecord; revision: number }[]> {
    const keys = await this.keys(`frame.${executionKey}.*`);
    const frames = await Promise.all(keys.map(async (key) => {
      const entry = await this.kv.get(key);
      return entry?.operation === "PUT" ? { frame: decode<FrameRecord>(key, entry.value), revision: entry.revision } : undefined;
    }));
    return frames.filter((frame): frame is { frame: FrameRecord; revision: number } => frame !== undefined);
  }

  /** Writes a frame at the revision last read (0: new); the new revision, or undefined when another writer got there first. */
  saveFrame(executionKey: string, frame: FrameRecord, revision: number): Promise<number | undefined> {
    return writeAtRevision(this.kv, `frame.${executionKey}.${frame.id}`, encoder.encode(JSON.stringify(frame)), revision);
  }

  async deleteFrame(executionKey: string, frameId: string): Promise<void> {
    await this.kv.purge(`frame.${executionKey}.${frameId}`);
  }

  // Task tokens.
  async getToken(token: string): Promise<TokenRecord | undefined> {
    const entry = await this.kv.get(`token.${token}`);
    return entry?.operation === "PUT" ? decode<TokenRecord>("", entry.value) : undefined;
  }

  async putToken(record: TokenRecord): Promise<void> {
    await this.kv.put(`token.${record.token}`, JSON.stringify(record));
  }

  updateToken(token: string, change: (current: TokenRecord | undefined) => TokenRecord | undefined): Promise<RevisionUpdate<TokenRecord>> {
    return updateByRevision<TokenRecord>(this.kv, `token.${token}`, { decode }, change);
  }

  async deleteToken(token: string): Promise<void> {
    await this.kv.purge(`token.${token}`);
  }

  private async keys(filter: string): Promise<string[]> {
    return listKeys(this.kv, filter);
  }
}
