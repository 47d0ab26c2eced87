// The test panel's saved events: a function's events kept in the cluster (ListTestEvents, PutTestEvent,
// DeleteTestEvent), so every browser and every user of the console sees the same ones.
import { useState } from "preact/hooks";
import type { LambdaApi } from "./api.js";
import { ErrorNotice, useLoad } from "./components.js";

export function SavedEvents(props: { api: LambdaApi; name: string; event: string; onLoad: (event: string) => void }) {
  const saved = useLoad(() => props.api.listTestEvents(props.name), `test-events:${props.name}`);
  const [selected, setSelected] = useState("");
  const [newName, setNewName] = useState("");
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();

  const act = async (action: () => Promise<string>): Promise<void> => {
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await action());
      saved.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  const choose = (eventName: string): void => {
    setSelected(eventName);
    const found = saved.data?.find((candidate) => candidate.Name === eventName);
    if (found) props.onLoad(found.Event);
  };

  return (
    <div class="saved-events" role="group" aria-label="Saved test events">
      <div class="inline-form">
        <label>
          Saved event
          <select value={selected} onChange={(change) => choose(change.currentTarget.value)}>
            <option value="">{saved.data && saved.data.length === 0 ? "(none saved)" : "Choose a saved event"}</option>
            {(saved.data ?? []).map((item) => (
              <option key={item.Name} value={item.Name}>
                {item.Name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="danger"
          disabled={selected === ""}
          onClick={() =>
            void act(async () => {
              await props.api.deleteTestEvent(props.name, selected);
              setSelected("");
              return `Deleted ${selected}.`;
            })
          }
        >
          Delete saved event
        </button>
        <label>
          Save as
          <input value={newName} maxLength={25} pattern="[A-Za-z0-9_\-]{1,25}" placeholder="name" onInput={(input) => setNewName(input.currentTarget.value)} />
        </label>
        <button
          type="button"
          disabled={newName.trim() === ""}
          onClick={() =>
            void act(async () => {
              const name = newName.trim();
              await props.api.saveTestEvent(props.name, name, props.event);
              setSelected(name);
              setNewName("");
              return `Saved ${name}.`;
            })
          }
        >
          Save event
        </button>
      </div>
      {notice ? (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} title="Not saved." /> : null}
      {saved.error ? <ErrorNotice error={saved.error} /> : null}
    </div>
  );
}
