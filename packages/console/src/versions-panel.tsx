// Versions and aliases: the function's published versions (and publishing one), its aliases with the
// version each points at, and an alias's traffic shifted to one more version (RoutingConfig).
import { useState } from "preact/hooks";
import type { AliasConfiguration } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ErrorNotice, useLoad } from "./components.js";
import { formatTime } from "./format.js";

export function VersionsPanel(props: { api: LambdaApi; name: string }) {
  const versions = useLoad(() => props.api.listVersions(props.name), `versions:${props.name}`);
  const aliases = useLoad(() => props.api.listAliases(props.name), `aliases:${props.name}`);
  const [error, setError] = useState<unknown>();

  const publish = async (): Promise<void> => {
    setError(undefined);
    try {
      await props.api.publishVersion(props.name);
      versions.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  const published = (versions.data ?? []).filter((version) => version.Version !== "$LATEST").map((version) => version.Version);
  return (
    <div class="versions">
      <section class="panel" aria-labelledby="versions-title">
        <div class="section-head">
          <h2 id="versions-title">Versions</h2>
          <button type="button" onClick={() => void publish()}>
            Publish new version
          </button>
        </div>
        {error ? <ErrorNotice error={error} title="Publish failed." /> : null}
        {versions.error ? <ErrorNotice error={versions.error} /> : null}
        {versions.data ? (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Code SHA-256</th>
                  <th scope="col">Last modified</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.map((version) => (
                  <tr key={version.Version}>
                    <th scope="row">{version.Version}</th>
                    <td>
                      <code>{version.CodeSha256.slice(0, 12)}…</code>
                    </td>
                    <td>{formatTime(version.LastModified)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      <section class="panel" aria-labelledby="aliases-title">
        <h2 id="aliases-title">Aliases</h2>
        {aliases.error ? <ErrorNotice error={aliases.error} /> : null}
        {aliases.data && aliases.data.length === 0 ? <p class="empty">No aliases.</p> : null}
        {(aliases.data ?? []).map((alias) => (
          <AliasRouting key={alias.Name} api={props.api} name={props.name} alias={alias} versions={published} onChange={aliases.reload} />
        ))}
      </section>
    </div>
  );
}

function AliasRouting(props: { api: LambdaApi; name: string; alias: AliasConfiguration; versions: string[]; onChange: () => void }) {
  const { alias } = props;
  const [current] = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  const candidates = props.versions.filter((version) => version !== alias.FunctionVersion);
  const [error, setError] = useState<unknown>();

  const save = async (routing: { version: string; weight: number } | undefined): Promise<void> => {
    setError(undefined);
    try {
      await props.api.setAliasRouting(props.name, alias.Name, routing);
      props.onChange();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <form
      class="alias"
      aria-label={`Alias ${alias.Name}`}
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const percent = Number(form.get("percent"));
        void save(percent === 0 ? undefined : { version: String(form.get("version")), weight: percent / 100 });
      }}
    >
      <h3>
        {alias.Name} → version {alias.FunctionVersion}
        {current ? ` (${Math.round(current[1] * 1000) / 10}% to version ${current[0]})` : ""}
      </h3>
      {candidates.length === 0 ? (
        <p class="hint">Publish another version to shift some of this alias's traffic to it.</p>
      ) : (
        <div class="inline-form">
          <label>
            Additional version
            <select name="version">
              {candidates.map((version) => (
                <option key={version} value={version} selected={version === (current?.[0] ?? candidates[candidates.length - 1])}>
                  {version}
                </option>
              ))}
            </select>
          </label>
          <label>
            Weight (%)
            <input name="percent" type="number" min={0} max={99} step={1} required defaultValue={current ? String(Math.round(current[1] * 100)) : "0"} />
          </label>
          <button type="submit" class="primary">
            Save routing
          </button>
        </div>
      )}
      {error ? <ErrorNotice error={error} title="Could not change the alias." /> : null}
    </form>
  );
}
