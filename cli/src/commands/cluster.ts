// `lambent cluster`: the operator's view of the cluster (GetCluster): the leading scheduler and its term,
// every worker with its environments and memory, the NATS server, and each stream's replicas.
import { createApiClient } from "@lambent/app-deploy";
import { COMMON_USAGE, UsageError, parseCommandArgs, type CliIo, type Command } from "../command.js";
import { formatTable, writeJson } from "../output.js";

export const clusterCommand: Command = {
  name: "cluster",
  summary: "show the leader, the workers, NATS and the streams' replicas",
  usage: `Usage: lambent cluster

Shows the leading scheduler and its term, each worker (node, environments, memory in use and offered,
provisioned environments, when it was last heard from), the NATS server the frontend is connected to,
and every JetStream stream with its replicas: on a clustered NATS, the leader and whether each other
replica is current.

With --json, prints the API's answer.

${COMMON_USAGE}`,
  run: runCluster,
};

export async function runCluster(args: string[], io: CliIo): Promise<number> {
  const { positionals, common } = parseCommandArgs(args, {}, io, { min: 0, max: 0 });
  if (common.help) {
    io.stdout.write(`${clusterCommand.usage}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const cluster = await createApiClient(common.endpoint).getCluster();
  if (common.json) {
    writeJson(io.stdout, cluster);
    return 0;
  }
  const leader = cluster.Leader ? `${cluster.Leader.SchedulerId} (term ${cluster.Leader.Term}, ${cluster.Leader.InFlight} calls in flight)` : "none answered";
  io.stdout.write(`Leader: ${leader}\nNATS:   ${cluster.Nats.ServerName} ${cluster.Nats.Version}${cluster.Nats.Cluster ? `, cluster ${cluster.Nats.Cluster}` : ""}\n\n`);
  io.stdout.write(
    formatTable(
      ["WORKER", "NODE", "ENVIRONMENTS", "BUSY", "MEMORY", "PROVISIONED", "HEARD", "STATE"],
      cluster.Workers.map((worker) => [
        worker.WorkerId,
        worker.Node ?? "-",
        `${worker.Environments}/${worker.MaxEnvironments}`,
        String(worker.Busy),
        `${worker.BusyMemoryMb}/${worker.MemoryMb} MB`,
        String(worker.Provisioned),
        `${(worker.HeardMsAgo / 1000).toFixed(1)} s ago`,
        worker.Draining ? "draining" : "serving",
      ]),
    ),
  );
  io.stdout.write("\n");
  io.stdout.write(
    formatTable(
      ["STREAM", "REPLICAS", "LEADER", "PEERS", "MESSAGES"],
      cluster.Streams.map((stream) => [
        stream.Name,
        String(stream.Replicas),
        stream.Leader ?? "-",
        stream.Peers.length === 0 ? "-" : stream.Peers.map((peer) => `${peer.Name}${peer.Current && !peer.Offline ? "" : peer.Offline ? " (offline)" : ` (behind ${peer.Lag})`}`).join(", "),
        String(stream.Messages),
      ]),
    ),
  );
  return 0;
}
