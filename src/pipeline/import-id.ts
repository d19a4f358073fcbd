/** Whether the service keeps the importId we send: learned from the first import answer, then relied on. */
import type { ImportedDeviceIdentity } from "../graph/resources.js";
import type { ServiceTraits } from "../graph/service-traits.js";

/**
 * Compares the importId of each returned record with the one sent. A public report shows the real service answering
 * importId = the record's own id: then `importId eq` finds nothing, and polling and reconciliation must not use it.
 */
export function learnImportIdKept(traits: ServiceTraits, sentImportId: string | undefined, records: readonly ImportedDeviceIdentity[]): void {
  if (records.length === 0 || traits.get("importIdKept") !== undefined) return;
  // The uploads resource tags records itself (sentImportId undefined): a record whose importId is its own id shows the same quirk.
  const kept = (record: ImportedDeviceIdentity): boolean => (sentImportId === undefined ? record.importId !== record.id : record.importId === sentImportId);
  traits.learn("importIdKept", records.every(kept));
}
