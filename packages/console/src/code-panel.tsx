// A function's Code tab: the package's single source file in a code editor (CodeMirror, loaded on first
// use), saved with UpdateFunctionCode as a zip of that one file. A package of several files is listed, not
// edited: it is changed with `lambent deploy` or the AWS SDK.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LambdaApi } from "./api.js";
import type { CodeEditor } from "./code-editor.js";
import { languageOf, packageContents, zipOneFile, type PackageContents } from "./code-package.js";
import { ErrorNotice, useLoad } from "./components.js";

export function CodePanel(props: { api: LambdaApi; name: string; location: string | undefined; onSaved: () => void }) {
  const contents = useLoad(() => loadPackage(props.location), `code:${props.name}:${props.location ?? ""}`);
  return (
    <section class="panel" aria-labelledby="code-title">
      <h2 id="code-title">Code</h2>
      {contents.error ? <ErrorNotice error={contents.error} title="The package could not be read." /> : null}
      {contents.loading && !contents.data ? <p aria-live="polite">Loading the code…</p> : null}
      {contents.data?.kind === "other" ? (
        <>
          <p class="hint">This package holds more than one file, so it is shown, not edited here: deploy it with `lambent deploy` or the AWS SDK.</p>
          <ul>
            {contents.data.fileNames.map((fileName) => (
              <li key={fileName}>
                <code>{fileName}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {contents.data?.kind === "single-file" ? <SingleFileEditor api={props.api} name={props.name} fileName={contents.data.fileName} text={contents.data.text} onSaved={props.onSaved} /> : null}
    </section>
  );
}

async function loadPackage(location: string | undefined): Promise<PackageContents> {
  if (!location) throw new Error("GetFunction gave no code location");
  // The location is a signed download URL on the same frontend: it needs no signature of the console's.
  const response = await fetch(location);
  if (!response.ok) throw new Error(`The package download answered ${response.status}`);
  return packageContents(new Uint8Array(await response.arrayBuffer()));
}

function SingleFileEditor(props: { api: LambdaApi; name: string; fileName: string; text: string; onSaved: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<CodeEditor | undefined>(undefined);
  const [ready, setReady] = useState(false);
  const [changed, setChanged] = useState(false);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let cancelled = false;
    void import("./code-editor.js").then(({ mountEditor }) => {
      if (cancelled || !host.current) return;
      editor.current = mountEditor(host.current, { text: props.text, language: languageOf(props.fileName), label: `Code of ${props.fileName}`, onChange: () => setChanged(true) });
      setReady(true);
    }, setError);
    return () => {
      cancelled = true;
      editor.current?.destroy();
      editor.current = undefined;
    };
  }, [props.fileName, props.text]);

  const save = async (): Promise<void> => {
    if (!editor.current) return;
    setSaving(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await props.api.updateFunctionCode(props.name, zipOneFile(props.fileName, editor.current.text()));
      setChanged(false);
      setNotice(`Saved ${props.fileName}: the function runs the new code from its next call.`);
      props.onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <div class="section-head">
        <p class="hint">
          <code>{props.fileName}</code>, the package's only file{changed ? " (changed, not saved)" : ""}.
        </p>
        <button type="button" class="primary" disabled={!ready || !changed || saving} onClick={() => void save()}>
          {saving ? "Saving…" : "Save code"}
        </button>
      </div>
      {!ready ? <p aria-live="polite">Loading the editor…</p> : null}
      <div class="code-editor" ref={host} />
      {notice ? (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} title="Not saved." /> : null}
    </>
  );
}
