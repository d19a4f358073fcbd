/**
 * The journal's record types (one JSON object per line, see codec.ts), validated when read back. A record carries
 * rows as [file index, line, …] tuples into the run's `files`: never hardware hashes, never report text it can rebuild.
 */
import { z } from "zod";
import { TRAIT_NAMES, type TraitName } from "../graph/service-traits.js";

export const JOURNAL_VERSION = 1;

const at = z.iso.datetime({ offset: true });
const fileIndex = z.number().int().min(0);
const line = z.number().int().min(1);
const rowStatus = z.enum(["imported", "already_registered", "updated", "failed", "invalid", "duplicate", "timeout"]);

export const inputFileSchema = z.object({
  /** The path as given on the command line (the report's `file` column). */
  name: z.string(),
  /** Absolute path when the run started. */
  path: z.string(),
  size: z.number().int().min(0),
  mtimeMs: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** First line: what the run is (its key is derived from files, tenant and endpoint). */
const runRecord = z.object({
  type: z.literal("run"),
  version: z.literal(JOURNAL_VERSION),
  run: z.string(),
  at,
  files: z.array(inputFileSchema).min(1),
  tenant: z.string(),
  endpoint: z.string(),
  tool: z.string(),
});

/** Each process that opens the journal: for `status` and post-mortems. */
const sessionRecord = z.object({ type: z.literal("session"), at, pid: z.number().int(), host: z.string(), resumed: z.boolean() });

/** Durable before the upload is sent: its importId and rows. */
const plannedRecord = z.object({
  type: z.literal("upload-planned"),
  at,
  upload: z.string().min(1),
  rows: z.array(z.tuple([fileIndex, line, z.string()])).min(1),
});

/** Graph's answer, or what reconciliation found: every planned row is staged, rejected, or not staged (sent again later). */
const submittedRecord = z.object({
  type: z.literal("upload-submitted"),
  at,
  upload: z.string().min(1),
  /** When the records were staged (for a reconciled upload: when it was planned). */
  stagedAt: at,
  reconciled: z.boolean(),
  staged: z.array(z.tuple([fileIndex, line, z.string().min(1)])),
  rejected: z.array(z.tuple([fileIndex, line])),
  notStaged: z.array(z.tuple([fileIndex, line])),
});

/** A row's outcome: `polled` as polling (or a rejection) left it, `final` after the after-import steps. */
const outcomeRecord = z.object({
  type: z.literal("device-outcome"),
  at,
  phase: z.enum(["polled", "final"]),
  f: fileIndex,
  l: line,
  serial: z.string(),
  status: rowStatus,
  errorCode: z.string(),
  errorName: z.string(),
  message: z.string(),
  uploadId: z.string(),
  stagedId: z.string(),
  registrationId: z.string(),
  registered: z.enum(["yes", "no", "unchecked"]),
  /** --add-to-group's outcome for the row (the report's groups column); absent when not asked. */
  groups: z.string().optional(),
});

/** The input was read to the end (counts for `status`). */
const inputReadRecord = z.object({
  type: z.literal("input-read"),
  at,
  rows: z.number().int().min(0),
  valid: z.number().int().min(0),
  invalid: z.number().int().min(0),
  duplicates: z.number().int().min(0),
});

/** The Autopilot sync after the import touched the service: a resumed run does not trigger it again. */
const syncRecord = z.object({
  type: z.literal("sync"),
  at,
  status: z.enum(["triggered", "joined", "running", "tooSoon", "failed", "skipped", "error"]),
  message: z.string(),
  retryAt: z.string().optional(),
});

/** Staged records deleted after their outcome was read (written by the cleanup of the after-import steps). */
const stagedDeletedRecord = z.object({ type: z.literal("staged-deleted"), at, ids: z.array(z.string().min(1)).min(1) });

/** An answer the run learned about the service's undocumented behaviour (src/graph/service-traits.ts). */
const serviceTraitRecord = z.object({ type: z.literal("service-trait"), at, name: z.enum(TRAIT_NAMES as [TraitName, ...TraitName[]]), value: z.boolean() });

/**
 * The staged records in the tenant before the run sent anything: with an importId the service does not keep, what
 * proves that a record found by serial number is ours. Written before the first submission; the newest one counts.
 */
const stagedBaselineRecord = z.object({ type: z.literal("staged-baseline"), at, ids: z.array(z.string().min(1)) });

/** Every row has its outcome and the report was written complete. */
const finishedRecord = z.object({ type: z.literal("run-finished"), at, summary: z.record(z.string(), z.unknown()) });

export const journalRecordSchema = z.discriminatedUnion("type", [
  runRecord,
  sessionRecord,
  plannedRecord,
  submittedRecord,
  outcomeRecord,
  inputReadRecord,
  syncRecord,
  stagedDeletedRecord,
  serviceTraitRecord,
  stagedBaselineRecord,
  finishedRecord,
]);

export type JournalRecord = z.output<typeof journalRecordSchema>;
export type RunRecord = z.output<typeof runRecord>;
export type InputFile = z.output<typeof inputFileSchema>;
export type PlannedRecord = z.output<typeof plannedRecord>;
export type SubmittedRecord = z.output<typeof submittedRecord>;
export type OutcomeRecord = z.output<typeof outcomeRecord>;
export type SyncRecord = z.output<typeof syncRecord>;
export type FinishedRecord = z.output<typeof finishedRecord>;
/** What a writer passes: the record without its time, which the journal stamps. */
export type NewRecord = WithoutTime<JournalRecord>;
type WithoutTime<R> = R extends unknown ? Omit<R, "at"> : never;

/** A record read back, or undefined when its shape is not one this version knows (skipped, never fatal). */
export function parseRecord(value: unknown): JournalRecord | undefined {
  const result = journalRecordSchema.safeParse(value);
  return result.success ? result.data : undefined;
}
