import { pipeline } from "node:stream/promises";
import type { RowResult, SourceLocation } from "../model/device.js";
import type { DuplicateTracker } from "../model/duplicates.js";
import type { Delimiter } from "./delimiter.js";
import { describeParseFailure, describeReadError } from "./describe-error.js";
import { inspectHead, readHead, type Head } from "./head.js";
import { mapHeader, type ColumnMap } from "./header.js";
import { LineTracker } from "./line-breaks.js";
import { openInput, type InputSources } from "./open-input.js";
import { OversizedQuoteNotClosedError, RecordParser, type ParsedItem } from "./record-parser.js";
import { oversizedRowResult, toRowResult } from "./row-result.js";
import { transcodeStage, Utf8Transcoder } from "./transcoder.js";
import type { FileSummary, RowOverrides } from "./types.js";

export interface FileReadContext extends InputSources {
  readonly tracker: DuplicateTracker;
  readonly overrides?: RowOverrides | undefined;
}

/**
 * What a kind of file makes of its records: the header's columns, then one row per data record (also for a record cut
 * as longer than 1 MB). The reading itself (encoding, delimiter, lines, oversized rows, pinned bytes) is shared.
 */
export interface RowSchema<Row, Columns> {
  mapHeader(record: readonly string[]): { readonly ok: true; readonly columns: Columns } | { readonly ok: false; readonly error: string };
  toRow(record: readonly string[], columns: Columns, location: SourceLocation): Row;
  oversized(fields: readonly string[], columns: Columns, location: SourceLocation): Row;
}

/** The import's device rows: hashes validated, duplicates tracked across files, --group-tag/--assigned-user applied. */
function deviceSchema(context: FileReadContext, delimiter: Delimiter): RowSchema<RowResult, ColumnMap> {
  return {
    mapHeader,
    toRow: (record, columns, location) => toRowResult(record, columns, delimiter, location, context.tracker, context.overrides),
    oversized: oversizedRowResult,
  };
}

/** Replays the head already read, then the rest of the input: the parser sees the file from its first byte. */
async function* replay(head: Head, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head.chunks;
    if (head.ended) return;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.();
  }
}

/**
 * Streams one input's rows as RowResults, filling in `summary` as it goes. Never throws for a bad file: the reason
 * goes into `summary.error` and the rows read before it stay reported. Throws only when `signal` aborts.
 */
export function readDeviceFile(summary: FileSummary, context: FileReadContext): AsyncGenerator<RowResult> {
  return readCsvFile(summary, context, (delimiter) => deviceSchema(context, delimiter));
}

/** Streams one input's rows as `schema` makes them (see readDeviceFile for the contract). */
export async function* readCsvFile<Row, Columns>(
  summary: FileSummary,
  context: InputSources,
  schemaFor: (delimiter: Delimiter) => RowSchema<Row, Columns>,
): AsyncGenerator<Row> {
  context.signal?.throwIfAborted();
  const opened = openInput(summary.path, context);
  if ("error" in opened) {
    summary.error = opened.error;
    return;
  }
  const source = opened.stream;
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head: Head;
  try {
    head = await readHead(iterator);
  } catch (error) {
    source.destroy();
    if (context.signal?.aborted) throw error;
    summary.error = describeReadError(error);
    return;
  }
  const inspection = inspectHead(head);
  summary.encoding = inspection.encoding;
  if (!inspection.ok) {
    source.destroy();
    summary.error = inspection.error;
    return;
  }
  const { delimiter } = inspection;
  summary.delimiter = delimiter;
  const schema = schemaFor(delimiter);

  const transcoder = new Utf8Transcoder((label) => (summary.encoding = label));
  const parser = new RecordParser(delimiter);
  const done = pipeline(replay(head, iterator), transcodeStage(transcoder), parser, { signal: context.signal });
  done.catch(() => undefined); // a failure also reaches the parser's iterator, where it is handled
  let columns: Columns | undefined;
  const lines = new LineTracker();
  let lastLine = 0;
  /** The last oversized row: its line, and the line it was cut on (the skip starts there). */
  let oversized: { readonly line: number; readonly cutLine: number } | undefined;
  let complete = false;
  try {
    for await (const item of parser as AsyncIterable<ParsedItem>) {
      if ("failure" in item) {
        summary.error =
          item.failure instanceof OversizedQuoteNotClosedError && oversized
            ? describeUnclosedOversized(item.failure, oversized.line, oversized.cutLine)
            : describeParseFailure(item.failure, lastLine, lines);
        break;
      }
      const { record } = item;
      // Every record goes through the tracker, skipped ones too: a line break inside one shifts the lines after it.
      const line = lines.startLine(record, item.lines);
      if (isBlankRecord(record)) {
        // `,,,,` lines (Excel leftovers) carry no device: like blank lines, not rows.
        lastLine = lines.trueLine(item.lines);
        continue;
      }
      if (item.oversized) {
        if (columns === undefined) {
          summary.error = "the header line is longer than 1 MB: not a device hash export";
          break;
        }
        oversized = { line, cutLine: lines.trueLine(item.lines) };
        summary.rows++;
        yield schema.oversized(record, columns, { file: summary.path, line });
        lastLine = oversized.cutLine;
        continue;
      }
      if (columns === undefined) {
        const mapping = schema.mapHeader(record);
        if (!mapping.ok) {
          summary.error = mapping.error;
          break;
        }
        columns = mapping.columns;
      } else {
        summary.rows++;
        yield schema.toRow(record, columns, { file: summary.path, line });
      }
      lastLine = lines.trueLine(item.lines);
    }
    complete = summary.error === null;
    if (complete) await done;
    if (complete) summary.error = opened.afterEnd?.() ?? null; // read to its end as fingerprinted, yet changed since
  } catch (error) {
    if (context.signal?.aborted) throw error;
    // Where it broke off: every row up to that line has its result, none after it was read.
    summary.error = lastLine > 0 ? `${describeReadError(error)} after line ${lastLine}` : describeReadError(error);
  } finally {
    if (!complete) {
      parser.destroy();
      source.destroy();
    }
  }
}

/** The file stop after an oversized row whose quoted value never closed: the lines it swallowed, exactly. */
function describeUnclosedOversized(error: OversizedQuoteNotClosedError, line: number, cutLine: number): string {
  const last = cutLine + error.lineBreaks - (error.endsWithBreak ? 1 : 0);
  const swallowed =
    last === line + 1
      ? `line ${last} (the end of the file) was inside it and not read as a row`
      : last > line
        ? `lines ${line + 1}-${last} (the end of the file) were inside it and not read as rows`
        : "nothing follows it";
  return `the quoted value on line ${line} (a row rejected as longer than 1 MB) is never closed: ${swallowed}`;
}

/** A record whose values are all white space. */
function isBlankRecord(record: readonly string[]): boolean {
  for (const value of record) if (value.trim() !== "") return false;
  return true;
}
