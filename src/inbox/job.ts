/**
 * `autopilot-import run --inbox DIR` as a library call: under the inbox's lock, finish the moves an earlier job left,
 * take the settled files of DIR/inbox oldest first, import each as a run of its own (resumed from its journal if an
 * earlier job stopped on it), move each to done/ or failed/ with its report, then trigger the Autopilot sync once.
 * A fatal error or a signal stops the job: the file it was on stays in the inbox, journaled, for the next job. A file
 * that must not be read (a link, no permission) goes to failed/ with a note, and a file that cannot be moved stays
 * for the next job: one bad file never stops the others.
 */
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { AutopilotImportError, InputFileError, JournalRefusedError } from "../errors.js";
import { abortError, sleep as realSleep } from "../util/abort.js";
import type { SyncOutcome } from "../pipeline/types.js";
import { WritePacer } from "../after/write-pacer.js";
import { freeVariantOf } from "./finish-file.js";
import { archiveRunJournal } from "../run/journal.js";
import { cleanupLeftovers } from "../run/leftovers.js";
import { FileStopped, processInboxFile } from "./import-file.js";
import { LINK_REASON, pickUp } from "./pick-up.js";
import { quarantine } from "./quarantine.js";
import { InboxError } from "./inbox-error.js";
import { clearSyncDue, readSyncDue, syncOnce, syncPaid } from "./job-sync.js";
import { inboxLayout, type InboxLayout } from "./layout.js";
import { lockInbox } from "./lock.js";
import { carryOutMoves, pendingPlans, retirePlan } from "./move.js";
import type { InboxReportFormat } from "./names.js";
import { scanInbox, type InboxFile, type SkippedFile } from "./scan.js";
import { settleFiles, stillSettled } from "./settle.js";
import type { InboxFileResult, InboxJobOptions, InboxJobResult } from "./types.js";

/** The folder must exist (a mistyped path is a configuration error, not an empty inbox); its subfolders are made. */
function prepareFolders(layout: InboxLayout): void {
  let isDir: boolean;
  try {
    isDir = statSync(layout.root).isDirectory();
  } catch (error) {
    throw new InboxError(layout.root, "cannot use the inbox folder", { cause: error });
  }
  if (!isDir) throw new InboxError(layout.root, "the inbox folder is not a directory:");
  for (const dir of [layout.inbox, layout.done, layout.failed]) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new InboxError(dir, "cannot create", { cause: error });
    }
  }
}

/** Carries out the move plans an earlier job left (it died between planning and finishing its moves, or a move failed). */
function recoverMoves(layout: InboxLayout, format: InboxReportFormat, now: () => number, options: InboxJobOptions): Pick<InboxJobResult, "recovered" | "unrecovered"> {
  const recovered: string[] = [];
  const unrecovered: Array<{ name: string; error: string }> = [];
  for (const { file, plan } of pendingPlans(layout.work)) {
    if (!plan) {
      options.logger?.warn({ plan: file }, "unreadable move plan left as it is (its file, if still in the inbox, is moved when it is taken again)");
      continue;
    }
    let moved: string | undefined;
    try {
      moved = carryOutMoves(plan, freeVariantOf(format, now)).at(-1);
    } catch (error) {
      // That file's plan stays for the next job; a file still in the inbox is taken again, planned anew and told then.
      const message = error instanceof Error ? error.message : String(error);
      options.logger?.warn({ file: plan.name, error: message }, "a move an earlier job planned failed again");
      if (!plan.moves.some(({ from }) => path.dirname(from) === layout.inbox && existsSync(from))) unrecovered.push({ name: plan.name, error: message });
      continue;
    }
    retirePlan(file, () => archiveRunJournal(layout.stateDir, plan.key, now()));
    if (moved) recovered.push(moved);
    options.logger?.info({ file: plan.name, movedTo: moved ?? null, outcome: plan.outcome }, "finished the move an earlier job left");
  }
  return { recovered, unrecovered };
}

/** The job's one sync, when one is due (devices imported by this job, or by one that stopped before its sync). */
async function jobSync(layout: InboxLayout, options: InboxJobOptions, signal: AbortSignal): Promise<SyncOutcome> {
  if (!options.after.sync) return { status: "skipped", message: "not requested" };
  const due = readSyncDue(layout.work);
  if (!due) return { status: "skipped", message: "skipped: no device was imported" };
  const sync = await syncOnce(options.client, options, signal);
  if (syncPaid(sync)) clearSyncDue(layout.work);
  return sync;
}

export async function runInboxJob(options: InboxJobOptions): Promise<InboxJobResult> {
  const now = options.now ?? Date.now;
  const signal = options.signal ?? new AbortController().signal;
  const format = options.reportFormat ?? "csv";
  const log = options.logger;
  const started = now();
  const root = path.resolve(options.dir);
  const layout = inboxLayout(root, options.stateDir ? path.resolve(options.stateDir) : undefined);
  prepareFolders(layout);
  const lock = lockInbox(layout, { force: options.forceUnlock ?? false, now });
  try {
    for (const replaced of lock.replaced) log?.warn({ holder: replaced.holder ?? null, reason: replaced.reason }, "took over a stale lock of this inbox");
    mkdirSync(layout.work, { recursive: true });
    // Private names an earlier job left (it was killed while on a file): taken afresh when their file is.
    const pickupDir = path.join(layout.work, "pickup");
    rmSync(pickupDir, { recursive: true, force: true });
    const { recovered, unrecovered } = recoverMoves(layout, format, now, options);

    const files: InboxFileResult[] = [];
    const skipped: SkippedFile[] = [];
    let stopped: InboxJobResult["stopped"] = null;
    // A signal aborts whatever was under way (a hash, a read): reported as the interruption it is.
    const stop = (file: string | null, error: unknown): void => {
      stopped = { file, error: signal.aborted ? abortError(signal) : error };
    };
    let ready: InboxFile[] = [];
    try {
      const scan = await scanInbox(layout.inbox);
      // File times are wall-clock times: the settle check uses the wall clock and real waits, whatever clock the import runs on.
      const settled = await settleFiles(scan.files, { settleMs: options.settleMs, sampledAt: Date.now(), sleep: realSleep, signal });
      skipped.push(...scan.skipped, ...settled.skipped);
      ready = settled.ready;
      // Links are never followed: each goes to failed/ as it is, with a note (they need no settling: nothing is read).
      for (const link of scan.links) {
        const result = quarantine(link, LINK_REASON, layout, format, now);
        files.push(result);
        log?.info({ file: link.name, outcome: result.outcome, movedTo: result.movedTo }, "a symbolic link in the inbox, not followed");
        options.events?.onFileEnd?.(link, result);
      }
      log?.info({ inbox: layout.inbox, ready: ready.map((f) => f.name), skipped }, "inbox scanned");
    } catch (error) {
      stop(null, error instanceof AutopilotImportError || signal.aborted ? error : new InboxError(layout.inbox, "cannot read", { cause: error }));
    }

    const pacer = options.cleanup?.enabled ? new WritePacer(options.cleanup.writeLimit, now()) : undefined;
    for (const file of stopped ? [] : ready) {
      if (signal.aborted) {
        stop(null, undefined);
        break;
      }
      let changed: Awaited<ReturnType<typeof stillSettled>>;
      try {
        changed = await stillSettled(file);
      } catch (error) {
        stop(file.name, new InboxError(file.path, "cannot read", { cause: error }));
        break;
      }
      if (changed) {
        skipped.push({ name: file.name, reason: changed });
        continue;
      }
      let taken: Awaited<ReturnType<typeof pickUp>>;
      try {
        taken = await pickUp(file, pickupDir, signal);
      } catch (error) {
        stop(file.name, error instanceof AutopilotImportError || signal.aborted ? error : new InboxError(file.path, "cannot read", { cause: error }));
        break;
      }
      if (taken.kind === "skipped") {
        skipped.push({ name: file.name, reason: taken.reason });
        continue;
      }
      if (taken.kind === "unreadable") {
        let result: InboxFileResult;
        try {
          result = quarantine(file, taken.reason, layout, format, now);
        } catch (error) {
          stop(file.name, error); // its note or plan cannot be written: the state directory is unusable
          break;
        }
        files.push(result);
        log?.info({ file: file.name, reason: taken.reason, outcome: result.outcome, movedTo: result.movedTo }, "an inbox file that cannot be read, not imported");
        options.events?.onFileEnd?.(file, result);
        continue;
      }
      options.events?.onFileStart?.(file);
      try {
        const { result, stoppedBy } = await processInboxFile(file, taken.file, options, { layout, signal, now, pacer });
        files.push(result);
        log?.info({ file: file.name, outcome: result.outcome, movedTo: result.movedTo, report: result.report, change: result.change, moveError: result.moveError, summary: result.summary }, result.outcome === "unmoved" ? "file not moved" : "file moved");
        options.events?.onFileEnd?.(file, result);
        if (stoppedBy !== undefined) {
          stop(null, stoppedBy);
          break;
        }
      } catch (error) {
        const journaled = error instanceof FileStopped ? error.journaled : true;
        const cause = error instanceof FileStopped ? error.cause : error;
        // Refused before its journal opened: the file's own problem, never the queue's (the state directory is fine).
        if (!journaled && cause instanceof InputFileError && !signal.aborted) {
          skipped.push({ name: file.name, reason: "changing" }); // written to while fingerprinted: the next job takes it
          options.events?.onFileEnd?.(file, undefined, false);
          continue;
        }
        if (!journaled && cause instanceof JournalRefusedError) {
          let result: InboxFileResult;
          try {
            result = quarantine(file, `its journal ${cause.file} ${cause.problem}`, layout, format, now, `Move ${cause.file} away, then put the file back into the inbox.`);
          } catch (noteError) {
            stop(file.name, noteError);
            break;
          }
          files.push(result);
          log?.warn({ file: file.name, journal: cause.file, outcome: result.outcome, movedTo: result.movedTo }, "an inbox file whose journal cannot be used, not imported");
          options.events?.onFileEnd?.(file, result);
          continue;
        }
        options.events?.onFileEnd?.(file, undefined, journaled);
        stop(file.name, cause);
        break;
      }
    }

    let sync: SyncOutcome = { status: "skipped", message: "skipped: the job was stopped (the next job triggers it if devices were imported)" };
    if (!stopped) {
      try {
        sync = await jobSync(layout, options, signal);
      } catch (error) {
        stop(null, error);
      }
    }
    // What earlier runs left (a short interactive import, a signal): within the job's cleanup time, under its lock.
    let leftovers: InboxJobResult["leftovers"] = null;
    if (!stopped && options.cleanup?.enabled) {
      try {
        const { cleanup } = options;
        const found = await cleanupLeftovers({ stateDir: layout.stateDir, client: options.client, target: options.target, maxTimeMs: cleanup.maxTimeMs, writeLimit: cleanup.writeLimit, ...(pacer ? { pacer } : {}), ...(options.sleep ? { sleep: options.sleep } : {}), logger: log, signal, now });
        if (found) leftovers = { deleted: found.deleted, remaining: found.remaining };
      } catch (error) {
        stop(null, error);
      }
    }
    return { dir: root, files, skipped, recovered, unrecovered, sync, stopped, leftovers, durationMs: now() - started };
  } finally {
    lock.release();
  }
}
