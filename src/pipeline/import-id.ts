/** Whether the service keeps the importId we send: learned from the first import answer, then relied on. */
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import type { ServiceTraits } from "../graph/service-traits.js";

/**
 * Compares the importId of each returned record with the one sent. A public report shows the real service answering
 * importId = the record's own id: then `importId eq` finds nothing, and polling and reconciliation must not use it.
 */
export function learnImportIdKept(
  traits: ServiceTraits,
  sentImportId: string,
  records: readonly ImportedDeviceIdentity[],
  log?: (fields: Record<string, unknown>, message: string) => void,
): void {
  if (records.length === 0 || traits.get("importIdKept") !== undefined) return;
  const kept = records.every((record) => record.importId === sentImportId);
  traits.learn("importIdKept", kept);
  if (!kept) {
    log?.(
      { sent: sentImportId, answered: records.find((record) => record.importId !== sentImportId)?.importId ?? null },
      "the service does not keep the importId we send: polling by staged id and reconciling by serial number instead",
    );
  }
}
