// gRPC Invoke load, separate from what it measures: h2load where installed, else several @grpc/grpc-js
// client processes sharing the connections (one Node process tops out before Lambent does).
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { InvocationType, InvokeRequest, LambdaClient, LogType } from "@lambent/proto";
import { BENCH_DIST, runJsonProcess } from "../processes.js";
import { combineRounds, measuredRound, type GeneratorRound, type LoadResult, type LoadRound } from "../stats.js";
import { h2loadAvailable, h2loadRound } from "./h2load.js";

export const grpcLoadGenerator: "h2load" | "grpc-js processes" = h2loadAvailable() ? "h2load" : "grpc-js processes";

/** Client processes when h2load is missing. */
const NODE_CLIENT_PROCESSES = 3;

export interface GrpcLoadOptions {
  address: string;
  functionName: string;
  payload: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

export async function grpcLoad(options: GrpcLoadOptions): Promise<LoadResult> {
  await checkOneCall(options);
  const rounds: LoadRound[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const warmupSeconds = round === 0 ? options.warmupSeconds : 0;
    rounds.push(await measuredRound(() => (grpcLoadGenerator === "h2load" ? h2loadInvoke(options, warmupSeconds) : nodeClients(options, warmupSeconds))));
  }
  return combineRounds(rounds);
}

function h2loadInvoke(options: GrpcLoadOptions, warmupSeconds: number): Promise<GeneratorRound> {
  const message = InvokeRequest.encode(invokeRequest(options)).finish();
  const framed = new Uint8Array(5 + message.length);
  new DataView(framed.buffer).setUint32(1, message.length);
  framed.set(message, 5);
  return h2loadRound({
    url: `http://${options.address}/lambent.v1.Lambda/Invoke`,
    framedMessage: framed,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds,
  });
}

/** Several client processes at once, each with its share of the connections; rates add, latencies pool. */
async function nodeClients(options: GrpcLoadOptions, warmupSeconds: number): Promise<GeneratorRound> {
  const processes = Math.min(NODE_CLIENT_PROCESSES, options.connections);
  const shares = Array.from({ length: processes }, (_, i) => Math.floor(options.connections / processes) + (i < options.connections % processes ? 1 : 0));
  const results = await Promise.all(
    shares.map((connections) =>
      runJsonProcess<GeneratorRound>(
        join(BENCH_DIST, "load", "grpc-load-process.js"),
        { address: options.address, functionName: options.functionName, payload: options.payload, connections, durationSeconds: options.durationSeconds, warmupSeconds },
        (options.durationSeconds + warmupSeconds + 30) * 1000,
      ),
    ),
  );
  // Percentiles cannot be added; the slowest process's stand for the run.
  const worst = (key: "p50" | "p90" | "p99" | "max"): number => Math.max(...results.map((result) => result[key]));
  return {
    requestsPerSecond: results.reduce((sum, result) => sum + result.requestsPerSecond, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    p50: worst("p50"),
    p90: worst("p90"),
    p99: worst("p99"),
    max: worst("max"),
  };
}

function invokeRequest(options: GrpcLoadOptions): InvokeRequest {
  return {
    functionName: options.functionName,
    qualifier: "",
    payload: Buffer.from(options.payload),
    invocationType: InvocationType.REQUEST_RESPONSE,
    logType: LogType.NONE,
    clientContext: "",
  };
}

/** h2load cannot read gRPC status trailers: one real call proves the request is answered with success. */
async function checkOneCall(options: GrpcLoadOptions): Promise<void> {
  const client = new LambdaClient(options.address, grpc.credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) =>
      client.invoke(invokeRequest(options), (error, response) => {
        if (error) reject(error);
        else if (response.functionError) reject(new Error(`${options.functionName} failed: ${response.functionError}`));
        else resolve();
      }),
    );
  } finally {
    client.close();
  }
}
