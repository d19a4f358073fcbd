import type { RowResult } from "../model/device.js";
import { DuplicateTracker } from "../model/duplicates.js";
import { readDeviceFile } from "./read-file.js";
import type { DeviceReader, FileSummary, ReaderOptions } from "./types.js";

/**
 * Opens a reader over `inputs` (file paths, or "-" for `options.stdin`), read in order as one stream of rows.
 * Duplicates are tracked across all inputs. Nothing is read until `rows()` is iterated, which may happen once.
 */
export function openDeviceReader(inputs: readonly string[], options: ReaderOptions = {}): DeviceReader {
  const files: FileSummary[] = inputs.map((path) => ({ path, rows: 0, encoding: null, delimiter: null, error: null }));
  let iterated = false;
  async function* rows(): AsyncGenerator<RowResult> {
    if (iterated) throw new Error("a DeviceReader's rows() can be iterated only once");
    iterated = true;
    const tracker = new DuplicateTracker();
    let stdin = options.stdin;
    for (const summary of files) {
      const fromStdin = summary.path === "-";
      yield* readDeviceFile(summary, { tracker, stdin: fromStdin ? stdin : undefined, signal: options.signal, cwd: options.cwd, overrides: options.overrides, pinned: options.pinned });
      if (fromStdin) stdin = undefined; // a stream can be read only once
    }
  }
  return { files, rows };
}
