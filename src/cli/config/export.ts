/** The `export` command's options and configuration: where and how to write, which devices, and every Graph command's. */
import path from "node:path";
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { parseWhere, type DeviceSelector } from "../../export/selectors.js";
import type { ReportFormat } from "../../report/columns.js";
import { timeStamp } from "../../util/time-stamp.js";
import { graphCommandConfig, graphOptions, graphParsing, type GraphCommandConfig } from "../options/graph.js";
import { envTable, switchOption, valueOption } from "../options/option.js";
import { parseOptions, type Env } from "../options/parse.js";

/** `autopilot-devices-20250102T030405Z.csv`: sortable, no characters Windows rejects. */
export function defaultExportName(now: Date, format: ReportFormat): string {
  return `autopilot-devices-${timeStamp(now.getTime())}.${format}`;
}

export const exportOptions = {
  out: valueOption({
    arg: "FILE",
    env: ["AUTOPILOT_IMPORT_EXPORT_OUT"],
    schema: z.string().min(1),
    help: "where to write (default ./autopilot-devices-<time>.csv, or .jsonl); - for stdout. An existing file is refused unless --force",
  }),
  format: valueOption({
    arg: "csv|jsonl",
    env: ["AUTOPILOT_IMPORT_EXPORT_FORMAT"],
    schema: z.enum(["csv", "jsonl"], { error: "must be csv or jsonl" }),
    help: "csv (UTF-8 with BOM and CRLF for Excel, the import file's column names) or jsonl (Graph's property names); default: from --out's extension, else csv",
  }),
  where: valueOption({
    arg: "SELECTOR",
    env: ["AUTOPILOT_IMPORT_EXPORT_WHERE"],
    schema: z.string(),
    help: "only the devices matching FIELD=VALUE clauses joined by ' and ' (fields: group-tag, manufacturer, model, purchase-order; whole value, any case; group-tag= selects untagged devices; quote a value holding ' and ': group-tag='R and D'). Applied while streaming: Graph cannot filter on these",
  }),
  force: switchOption({ default: false, env: ["AUTOPILOT_IMPORT_EXPORT_FORCE"], help: "replace an existing --out file (only once the export is complete)" }),
  json: switchOption({
    default: false,
    env: ["AUTOPILOT_IMPORT_EXPORT_JSON"],
    help: 'print one JSON object on stdout at the end: {"out","format","where","listed","exported","pages","durationMs"}',
  }),
};

export const EXPORT_ENV_FOR_FLAG = envTable({ ...exportOptions, ...graphOptions });

export interface ExportConfig extends GraphCommandConfig {
  /** Absolute path, or "-" for stdout. */
  readonly out: string;
  readonly format: ReportFormat;
  readonly selector: DeviceSelector | undefined;
  readonly force: boolean;
  readonly json: boolean;
}

export function loadExportConfig(args: readonly string[], env: Env, cwd: string, now = new Date()): ExportConfig {
  const { values: c } = parseOptions({ ...exportOptions, ...graphOptions }, args, env, { ...graphParsing, command: "export" });
  const given = c.out;
  const format: ReportFormat = c.format ?? (given?.toLowerCase().endsWith(".jsonl") ? "jsonl" : "csv");
  if (given === "-" && c.json) throw new UsageError("export: --json prints its summary on stdout, where --out - writes the devices: choose a file for --out");
  const out = given === "-" ? "-" : path.resolve(cwd, given ?? defaultExportName(now, format));
  const selector = c.where === undefined || c.where.trim() === "" ? undefined : parseWhere(c.where);
  return { ...graphCommandConfig(c, env, cwd, { readCaCertificate: true }), out, format, selector, force: c.force, json: c.json };
}
