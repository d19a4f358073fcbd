/**
 * The cleanup's flags (with their environment variables), shared by `import`, `run` and `cleanup`: whether staged
 * records are deleted, how long after the report, and the write budget deletes are paced by.
 */
import { z } from "zod";
import { DEFAULT_CLEANUP_MAX_TIME_MS } from "../after/cleanup.js";
import { DEFAULT_WRITE_LIMIT, type WriteLimit } from "../after/write-pacer.js";
import { formatDuration, parseDuration } from "../pipeline/duration.js";
import { booleanText, durationText } from "./config-parse.js";

export const CLEANUP_MAX_TIME_ENV = "AUTOPILOT_IMPORT_CLEANUP_MAX_TIME";
export const WRITE_LIMIT_ENV = "AUTOPILOT_IMPORT_WRITE_LIMIT";

export const CLEANUP_ENV_FOR_FLAG = {
  cleanup: ["AUTOPILOT_IMPORT_CLEANUP"],
  "cleanup-max-time": [CLEANUP_MAX_TIME_ENV],
  "write-limit": [WRITE_LIMIT_ENV],
} as const;

export const cleanupFlagOptions = {
  cleanup: { type: "boolean" },
  "cleanup-max-time": { type: "string" },
  "write-limit": { type: "string" },
} as const;

/** `N/DURATION` (e.g. `100/20s`), or plain `N` per 20 s: the writes the app may make per window. */
export function parseWriteLimit(text: string): WriteLimit | undefined {
  const match = /^\s*(\d+)\s*(?:\/\s*(\S+))?\s*$/.exec(text);
  if (!match) return undefined;
  const writes = Number(match[1]);
  const windowMs = match[2] === undefined ? DEFAULT_WRITE_LIMIT.windowMs : parseDuration(match[2]);
  if (!Number.isSafeInteger(writes) || writes < 1 || windowMs === undefined || windowMs <= 0) return undefined;
  return { writes, windowMs };
}

export const formatWriteLimit = (limit: WriteLimit): string => `${limit.writes}/${formatDuration(limit.windowMs)}`;

export const writeLimitText = z.string().transform((value, ctx) => {
  const limit = parseWriteLimit(value);
  if (!limit) {
    ctx.addIssue({ code: "custom", message: `expected writes per window such as 100/20s (or plain 100, per 20 s), got '${value}'` });
    return z.NEVER;
  }
  return limit;
});

export const cleanupSchemaShape = {
  cleanup: booleanText,
  "cleanup-max-time": durationText(true),
  "write-limit": writeLimitText,
};

export function fillCleanupDefaults(raw: Record<string, unknown>): void {
  raw.cleanup ??= true;
  raw["cleanup-max-time"] ??= formatDuration(DEFAULT_CLEANUP_MAX_TIME_MS);
  raw["write-limit"] ??= formatWriteLimit(DEFAULT_WRITE_LIMIT);
}

export interface CleanupConfig {
  /** Delete this run's staged records (on unless --no-cleanup). */
  readonly enabled: boolean;
  /** How long deletes go on once the report is complete. */
  readonly maxTimeMs: number;
  readonly writeLimit: WriteLimit;
}

export function cleanupConfig(c: z.output<z.ZodObject<typeof cleanupSchemaShape>>): CleanupConfig {
  return { enabled: c.cleanup, maxTimeMs: c["cleanup-max-time"], writeLimit: c["write-limit"] };
}

/** The help text's section for these flags. */
export const CLEANUP_OPTIONS_HELP = `Cleanup of staged records (on by default):
  --no-cleanup             keep this run's staged records (importedWindowsAutopilotDeviceIdentities);
                           'autopilot-import cleanup' deletes them later. Otherwise each is deleted once its
                           outcome is journaled and in the report; only ours (by id, never by a listing)
  --cleanup-max-time DURATION  how long deletes go on once the report is complete (default
                           ${formatDuration(DEFAULT_CLEANUP_MAX_TIME_MS)}; 0: not at all); the rest is left for 'autopilot-import cleanup'
  --write-limit N/DURATION the app's write budget deletes are paced by (default ${formatWriteLimit(DEFAULT_WRITE_LIMIT)}, Intune's
                           limit per app per tenant); each delete is a write, so 100,000 records take at
                           least 5h33m: deletes go between submissions, never delaying one or the report
`;
