/** The import report's columns for the shared streaming report writer (src/report). */
import type { ReportColumn } from "../report/columns.js";
import { IMPORT_REPORT_COLUMNS, type ImportReportRow } from "./types.js";

export const importReportColumns: readonly ReportColumn<ImportReportRow>[] = [
  ...IMPORT_REPORT_COLUMNS.map((name) => ({
    header: name,
    value: (row: ImportReportRow) => row[name] ?? "",
  })),
  // Empty unless --wait-profile followed the device (src/profiles).
  { header: "profileStatus", value: (row: ImportReportRow) => row.profileStatus ?? "" },
  { header: "profileName", value: (row: ImportReportRow) => row.profileName ?? "" },
];
