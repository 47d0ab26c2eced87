// Small pieces every page uses: in-app links, error notices, the confirmation dialog, and a hook that
// loads data from the API with its loading and error states, and one that repeats a call while shown.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.js";
import { followLink } from "./router.js";

export function Link(props: { href: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a href={props.href} onClick={followLink} class={props.class} aria-current={props.current ? "page" : undefined}>
      {props.children}
    </a>
  );
}

/** The text of any failure, AWS's error type first when the API named one. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.type}: ${error.message}${error.reason ? ` (${error.reason})` : ""}`;
  return error instanceof Error ? error.message : String(error);
}

export function ErrorNotice(props: { error: unknown; title?: string }) {
  return (
    <div class="notice notice-error" role="alert">
      {props.title ? <strong>{props.title} </strong> : null}
      {describeError(props.error)}
    </div>
  );
}

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and again on `reload()` or when `key` changes; the latest answer wins. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  // Before the browser paints: the call starts with the render that needs it, not a frame later.
  useLayoutEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
    // `load` is a fresh closure on every render; `key` and `generation` say when to run it again.
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

/** Calls `tick` every `intervalMs` while the component is shown and the tab is visible. */
export function useInterval(tick: () => void, intervalMs: number): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") latest.current();
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
}

/** A modal question: focus moves into it, Escape cancels, and focus returns to where it was when it closes. */
export function ConfirmDialog(props: { title: string; children: ComponentChildren; confirmLabel: string; onConfirm: () => void; onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    element.showModal();
    return () => element.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id="confirm-title">{props.title}</h2>
      {props.children}
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
