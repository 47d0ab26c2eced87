// A function's configuration: general settings (memory and timeout editable), its environment (values
// masked until revealed), and reserved concurrency, which can be set (0 throttles every call) or removed.
import { useState } from "preact/hooks";
import type { FunctionConfiguration } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ErrorNotice, useLoad } from "./components.js";
import { formatTime } from "./format.js";

export function ConfigurationPanel(props: { api: LambdaApi; configuration: FunctionConfiguration; onChanged: () => void }) {
  const { configuration } = props;
  const rows: [string, string][] = [
    ["Runtime", configuration.Runtime],
    ["Handler", configuration.Handler],
    ["Memory", `${configuration.MemorySize} MB`],
    ["Timeout", `${configuration.Timeout} s`],
    ["Code size", `${configuration.CodeSize.toLocaleString()} bytes`],
    ["Code SHA-256", configuration.CodeSha256],
    ["Last modified", formatTime(configuration.LastModified)],
    ["Role", configuration.Role],
    ["ARN", configuration.FunctionArn],
  ];
  return (
    <div class="configuration">
      <section class="panel" aria-labelledby="general-title">
        <h2 id="general-title">General configuration</h2>
        <dl class="summary-list">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <SettingsForm api={props.api} configuration={configuration} onChanged={props.onChanged} />
      </section>
      <EnvironmentSection variables={configuration.Environment?.Variables ?? {}} />
      <ConcurrencySection api={props.api} name={configuration.FunctionName} />
    </div>
  );
}

function SettingsForm(props: { api: LambdaApi; configuration: FunctionConfiguration; onChanged: () => void }) {
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const { configuration } = props;

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setError(undefined);
    setSaved(false);
    try {
      await props.api.updateConfiguration(configuration.FunctionName, { MemorySize: Number(form.get("memory")), Timeout: Number(form.get("timeout")) });
      setSaved(true);
      props.onChanged();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <form class="inline-form settings" aria-label="Memory and timeout" onSubmit={(event) => void save(event)}>
      <label>
        Memory (MB)
        <input name="memory" type="number" min={128} max={10240} step={1} required defaultValue={String(configuration.MemorySize)} key={`memory:${configuration.MemorySize}`} />
      </label>
      <label>
        Timeout (seconds)
        <input name="timeout" type="number" min={1} max={900} step={1} required defaultValue={String(configuration.Timeout)} key={`timeout:${configuration.Timeout}`} />
      </label>
      <button type="submit" class="primary">
        Save settings
      </button>
      <div aria-live="polite">{saved ? <p class="notice notice-ok">Memory and timeout saved.</p> : null}</div>
      {error ? <ErrorNotice error={error} title="Could not change the settings." /> : null}
    </form>
  );
}

function EnvironmentSection(props: { variables: Record<string, string> }) {
  const [revealed, setRevealed] = useState(false);
  const names = Object.keys(props.variables).sort();
  return (
    <section class="panel" aria-labelledby="environment-title">
      <div class="section-head">
        <h2 id="environment-title">Environment variables</h2>
        {names.length > 0 ? (
          <button type="button" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
            {revealed ? "Hide values" : "Reveal values"}
          </button>
        ) : null}
      </div>
      {names.length === 0 ? (
        <p class="empty">No environment variables.</p>
      ) : (
        <table class="environment">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => (
              <tr key={name}>
                <th scope="row">
                  <code>{name}</code>
                </th>
                <td>{revealed ? <code>{props.variables[name]}</code> : <span aria-label="hidden value">••••••••</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ConcurrencySection(props: { api: LambdaApi; name: string }) {
  const reserved = useLoad(() => props.api.getReservedConcurrency(props.name), `concurrency:${props.name}`);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();

  const save = async (value: number | undefined): Promise<void> => {
    setError(undefined);
    setSaved(undefined);
    try {
      await props.api.putReservedConcurrency(props.name, value);
      setSaved(value === undefined ? "Reservation removed: the function uses the account's unreserved concurrency." : `Reserved concurrency set to ${value}.`);
      reserved.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <section class="panel" aria-labelledby="concurrency-title">
      <h2 id="concurrency-title">Concurrency</h2>
      <p>
        {reserved.loading && reserved.data === undefined && !reserved.error
          ? "Loading…"
          : reserved.data === undefined
            ? "No reserved concurrency: the function uses the account's unreserved concurrency."
            : `Reserved concurrency: ${reserved.data}${reserved.data === 0 ? " (every call is throttled)" : ""}.`}
      </p>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const value = Number(new FormData(event.currentTarget).get("reserved"));
          void save(value);
        }}
      >
        <label>
          Reserved concurrency
          <input name="reserved" type="number" min={0} step={1} required defaultValue={reserved.data === undefined ? "" : String(reserved.data)} key={String(reserved.data)} />
        </label>
        <button type="submit" class="primary">
          Save
        </button>
        <button type="button" onClick={() => void save(undefined)} disabled={reserved.data === undefined}>
          Remove reservation
        </button>
      </form>
      <div aria-live="polite">{saved ? <p class="notice notice-ok">{saved}</p> : null}</div>
      {error ? <ErrorNotice error={error} title="Could not change concurrency." /> : null}
    </section>
  );
}
