// Sign-in with an access key of the cluster: checked with one signed ListFunctions before it is kept.
import { useState } from "preact/hooks";
import { LambdaApi } from "./api.js";
import { ErrorNotice } from "./components.js";
import type { AccessKey } from "./signing.js";

export function SignIn(props: { region: string; onSignIn: (key: AccessKey) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const key = { accessKeyId: String(form.get("accessKeyId") ?? "").trim(), secretAccessKey: String(form.get("secretAccessKey") ?? "") };
    setBusy(true);
    setError(undefined);
    try {
      await new LambdaApi(props.region, key).checkAccess();
      props.onSignIn(key);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <section class="panel sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>This cluster takes only signed API calls. Sign in with one of its access keys; the console signs every call with it (SigV4) and keeps it in this tab only.</p>
      <form onSubmit={(event) => void submit(event)}>
        <label>
          Access key ID
          <input name="accessKeyId" autoComplete="username" required autoFocus spellcheck={false} />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" autoComplete="current-password" required />
        </label>
        {error ? <ErrorNotice error={error} title="Sign-in failed." /> : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </section>
  );
}
