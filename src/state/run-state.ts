/**
 * What a run's journal says, replayed into compact state: per row only its serial number, upload, staged id and
 * outcome (messages interned: most are one of a few sentences), per upload whether Graph confirmed it. Never a hash.
 */
import type { TraitName } from "../graph/service-traits.js";
import type { ImportReportRow, ImportRowStatus, Registered, SyncOutcome } from "../pipeline/types.js";
import type { JournalRecord, OutcomeRecord, RunRecord } from "./records.js";

export interface RowOutcome {
  readonly status: ImportRowStatus;
  readonly errorCode: string;
  readonly errorName: string;
  readonly message: string;
  readonly uploadId: string;
  readonly stagedId: string;
  readonly registrationId: string;
  readonly registered: Registered;
  /** --add-to-group's outcome (the report's groups column), when asked. */
  readonly groups?: string;
  /** After the after-import steps (registration check, update of existing devices): nothing left to do. */
  readonly final: boolean;
}

export interface RowState {
  readonly file: number;
  readonly line: number;
  readonly serial: string;
  /** The upload it was last planned in. */
  upload: string | undefined;
  stagedId: string | undefined;
  stagedAt: number | undefined;
  outcome: RowOutcome | undefined;
  /** Handed to the pipeline (its outcome reported, or it is being polled): not reported again after an interruption. */
  reported: boolean;
}

export interface UploadState {
  readonly plannedAt: number;
  readonly size: number;
  /** Graph answered, or reconciliation settled it. */
  confirmed: boolean;
  /** Rows Graph staged or refused in it (0: nothing of it reached the service). */
  settled: number;
}

export interface SessionInfo {
  readonly at: string;
  readonly pid: number;
  readonly host: string;
}

/** Numeric row keys: cheaper than strings in a large Map. */
export function rowKey(file: number, line: number): number {
  return file * 2 ** 32 + line;
}

export class RunState {
  header: RunRecord | undefined;
  readonly rows = new Map<number, RowState>();
  readonly uploads = new Map<string, UploadState>();
  sessions = 0;
  lastSession: SessionInfo | undefined;
  /** Time of the newest record. */
  updatedAt: string | undefined;
  inputRead: { rows: number; valid: number; invalid: number; duplicates: number } | undefined;
  sync: SyncOutcome | undefined;
  finished: { at: string; summary: Record<string, unknown> } | undefined;
  /** Staged records the cleanup deleted. */
  readonly deletedStaged = new Set<string>();
  /** What the run learned of the service (the newest answer per trait). */
  readonly traits = new Map<TraitName, boolean>();
  /** Every upload id the intact records name (planned, answered, or in an outcome). */
  readonly uploadIds = new Set<string>();
  /** Staged record ids in the tenant before the run sent anything (newest baseline record). */
  baseline: ReadonlySet<string> | undefined;
  readonly #messages = new Map<string, string>();

  /**
   * Applies one record. With `createRows` false (records this process writes), only rows already known are
   * updated: a run started afresh keeps no per-row state, so its memory stays flat.
   */
  apply(record: JournalRecord, createRows = true): void {
    this.updatedAt = record.at;
    switch (record.type) {
      case "run":
        this.header = record;
        return;
      case "session":
        this.sessions += 1;
        this.lastSession = { at: record.at, pid: record.pid, host: record.host };
        return;
      case "upload-planned": {
        this.uploadIds.add(record.upload);
        const plannedAt = Date.parse(record.at);
        this.uploads.set(record.upload, { plannedAt, size: record.rows.length, confirmed: false, settled: 0 });
        for (const [file, line, serial] of record.rows) {
          const row = this.#row(file, line, serial, createRows);
          if (!row || row.outcome) continue;
          row.upload = record.upload;
          row.stagedId = undefined;
          row.stagedAt = undefined;
        }
        return;
      }
      case "upload-submitted": {
        this.uploadIds.add(record.upload);
        const upload = this.uploads.get(record.upload);
        if (upload) {
          upload.confirmed = true;
          upload.settled += record.staged.length + record.rejected.length;
        }
        const stagedAt = Date.parse(record.stagedAt);
        for (const [file, line, stagedId] of record.staged) {
          const row = this.rows.get(rowKey(file, line));
          if (!row) continue;
          row.stagedId = stagedId;
          row.stagedAt = stagedAt;
        }
        for (const [file, line] of record.notStaged) {
          const row = this.rows.get(rowKey(file, line));
          if (row && row.upload === record.upload && !row.outcome) row.upload = undefined;
        }
        return;
      }
      case "device-outcome": {
        const row = this.#row(record.f, record.l, record.serial, createRows);
        if (row) row.outcome = this.#outcome(record);
        if (record.uploadId !== "") this.uploadIds.add(record.uploadId);
        return;
      }
      case "input-read":
        this.inputRead = { rows: record.rows, valid: record.valid, invalid: record.invalid, duplicates: record.duplicates };
        return;
      case "sync":
        this.sync = { status: record.status, message: record.message, ...(record.retryAt ? { retryAt: record.retryAt } : {}) };
        return;
      case "staged-deleted":
        for (const id of record.ids) this.deletedStaged.add(id);
        return;
      case "service-trait":
        this.traits.set(record.name, record.value);
        return;
      case "staged-baseline":
        this.baseline = new Set(record.ids);
        return;
      case "run-finished":
        this.finished = { at: record.at, summary: record.summary };
        return;
    }
  }

  /** Uploads planned that Graph never confirmed: their rows without an outcome must be reconciled before any is sent again. */
  unconfirmedUploads(): Array<{ id: string; plannedAt: number; rows: RowState[] }> {
    const open = new Map<string, RowState[]>();
    for (const row of this.rows.values()) {
      if (row.outcome || row.stagedId || row.upload === undefined) continue;
      const upload = this.uploads.get(row.upload);
      if (!upload || upload.confirmed) continue;
      let list = open.get(row.upload);
      if (!list) open.set(row.upload, (list = []));
      list.push(row);
    }
    return [...open].map(([id, rows]) => ({ id, plannedAt: this.uploads.get(id)?.plannedAt ?? 0, rows }));
  }

  /** Staged rows without an outcome, oldest first. */
  inFlight(): RowState[] {
    return [...this.rows.values()].filter((row) => row.stagedId !== undefined && !row.outcome).sort((a, b) => (a.stagedAt ?? 0) - (b.stagedAt ?? 0));
  }

  /** The report row of a row with an outcome; `name` is the file as the current invocation names it. */
  reportRow(row: RowState, name: string): ImportReportRow | undefined {
    const o = row.outcome;
    if (!o) return undefined;
    return {
      file: name,
      line: row.line,
      serialNumber: row.serial,
      status: o.status,
      errorCode: o.errorCode,
      errorName: o.errorName,
      message: o.message,
      // Not journaled: the resumed run fills them in from its row (src/pipeline/resume.ts).
      groupTag: "",
      assignedUser: "",
      uploadId: o.uploadId,
      importedDeviceId: o.stagedId,
      deviceRegistrationId: o.registrationId,
      registered: o.registered,
      ...(o.groups !== undefined ? { groups: o.groups } : {}),
    };
  }

  #row(file: number, line: number, serial: string, create: boolean): RowState | undefined {
    const key = rowKey(file, line);
    let row = this.rows.get(key);
    if (!row && create) {
      row = { file, line, serial, upload: undefined, stagedId: undefined, stagedAt: undefined, outcome: undefined, reported: false };
      this.rows.set(key, row);
    }
    return row;
  }

  #outcome(record: OutcomeRecord): RowOutcome {
    return {
      status: record.status,
      errorCode: record.errorCode,
      errorName: record.errorName,
      message: this.#intern(record.message),
      uploadId: record.uploadId,
      stagedId: record.stagedId,
      registrationId: record.registrationId,
      registered: record.registered,
      ...(record.groups !== undefined ? { groups: record.groups } : {}),
      final: record.phase === "final",
    };
  }

  #intern(text: string): string {
    if (text === "") return text;
    const known = this.#messages.get(text);
    if (known !== undefined) return known;
    this.#messages.set(text, text);
    return text;
  }
}
