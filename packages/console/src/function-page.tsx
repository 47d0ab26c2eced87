// One function: its tabs (Test, Code, Monitor, Logs, Async queue, Configuration, Versions and aliases) over one GetFunction.
import type { LambdaApi } from "./api.js";
import { ErrorNotice, Link, useLoad } from "./components.js";
import { CodePanel } from "./code-panel.js";
import { ConfigurationPanel } from "./configuration-panel.js";
import { LogsPanel } from "./logs-panel.js";
import { MonitorPanel } from "./monitor-panel.js";
import { QueuePanel } from "./queue-panel.js";
import { hrefOf, type FunctionTab } from "./router.js";
import { TestPanel } from "./test-panel.js";
import { VersionsPanel } from "./versions-panel.js";

const TAB_LABELS: Record<FunctionTab, string> = { test: "Test", code: "Code", monitor: "Monitor", logs: "Logs", queue: "Async queue", configuration: "Configuration", versions: "Versions and aliases" };

export function FunctionPage(props: { api: LambdaApi; name: string; tab: FunctionTab; requestId?: string | undefined }) {
  const fn = useLoad(() => props.api.getFunction(props.name), `function:${props.name}`);
  const configuration = fn.data?.Configuration;
  return (
    <section aria-labelledby="function-title">
      <p class="breadcrumb">
        <Link href={hrefOf({ page: "functions" })}>Functions</Link> / <span>{props.name}</span>
      </p>
      <h1 id="function-title">{props.name}</h1>
      {configuration ? (
        <p class="summary">
          {configuration.Runtime} · {configuration.MemorySize} MB · {configuration.Timeout} s timeout · {configuration.State ?? "Active"}
        </p>
      ) : null}
      <nav class="tabs" aria-label="Function">
        {(Object.keys(TAB_LABELS) as FunctionTab[]).map((tab) => (
          <Link key={tab} href={hrefOf({ page: "function", name: props.name, tab })} current={tab === props.tab}>
            {TAB_LABELS[tab]}
          </Link>
        ))}
      </nav>
      {fn.error ? <ErrorNotice error={fn.error} /> : null}
      {fn.loading && !fn.data ? <p aria-live="polite">Loading…</p> : null}
      {configuration ? (
        props.tab === "test" ? (
          <TestPanel api={props.api} name={props.name} />
        ) : props.tab === "code" ? (
          <CodePanel api={props.api} name={props.name} location={fn.data?.Code?.Location} onSaved={fn.reload} />
        ) : props.tab === "monitor" ? (
          <MonitorPanel api={props.api} name={props.name} />
        ) : props.tab === "logs" ? (
          <LogsPanel api={props.api} name={props.name} requestId={props.requestId} />
        ) : props.tab === "queue" ? (
          <QueuePanel api={props.api} name={props.name} />
        ) : props.tab === "configuration" ? (
          <ConfigurationPanel api={props.api} configuration={configuration} onChanged={fn.reload} />
        ) : (
          <VersionsPanel api={props.api} name={props.name} />
        )
      ) : null}
    </section>
  );
}
