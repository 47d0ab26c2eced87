// The code editor: CodeMirror 6 with JavaScript or Python highlighting. Its own chunk, loaded only when a
// code tab opens (`import("./code-editor.js")`), so the console's first page stays small.
import { basicSetup } from "codemirror";
import { EditorView } from "@codemirror/view";
import { javascript } from "@codemirror/lang-javascript";
import { python } from "@codemirror/lang-python";

export interface CodeEditor {
  text(): string;
  destroy(): void;
}

/** The console's focus ring and height, as CodeMirror themes are written. */
const consoleTheme = EditorView.theme({
  "&": { minHeight: "12rem", fontSize: "0.9rem" },
  "&.cm-focused": { outline: "3px solid #f59e0b", outlineOffset: "2px" },
  ".cm-scroller": { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' },
});

export function mountEditor(parent: HTMLElement, options: { text: string; language: "javascript" | "python"; label: string; onChange: () => void }): CodeEditor {
  // In a shadow root CodeMirror's styles go to a constructed stylesheet; in the document they would be an
  // inline <style>, which the console's Content-Security-Policy refuses.
  const holder = document.createElement("div");
  parent.appendChild(holder);
  const root = holder.attachShadow({ mode: "open" });
  const view = new EditorView({
    doc: options.text,
    root,
    parent: root,
    extensions: [
      basicSetup,
      consoleTheme,
      options.language === "python" ? python() : javascript(),
      EditorView.contentAttributes.of({ "aria-label": options.label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange();
      }),
    ],
  });
  return {
    text: () => view.state.doc.toString(),
    destroy: () => {
      view.destroy();
      holder.remove();
    },
  };
}
