// The console's frame: sign-in when the API takes only signed calls, then the header and the page the URL names.
import { useMemo, useState } from "preact/hooks";
import { LambdaApi } from "./api.js";
import { Link } from "./components.js";
import { FunctionPage } from "./function-page.js";
import { FunctionsPage } from "./functions-page.js";
import { hrefOf, useRoute } from "./router.js";
import { consoleSettings, storeAccessKey, storedAccessKey } from "./session.js";
import { SignIn } from "./sign-in.js";
import type { AccessKey } from "./signing.js";

export function App() {
  const settings = useMemo(consoleSettings, []);
  const [accessKey, setAccessKey] = useState<AccessKey | undefined>(() => (settings.signed ? storedAccessKey() : undefined));
  const route = useRoute();
  const api = useMemo(() => new LambdaApi(settings.region, accessKey), [settings.region, accessKey]);

  const signIn = (key: AccessKey): void => {
    storeAccessKey(key);
    setAccessKey(key);
  };
  const signOut = (): void => {
    storeAccessKey(undefined);
    setAccessKey(undefined);
  };

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <Link href={hrefOf({ page: "functions" })} class="brand">
          Lambent
        </Link>
        <nav aria-label="Console">
          <Link href={hrefOf({ page: "functions" })} current={route.page === "functions"}>
            Functions
          </Link>
        </nav>
        {settings.signed && accessKey ? (
          <div class="identity">
            <span title="Access key id">{accessKey.accessKeyId}</span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {settings.signed && !accessKey ? (
          <SignIn region={settings.region} onSignIn={signIn} />
        ) : route.page === "function" ? (
          <FunctionPage api={api} name={route.name} tab={route.tab} />
        ) : (
          <FunctionsPage api={api} />
        )}
      </main>
    </>
  );
}
