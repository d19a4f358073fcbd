export { GraphRequestError } from "./graph-request-error.js";
export { OutcomeUnknownError } from "./outcome-unknown-error.js";
export { GraphNetworkError } from "./graph-network-error.js";
export type { RequestInfo, ResponseInfo } from "./attach.js";
