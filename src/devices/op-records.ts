/**
 * The records of an `update` or `deregister` run's journal (the import journal's line format, src/state/codec.ts):
 * what the run is, each process that worked on it, the writes about to be sent (durable first) and their outcomes.
 * Rows are keyed `fileIndex:line` (a file run) or by Autopilot device id (a --where run).
 */
import { z } from "zod";
import { inputFileSchema } from "../state/records.js";

export const OP_JOURNAL_VERSION = 1;
export const OP_COMMANDS = ["update", "deregister"] as const;
export type OpCommand = (typeof OP_COMMANDS)[number];

const at = z.iso.datetime({ offset: true });

const opRunRecord = z.object({
  type: z.literal("op-run"),
  version: z.literal(OP_JOURNAL_VERSION),
  command: z.enum(OP_COMMANDS),
  key: z.string(),
  at,
  files: z.array(inputFileSchema),
  where: z.string().nullable(),
  tenant: z.string(),
  endpoint: z.string(),
  /** The options that change what is done (the values set, --delete-intune-record…), as the command words them. */
  plan: z.string(),
  tool: z.string(),
});

const opSessionRecord = z.object({ type: z.literal("op-session"), at, pid: z.number().int(), host: z.string(), resumed: z.boolean() });

/** [row key, Autopilot device id, action]: written and fsynced before the requests go. */
const opIntentRecord = z.object({ type: z.literal("op-intent"), at, items: z.array(z.tuple([z.string(), z.string(), z.string()])).min(1) });

/** [row key, status, device id or null, message]. */
const opOutcomeRecord = z.object({
  type: z.literal("op-outcome"),
  at,
  items: z.array(z.tuple([z.string(), z.string(), z.string().nullable(), z.string()])).min(1),
});

const opFinishedRecord = z.object({ type: z.literal("op-finished"), at });

const opRecordSchema = z.discriminatedUnion("type", [opRunRecord, opSessionRecord, opIntentRecord, opOutcomeRecord, opFinishedRecord]);

export type OpRecord = z.output<typeof opRecordSchema>;
export type OpRunRecord = z.output<typeof opRunRecord>;

/** The record a decoded line holds, or undefined for a kind this version does not know. */
export function parseOpRecord(value: unknown): OpRecord | undefined {
  const parsed = opRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
