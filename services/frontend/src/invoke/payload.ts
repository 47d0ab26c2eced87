// The invocation payload limits and checks the frontend applies: shared with the worker (a function
// invoking another is held to the same), so they live in @lambent/protocol.
export { PayloadLimits, checkPayload, payloadLimit, requestTooLarge } from "@lambent/protocol";
