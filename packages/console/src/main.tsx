// The console's entry: renders the app into the page the frontend served.
import { render } from "preact";
import { App } from "./app.js";

render(<App />, document.getElementById("app")!);
