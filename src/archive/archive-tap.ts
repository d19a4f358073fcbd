/**
 * What `import --archive` puts between the reader and the pipeline: each valid row's archive fields (its hash
 * included) are held from the moment it is read until its outcome is known, then written to the archive if Graph
 * took the device, and dropped either way. Only rows in flight are held, so memory stays flat however long the file.
 */
import type { RowResult, SourceLocation } from "../model/device.js";
import type { ImportReportRow } from "../pipeline/types.js";
import type { ArchiveFile, ArchiveRow } from "./archive-file.js";

/** The statuses whose device is in the tenant after the run: the archive keeps these (806 included, with the file's hash). */
const IN_TENANT: ReadonlySet<ImportReportRow["status"]> = new Set(["imported", "already_registered", "updated"]);

const keyOf = (location: SourceLocation): string => `${location.file}\u0000${location.line}`;

export class ArchiveTap {
  readonly #held = new Map<string, ArchiveRow>();

  constructor(private readonly archive: Pick<ArchiveFile, "add">) {}

  /** Passes the rows on unchanged, holding each valid one's archive fields. */
  async *rows(source: AsyncIterable<RowResult>): AsyncGenerator<RowResult> {
    for await (const row of source) {
      if (row.status === "valid") {
        const { device } = row;
        this.#held.set(keyOf(row.location), {
          serialNumber: device.serialNumber,
          productKey: device.productKey ?? "",
          hardwareHash: device.hardwareIdentifier,
          groupTag: device.groupTag ?? "",
          assignedUser: device.assignedUserPrincipalName ?? "",
        });
      }
      yield row;
    }
  }

  /** A row's outcome (each row's once, journaled ones of a resumed run too): archived if its device is in the tenant. */
  outcome(row: ImportReportRow): void {
    const key = keyOf(row);
    const held = this.#held.get(key);
    if (!held) return;
    this.#held.delete(key);
    if (IN_TENANT.has(row.status)) this.archive.add(held);
  }

  /** Rows read whose outcome has not come (for tests: 0 once a run is complete). */
  get holding(): number {
    return this.#held.size;
  }
}
