/** The deregister report's columns for the shared streaming report writer (src/report). */
import type { ReportColumn } from "../report/columns.js";
import type { DeregisterReportRow } from "./types.js";

export const DEREGISTER_REPORT_COLUMNS: readonly ReportColumn<DeregisterReportRow>[] = [
  { header: "file", value: (row) => row.file },
  { header: "line", value: (row) => row.line },
  { header: "serialNumber", value: (row) => row.serialNumber },
  { header: "status", value: (row) => row.status },
  { header: "autopilotDeviceId", value: (row) => row.autopilotId },
  { header: "intuneDeviceIdDeleted", value: (row) => row.intuneIdDeleted },
  { header: "message", value: (row) => row.message },
];
