// The functions list: name, runtime, memory, last change and live sparklines, searched by name as you type
// and shown a page at a time, both done by the server (SearchFunctions), the page's sparklines with it;
// creating a function from a zip, and deleting one after a confirmation.
import { useState } from "preact/hooks";
import type { FunctionConfiguration, GetFunctionsMetricsResponse } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { ConfirmDialog, ErrorNotice, Link, useLoad } from "./components.js";
import { CreateFunctionForm } from "./create-function.js";
import { formatTime } from "./format.js";
import { FunctionSparklines, SPARKLINE_SINCE, usePageSparklines } from "./function-sparklines.js";
import { PAGE_SIZE, pageOf } from "./paging.js";
import { hrefOf, navigate } from "./router.js";

export function FunctionsPage(props: { api: LambdaApi }) {
  const [search, setSearch] = useState("");
  const [pageIndex, setPageIndex] = useState(0);
  // The server pages and searches (SearchFunctions): only the shown page's records are read, and the page
  // comes with its sparklines' minutes.
  const listed = useLoad(() => props.api.searchFunctions(search.trim(), pageIndex * PAGE_SIZE, PAGE_SIZE, SPARKLINE_SINCE), `functions:${search.trim()}:${pageIndex}`);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [deleteError, setDeleteError] = useState<unknown>();
  const data = listed.data;

  const remove = async (name: string): Promise<void> => {
    setDeleting(undefined);
    setDeleteError(undefined);
    try {
      await props.api.deleteFunction(name);
    } catch (error) {
      setDeleteError(error);
    }
    listed.reload();
  };

  return (
    <section aria-labelledby="functions-title">
      <div class="page-head">
        <h1 id="functions-title">Functions {data ? <span class="count">({data.Total})</span> : null}</h1>
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
          <input type="search" placeholder="Search functions by name" value={search} onInput={(event) => {
              setSearch(event.currentTarget.value);
              setPageIndex(0);
            }}
          />
        </label>
        <button type="button" onClick={listed.reload} aria-label="Refresh the list">
          Refresh
        </button>
      </div>
      {deleteError ? <ErrorNotice error={deleteError} title="Delete failed." /> : null}
      {listed.error ? <ErrorNotice error={listed.error} /> : null}
      {listed.loading && !data ? <p aria-live="polite">Loading functions…</p> : null}
      {data ? <FunctionsPageOf api={props.api} functions={data.Functions} metrics={data.Metrics} matched={data.Matched} pageIndex={pageIndex} onPage={setPageIndex} filtered={search.trim() !== ""} onDelete={setDeleting} /> : null}
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

function FunctionsPageOf(props: { api: LambdaApi; functions: FunctionConfiguration[]; metrics: GetFunctionsMetricsResponse | undefined; matched: number; pageIndex: number; onPage: (index: number) => void; filtered: boolean; onDelete: (name: string) => void }) {
  const page = pageOf(props.matched, props.pageIndex);
  return (
    <>
      <FunctionsTable api={props.api} functions={props.functions} metrics={props.metrics} filtered={props.filtered} onDelete={props.onDelete} />
      {page.count > 1 ? (
        <nav class="pager" aria-label="Pages of functions">
          <button type="button" onClick={() => props.onPage(page.index - 1)} disabled={page.index === 0}>
            Previous page
          </button>
          <span aria-live="polite">
            {page.start + 1}–{page.end} of {props.matched}
          </span>
          <button type="button" onClick={() => props.onPage(page.index + 1)} disabled={page.index === page.count - 1}>
            Next page
          </button>
        </nav>
      ) : null}
    </>
  );
}

function FunctionsTable(props: { api: LambdaApi; functions: FunctionConfiguration[]; metrics: GetFunctionsMetricsResponse | undefined; filtered: boolean; onDelete: (name: string) => void }) {
  const sparklines = usePageSparklines(props.api, props.functions.map((fn) => fn.FunctionName), props.metrics);
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
            <th scope="col">Last 30 minutes</th>
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
              <td data-label="Last 30 minutes">
                <FunctionSparklines points={sparklines.points?.get(fn.FunctionName)} failed={sparklines.failed} />
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
