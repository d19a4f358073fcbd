/**
 * The after-import stage the pipeline calls once polling is over: updates already registered devices from the CSV
 * (opt-in), confirms imported devices are registered, then triggers the Autopilot sync once if anything was imported
 * (never waiting: a wait for the 10-minute window is handed back, to run once the outcomes are told; sync-step.ts).
 * Only the rows it finishes are held back; the rest of the report is written as the import goes.
 */
import { AutopilotImportError } from "../errors.js";
import { abortError } from "../util/abort.js";
import type { GraphClient } from "../graph/client.js";
import { formatDuration } from "../util/duration.js";
import type { DeviceInputs, ImportReportRow, PostImportCompletion, PostImportStage, Registered, SyncOutcome } from "../pipeline/types.js";
import type { BackoffPolicy } from "../util/backoff.js";
import { SYNC_LEFT_FOR_LATER, syncNow, type SyncStep, type SyncWaitView } from "./sync-step.js";
import type { AfterImportOptions } from "./options.js";
import type { AfterRuntime } from "./types.js";
import { updateExistingDevices, type UpdateResult } from "./update-existing.js";
import { DEFAULT_VERIFY_TIMEOUT_MS, verifyRegistration, type VerifyResult } from "./verify.js";
import { followProfilesOfRows } from "../profiles/import-step.js";
import { addImportedRowsToGroups } from "../groups/import-rows.js";

/** Defaults: verify, sync; no update of existing devices, no wait for the sync (the CLI turns it on). */
export interface PostImportOptions extends Partial<AfterImportOptions>, AfterRuntime {
  /** A sync an earlier run could not trigger (sync-due.json): triggered even when this run imports nothing. */
  readonly syncOwed?: boolean;
  readonly verifyPoll?: Partial<BackoffPolicy>;
  readonly syncPoll?: Partial<BackoffPolicy>;
  /** Told when each step starts (one line for people); the steps are logged at info as well. */
  readonly onStep?: (message: string) => void;
  /** Shows a wait for the sync's 10-minute window (run after the outcomes are told). */
  readonly syncView?: SyncWaitView;
}

interface HeldExisting {
  readonly row: ImportReportRow;
  readonly inputs: DeviceInputs;
}

/** Failures of the service or of sign-in: they leave rows unchecked. Interruptions and bugs end the stage instead. */
const isServiceFailure = (error: unknown, signal: AbortSignal): error is AutopilotImportError =>
  !signal.aborted && error instanceof AutopilotImportError && error.kind !== "interrupted";

function registeredFromUpdate(result: UpdateResult): Registered {
  if (result.deviceId) return "yes";
  return result.reason === "notFound" ? "no" : "unchecked";
}

export function createPostImportStage(client: GraphClient, options: PostImportOptions = {}): PostImportStage {
  const verify = options.verify ?? true;
  const updateExisting = options.updateExisting ?? false;
  const verifyTimeoutMs = options.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  const log = options.logger;
  const imported: ImportReportRow[] = [];
  const existing: HeldExisting[] = [];
  let importedCount = 0;
  /** The sync an earlier process of a resumed run triggered. */
  let earlierSync: SyncOutcome | undefined;

  const step = (message: string): void => {
    log?.info({}, message);
    options.onStep?.(message);
  };
  const asPolled = (rows: readonly ImportReportRow[]): PostImportCompletion["rows"] => rows.map((row) => ({ row, polledStatus: row.status }));

  /** Runs a step; a service or sign-in failure is logged and returned, anything else ends the stage. */
  const attempt = async <T>(what: string, signal: AbortSignal, step: () => Promise<T>): Promise<T | AutopilotImportError> => {
    try {
      return await step();
    } catch (error) {
      if (!isServiceFailure(error, signal)) throw error;
      log?.warn({ err: error }, `${what} failed`);
      return error;
    }
  };

  const finishExisting = async (signal: AbortSignal): Promise<PostImportCompletion["rows"]> => {
    if (existing.length === 0) return [];
    step(`Updating ${existing.length} already registered device(s) from the CSV where they differ…`);
    const outcome = await attempt("updating existing devices", signal, () =>
      updateExistingDevices(client, existing.map(({ row, inputs }) => ({ serialNumber: row.serialNumber, ...inputs })), { ...options, signal }),
    );
    return existing.map(({ row }, i) => {
      if (outcome instanceof AutopilotImportError) return { row: { ...row, message: `${row.message} (updating it from the CSV failed: ${outcome.message})` }, polledStatus: row.status };
      const result = outcome.results[i]!;
      const finished: ImportReportRow = {
        ...row,
        status: result.status,
        message: result.message,
        deviceRegistrationId: row.deviceRegistrationId || (result.deviceId ?? ""),
        registered: registeredFromUpdate(result),
      };
      return { row: finished, polledStatus: row.status };
    });
  };

  const finishImported = async (signal: AbortSignal): Promise<PostImportCompletion["rows"]> => {
    if (imported.length === 0) return [];
    step(`Checking that ${imported.length} imported device(s) are registered (up to ${formatDuration(verifyTimeoutMs)})…`);
    const outcome = await attempt("registration check", signal, () =>
      verifyRegistration(client, imported.map((row) => ({ serialNumber: row.serialNumber, deviceRegistrationId: row.deviceRegistrationId })), {
        ...options,
        signal,
        maxWaitMs: verifyTimeoutMs,
        ...(options.verifyPoll ? { poll: options.verifyPoll } : {}),
      }),
    );
    const missing = `not found in Windows Autopilot devices within ${formatDuration(verifyTimeoutMs)} of the import: registration may still be under way; check the device in Intune later`;
    return imported.map((row, i) => {
      const result: VerifyResult = outcome instanceof AutopilotImportError ? { registered: "unchecked" } : outcome.results[i]!;
      const note = outcome instanceof AutopilotImportError ? `registration could not be checked: ${outcome.message}` : result.registered === "no" ? missing : "";
      const finished: ImportReportRow = {
        ...row,
        registered: result.registered,
        deviceRegistrationId: row.deviceRegistrationId || (result.deviceId ?? ""),
        message: [row.message, note].filter(Boolean).join("; "),
      };
      return { row: finished, polledStatus: row.status };
    });
  };

  /** --add-to-group: each registered row of both lists, in one pass (the Entra lookups batch across them). */
  const addToGroups = async (
    request: NonNullable<AfterImportOptions["addToGroups"]>,
    lists: readonly PostImportCompletion["rows"][],
    signal: AbortSignal,
  ): Promise<PostImportCompletion["rows"][]> => {
    const all = lists.flat();
    const rows = await addImportedRowsToGroups(client, request, all.map(({ row }) => row), { signal, step, ...(options.now ? { now: options.now } : {}), ...(options.sleep ? { sleep: options.sleep } : {}) });
    let at = 0;
    return lists.map((list) => list.map(({ polledStatus }) => ({ row: rows[at++]!, polledStatus })));
  };

  const runSync = async (signal: AbortSignal): Promise<SyncStep> => {
    if (options.sync === false) return { outcome: { status: "skipped", message: "not requested" } };
    if (earlierSync?.status === "tooSoon") {
      // Stopped while it waited for the window: said as it stands, not as the wait it was.
      const when = earlierSync.retryAt ? `; it could be run at ${earlierSync.retryAt}` : "";
      return { outcome: { ...earlierSync, message: `refused by the 10-minute rule in an earlier attempt of this run${when}; not triggered again: ${SYNC_LEFT_FOR_LATER}` } };
    }
    if (earlierSync) return { outcome: { ...earlierSync, message: `${earlierSync.message} (by an earlier attempt of this run; not triggered again)` } };
    if (importedCount === 0 && !options.syncOwed) return { outcome: { status: "skipped", message: "skipped: no device was imported" } };
    step("Triggering the Autopilot sync…");
    // Never waits here: a wait for the 10-minute window comes back as `later`, run once the outcomes are told.
    return syncNow(
      client,
      {
        ...options,
        wait: options.syncWait ?? false,
        ...(options.syncMaxWaitMs !== undefined ? { maxWaitMs: options.syncMaxWaitMs } : {}),
        ...(options.syncPoll ? { poll: options.syncPoll } : {}),
        ...(options.syncView ? { view: options.syncView } : {}),
      },
      signal,
    );
  };

  /** --wait-profile: the registered rows' deployment profile, once the sync is triggered (src/profiles). */
  const followProfiles = async (rows: PostImportCompletion["rows"], signal: AbortSignal): Promise<PostImportCompletion["rows"]> => {
    if (options.waitProfileMs === undefined) return rows;
    return followProfilesOfRows(client, rows, { ...options, signal, deadlineMs: options.waitProfileMs, step, attempt: (what, run) => attempt(what, signal, run) });
  };

  return {
    resumed(earlier) {
      importedCount += earlier.imported;
      earlierSync = earlier.sync;
    },

    take(row, inputs) {
      if (row.status === "imported") {
        importedCount += 1;
        if (!verify) return false;
        imported.push(row);
        return true;
      }
      if (row.status === "already_registered" && updateExisting) {
        existing.push({ row, inputs });
        return true;
      }
      return false;
    },

    async complete(ok, signal) {
      let existingRows = asPolled(existing.map(({ row }) => row));
      let importedRows = asPolled(imported);
      if (!ok) return { rows: [...existingRows, ...importedRows], sync: { status: "skipped", message: "skipped: the import did not finish" } };
      try {
        if (signal.aborted) throw abortError(signal);
        existingRows = await finishExisting(signal);
        importedRows = await finishImported(signal);
        if (options.addToGroups) {
          const [existingDone, importedDone] = await addToGroups(options.addToGroups, [existingRows, importedRows], signal);
          existingRows = existingDone ?? existingRows;
          importedRows = importedDone ?? importedRows;
        }
        const sync = await runSync(signal);
        const rows = await followProfiles([...existingRows, ...importedRows], signal);
        return { rows, sync: sync.outcome, ...(sync.later ? { syncLater: sync.later } : {}) };
      } catch (error) {
        // Whatever was finished is kept; the rest goes into the report as polling left it.
        return { rows: [...existingRows, ...importedRows], sync: { status: "skipped", message: "skipped: the run was stopped" }, error };
      }
    },
  };
}
