/**
 * Opening a run's journal: an existing one is replayed (a torn tail cut off) and checked to be this run's; a missing
 * one is created with the run record first. A file that is not a journal is refused and left as it is.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { JournalRefusedError } from "../errors.js";
import { JournalAppender, type ScanResult } from "./journal-file.js";
import { FileJournal } from "./journal.js";
import { JOURNAL_VERSION, type RunRecord } from "./records.js";
import { replayJournal } from "./replay.js";
import { RunState } from "./run-state.js";
import { isTornHeader } from "./torn-header.js";

export interface OpenJournalOptions {
  readonly file: string;
  /** What the run is: checked against the journal's first record when it exists. */
  readonly run: Omit<RunRecord, "type" | "version" | "at">;
  readonly now?: () => number;
  readonly pid?: number;
  readonly host?: string;
  readonly outcomeSyncMs?: number;
}

export interface OpenedJournal {
  readonly journal: FileJournal;
  /** How the existing journal read back (undefined for a new one). */
  readonly scan: ScanResult | undefined;
}

/** Opens the run's journal, replaying what an earlier process left (a torn tail is cut off), or creates it. */
export async function openJournal(options: OpenJournalOptions): Promise<OpenedJournal> {
  const now = options.now ?? Date.now;
  const header: RunRecord = { type: "run", version: JOURNAL_VERSION, at: new Date(now()).toISOString(), ...options.run };
  let appender: JournalAppender;
  let scan: ScanResult | undefined;
  let state: RunState;
  if (existsSync(options.file)) {
    ({ state, scan } = await replayJournal(options.file));
    if (!state.header) {
      // Only a journal whose first record never reached the disk lacks it; anything else is not a journal: left as it is.
      if (scan.records > 0 || scan.unknown > 0 || !isTornHeader(options.file)) throw notAJournal(options.file);
      appender = JournalAppender.reopen(options.file, 0, true);
      appender.append(header, true);
      state.apply(header);
      scan = undefined;
    } else {
      checkSameRun(options.file, state.header, header);
      appender = JournalAppender.reopen(options.file, scan.intactBytes, scan.tornBytes > 0);
    }
  } else {
    state = new RunState();
    appender = JournalAppender.create(options.file, header);
    state.apply(header);
  }
  const journal = new FileJournal(appender, state, options, now);
  journal.append({ type: "session", pid: options.pid ?? process.pid, host: options.host ?? hostname(), resumed: journal.resumed }, false);
  return { journal, scan };
}

const notAJournal = (file: string): JournalRefusedError =>
  new JournalRefusedError(file, "is not a journal of this tool", `${file} is not a journal of this tool (it has no valid run record): nothing was sent and the file is left as it is; move it away, or give --fresh to set it aside and start these files over`);

function checkSameRun(file: string, found: RunRecord, wanted: RunRecord): void {
  const same =
    found.tenant === wanted.tenant &&
    found.endpoint === wanted.endpoint &&
    found.files.length === wanted.files.length &&
    found.files.every((f, i) => f.sha256 === wanted.files[i]?.sha256);
  if (!same) throw new JournalRefusedError(file, "belongs to another run", `the journal ${file} belongs to another run (other files, tenant or endpoint): move it away, or use --fresh`);
}

