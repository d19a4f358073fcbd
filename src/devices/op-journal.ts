/**
 * The journal of an `update` or `deregister` run: replayed when the same run is started again, so a row with an
 * outcome is never written again and a write sent by a killed process (an intent without an outcome) is checked
 * before anything else. Intents are fsynced before their requests go; outcomes are batched and fsynced every second.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { JournalRefusedError } from "../errors.js";
import { JournalAppender, scanJournal, type ScanResult } from "../state/journal-file.js";
import { isTornHeader } from "../state/torn-header.js";
import { DEFAULT_OUTCOME_SYNC_MS } from "../state/journal.js";
import { OP_JOURNAL_VERSION, parseOpRecord, type OpRecord, type OpRunRecord } from "./op-records.js";

export type { OpCommand } from "./op-records.js";

/** A row's key: `${fileIndex}:${line}` for a file's rows; the Autopilot device id for a --where run. */
export type OpRowKey = string;

export interface OpOutcome {
  readonly status: string;
  readonly deviceId?: string | undefined;
  readonly message: string;
}

/** A write about to be sent. action: "update" | "delete" | "delete-intune". */
export interface OpIntent {
  readonly key: OpRowKey;
  readonly deviceId: string;
  readonly action: string;
}

export interface OpJournal {
  readonly file: string;
  /** An earlier attempt of the same run was found (resumed); false for a new run. */
  readonly resumed: boolean;
  /** The outcome an earlier attempt recorded for this row, if any (a row with an outcome is never written again). */
  outcomeOf(key: OpRowKey): OpOutcome | undefined;
  /** Writes sent by an earlier attempt that has no outcome for them (killed mid-flight): check these before anything else. */
  inFlight(): readonly OpIntent[];
  /** Durable (fsynced) before the writes are sent. */
  intend(intents: readonly OpIntent[]): void;
  /** Outcomes, buffered and fsynced at most every second, and at finish/close. */
  record(outcomes: ReadonlyArray<{ readonly key: OpRowKey; readonly outcome: OpOutcome }>): void;
  /** Marks the run finished. */
  finish(): void;
  close(): void;
}

/** What a replay of the journal knows: outcomes per row, intents still without one. */
class OpState {
  header: OpRunRecord | undefined;
  finished = false;
  readonly outcomes = new Map<OpRowKey, OpOutcome>();
  readonly intents = new Map<OpRowKey, OpIntent>();

  apply(record: OpRecord): void {
    switch (record.type) {
      case "op-run":
        this.header ??= record;
        return;
      case "op-intent":
        for (const [key, deviceId, action] of record.items) if (!this.outcomes.has(key)) this.intents.set(key, { key, deviceId, action });
        return;
      case "op-outcome":
        for (const [key, status, deviceId, message] of record.items) {
          this.outcomes.set(key, { status, deviceId: deviceId ?? undefined, message });
          this.intents.delete(key);
        }
        return;
      case "op-finished":
        this.finished = true;
        return;
      case "op-session":
        return;
    }
  }
}

class FileOpJournal implements OpJournal {
  readonly #appender: JournalAppender;
  readonly #state: OpState;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  readonly #inFlight: readonly OpIntent[];

  constructor(
    readonly file: string,
    appender: JournalAppender,
    state: OpState,
    readonly resumed: boolean,
    now: () => number,
  ) {
    this.#appender = appender;
    this.#state = state;
    this.#now = now;
    this.#inFlight = [...state.intents.values()];
    this.#timer = setInterval(() => this.#appender.sync(), DEFAULT_OUTCOME_SYNC_MS);
    this.#timer.unref();
  }

  outcomeOf(key: OpRowKey): OpOutcome | undefined {
    return this.#state.outcomes.get(key);
  }

  inFlight(): readonly OpIntent[] {
    return this.#inFlight;
  }

  intend(intents: readonly OpIntent[]): void {
    if (intents.length === 0) return;
    this.#append(intentRecord(intents), true);
  }

  record(outcomes: ReadonlyArray<{ readonly key: OpRowKey; readonly outcome: OpOutcome }>): void {
    if (outcomes.length === 0) return;
    this.#append(outcomeRecord(outcomes), false);
  }

  finish(): void {
    this.#append({ type: "op-finished" }, true);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#appender.close();
  }

  #append(record: WithoutTime<OpRecord>, durable: boolean): void {
    const full = { ...record, at: new Date(this.#now()).toISOString() } as OpRecord;
    this.#appender.append(full, durable);
    this.#state.apply(full);
  }
}

type WithoutTime<R> = R extends unknown ? Omit<R, "at"> : never;

const intentRecord = (intents: readonly OpIntent[]): WithoutTime<Extract<OpRecord, { type: "op-intent" }>> => ({
  type: "op-intent",
  items: intents.map((i) => [i.key, i.deviceId, i.action]),
});

const outcomeRecord = (outcomes: ReadonlyArray<{ readonly key: OpRowKey; readonly outcome: OpOutcome }>): WithoutTime<Extract<OpRecord, { type: "op-outcome" }>> => ({
  type: "op-outcome",
  items: outcomes.map(({ key, outcome }) => [key, outcome.status, outcome.deviceId ?? null, outcome.message]),
});

export type OpRunHeader = Omit<OpRunRecord, "type" | "version" | "at">;

/** Opens the run's journal, replaying what an earlier process left (a torn tail cut off), or creates it. */
export async function openOpJournal(file: string, run: OpRunHeader, now: () => number = Date.now): Promise<{ journal: OpJournal; scan: ScanResult | undefined }> {
  const header: OpRunRecord = { type: "op-run", version: OP_JOURNAL_VERSION, at: new Date(now()).toISOString(), ...run };
  const state = new OpState();
  let appender: JournalAppender;
  let scan: ScanResult | undefined;
  if (existsSync(file)) {
    scan = await scanJournal(file, (record) => state.apply(record), parseOpRecord);
    if (!state.header) {
      // Only a journal whose first record never reached the disk lacks it; anything else is left as it is.
      if (scan.records > 0 || scan.unknown > 0 || !isTornHeader(file, '{"r":{"type":"op-run"')) throw notAnOpJournal(file);
      appender = JournalAppender.reopen(file, 0, true);
      appender.append(header, true);
      state.apply(header);
      scan = undefined;
    } else {
      checkSameRun(file, state.header, header);
      appender = JournalAppender.reopen(file, scan.intactBytes, scan.tornBytes > 0);
    }
  } else {
    appender = JournalAppender.create(file, header);
    state.apply(header);
  }
  const resumed = state.outcomes.size > 0 || state.intents.size > 0;
  const journal = new FileOpJournal(file, appender, state, resumed, now);
  appender.append({ type: "op-session", at: new Date(now()).toISOString(), pid: process.pid, host: hostname(), resumed }, false);
  return { journal, scan };
}

function notAnOpJournal(file: string): JournalRefusedError {
  return new JournalRefusedError(file, "is not a journal of this tool", `${file} is not a journal of this tool (it has no valid run record): nothing was written and the file is left as it is; move it away, or give --fresh to set it aside and start over`);
}

function checkSameRun(file: string, found: OpRunRecord, wanted: OpRunRecord): void {
  const same =
    found.command === wanted.command &&
    found.tenant === wanted.tenant &&
    found.endpoint === wanted.endpoint &&
    found.plan === wanted.plan &&
    found.where === wanted.where &&
    found.files.length === wanted.files.length &&
    found.files.every((f, i) => f.sha256 === wanted.files[i]?.sha256);
  if (!same) throw new JournalRefusedError(file, "belongs to another run", `the journal ${file} belongs to another run (other files, values, tenant or endpoint): move it away, or use --fresh`);
}

/** A journal kept in memory only: a dry run, or standard input (it cannot be read twice, so it cannot be resumed). */
export function memoryOpJournal(): OpJournal {
  const state = new OpState();
  return {
    file: "",
    resumed: false,
    outcomeOf: (key) => state.outcomes.get(key),
    inFlight: () => [],
    intend: (intents) => {
      if (intents.length > 0) state.apply({ ...intentRecord(intents), at: new Date().toISOString() });
    },
    record: (outcomes) => {
      if (outcomes.length === 0) return;
      state.apply({ ...outcomeRecord(outcomes), at: new Date().toISOString() });
    },
    finish: () => undefined,
    close: () => undefined,
  };
}
