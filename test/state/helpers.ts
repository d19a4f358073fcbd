/** Shared bits of the state tests: a run header, a clock and report rows. */
import type { ImportReportRow } from "../../src/pipeline/types.js";
import type { OpenJournalOptions } from "../../src/state/journal.js";

export const SHA_A = "a".repeat(64);
export const SHA_B = "b".repeat(64);

/** A run over two inputs named as the reader reports them. */
export function runOf(overrides: Partial<OpenJournalOptions["run"]> = {}): OpenJournalOptions["run"] {
  return {
    run: "0123456789abcdef",
    files: [
      { name: "a.csv", path: "/in/a.csv", size: 10, mtimeMs: 1, sha256: SHA_A },
      { name: "b.csv", path: "/in/b.csv", size: 20, mtimeMs: 2, sha256: SHA_B },
    ],
    tenant: "contoso.onmicrosoft.com",
    endpoint: "https://graph.microsoft.com",
    tool: "test",
    ...overrides,
  };
}

/** A clock that moves one second per reading. */
export function tickingClock(start = Date.UTC(2026, 0, 1)): () => number {
  let t = start;
  return () => (t += 1000);
}

/** A report row for a device of upload "u1" whose staged id is `staged-<serial>`. */
export function outcome(file: string, line: number, serialNumber: string, status: ImportReportRow["status"], extra: Partial<ImportReportRow> = {}): ImportReportRow {
  return {
    file,
    line,
    serialNumber,
    status,
    errorCode: "",
    errorName: "",
    message: "",
    groupTag: "",
    assignedUser: "",
    uploadId: "u1",
    importedDeviceId: `staged-${serialNumber}`,
    deviceRegistrationId: "",
    registered: "unchecked",
    ...extra,
  };
}
