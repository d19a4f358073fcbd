/**
 * The migration's report: one row per input row, in input order, with both halves: what happened in the old tenant
 * (deregister's status) and then in the new one (the import's). Built at the end from the input read again and the
 * two halves' own reports, so an interrupted migration's report is complete once it is run to its end.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { openDeviceReader } from "../csv/reader.js";
import type { ReportColumn } from "../report/columns.js";

export type MigrateStatus = "moved" | "not_moved" | "invalid" | "duplicate";

export interface MigrateReportRow {
  readonly file: string;
  readonly line: number;
  readonly serialNumber: string;
  readonly status: MigrateStatus;
  /** deregister's status in the old tenant (deleted, not_found, enrolled, …); empty for an invalid or duplicate row. */
  readonly fromStatus: string;
  readonly fromMessage: string;
  /** The import's status in the new tenant (imported, already_registered, failed, …); empty when the device did not leave. */
  readonly toStatus: string;
  readonly toErrorCode: string;
  readonly toMessage: string;
}

export const MIGRATE_REPORT_COLUMNS: readonly ReportColumn<MigrateReportRow>[] = [
  { header: "file", value: (row) => row.file },
  { header: "line", value: (row) => row.line },
  { header: "serialNumber", value: (row) => row.serialNumber },
  { header: "status", value: (row) => row.status },
  { header: "fromStatus", value: (row) => row.fromStatus },
  { header: "fromMessage", value: (row) => row.fromMessage },
  { header: "toStatus", value: (row) => row.toStatus },
  { header: "toErrorCode", value: (row) => row.toErrorCode },
  { header: "toMessage", value: (row) => row.toMessage },
];

/** Statuses with which a device is out of the old tenant: it may join the new one. */
export const LEFT: ReadonlySet<string> = new Set(["deleted", "not_found"]);
/** Statuses with which a device is in the new tenant. */
const JOINED: ReadonlySet<string> = new Set(["imported", "already_registered", "updated"]);

export interface HalfOutcome {
  readonly status: string;
  readonly message: string;
  readonly errorCode?: string;
}

const serialKey = (serial: string): string => serial.trim().toUpperCase();

/** A half's JSON Lines report by serial (each serial appears once in a half's input). */
export async function readHalfReport(file: string): Promise<Map<string, HalfOutcome>> {
  const outcomes = new Map<string, HalfOutcome>();
  for await (const line of createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    const row = JSON.parse(line) as { serialNumber: string; status: string; message: string; errorCode?: string };
    outcomes.set(serialKey(row.serialNumber), { status: row.status, message: row.message, ...(row.errorCode ? { errorCode: row.errorCode } : {}) });
  }
  return outcomes;
}

/** Why a device that did not leave was not imported. */
function notImported(from: HalfOutcome | undefined): string {
  if (!from || LEFT.has(from.status)) return "";
  if (from.status === "pending") return "not imported yet: still being removed from the old tenant; run the same migrate command again";
  return "not imported: the device did not leave the old tenant";
}

/** The report's rows in input order: the input read again, each valid row joined with its halves' outcomes. */
export async function* migrateReportRows(input: string, cwd: string, leave: ReadonlyMap<string, HalfOutcome>, join: ReadonlyMap<string, HalfOutcome>, signal: AbortSignal): AsyncGenerator<MigrateReportRow> {
  for await (const row of openDeviceReader([input], { cwd, signal }).rows()) {
    const { file, line } = row.location;
    if (row.status !== "valid") {
      yield { file, line, serialNumber: row.serialNumber, status: row.status, fromStatus: "", fromMessage: row.message, toStatus: "", toErrorCode: "", toMessage: "" };
      continue;
    }
    const serialNumber = row.device.serialNumber;
    const from = leave.get(serialKey(serialNumber));
    const to = from && LEFT.has(from.status) ? join.get(serialKey(serialNumber)) : undefined;
    yield {
      file,
      line,
      serialNumber,
      status: to && JOINED.has(to.status) ? "moved" : "not_moved",
      fromStatus: from?.status ?? "",
      fromMessage: from?.message ?? "",
      toStatus: to?.status ?? "",
      toErrorCode: to?.errorCode ?? "",
      toMessage: to?.message ?? notImported(from),
    };
  }
}
