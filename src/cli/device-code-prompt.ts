/** Where a device-code sign-in shows its URL and code: this command's stderr (stdout carries only --json). */
import type { DeviceCodePrompt } from "../graph/delegated.js";
import type { CliContext } from "./context.js";

export function deviceCodePrompt(context: Pick<CliContext, "stderr">): (prompt: DeviceCodePrompt) => void {
  return (prompt) => {
    context.stderr.write(`${prompt.message}\n`);
  };
}
