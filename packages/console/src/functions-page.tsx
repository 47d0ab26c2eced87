// The functions list: name, runtime, memory and last change, filtered as you type; creating a function
// from a zip, and deleting one after a confirmation.
import { useMemo, useState } from "preact/hooks";
import type { FunctionConfiguration } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ConfirmDialog, ErrorNotice, Link, useLoad } from "./components.js";
import { CreateFunctionForm } from "./create-function.js";
import { formatTime } from "./format.js";
import { hrefOf, navigate } from "./router.js";

export function FunctionsPage(props: { api: LambdaApi }) {
  const functions = useLoad(() => props.api.listFunctions(), "functions");
  const [search, setSearch] = useState("");
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [deleteError, setDeleteError] = useState<unknown>();

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const all = [...(functions.data ?? [])].sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
    return needle === "" ? all : all.filter((fn) => fn.FunctionName.toLowerCase().includes(needle) || fn.Runtime.toLowerCase().includes(needle));
  }, [functions.data, search]);

  const remove = async (name: string): Promise<void> => {
    setDeleting(undefined);
    setDeleteError(undefined);
    try {
      await props.api.deleteFunction(name);
    } catch (error) {
      setDeleteError(error);
    }
    functions.reload();
  };

  return (
    <section aria-labelledby="functions-title">
      <div class="page-head">
        <h1 id="functions-title">Functions {functions.data ? <span class="count">({functions.data.length})</span> : null}</h1>
        <button type="button" class="primary" onClick={() => setCreating(true)} disabled={creating}>
          Create function
        </button>
      </div>
      {creating ? (
        <CreateFunctionForm
          api={props.api}
          onCancel={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            navigate(hrefOf({ page: "function", name: created.FunctionName, tab: "test" }));
          }}
        />
      ) : null}
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Search functions</span>
          <input type="search" placeholder="Search functions by name or runtime" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
        </label>
        <button type="button" onClick={functions.reload} aria-label="Refresh the list">
          Refresh
        </button>
      </div>
      {deleteError ? <ErrorNotice error={deleteError} title="Delete failed." /> : null}
      {functions.error ? <ErrorNotice error={functions.error} /> : null}
      {functions.loading && !functions.data ? <p aria-live="polite">Loading functions…</p> : null}
      {functions.data ? <FunctionsTable functions={shown} filtered={search.trim() !== ""} onDelete={setDeleting} /> : null}
      {deleting ? (
        <ConfirmDialog title={`Delete ${deleting}?`} confirmLabel="Delete" onConfirm={() => void remove(deleting)} onCancel={() => setDeleting(undefined)}>
          <p>
            The function <strong>{deleting}</strong>, its versions and aliases are deleted. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function FunctionsTable(props: { functions: FunctionConfiguration[]; filtered: boolean; onDelete: (name: string) => void }) {
  if (props.functions.length === 0) return <p class="empty">{props.filtered ? "No function matches the search." : "No functions yet: create one from a zip."}</p>;
  return (
    <div class="table-scroll">
      <table class="functions">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Runtime</th>
            <th scope="col">Memory</th>
            <th scope="col">Last modified</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.functions.map((fn) => (
            <tr key={fn.FunctionName}>
              <th scope="row">
                <Link href={hrefOf({ page: "function", name: fn.FunctionName, tab: "test" })}>{fn.FunctionName}</Link>
              </th>
              <td data-label="Runtime">{fn.Runtime}</td>
              <td data-label="Memory">{fn.MemorySize} MB</td>
              <td data-label="Last modified">
                <time dateTime={fn.LastModified}>{formatTime(fn.LastModified)}</time>
              </td>
              <td>
                <button type="button" class="danger small" onClick={() => props.onDelete(fn.FunctionName)} aria-label={`Delete ${fn.FunctionName}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
