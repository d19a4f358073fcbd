/** Library entry point: the CLI is a thin shell over these. */
export * from "./errors.js";
export * from "./model/device.js";
