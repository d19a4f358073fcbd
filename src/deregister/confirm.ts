/**
 * The safety catch of a deletion without --yes: a person at a terminal (stdin and stderr both a TTY) is shown how many
 * records would go and the first serials, and must type the exact word `yes`; anywhere else (a pipe, a scheduled
 * job) the command refuses before anything is read from Graph.
 */
import { createInterface } from "node:readline/promises";
import type { Readable, Writable } from "node:stream";
import { UsageError } from "../errors.js";
import type { DeviceListReader } from "../devices/list-reader.js";

/** Serials shown in the question. */
const SHOWN = 5;

export interface ConfirmIo {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly signal: AbortSignal;
}

export const REFUSAL =
  "deregister: refusing to delete without --yes when not at a terminal (stdin and stderr must both be one to confirm): check the list with --dry-run, then add --yes";

/** Whether the person may be asked at all; throws the refusal otherwise. */
export function assertCanAsk(io: ConfirmIo, files: readonly string[]): void {
  if (files.includes("-")) throw new UsageError("deregister: the list comes from standard input, so it cannot be confirmed there: add --yes (check it first with --dry-run)");
  if (io.stdin.isTTY !== true || io.stderr.isTTY !== true) throw new UsageError(REFUSAL);
}

/** Reads the list once (rows only, no Graph), asks, and throws unless the answer is exactly `yes`. */
export async function confirmDeletion(io: ConfirmIo, reader: DeviceListReader, deleteIntuneRecord: boolean): Promise<void> {
  let count = 0;
  const first: string[] = [];
  for await (const row of reader.rows()) {
    if (row.status !== "valid") continue;
    count += 1;
    if (first.length < SHOWN) first.push(row.device.serialNumber);
  }
  if (count === 0) return; // nothing would be deleted: the run reports the rows as they are
  const more = count > first.length ? `, … and ${count - first.length} more` : "";
  const intune = deleteIntuneRecord ? ", and the Intune managed devices of those enrolled," : "";
  io.stderr.write(`This deletes the Autopilot records${intune} of ${count} serial number${count === 1 ? "" : "s"} (${first.join(", ")}${more}), as listed.\n`);
  const prompt = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  let answer: string;
  try {
    // The input ending (Ctrl-D) is no answer, not a hang.
    answer = await new Promise<string>((resolve, reject) => {
      prompt.once("close", () => resolve(""));
      prompt.question("Type yes to delete them: ", { signal: io.signal }).then(resolve, reject);
    });
  } catch (error) {
    if (io.signal.aborted) throw error;
    answer = "";
  } finally {
    prompt.close();
  }
  if (answer.trim() !== "yes") throw new UsageError(`deregister: not confirmed (the answer was not 'yes'): nothing was deleted`);
}
