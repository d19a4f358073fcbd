/**
 * An import's state (src/state): the state directory's lock and the run's journal, opened before anything is read
 * or sent, and what the operator is told about them. Standard input has no journal: it cannot be read twice.
 */
import { abortError } from "../graph/abort.js";
import { resolveEndpoints } from "../graph/clouds.js";
import { fingerprintFiles, normalizeTenant, runKey } from "../state/fingerprint.js";
import { openJournal, type FileJournal } from "../state/journal.js";
import { acquireLock, type HeldLock } from "../state/lock-file.js";
import { archiveJournal, ensureStateDir, journalFile, stateLayout } from "../state/state-dir.js";
import { VERSION } from "../version.js";
import type { CliContext } from "./context.js";
import type { ImportConfig } from "./import-config.js";

export interface ImportState {
  readonly journal: FileJournal;
  readonly key: string;
  readonly file: string;
  /** Closes the journal and releases the lock (also done at process exit, e.g. after a second signal). */
  close(): void;
}

function say(context: CliContext, text: string): void {
  context.stderr.write(`autopilot-import: ${text}\n`);
}

/** Locks the state directory and opens (or resumes) the run's journal; undefined when the input is standard input. */
export async function openImportState(config: ImportConfig, context: CliContext, now: () => number = Date.now): Promise<ImportState | undefined> {
  if (config.files.includes("-")) {
    say(context, "standard input (-) cannot be resumed: no journal is kept for this run (save the input to a file to make the import resumable)");
    return undefined;
  }
  const layout = stateLayout(config.state.dir);
  ensureStateDir(layout);
  const lock = acquireLock(layout.lock, { dir: layout.dir, force: config.state.forceUnlock, command: "import", now });
  const release = (): void => lock.release();
  process.once("exit", release);
  try {
    if (lock.replaced) say(context, `took over the lock of ${layout.dir} left by ${describeHolder(lock)} (${lock.replaced.reason === "forced" ? "--force-unlock" : "no longer running"})`);
    const files = await fingerprintFiles(config.files, context.cwd, context.signal).catch((error: unknown) => {
      throw context.signal.aborted ? abortError(context.signal) : error; // a signal during the pass: exit 130/143
    });
    const tenant = normalizeTenant(config.auth.tenantId);
    const endpoint = resolveEndpoints({ cloud: config.auth.cloud, graphUrl: config.auth.graphUrl }).graphRoot;
    const key = runKey(files, tenant, endpoint);
    if (config.state.fresh) {
      const archived = archiveJournal(layout, key, now());
      if (archived) say(context, `--fresh: starting these files over; the previous journal of this run is kept as ${archived}`);
    }
    const file = journalFile(layout, key);
    const { journal, scan } = await openJournal({ file, run: { run: key, files, tenant, endpoint, tool: VERSION }, now });
    if (scan && scan.tornBytes > 0) say(context, `the journal's last record was torn by an interrupted write (${scan.tornBytes} bytes): ignored and cut off`);
    if (scan && scan.damaged > 0) say(context, `${scan.damaged} damaged journal line(s) skipped in ${file}`);
    if (journal.resumed) say(context, resumeNote(journal, key));
    let closed = false;
    return {
      journal,
      key,
      file,
      close() {
        if (closed) return;
        closed = true;
        try {
          journal.close();
        } finally {
          process.off("exit", release);
          lock.release();
        }
      },
    };
  } catch (error) {
    process.off("exit", release);
    lock.release();
    throw error;
  }
}

function describeHolder(lock: HeldLock): string {
  const holder = lock.replaced?.holder;
  return holder ? `process ${holder.pid} on host ${holder.host} since ${holder.since}` : "an unreadable lock file";
}

function resumeNote(journal: FileJournal, key: string): string {
  const state = journal.state;
  if (state.finished) {
    return `run ${key} finished at ${state.finished.at}: nothing is sent again, the report is rewritten from its journal (use --fresh to import these files again)`;
  }
  let outcomes = 0;
  let inFlight = 0;
  for (const row of state.rows.values()) {
    if (row.outcome) outcomes += 1;
    else if (row.stagedId !== undefined) inFlight += 1;
  }
  const unconfirmed = journal.unconfirmedUploads().length;
  const attempts = Math.max(1, state.sessions - 1);
  return (
    `resuming run ${key} (started ${state.header?.at ?? "?"}, ${attempts} earlier attempt${attempts === 1 ? "" : "s"}): ` +
    `${outcomes} row(s) already have an outcome, ${inFlight} staged device(s) are polled again` +
    (unconfirmed > 0 ? `, ${unconfirmed} upload(s) not confirmed are reconciled with Graph before anything is sent` : "")
  );
}
