// Load generator process for gRPC Invoke: N concurrent callers for a fixed time, printing a GeneratorRound.
import * as grpc from "@grpc/grpc-js";
import { InvocationType, LambdaClient, LogType } from "@lambent/proto";
import { closedLoop } from "../scenarios/concurrent-loops.js";

interface GrpcLoadOptions {
  address: string;
  functionName: string;
  payload: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as GrpcLoadOptions;
const client = new LambdaClient(options.address, grpc.credentials.createInsecure());
const request = {
  functionName: options.functionName,
  qualifier: "",
  payload: Buffer.from(options.payload),
  invocationType: InvocationType.REQUEST_RESPONSE,
  logType: LogType.NONE,
  clientContext: "",
};
const call = (): Promise<void> =>
  new Promise((resolve, reject) => {
    client.invoke(request, (error, response) => {
      if (error) reject(error);
      else if (response.functionError) reject(new Error(response.functionError));
      else resolve();
    });
  });

if (options.warmupSeconds > 0) await closedLoop(options.connections, options.warmupSeconds * 1000, call);
const round = await closedLoop(options.connections, options.durationSeconds * 1000, call);
client.close();
console.log(JSON.stringify(round));
