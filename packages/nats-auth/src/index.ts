// NATS credentials for Lambent's services and the nats-server configuration that enforces their permissions.
export { allCredentials, createNatsCredential, createNatsCredentials, type NatsCredential, type NatsCredentials } from "./credentials.js";
export { natsAuthorizationBlock, natsTlsBlock, type NatsTlsFiles } from "./server-config.js";
export { natsCredentialEnv } from "./service-env.js";
