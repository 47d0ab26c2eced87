// Creating a function from a zip: CreateFunction with the package as base64 (ZipFile), as the AWS CLI sends it.
import { useState } from "preact/hooks";
import type { FunctionConfiguration } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ErrorNotice } from "./components.js";

const RUNTIMES = ["nodejs22.x", "nodejs20.x", "nodejs18.x"];
const DEFAULT_RUNTIME = "nodejs20.x";
const DEFAULT_ROLE = "arn:aws:iam::000000000000:role/lambent";

/** A file's bytes as base64, read in the browser. */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

export function CreateFunctionForm(props: { api: LambdaApi; onCreated: (created: FunctionConfiguration) => void; onCancel: () => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const zip = form.get("zip");
    if (!(zip instanceof File) || zip.size === 0) {
      setError(new Error("Choose a .zip file with the function's code"));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const created = await props.api.createFunction({
        FunctionName: String(form.get("name")).trim(),
        Runtime: String(form.get("runtime")),
        Handler: String(form.get("handler")).trim(),
        Role: String(form.get("role")).trim(),
        MemorySize: Number(form.get("memory")),
        Timeout: Number(form.get("timeout")),
        Code: { ZipFile: await base64Of(zip) },
      });
      props.onCreated(created);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form class="panel create-function" aria-labelledby="create-title" onSubmit={(event) => void submit(event)}>
      <h2 id="create-title">Create a function from a zip</h2>
      <div class="fields">
        <label>
          Function name
          <input name="name" required pattern="[A-Za-z0-9_-]{1,64}" title="Letters, digits, hyphens and underscores, at most 64" autoFocus spellcheck={false} />
        </label>
        <label>
          Runtime
          <select name="runtime">
            {RUNTIMES.map((runtime) => (
              <option key={runtime} value={runtime} selected={runtime === DEFAULT_RUNTIME}>
                {runtime}
              </option>
            ))}
          </select>
        </label>
        <label>
          Handler
          <input name="handler" required defaultValue="index.handler" spellcheck={false} />
        </label>
        <label>
          Memory (MB)
          <input name="memory" type="number" min={128} max={10240} step={1} required defaultValue="128" />
        </label>
        <label>
          Timeout (seconds)
          <input name="timeout" type="number" min={1} max={900} step={1} required defaultValue="3" />
        </label>
        <label>
          Role
          <input name="role" required defaultValue={DEFAULT_ROLE} spellcheck={false} />
        </label>
        <label class="wide">
          Code (.zip)
          <input name="zip" type="file" accept=".zip,application/zip" required />
        </label>
      </div>
      {error ? <ErrorNotice error={error} title="Create failed." /> : null}
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Creating…" : "Create function"}
        </button>
      </div>
    </form>
  );
}
