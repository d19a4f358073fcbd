/** What the operator is told about a run's state: a line per fact, and where a resumed run stands. */
import type { FileJournal } from "../../state/journal.js";
import type { CliContext } from "../context.js";

export function say(context: CliContext, text: string): void {
  context.stderr.write(`autopilot-import: ${text}\n`);
}

export function resumeNote(journal: FileJournal, key: string): string {
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
