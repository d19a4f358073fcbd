/**
 * The import's profile wait (--wait-profile): once registration is verified and the sync triggered, the registered rows'
 * deployment profile assignment is followed (wait.ts) and written into their profileStatus and profileName columns.
 * A failure of the service leaves the columns empty and says why in the message; the rows are kept either way.
 */
import type { GraphClient } from "../graph/client.js";
import type { AfterRuntime } from "../after/types.js";
import type { ImportReportRow, ImportRowStatus } from "../pipeline/types.js";
import { formatDuration } from "../util/duration.js";
import { waitForProfiles } from "./wait.js";

type Finished = { readonly row: ImportReportRow; readonly polledStatus: ImportRowStatus };

export interface ProfileStepOptions extends AfterRuntime {
  readonly deadlineMs: number;
  /** Tells the step's line (progress) and logs it. */
  readonly step: (message: string) => void;
  /** Runs the wait; a service or sign-in failure comes back as the error instead of being thrown. */
  readonly attempt: <T>(what: string, run: () => Promise<T>) => Promise<T | Error>;
}

const isFollowed = (row: ImportReportRow): boolean => row.registered === "yes" && row.deviceRegistrationId !== "";

export async function followProfilesOfRows(client: GraphClient, rows: readonly Finished[], options: ProfileStepOptions): Promise<Finished[]> {
  const followed = rows.filter(({ row }) => isFollowed(row));
  if (followed.length === 0) return [...rows];
  options.step(`Waiting for the deployment profile of ${followed.length} registered device(s) (up to ${formatDuration(options.deadlineMs)})…`);
  const targets = followed.map(({ row }) => ({ autopilotId: row.deviceRegistrationId, serialNumber: row.serialNumber }));
  const outcome = await options.attempt("deployment profile wait", () => waitForProfiles(client, targets, options));
  const byRow = new Map<ImportReportRow, number>(followed.map(({ row }, i) => [row, i]));
  return rows.map((finished) => {
    const index = byRow.get(finished.row);
    if (index === undefined) return finished;
    if (outcome instanceof Error) {
      return { ...finished, row: { ...finished.row, message: `${finished.row.message}; the deployment profile could not be followed: ${outcome.message}` } };
    }
    const result = outcome[index]!;
    return { ...finished, row: { ...finished.row, profileStatus: result.status, profileName: result.profileName, message: `${finished.row.message}; ${result.message}` } };
  });
}
