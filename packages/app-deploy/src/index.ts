// Deploying SAM templates to a Lambent cluster through its API: used by the CLI and by the frontend's
// deploy route, which differ only in how the client's requests are sent and where the reports go.
export * from "./api-client.js";
export * from "./sfn-client.js";
export * from "./applications.js";
export * from "./application-lock.js";
export * from "./application-revision.js";
export * from "./deploy-journal.js";
export * from "./deploy-result.js";
export * from "./reporter.js";
export * from "./stack-apply.js";
export * from "./stack-deployments.js";
export * from "./stack-layers.js";
export * from "./stack-notifications.js";
export * from "./stack-revision.js";
export * from "./stack-state-machines.js";
export * from "./template-code.js";
export * from "./template-deploy.js";
export * from "./zip-folder.js";
