import type { RowResult } from "../model/device.js";
import type { ReportColumn } from "./columns.js";

/** The `validate` report: file, line, serialNumber, status (valid | invalid | duplicate), code, message. */
export const validationReportColumns: readonly ReportColumn<RowResult>[] = [
  { header: "file", value: (row) => row.location.file },
  { header: "line", value: (row) => row.location.line },
  { header: "serialNumber", value: (row) => (row.status === "valid" ? row.device.serialNumber : row.serialNumber) },
  { header: "status", value: (row) => row.status },
  { header: "code", value: (row) => (row.status === "valid" ? null : row.code) },
  { header: "message", value: (row) => (row.status === "valid" ? null : row.message) },
];
