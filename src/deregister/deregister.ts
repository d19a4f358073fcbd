/**
 * The deregistration of a device list: each row's serial is found exactly (never guessed), an enrolled device is left
 * alone unless its Intune record is to be deleted first, and the Autopilot records go by DELETE, JSON-batched within
 * the write budget, then are followed until the service has removed them. Every write is journaled as an intent
 * before it is sent and as an outcome after, so a re-run after a kill never sends a DELETE twice; every input row gets
 * exactly one report row. Chunks of rows are looked up as the list streams in: the tenant is never loaded.
 */
import type { WriteLimit } from "../after/write-pacer.js";
import { WritePacer } from "../after/write-pacer.js";
import { REGISTERED_PATH } from "../after/registered.js";
import { ServiceError } from "../errors.js";
import type { DeviceListReader } from "../devices/list-reader.js";
import type { OpJournal } from "../devices/op-journal.js";
import type { GraphClient } from "../graph/client.js";
import { OutcomeUnknownError } from "../graph/errors/outcome-unknown-error.js";
import type { SourceLocation } from "../model/device.js";
import { sleep as realSleep, type Sleep } from "../util/abort.js";
import { formatDuration } from "../util/duration.js";
import type { Logger } from "../util/logger.js";
import { findRecords, MANAGED_PATH, type FoundRecord } from "./find.js";
import { DeletionFollower, type Followed } from "./follow.js";
import { messages } from "./messages.js";
import { sendPaced, type PacedWritesRuntime } from "./paced-writes.js";
import { AUTOPILOT_PERMISSION } from "./permissions.js";
import { isEnrolledRefusal, serviceWords } from "./service-words.js";
import { emptyCounts, type DeregisterCounts, type DeregisterReportRow, type DeregisterStatus, type DeregisterSummary, type ListedRow } from "./types.js";

/** Serials looked up together as the list streams in (5 JSON batches of 20). */
export const LOOKUP_CHUNK = 100;

export interface DeregisterOptions {
  readonly client: GraphClient;
  readonly rows: DeviceListReader["rows"];
  /** The journal key of a row (`${fileIndex}:${line}`). */
  readonly keyOf: (location: SourceLocation) => string;
  /** Undefined: --dry-run (reads only, nothing journaled, nothing deleted). */
  readonly journal: OpJournal | undefined;
  readonly deleteIntuneRecord: boolean;
  /** How long each accepted deletion is followed before it is reported `pending`. */
  readonly deadlineMs: number;
  readonly writeLimit: WriteLimit;
  readonly report: (row: DeregisterReportRow) => Promise<void>;
  readonly signal: AbortSignal;
  readonly logger?: Logger | undefined;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  readonly onProgress?: (counts: Readonly<DeregisterCounts>, following: number) => void;
}

interface Deleting {
  readonly row: ListedRow;
  readonly intuneId: string;
}

export async function deregisterDevices(options: DeregisterOptions): Promise<DeregisterSummary> {
  return new DeregisterRun(options).run();
}

class DeregisterRun {
  readonly #o: DeregisterOptions;
  readonly #counts = emptyCounts();
  readonly #writes: PacedWritesRuntime;
  readonly #follower: DeletionFollower<Deleting>;
  /** Deletes an earlier attempt sent without an outcome, and Intune deletes it sent: by row key. */
  readonly #inFlightDeletes = new Map<string, string>();
  readonly #inFlightIntune = new Map<string, string>();
  #chain: Promise<void> = Promise.resolve();
  #rows = 0;
  #resumed = 0;
  #intuneDeleted = 0;
  #intunePermissionMissing = false;

  constructor(options: DeregisterOptions) {
    this.#o = options;
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? realSleep;
    this.#writes = { client: options.client, pacer: new WritePacer(options.writeLimit, now()), now, sleep, signal: options.signal };
    this.#follower = new DeletionFollower<Deleting>({
      client: options.client,
      deadlineMs: options.deadlineMs,
      now,
      sleep,
      signal: options.signal,
      settled: (followed, result) => this.#settled(followed as Followed<Deleting>, result),
    });
    for (const intent of options.journal?.inFlight() ?? []) {
      if (intent.action === "delete") this.#inFlightDeletes.set(intent.key, intent.deviceId);
      else if (intent.action === "delete-intune") this.#inFlightIntune.set(intent.key, intent.deviceId);
    }
  }

  async run(): Promise<DeregisterSummary> {
    const requestsAtStart = this.#o.client.stats.requests;
    try {
      let chunk: ListedRow[] = [];
      for await (const result of this.#o.rows()) {
        this.#rows += 1;
        const { location } = result;
        if (result.status !== "valid") {
          this.#emit({ key: "", location, serialNumber: result.serialNumber }, result.status, "", "", result.message);
          continue;
        }
        const row: ListedRow = { key: this.#o.keyOf(location), location, serialNumber: result.device.serialNumber };
        const earlier = this.#o.journal?.outcomeOf(row.key);
        if (earlier) {
          this.#resumed += 1;
          this.#emit(row, earlier.status as DeregisterStatus, earlier.deviceId ?? "", "", earlier.message);
          continue;
        }
        const sent = this.#inFlightDeletes.get(row.key);
        if (sent !== undefined) {
          // Killed after this DELETE was journaled: it may have gone or not. A lingering record (deleted, not yet
          // removed) answers exactly like one whose DELETE never arrived, so it is followed, never sent again: a
          // second DELETE is what "nothing deleted twice" forbids. Still listed at the deadline, it is `pending`.
          this.#follower.add([{ id: sent, item: { row, intuneId: this.#inFlightIntune.get(row.key) ?? "" } }]);
          continue;
        }
        chunk.push(row);
        if (chunk.length >= LOOKUP_CHUNK) {
          await this.#process(chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) await this.#process(chunk);
      await this.#follower.done();
      await this.#chain;
    } finally {
      this.#follower.stop();
    }
    return {
      rows: this.#rows,
      counts: { ...this.#counts },
      intuneDeleted: this.#intuneDeleted,
      resumedRows: this.#resumed,
      intunePermissionMissing: this.#intunePermissionMissing,
      requests: this.#o.client.stats.requests - requestsAtStart,
    };
  }

  async #process(rows: readonly ListedRow[]): Promise<void> {
    const { found, settled } = await findRecords(this.#o.client, rows, this.#o.signal);
    for (const done of settled) this.#emit(done.row, done.status, done.autopilotId, "", done.message);
    const intuneFirst: Array<FoundRecord & { managedId: string }> = [];
    const direct: Array<{ found: FoundRecord; intuneId: string }> = [];
    for (const record of found) {
      const { enrolment, device, row } = record;
      if (enrolment.kind === "yes" && !this.#o.deleteIntuneRecord) this.#emit(row, "enrolled", device.id, "", messages.enrolled(enrolment.managedId));
      else if (enrolment.kind !== "no" && this.#o.deleteIntuneRecord) {
        if (this.#intunePermissionMissing) this.#emit(row, "failed", device.id, "", messages.intuneDenied(enrolment.managedId));
        else intuneFirst.push({ ...record, managedId: enrolment.managedId });
      } else direct.push({ found: record, intuneId: enrolment.kind === "no" ? (this.#inFlightIntune.get(row.key) ?? "") : "" });
    }
    if (this.#o.journal === undefined) {
      for (const { found: record } of direct) this.#emit(record.row, "would_delete", record.device.id, "", messages.wouldDelete(undefined));
      for (const record of intuneFirst) this.#emit(record.row, "would_delete", record.device.id, "", messages.wouldDelete(record.managedId));
    } else {
      direct.push(...(await this.#deleteIntune(this.#o.journal, intuneFirst)));
      await this.#deleteAutopilot(this.#o.journal, direct);
    }
    // Backpressure: the report keeps up with the rows read.
    await this.#chain;
  }

  /** Intune managed devices first (--delete-intune-record): those gone (or already gone) go on to their Autopilot DELETE. */
  async #deleteIntune(journal: OpJournal, records: ReadonlyArray<FoundRecord & { managedId: string }>): Promise<Array<{ found: FoundRecord; intuneId: string }>> {
    if (records.length === 0) return [];
    const requests = records.map((record) => ({ method: "DELETE" as const, path: `${MANAGED_PATH}/${encodeURIComponent(record.managedId)}` }));
    const results = await sendPaced(this.#writes, requests, (sent) =>
      journal.intend(sent.map((i) => ({ key: records[i]!.row.key, deviceId: records[i]!.managedId, action: "delete-intune" }))),
    );
    const next: Array<{ found: FoundRecord; intuneId: string }> = [];
    records.forEach((record, i) => {
      const answer = results[i]!;
      if (answer.ok || answer.status === 404) {
        if (answer.ok) this.#intuneDeleted += 1;
        next.push({ found: record, intuneId: record.managedId });
      } else if (answer.status === 401 || answer.status === 403) {
        this.#intunePermissionMissing = true;
        this.#emit(record.row, "failed", record.device.id, "", messages.intuneDenied(record.managedId, serviceWords(answer.error)), journal);
      } else this.#emit(record.row, "failed", record.device.id, "", messages.intuneFailed(record.managedId, serviceWords(answer.error)), journal);
    });
    return next;
  }

  async #deleteAutopilot(journal: OpJournal, items: ReadonlyArray<{ found: FoundRecord; intuneId: string }>): Promise<void> {
    if (items.length === 0) return;
    // Not idempotent for the client's retries: a DELETE whose answer was lost is followed, never sent again.
    const requests = items.map(({ found }) => ({ method: "DELETE" as const, path: `${REGISTERED_PATH}/${encodeURIComponent(found.device.id)}`, idempotent: false }));
    const results = await sendPaced(this.#writes, requests, (sent) =>
      journal.intend(sent.map((i) => ({ key: items[i]!.found.row.key, deviceId: items[i]!.found.device.id, action: "delete" }))),
    );
    let denied: Error | undefined;
    items.forEach(({ found, intuneId }, i) => {
      const answer = results[i]!;
      const id = found.device.id;
      if (answer.ok || (!answer.ok && answer.error instanceof OutcomeUnknownError)) this.#follower.add([{ id, item: { row: found.row, intuneId } }]);
      else if (answer.status === 404) this.#emit(found.row, "deleted", id, intuneId, messages.alreadyGone(intuneId), journal);
      else if (isEnrolledRefusal(answer.error)) this.#emit(found.row, "enrolled", id, intuneId, messages.enrolledRefused(serviceWords(answer.error)), journal);
      else {
        if (answer.status === 401 || answer.status === 403) denied = answer.error;
        this.#emit(found.row, "failed", id, intuneId, messages.deleteFailed(serviceWords(answer.error)), journal);
      }
    });
    if (denied) {
      await this.#chain;
      // Every other DELETE would be refused the same way: stop, with the permission named.
      throw new ServiceError(`deleting Autopilot records was refused: ${serviceWords(denied)}; the app needs ${AUTOPILOT_PERMISSION}`, 403, undefined, { cause: denied });
    }
  }

  async #settled(followed: Followed<Deleting>, result: "deleted" | "pending"): Promise<void> {
    const { row, intuneId } = followed.item;
    // A pending row's outcome is not journaled: its intent stays in flight, so running the same command again
    // follows it again (GET only) instead of sending a second DELETE.
    if (result === "deleted") this.#emit(row, "deleted", followed.id, intuneId, messages.deleted(intuneId), this.#o.journal);
    else this.#emit(row, "pending", followed.id, intuneId, messages.pending(formatDuration(this.#o.deadlineMs)));
    await this.#chain;
  }

  /** One report row (exactly one per input row); `journal`: the row had a write, its outcome is journaled. */
  #emit(row: ListedRow, status: DeregisterStatus, autopilotId: string, intuneIdDeleted: string, message: string, journal?: OpJournal): void {
    this.#counts[status] += 1;
    journal?.record([{ key: row.key, outcome: { status, deviceId: autopilotId || undefined, message } }]);
    const line: DeregisterReportRow = { file: row.location.file, line: row.location.line, serialNumber: row.serialNumber, status, autopilotId, intuneIdDeleted, message };
    this.#chain = this.#chain.then(() => this.#o.report(line));
    this.#o.onProgress?.(this.#counts, this.#follower.following);
  }
}
