/** How an `update` run is told: its journal's plan key, the counts line, a dry run's totals. */
import { UPDATE_FIELDS, type WantedValues } from "./changes.js";
import { UPDATE_STATUSES, type UpdateCounts } from "./report.js";

const SET_OPTIONS = { groupTag: ["--set-group-tag", "--clear-group-tag"], userPrincipalName: ["--set-user", "--clear-user"], displayName: ["--set-display-name", "--set-display-name"] } as const;

/**
 * The options that change what a run does, as the user wrote them (`--set-group-tag "Sales" --clear-user`; "" when
 * the file says it all): part of the journal's key (the same command again resumes, other values start anew), and
 * what `status` shows as the run's plan.
 */
export function updatePlanKey(overrides: WantedValues): string {
  return UPDATE_FIELDS.flatMap((field) => {
    const value = overrides[field];
    if (value === undefined) return [];
    const [set, clear] = SET_OPTIONS[field];
    return value === "" && set !== clear ? [clear] : [`${set} ${JSON.stringify(value)}`];
  }).join(" ");
}

/** `2 updated, 5 unchanged, 1 not_found` (statuses with no rows left out; "no rows" when none). */
export function countsLine(counts: Readonly<UpdateCounts>): string {
  const parts = UPDATE_STATUSES.filter((status) => counts[status] > 0).map((status) => `${counts[status]} ${status}`);
  return parts.length > 0 ? parts.join(", ") : "no rows";
}

/** The last line of a dry run's plan. */
export function planTotals(counts: Readonly<UpdateCounts>): string {
  const devices = counts.would_update;
  return `dry run: ${devices} device${devices === 1 ? "" : "s"} would be updated (${countsLine(counts)}); nothing was written`;
}
