/** The sentences of the deregister report: what happened to a row, and what to do about it. */
import { MANAGED_DEVICES_PERMISSION } from "./permissions.js";

export const UNENROLL_ADVICE =
  "retire or wipe the device (or delete it) in Intune, or re-run with --delete-intune-record to delete its Intune record first";

export const messages = {
  notFound: "No Autopilot record has this exact serial number: nothing was deleted.",
  ambiguous: (count: number) => `${count} Autopilot records have this exact serial number: none was deleted (never guessed); delete the right one in Intune.`,
  lookupFailed: (words: string) => `Looking the serial number up failed: ${words}. Nothing was deleted; run the same command again.`,
  checkFailed: (managedId: string, words: string) =>
    `Checking whether the device is enrolled in Intune (managed device ${managedId}) failed: ${words}. Nothing was deleted; run the same command again.`,
  enrolled: (managedId: string) => `Still enrolled in Intune (managed device ${managedId}): not deleted; ${UNENROLL_ADVICE}.`,
  enrolledRefused: (words: string) => `The service refused: the device is still enrolled in Intune (${words}); ${UNENROLL_ADVICE}.`,
  intuneDenied: (managedId: string, words?: string) =>
    `Deleting its Intune managed device ${managedId} was refused${words ? ` (${words})` : ""}: the app needs ${MANAGED_DEVICES_PERMISSION}; its Autopilot record was kept.`,
  intuneFailed: (managedId: string, words: string) => `Deleting its Intune managed device ${managedId} failed: ${words}; its Autopilot record was kept.`,
  deleteFailed: (words: string) => `Deleting the Autopilot record failed: ${words}.`,
  deleted: (intuneId: string) => `Deleted${intuneId ? ` (its Intune managed device ${intuneId} was deleted first)` : ""}.`,
  alreadyGone: (intuneId: string) => `Deleted (the record was already gone when its DELETE arrived)${intuneId ? `; its Intune managed device ${intuneId} was deleted first` : ""}.`,
  pending: (deadline: string) =>
    `The service accepted the deletion; the record was still listed at the deadline (${deadline}): check again later with export or status, or run the same command again to follow it (nothing is deleted twice).`,
  wouldDelete: (intuneId: string | undefined) =>
    intuneId ? `Would be deleted, after its Intune managed device ${intuneId}.` : "Would be deleted (not enrolled in Intune).",
} as const;
