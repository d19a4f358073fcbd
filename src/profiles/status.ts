/**
 * A device's deployment profile assignment in this tool's words: Graph's windowsAutopilotProfileAssignmentStatus (beta)
 * folded into what an admin acts on, and the sentence the report gives each outcome.
 */

/** assigned, pending (Intune is assigning it, or still was at the deadline), notAssigned, failed; not_found: no such device. */
export type ProfileStatus = "assigned" | "pending" | "notAssigned" | "failed" | "not_found";

/** Final: following the device further would not change it. */
export const isSettledProfileStatus = (status: ProfileStatus): boolean => status === "assigned" || status === "failed" || status === "not_found";

/**
 * Graph's member → ours. The three assigned members (the metadata spells one `assignedUnkownSyncState`) are assigned;
 * `unknown` and any member added later are treated as still on their way.
 */
export function profileStatusOf(graphStatus: unknown): ProfileStatus {
  switch (graphStatus) {
    case "assignedInSync":
    case "assignedOutOfSync":
    case "assignedUnkownSyncState":
      return "assigned";
    case "notAssigned":
      return "notAssigned";
    case "failed":
      return "failed";
    default:
      return "pending";
  }
}

/** The counts a summary gives. */
export interface ProfileCounts {
  assigned: number;
  pending: number;
  notAssigned: number;
  failed: number;
  notFound: number;
}

export const emptyProfileCounts = (): ProfileCounts => ({ assigned: 0, pending: 0, notAssigned: 0, failed: 0, notFound: 0 });

export function countProfileStatus(counts: ProfileCounts, status: ProfileStatus | ""): void {
  if (status === "assigned") counts.assigned += 1;
  else if (status === "pending") counts.pending += 1;
  else if (status === "notAssigned") counts.notAssigned += 1;
  else if (status === "failed") counts.failed += 1;
  else if (status === "not_found") counts.notFound += 1;
}

/** "12 assigned, 3 pending, 1 not assigned": the non-zero counts, assigned always. */
export function profileCountsText(counts: ProfileCounts): string {
  const parts: Array<[number, string]> = [[counts.assigned, "assigned"], [counts.pending, "pending"], [counts.notAssigned, "not assigned"], [counts.failed, "failed"], [counts.notFound, "not found"]];
  return parts.filter(([count], i) => i === 0 || count > 0).map(([count, word]) => `${count} ${word}`).join(", ");
}

/** Devices followed that did not end assigned (the import's exit code 1). */
export const profilesNotAssigned = (counts: ProfileCounts | null | undefined): number =>
  counts ? counts.pending + counts.notAssigned + counts.failed + counts.notFound : 0;
