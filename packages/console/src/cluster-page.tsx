// The cluster page (GetCluster): the leading scheduler and its term, every worker (sandbox process) with its
// environments and memory, the NATS server the frontend is on, and every JetStream stream — the event
// queue, logs, metrics and the buckets behind Lambent's state — with its replicas. Refreshed while shown.
import type { ClusterStream, ClusterWorker } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ErrorNotice, useInterval, useLoad } from "./components.js";

const CLUSTER_REFRESH_MS = 5_000;

const bytes = (value: number): string =>
  value >= 1024 ** 3 ? `${(value / 1024 ** 3).toFixed(1)} GiB` : value >= 1024 ** 2 ? `${(value / 1024 ** 2).toFixed(1)} MiB` : value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value} B`;

export function ClusterPage(props: { api: LambdaApi }) {
  const cluster = useLoad(() => props.api.getCluster(), "cluster");
  useInterval(cluster.reload, CLUSTER_REFRESH_MS);
  const data = cluster.data;
  return (
    <section aria-labelledby="cluster-title">
      <div class="page-head">
        <h1 id="cluster-title">Cluster</h1>
        <button type="button" onClick={cluster.reload}>
          Refresh
        </button>
      </div>
      {cluster.error ? <ErrorNotice error={cluster.error} /> : null}
      {cluster.loading && !data ? <p aria-live="polite">Loading the cluster…</p> : null}
      {data ? (
        <>
          <section class="panel" aria-labelledby="leader-title">
            <h2 id="leader-title">Leader</h2>
            {data.Leader ? (
              <dl class="totals" aria-label="Leader">
                <div>
                  <dt>Scheduler</dt>
                  <dd>{data.Leader.SchedulerId}</dd>
                </div>
                <div>
                  <dt>Term</dt>
                  <dd>{data.Leader.Term}</dd>
                </div>
                <div>
                  <dt>Calls in flight</dt>
                  <dd>{data.Leader.InFlight}</dd>
                </div>
              </dl>
            ) : (
              <p class="notice notice-error">No scheduler leads: no call can be placed until one does.</p>
            )}
            <p class="hint">
              NATS {data.Nats.ServerName} ({data.Nats.Version}){data.Nats.Cluster ? `, cluster ${data.Nats.Cluster}` : ""}
            </p>
          </section>
          <WorkersTable workers={data.Workers} />
          <StreamsTable streams={data.Streams} />
        </>
      ) : null}
    </section>
  );
}

function WorkersTable(props: { workers: ClusterWorker[] }) {
  return (
    <section class="panel" aria-labelledby="workers-title">
      <h2 id="workers-title">Workers ({props.workers.length})</h2>
      {props.workers.length === 0 ? (
        <p class="empty">No worker has reported to the leader.</p>
      ) : (
        <div class="table-scroll">
          <table aria-labelledby="workers-title">
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Node</th>
                <th scope="col">Environments</th>
                <th scope="col">Busy</th>
                <th scope="col">Memory busy</th>
                <th scope="col">Provisioned</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {props.workers.map((worker) => (
                <tr key={worker.WorkerId}>
                  <th scope="row">{worker.WorkerId}</th>
                  <td>{worker.Node ?? "—"}</td>
                  <td>
                    {worker.Environments} of {worker.MaxEnvironments}
                  </td>
                  <td>{worker.Busy}</td>
                  <td>
                    {worker.BusyMemoryMb} of {worker.MemoryMb} MB
                  </td>
                  <td>{worker.Provisioned}</td>
                  <td>
                    {worker.Draining ? "draining" : "serving"} · heard {Math.round(worker.HeardMsAgo / 100) / 10} s ago
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function StreamsTable(props: { streams: ClusterStream[] }) {
  return (
    <section class="panel" aria-labelledby="streams-title">
      <h2 id="streams-title">Queues and streams</h2>
      <div class="table-scroll">
        <table aria-labelledby="streams-title">
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Messages</th>
              <th scope="col">Size</th>
              <th scope="col">Replicas</th>
              <th scope="col">Leader</th>
            </tr>
          </thead>
          <tbody>
            {props.streams.map((stream) => (
              <tr key={stream.Name}>
                <th scope="row">{stream.Name}</th>
                <td>{stream.Messages}</td>
                <td>{bytes(stream.Bytes)}</td>
                <td>
                  {stream.Replicas}
                  {stream.Peers.some((peer) => !peer.Current || peer.Offline) ? " (a replica is behind)" : ""}
                </td>
                <td>{stream.Leader ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
