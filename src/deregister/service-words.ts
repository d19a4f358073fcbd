/** What the service said about a failed item, in its own words: Intune wraps its message in a JSON string inside Graph's. */
import { GraphRequestError } from "../graph/errors/graph-request-error.js";

/**
 * Intune's `{"_version":3,"Message":"… - Operation ID …","CustomApiErrorPhrase":"…"}`: its specific phrase when it
 * gives one, else the sentence before its support ids.
 */
function intuneSentence(text: string): string | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    const { Message: message, CustomApiErrorPhrase: phrase } = JSON.parse(text) as { Message?: unknown; CustomApiErrorPhrase?: unknown };
    if (typeof phrase === "string" && phrase.trim() !== "") return phrase.trim();
    return typeof message === "string" ? (message.split(" - Operation ID")[0] ?? message).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** "HTTP 400: <the service's sentence>" for a Graph answer; the error's own one line otherwise (a lost answer, the network). */
export function serviceWords(error: Error): string {
  if (!(error instanceof GraphRequestError)) return error.message;
  const said = error.graphMessage === undefined ? undefined : (intuneSentence(error.graphMessage) ?? error.graphMessage);
  const code = error.graphCode ? `${error.graphCode}: ` : "";
  return said ? `HTTP ${error.status ?? "?"} ${code}${said.replace(/\s+/g, " ")}` : error.message;
}

/** The service's 400 for deleting the Autopilot record of a device still enrolled in Intune (it enforces the order). */
export function isEnrolledRefusal(error: Error): boolean {
  return error instanceof GraphRequestError && error.status === 400 && /enrolled|managed device|managedDevice/i.test(error.graphMessage ?? "");
}
