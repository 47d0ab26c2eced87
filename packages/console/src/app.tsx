// The console's frame: sign-in when the API takes only signed calls, then the header and the page the URL names.
import { useMemo, useState } from "preact/hooks";
import { LambdaApi } from "./api.js";
import { ClusterPage } from "./cluster-page.js";
import { Link } from "./components.js";
import { FunctionPage } from "./function-page.js";
import { FunctionsPage } from "./functions-page.js";
import { hrefOf, useRoute } from "./router.js";
import { consoleSettings, storeAccessKey, storedAccessKey } from "./session.js";
import { SignIn } from "./sign-in.js";
import { UsagePage } from "./usage-page.js";
import { WorkflowPage, WorkflowsPage } from "./workflows-page.js";
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
          <Link href={hrefOf({ page: "workflows" })} current={route.page === "workflows" || route.page === "workflow"}>
            Workflows
          </Link>
          <Link href={hrefOf({ page: "usage" })} current={route.page === "usage"}>
            Usage
          </Link>
          <Link href={hrefOf({ page: "cluster" })} current={route.page === "cluster"}>
            Cluster
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
          <FunctionPage api={api} name={route.name} tab={route.tab} requestId={route.requestId} />
        ) : route.page === "cluster" ? (
          <ClusterPage api={api} />
        ) : route.page === "usage" ? (
          <UsagePage api={api} />
        ) : route.page === "workflows" ? (
          <WorkflowsPage api={api} />
        ) : route.page === "workflow" ? (
          <WorkflowPage api={api} stateMachine={route.stateMachine} execution={route.execution} />
        ) : (
          <FunctionsPage api={api} />
        )}
      </main>
    </>
  );
}
